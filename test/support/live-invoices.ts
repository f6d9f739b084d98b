import { dec } from '../../src/domain/money.js';
import type { SandboxInvoice } from '../../providers/types.js';

/** Provider states in which an invoice no longer counts (Procountor's invalidated or deleted). */
const VOID = new Set(['INVALIDATED', 'DELETED']);

/**
 * The invoices a sandbox holds that still bill the customer: not void, and
 * not cancelled by a credit note of the same amount (each credit note cancels
 * one invoice). What a finance person would count as "live" in the books.
 */
export function liveInvoices(stored: SandboxInvoice[]): SandboxInvoice[] {
  const credits = stored.filter((i) => dec(i.total ?? '0').isNegative()).map((i) => dec(i.total!).negated().toFixed(2));
  const live: SandboxInvoice[] = [];
  for (const invoice of stored) {
    if (VOID.has(invoice.state ?? '') || !dec(invoice.total ?? '0').isPositive()) continue;
    const matched = credits.indexOf(dec(invoice.total!).toFixed(2));
    if (matched >= 0) credits.splice(matched, 1);
    else live.push(invoice);
  }
  return live;
}

/** The credit notes a sandbox holds. */
export function creditNotes(stored: SandboxInvoice[]): SandboxInvoice[] {
  return stored.filter((i) => dec(i.total ?? '0').isNegative());
}

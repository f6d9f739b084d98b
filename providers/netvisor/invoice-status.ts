import { Decimal } from 'decimal.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { ProviderInvoice, ProviderInvoiceStatus } from '../types.js';
import { netvisorOk, type NetvisorContext, type NetvisorDeps } from './client.js';
import { readSalesInvoicePages } from './sales-invoice-pages.js';
import { parseSalesInvoice, parseSalesPaymentList, type SalesInvoiceListEntry } from './xml/parse-response.js';

const MAX_PAGES = 20;

/**
 * Whether a Netvisor sales invoice was sent and what has been paid, from
 * `salesinvoicelist.nv` (the list carries `InvoiceStatus`, `InvoiceSum` and
 * `OpenSum`; getsalesinvoice.nv does not carry the open sum): filtered by the
 * invoice number, paged on with `invoicesabovenetvisorkey` while pages come
 * back full. Paid = InvoiceSum − OpenSum. The list gives no payment date:
 * when something is paid, `salespaymentlist.nv?invoicenetvisorkey=` gives the
 * payments targeted to the invoice, and `paidAt` is the newest one's date
 * (null when none is listed, e.g. settled by a credit note: the record then
 * carries the day ledgerlink saw it). Anything unreadable throws, so nothing
 * known is changed.
 */
export async function readNetvisorStatus(ctx: NetvisorContext, existing: ProviderInvoice, deps: NetvisorDeps): Promise<ProviderInvoiceStatus | null> {
  const number = existing.number ?? (await numberOf(ctx, existing.id, deps));
  if (number === undefined) return null;
  const entry = await findInList(ctx, existing.id, number, deps);
  if (!entry) {
    // Not in the list under its number: deleted, or renumbered. getsalesinvoice.nv tells which.
    if ((await numberOf(ctx, existing.id, deps)) === undefined) return null;
    throw unreadable(existing.id, `salesinvoicelist.nv did not list it under number ${number}`);
  }
  if (entry.sum === null || entry.openSum === null || entry.openSum === undefined || !entry.status) {
    throw unreadable(existing.id, 'the list gave no InvoiceSum, OpenSum or InvoiceStatus');
  }
  const status = entry.status.toLowerCase();
  const total = new Decimal(entry.sum);
  const paid = Decimal.max(0, total.minus(entry.openSum));
  const paidAmount = status === 'paid' && paid.isZero() ? total : paid;
  return {
    state: status,
    void: false,
    sent: status !== 'unsent',
    paidAmount: paidAmount.toFixed(2),
    paidAt: paidAmount.isZero() ? null : await lastPaymentDate(ctx, existing.id, deps),
    total: total.toFixed(2),
  };
}

/** The date of the newest payment targeted to the invoice, or null when Netvisor lists none. */
async function lastPaymentDate(ctx: NetvisorContext, key: string, deps: NetvisorDeps): Promise<string | null> {
  const payments = parseSalesPaymentList(
    await netvisorOk(
      ctx,
      { method: 'GET', resource: 'salespaymentlist.nv', query: [['invoicenetvisorkey', key]], write: false, label: 'read the payments of the invoice from Netvisor' },
      deps,
    ),
  );
  if (payments.some((p) => p.date === null)) throw unreadable(key, 'salespaymentlist.nv gave a payment without a readable Date');
  return payments.reduce<string | null>((newest, p) => (newest === null || p.date! > newest ? p.date : newest), null);
}

async function findInList(ctx: NetvisorContext, key: string, number: string, deps: NetvisorDeps): Promise<SalesInvoiceListEntry | null> {
  let found: SalesInvoiceListEntry | null = null;
  const list = await readSalesInvoicePages(ctx, deps, { query: [['invoicenumber', number]], label: 'read the invoice status from Netvisor', maxPages: MAX_PAGES }, (entries) => {
    found = entries.find((e) => e.netvisorKey === key) ?? null;
    return found !== null;
  });
  if (found || list.complete) return found;
  throw unreadable(key, 'the list kept answering full pages');
}

/** The invoice's number from getsalesinvoice.nv; undefined when Netvisor no longer has it. */
async function numberOf(ctx: NetvisorContext, key: string, deps: NetvisorDeps): Promise<string | undefined> {
  const details = parseSalesInvoice(
    await netvisorOk(
      ctx,
      { method: 'GET', resource: 'getsalesinvoice.nv', query: [['netvisorkey', key], ['pdfimage', 'nopdf']], write: false, label: 'read the invoice from Netvisor' },
      deps,
    ),
  );
  if (!details) return undefined;
  if (!details.number) throw unreadable(key, 'getsalesinvoice.nv gave no number');
  return details.number;
}

function unreadable(key: string, why: string): ProviderTransientError {
  return new ProviderTransientError({
    code: 'netvisor_status_unreadable',
    message: `Netvisor's answer about invoice ${key} could not be read in full (${why}); ledgerlink keeps what it knew and reads it again later.`,
  });
}

import { dec, money, roundCents, sum } from './money.js';
import type { Totals } from './resolved-invoice.js';

export interface LineAmounts {
  netAmount: string;
  vatAmount: string;
  grossAmount: string;
}

/**
 * Amounts of one line, rounded to cents per line (half away from zero):
 * net = round(quantity × unitPrice), VAT = round(net × rate / 100), gross = net + VAT.
 * Both Procountor and Netvisor round each row this way, so our totals match theirs.
 */
export function lineAmounts(quantity: string, unitPrice: string, vatRate: string): LineAmounts {
  const net = roundCents(dec(quantity).times(dec(unitPrice)));
  const vat = roundCents(net.times(dec(vatRate)).dividedBy(100));
  return { netAmount: net.toFixed(2), vatAmount: vat.toFixed(2), grossAmount: net.plus(vat).toFixed(2) };
}

/** Invoice totals: the sums of the rounded line amounts. */
export function totalsOf(lines: ReadonlyArray<LineAmounts>): Totals {
  const net = sum(lines.map((l) => dec(l.netAmount)));
  const vat = sum(lines.map((l) => dec(l.vatAmount)));
  return { net: money(net), vat: money(vat), gross: money(net.plus(vat)) };
}

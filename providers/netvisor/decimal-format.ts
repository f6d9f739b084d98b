import { dec, decimalText, money } from '../../src/domain/money.js';

/** Netvisor writes decimals with a comma: "1506,00". */
export function commaMoney(value: string): string {
  return money(value).replace('.', ',');
}

/** A quantity, rate or unit price as written, with a comma and no needless zeros: "12", "25,5", "10,75". */
export function commaDecimal(value: string): string {
  return decimalText(value).replace('.', ',');
}

/** A unit price with at least two decimals ("100,00"), more when the price has them ("1,125"). */
export function commaPrice(value: string): string {
  const d = dec(value);
  return (d.decimalPlaces() <= 2 ? d.toFixed(2) : d.toFixed()).replace('.', ',');
}

/** Reads a Netvisor number ("1 506,00", "-12", "6,9000") into a dot decimal string, or null. */
export function parseCommaDecimal(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const compact = value.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^[+-]?\d+(\.\d+)?$/.test(compact)) return null;
  return compact;
}

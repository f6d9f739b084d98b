import { Decimal } from 'decimal.js';

/**
 * All money, quantities and rates inside ledgerlink are decimal.js values or
 * decimal strings — never binary floats. This module is the one place that
 * configures decimal.js, so every caller rounds the same way.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

/** Matches the decimal strings we accept: optional sign, digits, optional fraction. */
export const DECIMAL_PATTERN = /^[+-]?\d+(\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

/** Parses a decimal string (or a finite JS number, via its shortest exact text form). */
export function dec(value: string | number | Decimal): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    // String(n) is the shortest text that round-trips, i.e. what the sender wrote.
    return new Dec(String(value));
  }
  const trimmed = value.trim();
  if (!isDecimalString(trimmed)) throw new RangeError(`not a decimal number: "${value}"`);
  return new Dec(trimmed);
}

/**
 * Rounds to cents, half away from zero (the commercial rule Procountor and
 * Netvisor both apply to line sums), so a credit note mirrors its invoice.
 */
export function roundCents(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Formats money with exactly two decimals and a dot: "1200.00". */
export function money(value: Decimal | string): string {
  return roundCents(dec(value)).toFixed(2);
}

/** Canonical text of any decimal (no exponent, no trailing zeros beyond what is needed). */
export function decimalText(value: Decimal | string | number): string {
  const d = dec(value);
  return d.isZero() ? '0' : d.toFixed();
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = new Dec(0);
  for (const v of values) total = total.plus(v);
  return total;
}

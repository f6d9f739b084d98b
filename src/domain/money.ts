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

/**
 * The most digits a decimal from input may have: 12 before the point (below a
 * trillion) and 10 after. More means nothing on an invoice, and unbounded
 * digits are a denial of service: decimal.js multiplies two 400,000-digit
 * numbers in about a minute, on the event loop. Text longer than
 * MAX_DECIMAL_TEXT (leading zeros, say) is refused before it is even read.
 */
export const MAX_INTEGER_DIGITS = 12;
export const MAX_FRACTION_DIGITS = 10;
export const MAX_DECIMAL_TEXT = 40;

export const DECIMAL_LIMITS_TEXT = `at most ${MAX_INTEGER_DIGITS} digits before the decimal point and ${MAX_FRACTION_DIGITS} after`;

/**
 * Why a decimal from input is out of bounds (a phrase completing "must have…"),
 * or null when it is within them. Only looks at the text, so it is cheap on any
 * input; a value that is not a decimal at all is not its business.
 */
export function decimalBoundsProblem(value: string | number): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // 1e300 and 5e-324 are short to write but long to spell out: count the digits they stand for.
    const d = new Dec(value);
    text = d.isZero() ? '0' : d.toFixed();
    if (text.length > MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS + 2) return `${DECIMAL_LIMITS_TEXT}, got ${value}`;
  } else {
    text = value.trim();
    if (text.length > MAX_DECIMAL_TEXT) {
      const digits = text.replace(/[^0-9]/g, '').length;
      return `${DECIMAL_LIMITS_TEXT}, got ${digits} digits`;
    }
  }
  if (!isDecimalString(text)) return null;
  const unsigned = text.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = unsigned.split('.');
  const integerDigits = whole.replace(/^0+/, '').length;
  const fractionDigits = fraction.replace(/0+$/, '').length;
  if (integerDigits > MAX_INTEGER_DIGITS || fractionDigits > MAX_FRACTION_DIGITS) {
    return `${DECIMAL_LIMITS_TEXT}, got ${integerDigits} before and ${fractionDigits} after`;
  }
  return null;
}

/** A decimal string within the bounds: what may be handed to decimal.js from input. */
export function isBoundedDecimal(value: unknown): value is string {
  return typeof value === 'string' && boundedDecimalText(value) !== null;
}

/**
 * The canonical text of `value` when it is a decimal string within the bounds,
 * else null. Remembered: invoices repeat the same few quantities, prices and
 * rates, and checking the text was half of validating an invoice (intake, issue 10).
 */
export function boundedDecimalText(value: string): string | null {
  const known = boundedTexts.get(value);
  if (known !== undefined) return known;
  const trimmed = value.trim();
  if (!isDecimalString(trimmed) || decimalBoundsProblem(value) !== null) return null;
  const text = decimalText(dec(trimmed));
  if (value.length <= MAX_DECIMAL_TEXT) {
    if (boundedTexts.size >= PARSED_KEPT) boundedTexts.clear();
    boundedTexts.set(value, text);
  }
  return text;
}

const boundedTexts = new Map<string, string>();

/** Parses a decimal string (or a finite JS number, exactly). */
export function dec(value: string | number | Decimal): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    // decimal.js reads a number through its shortest round-trip text (what the sender wrote),
    // exponent forms such as 1e-7 included.
    return new Dec(value);
  }
  const known = parsed.get(value);
  if (known) return known;
  const trimmed = value.trim();
  if (!isDecimalString(trimmed)) throw new RangeError(`not a decimal number: "${value}"`);
  const d = new Dec(trimmed);
  // Decimals are immutable, and invoices repeat the same few quantities, prices and rates.
  if (value.length <= MAX_DECIMAL_TEXT) {
    if (parsed.size >= PARSED_KEPT) parsed.clear();
    parsed.set(value, d);
  }
  return d;
}

/** Decimals already read from text (a small cache: reading text is most of decimal.js's cost here). */
const parsed = new Map<string, Decimal>();
const PARSED_KEPT = 2000;

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

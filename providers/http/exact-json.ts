/**
 * JSON whose numbers are written from decimal text, digit for digit. JSON has
 * no limit on a number's digits, but JavaScript's JSON.stringify can only
 * write a binary float — and writes 0.0000001 as 1e-7 and 10²¹ as 1e+21. A
 * JsonDecimal carries the decimal's own text into the JSON unchanged.
 */
export class JsonDecimal {
  /** A JSON number as RFC 8259 writes it: no "+", no leading zeros, no lone ".". */
  private static readonly FORM = /^-?(0|[1-9]\d*)(\.\d+)?$/;

  readonly text: string;

  constructor(decimal: string) {
    let text = decimal.trim().replace(/^\+/, '');
    // "0012.50" → "12.50": JSON forbids leading zeros.
    text = text.replace(/^(-?)0+(?=\d)/, '$1');
    if (!JsonDecimal.FORM.test(text)) throw new RangeError(`not a decimal number: "${decimal}"`);
    this.text = text === '-0' ? '0' : text;
  }

  /** Plain JSON.stringify cannot write it as a number; it writes the text rather than a rounded float. */
  toJSON(): string {
    return this.text;
  }
}

/** JSON.stringify, except that JsonDecimal values are written as the numbers they spell. */
export function exactJson(value: unknown): string {
  if (value instanceof JsonDecimal) return value.text;
  if (value === null || typeof value !== 'object') {
    // Strings, booleans, finite numbers; undefined and functions have no JSON form (callers skip them).
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : exactJson(item))).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return exactJson((value as { toJSON(): unknown }).toJSON());
  const fields: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined || typeof item === 'function') continue;
    fields.push(`${JSON.stringify(key)}:${exactJson(item)}`);
  }
  return `{${fields.join(',')}}`;
}

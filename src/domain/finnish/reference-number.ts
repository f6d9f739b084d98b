/**
 * Payment reference numbers: the Finnish national reference (viitenumero) and
 * the international RF creditor reference (ISO 11649).
 *
 * Finnish reference (Finance Finland, "Viitenumero" / Finnish banks' standard
 * for domestic reference numbers): digits only, 4–20 digits including the
 * check digit. The check digit is computed over the base with the weights
 * 7, 3, 1, 7, 3, 1, … starting from the rightmost digit of the base:
 * check = (10 − sum mod 10) mod 10. Leading zeros carry no meaning (a zero adds
 * nothing to the sum) and banks ignore them, so they are dropped when
 * normalising. Printed in groups of five digits counted from the right
 * ("12345 67890 12344").
 *
 * RF creditor reference (ISO 11649): "RF", two check digits and 1–21 letters or
 * digits (25 characters at most). Valid when moving the first four characters
 * to the end, turning letters into numbers (A = 10 … Z = 35) and taking the
 * result mod 97 gives 1 — the same check as an IBAN. Printed in groups of four
 * characters ("RF18 5390 0754 7034"). In Finland the RF form of a national
 * reference is "RF" + check digits + the national reference itself.
 *
 * Everything here works on strings and bigint so per-tenant sequences of any
 * size stay exact; no binary floats.
 */

export type ReferenceKind = 'finnish' | 'rf';

export type ReferenceNumberResult =
  | { ok: true; value: string; kind: ReferenceKind }
  | { ok: false; message: string };

const FINNISH_WEIGHTS = [7, 3, 1] as const;
/** Shortest and longest Finnish reference, check digit included. */
export const FINNISH_REFERENCE_MIN_DIGITS = 4;
export const FINNISH_REFERENCE_MAX_DIGITS = 20;
/** Longest RF reference body (after "RF" and the two check digits). */
export const RF_MAX_BODY = 21;

/** The Finnish check digit for a base of digits (any length ≥ 1). */
export function finnishCheckDigit(base: string): number {
  if (!/^\d+$/.test(base)) throw new RangeError(`a reference base is digits only, got "${base}"`);
  let total = 0;
  for (let i = 0; i < base.length; i++) {
    // i counts from the rightmost digit of the base.
    total += Number(base[base.length - 1 - i]) * FINNISH_WEIGHTS[i % 3]!;
  }
  return (10 - (total % 10)) % 10;
}

/** Removes the spaces people type or print between groups. */
function stripSpaces(input: string): string {
  return input.replace(/\s+/g, '');
}

/** The value mod 97 of an alphanumeric string read as ISO 7064 digits (A = 10 … Z = 35). */
function mod97(alnum: string): number {
  let remainder = 0;
  for (const ch of alnum) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

/** The two RF check digits for a creditor reference body ("539007547034" → "18"). */
export function rfCheckDigits(body: string): string {
  const upper = body.toUpperCase();
  if (!/^[A-Z0-9]{1,21}$/.test(upper)) {
    throw new RangeError(`an RF reference body is 1–21 letters or digits, got "${body}"`);
  }
  return String(98 - mod97(`${upper}RF00`)).padStart(2, '0');
}

function validateFinnish(digits: string, shown: string): ReferenceNumberResult {
  const significant = digits.replace(/^0+/, '');
  if (significant.length < FINNISH_REFERENCE_MIN_DIGITS) {
    return {
      ok: false,
      message: `is too short: a Finnish reference number has ${FINNISH_REFERENCE_MIN_DIGITS}–${FINNISH_REFERENCE_MAX_DIGITS} digits (without leading zeros), got "${shown}"`,
    };
  }
  if (significant.length > FINNISH_REFERENCE_MAX_DIGITS) {
    return {
      ok: false,
      message: `is too long: a Finnish reference number has at most ${FINNISH_REFERENCE_MAX_DIGITS} digits, got ${significant.length}`,
    };
  }
  const base = significant.slice(0, -1);
  const given = significant.slice(-1);
  const expected = finnishCheckDigit(base);
  if (String(expected) !== given) {
    return {
      ok: false,
      message: `has a wrong check digit: the last digit should be ${expected}, not ${given} (${formatFinnish(base + expected)}); check the number`,
    };
  }
  return { ok: true, value: significant, kind: 'finnish' };
}

function validateRf(compact: string, shown: string): ReferenceNumberResult {
  const upper = compact.toUpperCase();
  const m = /^RF(\d{2})([A-Z0-9]+)$/.exec(upper);
  if (!m) {
    return {
      ok: false,
      message: `must be an RF creditor reference: RF, two check digits and 1–${RF_MAX_BODY} letters or digits (e.g. RF18 5390 0754 7034), got "${shown}"`,
    };
  }
  const given = m[1]!;
  const body = m[2]!;
  if (body.length > RF_MAX_BODY) {
    return {
      ok: false,
      message: `is too long: an RF creditor reference has at most ${RF_MAX_BODY} characters after RF and the check digits, got ${body.length}`,
    };
  }
  const expected = rfCheckDigits(body);
  if (expected !== given) {
    return {
      ok: false,
      message: `has wrong check digits: they should be ${expected}, not ${given} (${formatRf(`RF${expected}${body}`)}); check the reference`,
    };
  }
  return { ok: true, value: upper, kind: 'rf' };
}

/**
 * Validates a Finnish reference number or an RF creditor reference. Spaces are
 * allowed anywhere; the value returned has none (and, for a Finnish reference,
 * no leading zeros; RF letters upper-cased). When the check digit is what is
 * wrong, the message names the right one.
 */
export function validateReferenceNumber(input: string): ReferenceNumberResult {
  const shown = input.trim();
  const compact = stripSpaces(input);
  if (compact === '') return { ok: false, message: 'is empty: leave it out to have one generated, or give a reference number' };
  if (/^rf/i.test(compact)) return validateRf(compact, shown);
  if (/^\d+$/.test(compact)) return validateFinnish(compact, shown);
  return {
    ok: false,
    message: `must be a Finnish reference number (4–20 digits, e.g. 12 34561) or an RF creditor reference (e.g. RF18 5390 0754 7034), got "${shown}"`,
  };
}

/**
 * Builds a Finnish reference number from a base by appending its check digit:
 * 123 → "1232", 1000n + 42n → "10422". The base must have 3–19 significant
 * digits so that the reference has 4–20. Throws RangeError on a bad base — the
 * caller controls the base (e.g. a per-tenant sequence), so that is a bug, not
 * user input.
 */
export function finnishReferenceFromBase(base: string | bigint): string {
  let digits: string;
  if (typeof base === 'bigint') {
    if (base < 0n) throw new RangeError(`a reference base must not be negative, got ${base}`);
    digits = base.toString();
  } else {
    digits = stripSpaces(base);
    if (!/^\d+$/.test(digits)) throw new RangeError(`a reference base is digits only, got "${base}"`);
  }
  const significant = digits.replace(/^0+/, '');
  if (significant.length < FINNISH_REFERENCE_MIN_DIGITS - 1) {
    throw new RangeError(`a reference base needs at least ${FINNISH_REFERENCE_MIN_DIGITS - 1} significant digits (e.g. 1000 + sequence), got "${digits}"`);
  }
  if (significant.length > FINNISH_REFERENCE_MAX_DIGITS - 1) {
    throw new RangeError(`a reference base has at most ${FINNISH_REFERENCE_MAX_DIGITS - 1} digits, got ${significant.length}`);
  }
  return `${significant}${finnishCheckDigit(significant)}`;
}

/**
 * The RF creditor reference for a valid Finnish reference number
 * ("1232" → "RF111232"). Returned without spaces. Throws RangeError when `ref`
 * is not a valid Finnish reference number (the message says why).
 */
export function rfFromFinnish(ref: string): string {
  const result = validateReferenceNumber(ref);
  if (!result.ok) throw new RangeError(`reference number "${ref.trim()}" ${result.message}`);
  if (result.kind !== 'finnish') throw new RangeError(`"${ref.trim()}" is already an RF reference`);
  return `RF${rfCheckDigits(result.value)}${result.value}`;
}

function formatFinnish(digits: string): string {
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 5) groups.unshift(digits.slice(Math.max(0, end - 5), end));
  return groups.join(' ');
}

function formatRf(value: string): string {
  return value.match(/.{1,4}/g)!.join(' ');
}

/**
 * The printed form of a valid reference number: a Finnish one in groups of
 * five from the right ("1234561" → "12 34561"), an RF one in groups of four
 * from the left ("RF18 5390 0754 7034"). Throws RangeError when `ref` is not
 * valid; validate host input with validateReferenceNumber first.
 */
export function formatReferenceNumber(ref: string): string {
  const result = validateReferenceNumber(ref);
  if (!result.ok) throw new RangeError(`reference number "${ref.trim()}" ${result.message}`);
  return result.kind === 'finnish' ? formatFinnish(result.value) : formatRf(result.value);
}

/**
 * Finnish business ID (Y-tunnus, FO-nummer) and the Finnish VAT number derived
 * from it.
 *
 * Format `NNNNNNN-C`: seven digits, a hyphen and a check digit. The check digit
 * uses the weights 7, 9, 10, 5, 8, 4, 2 from the left; r = weighted sum mod 11;
 * r = 0 → C = 0, r = 1 → no valid ID has these seven digits, otherwise
 * C = 11 − r (Finnish Patent and Registration Office / Tax Administration
 * "Y-tunnuksen tarkistusmerkki"; ../shared/reference/NOTES.md "Finland").
 *
 * The Finnish VAT number is "FI" followed by the same eight digits without the
 * hyphen: 0112038-9 ↔ FI01120389.
 *
 * Input forms accepted (and normalised to `NNNNNNN-C`):
 * - surrounding and inner spaces ("0112038 - 9"), and en/em dashes or the
 *   Unicode minus for the hyphen (copy-paste from word processors);
 * - the eight digits without a hyphen ("01120389");
 * - the old six-digit form of IDs issued before the seven-digit format
 *   ("112038-9" with the leading zero missing, as older registers and
 *   spreadsheets that dropped leading zeros print them): a leading 0 is added.
 *   A leading zero does not change the weighted sum, so the check digit is the
 *   same either way.
 * A VAT number ("FI01120389") is *not* accepted as a business ID: it is a
 * different identifier with its own field (`customer.vatNumber`); the message
 * names the business ID it corresponds to instead.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2] as const;

export type BusinessIdResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * The check digit for the seven digits of a business ID, or null when no valid
 * ID can have these digits (weighted sum mod 11 = 1).
 */
export function businessIdCheckDigit(sevenDigits: string): number | null {
  if (!/^\d{7}$/.test(sevenDigits)) throw new RangeError(`expected seven digits, got "${sevenDigits}"`);
  let total = 0;
  for (let i = 0; i < 7; i++) total += Number(sevenDigits[i]) * WEIGHTS[i]!;
  const r = total % 11;
  if (r === 0) return 0;
  if (r === 1) return null;
  return 11 - r;
}

/** Spaces removed and any dash-like character turned into "-". */
function compact(input: string): string {
  return input.replace(/\s+/g, '').replace(/[\u2010-\u2015\u2212]/g, '-');
}

/**
 * Validates a Finnish business ID and returns it normalised as `NNNNNNN-C`.
 * The message says what is wrong in words a finance person can act on, e.g.
 * "check digit should be 9, not 8 (0112038-9)".
 */
export function validateBusinessId(input: string): BusinessIdResult {
  const raw = compact(input);
  if (raw === '') return { ok: false, message: 'is empty: write a business ID such as 1234567-1' };

  if (/^FI\d{8}$/i.test(raw)) {
    const digits = raw.slice(2);
    return {
      ok: false,
      message: `looks like a VAT number; the business ID is written ${digits.slice(0, 7)}-${digits.slice(7)}`,
    };
  }

  // NNNNNNN-C, NNNNNN-C (old six-digit form: add the leading zero) or NNNNNNNC.
  const m = /^(\d{7})-(\d)$/.exec(raw) ?? /^(\d{6})-(\d)$/.exec(raw) ?? /^(\d{7})(\d)$/.exec(raw);
  if (!m) {
    return {
      ok: false,
      message: `must be a Finnish business ID written NNNNNNN-C (seven digits, a hyphen and a check digit, e.g. 1234567-1), got "${input.trim()}"`,
    };
  }
  const body = m[1]!.padStart(7, '0');
  const given = m[2]!;

  const expected = businessIdCheckDigit(body);
  if (expected === null) {
    return {
      ok: false,
      message: `is not a valid business ID: no Finnish business ID begins ${body} (its check sum leaves remainder 1, which is never issued); check the digits`,
    };
  }
  if (String(expected) !== given) {
    return {
      ok: false,
      message: `has a wrong check digit: for ${body} the check digit should be ${expected}, not ${given} (${body}-${expected}); check the digits`,
    };
  }
  return { ok: true, value: `${body}-${given}` };
}

/** True when `input` is a valid business ID in any accepted form. */
export function isValidBusinessId(input: string): boolean {
  return validateBusinessId(input).ok;
}

/**
 * The Finnish VAT number of a business ID: "FI" + the eight digits
 * (1234567-1 → FI12345671). Throws RangeError when the business ID is invalid,
 * because a VAT number built from a wrong ID would be wrong too.
 */
export function vatNumberFromBusinessId(businessId: string): string {
  const result = validateBusinessId(businessId);
  if (!result.ok) throw new RangeError(`business ID "${businessId}" ${result.message}`);
  return `FI${result.value.replace('-', '')}`;
}

export type FinnishVatNumberResult =
  | { ok: true; value: string; businessId: string }
  | { ok: false; message: string };

/**
 * Parses a Finnish VAT number ("FI12345671", also "fi 1234 5671") and returns
 * it normalised with the business ID it stands for. The last digit is the
 * business ID's check digit, so a typo is caught the same way.
 */
export function parseFinnishVatNumber(input: string): FinnishVatNumberResult {
  const raw = input.replace(/[\s.-]+/g, '').toUpperCase();
  const m = /^FI(\d{8})$/.exec(raw);
  if (!m) {
    return {
      ok: false,
      message: `must be a Finnish VAT number written FI and eight digits (e.g. FI12345671), got "${input.trim()}"`,
    };
  }
  const digits = m[1]!;
  const id = validateBusinessId(`${digits.slice(0, 7)}-${digits.slice(7)}`);
  if (!id.ok) {
    const expected = businessIdCheckDigit(digits.slice(0, 7));
    const message =
      expected === null
        ? `is not a valid Finnish VAT number: no business ID begins ${digits.slice(0, 7)}; check the digits`
        : `has a wrong check digit: the last digit should be ${expected}, not ${digits.slice(7)} (FI${digits.slice(0, 7)}${expected}); check the digits`;
    return { ok: false, message };
  }
  return { ok: true, value: `FI${digits}`, businessId: id.value };
}

/**
 * IBAN checks (ISO 13616): the form Procountor wants in
 * `paymentInfo.bankAccount.accountNumber` — country code included, no spaces.
 */

/** Lengths of the IBANs finance teams using Procountor meet most; others are checked by form and checksum only. */
const LENGTHS: Record<string, number> = {
  FI: 18, AX: 18, SE: 24, NO: 15, DK: 18, EE: 20, LV: 21, LT: 20, DE: 22, NL: 18, BE: 16, FR: 27, ES: 24,
  IT: 27, AT: 20, PL: 28, GB: 22, IE: 22, CH: 21, LU: 20, PT: 25,
};

/** Removes spaces and upper-cases: "fi21 1234 5600 0007 85" → "FI2112345600000785". */
export function normaliseIban(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase();
}

/** Why a normalised IBAN is not valid, or null when it is. */
export function ibanProblem(iban: string): string | null {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return 'must be an IBAN: two letters, two check digits and the account number, e.g. FI21 1234 5600 0007 85';
  }
  const expected = LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) {
    return `must have ${expected} characters for a ${iban.slice(0, 2)} IBAN, got ${iban.length}`;
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) return 'is not a valid IBAN: its check digits do not match (a typo?)';
  return null;
}

export function isValidIban(value: string): boolean {
  return ibanProblem(normaliseIban(value)) === null;
}

function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

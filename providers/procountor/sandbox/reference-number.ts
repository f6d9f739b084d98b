/**
 * The sandbox's own check (kept apart from ledgerlink's src/domain/finnish, so
 * a fault there is caught here as Procountor would catch it). Payment
 * reference numbers Procountor accepts in `paymentInfo.bankReferenceCode`
 * ("must be a valid reference code where the last digit is a check digit"):
 * the Finnish viitenumero (4–20 digits, weights 7-3-1 from the right) or the
 * international RF creditor reference (ISO 11649, mod 97).
 */
export function isValidReference(code: string): boolean {
  const compact = code.replace(/\s+/g, '').toUpperCase();
  if (compact.startsWith('RF')) {
    if (!/^RF\d{2}[0-9A-Z]{1,21}$/.test(compact)) return false;
    const rearranged = compact.slice(4) + compact.slice(0, 4);
    let remainder = 0;
    for (const char of rearranged) {
      const digits = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
      for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
    }
    return remainder === 1;
  }
  if (!/^\d{4,20}$/.test(compact)) return false;
  return finnishCheckDigit(compact.slice(0, -1)) === Number(compact.at(-1));
}

/** The 7-3-1 check digit of a Finnish reference base. */
export function finnishCheckDigit(base: string): number {
  const weights = [7, 3, 1];
  const total = [...base].reverse().reduce((acc, d, i) => acc + Number(d) * weights[i % 3]!, 0);
  return (10 - (total % 10)) % 10;
}

/**
 * IBAN check (ISO 13616): move the first four characters to the end, turn
 * letters into numbers (A = 10 … Z = 35); the result mod 97 must be 1.
 */
export function isIban(input: string): boolean {
  const iban = input.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of moved) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** "FI4950009420028730" → "FI49 5000 9420 0287 30" (how an IBAN is printed). */
export function formatIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * EU member states as ISO 3166-1 alpha-2 codes (27 since the United Kingdom
 * left; for VAT the transition period ended 2020-12-31). Data, not logic: edit
 * this list when membership changes.
 *
 * Greece is "GR" in ISO 3166 but "EL" in VAT numbers and VIES; both are
 * recognised. Åland ("AX") is part of Finland but outside the EU VAT area, so
 * it is deliberately not in this list (see vat-treatment.ts).
 */
export const EU_MEMBER_STATES: ReadonlyArray<string> = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
];

/** VAT-number prefixes that differ from the ISO code. */
const ALIASES: Readonly<Record<string, string>> = { EL: 'GR' };

/** The ISO code for a country code or VAT prefix ("el" → "GR"). */
export function normaliseCountryCode(code: string): string {
  const upper = code.trim().toUpperCase();
  return ALIASES[upper] ?? upper;
}

/** True for an EU member state, Finland included. */
export function isEuMemberState(code: string): boolean {
  return EU_MEMBER_STATES.includes(normaliseCountryCode(code));
}

import { dec, decimalText, isDecimalString } from '../money.js';
import { isCalendarDate } from '../invoice-document.js';

/**
 * Finnish VAT rates, date-effective.
 *
 * Sources (vero.fi, checked 2026):
 * - "Rates of VAT" (vero.fi/en/businesses-and-corporations/taxes-and-charges/vat/rates-of-vat):
 *   general rate 25.5 % since 2024-09-01 (24 % before); on 2025-01-01 most goods
 *   and services at 10 % (books, pharmaceuticals, passenger transport,
 *   accommodation, culture and sports admissions…) moved to 14 %, while
 *   newspapers, magazines and public broadcasting stayed at 10 %.
 * - "The reduced VAT rate of 14% will be lowered to 13.5% at the beginning of
 *   2026" (vero.fi newsroom, updated 2025-12-18): 14 % → 13.5 % on 2026-01-01;
 *   public broadcasting moves from 10 % to 13.5 % (newspapers and magazines
 *   keep 10 %).
 * - "Change in VAT rates as of 1 January 2013" (vero.fi guidance 47792):
 *   23/13/9 % until 2012-12-31, 24/14/10 % from 2013-01-01.
 * The rate follows the date of delivery of goods or completion of a service
 * (vero.fi), so callers pass the delivery date when there is one.
 *
 * The table lists which *rates exist* on a date, not which goods take which
 * rate: 10 % is still a valid rate in 2025 and later (newspapers), so a book
 * invoiced at 10 % in 2026 cannot be caught here.
 */

/** One rate and the days it was in force (inclusive; `to` null = still in force). */
export interface FinnishVatRateBand {
  /** Which rate of the Finnish system this is, for explanations. */
  tier: 'general' | 'reduced' | 'second_reduced' | 'zero';
  /** Canonical decimal text: "25.5", "14", "0". */
  rate: string;
  from: string;
  to: string | null;
}

/** The first day the table covers; earlier dates have no answer. */
export const FINNISH_VAT_TABLE_START = '2010-07-01';

/** The table. Keep it sorted by tier, then date; add a band when the law changes. */
export const FINNISH_VAT_RATE_BANDS: ReadonlyArray<FinnishVatRateBand> = [
  { tier: 'general', rate: '23', from: '2010-07-01', to: '2012-12-31' },
  { tier: 'general', rate: '24', from: '2013-01-01', to: '2024-08-31' },
  { tier: 'general', rate: '25.5', from: '2024-09-01', to: null },
  // Food and restaurants; from 2025 also books, medicines, transport, culture…
  { tier: 'reduced', rate: '13', from: '2010-07-01', to: '2012-12-31' },
  { tier: 'reduced', rate: '14', from: '2013-01-01', to: '2025-12-31' },
  { tier: 'reduced', rate: '13.5', from: '2026-01-01', to: null },
  // Books, medicines, transport, culture… until 2024; newspapers and magazines since 2025.
  { tier: 'second_reduced', rate: '9', from: '2010-07-01', to: '2012-12-31' },
  { tier: 'second_reduced', rate: '10', from: '2013-01-01', to: null },
  { tier: 'zero', rate: '0', from: '2010-07-01', to: null },
];

const TIER_NAMES: Record<FinnishVatRateBand['tier'], string> = {
  general: 'the general rate',
  reduced: 'the reduced rate for food and restaurants',
  second_reduced: 'the lower reduced rate',
  zero: 'the zero rate',
};

function assertDate(date: string): void {
  if (!isCalendarDate(date)) throw new RangeError(`expected a date written YYYY-MM-DD, got "${date}"`);
}

function inForce(band: FinnishVatRateBand, date: string): boolean {
  return band.from <= date && (band.to === null || date <= band.to);
}

/** "25.5 %", the way a Finnish finance person writes a rate (dot kept: our API speaks dots). */
function pct(rate: string): string {
  return `${rate} %`;
}

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The Finnish VAT rates in force on a date, highest first, as canonical decimal
 * strings: finnishVatRatesOn('2026-11-30') → ["25.5", "13.5", "10", "0"].
 * Empty before FINNISH_VAT_TABLE_START.
 */
export function finnishVatRatesOn(date: string): string[] {
  assertDate(date);
  return FINNISH_VAT_RATE_BANDS.filter((b) => inForce(b, date))
    .map((b) => b.rate)
    .sort((a, b) => dec(b).comparedTo(dec(a)));
}

/** The general (standard) rate on a date: "25.5" since 2024-09-01. Null before the table starts. */
export function finnishGeneralVatRate(date: string): string | null {
  assertDate(date);
  return FINNISH_VAT_RATE_BANDS.find((b) => b.tier === 'general' && inForce(b, date))?.rate ?? null;
}

export type VatRateCheck = { ok: true } | { ok: false; message: string };

/**
 * Checks that `rate` is a Finnish VAT rate on `date`. Rates compare as decimals
 * ("25.50" equals "25.5"). The message lists the rates of that day and, when
 * the rate was valid at another time, says when and to what it changed:
 * "24 % is not a Finnish VAT rate on 2026-11-30; the rates then are 25.5 %,
 * 13.5 %, 10 % and 0 % (the general rate rose from 24 % to 25.5 % on 2024-09-01)".
 */
export function checkFinnishVatRate(rate: string, date: string): VatRateCheck {
  assertDate(date);
  const trimmed = rate.trim();
  if (!isDecimalString(trimmed)) {
    return { ok: false, message: `"${rate}" is not a VAT percentage; write it like "25.5"` };
  }
  const wanted = dec(trimmed);
  const shown = decimalText(wanted);
  const today = FINNISH_VAT_RATE_BANDS.filter((b) => inForce(b, date));
  if (today.length === 0) {
    return { ok: false, message: `ledgerlink's Finnish VAT table starts on ${FINNISH_VAT_TABLE_START}; ${date} is earlier` };
  }
  if (today.some((b) => dec(b.rate).equals(wanted))) return { ok: true };

  const ratesThen = listWords(finnishVatRatesOn(date).map(pct));
  let message = `${pct(shown)} is not a Finnish VAT rate on ${date}; the rates then are ${ratesThen}`;
  const explanation = explainOtherTime(wanted, date);
  if (explanation) message += ` (${explanation})`;
  return { ok: false, message };
}

/** When `rate` was (or will be) a Finnish rate at another time, how that relates to `date`. */
function explainOtherTime(rate: ReturnType<typeof dec>, date: string): string | null {
  const bands = FINNISH_VAT_RATE_BANDS.filter((b) => dec(b.rate).equals(rate));
  // Prefer the band closest to the date, so 24 % in 2026 talks about 2024, not 2013.
  const earlier = bands.filter((b) => b.to !== null && b.to < date).sort((a, b) => (a.to! < b.to! ? 1 : -1))[0];
  const later = bands.filter((b) => b.from > date).sort((a, b) => (a.from < b.from ? -1 : 1))[0];
  if (earlier) {
    const successor = FINNISH_VAT_RATE_BANDS.find((b) => b.tier === earlier.tier && b.from === nextDay(earlier.to!));
    if (!successor) return `${pct(earlier.rate)} was in force until ${earlier.to}`;
    const verb = dec(successor.rate).greaterThan(dec(earlier.rate)) ? 'rose' : 'fell';
    return `${TIER_NAMES[earlier.tier]} ${verb} from ${pct(earlier.rate)} to ${pct(successor.rate)} on ${successor.from}`;
  }
  if (later) {
    const current = FINNISH_VAT_RATE_BANDS.find((b) => b.tier === later.tier && inForce(b, date));
    const before = current ? `; on ${date} ${TIER_NAMES[later.tier]} is ${pct(current.rate)}` : '';
    return `${pct(later.rate)} applies only from ${later.from}${before}`;
  }
  return null;
}

import { Decimal } from 'decimal.js';
import { Dec, dec, decimalText } from '../../domain/money.js';
import type { Rounding } from './work-schemas.js';

/** Hours carry at most six decimals: 20 minutes is 0.333333 h, exact to the cent up to 15,000 EUR/h. */
export const HOUR_DECIMALS = 6;

export function minutesToHours(minutes: number): Decimal {
  return new Dec(minutes).dividedBy(60).toDecimalPlaces(HOUR_DECIMALS, Decimal.ROUND_HALF_UP);
}

/**
 * The project's time rounding applied to hours: to a whole number of
 * `incrementMinutes`, up, down or to the nearest (halves up).
 */
export function roundHours(hours: Decimal, rounding: Rounding | null | undefined): Decimal {
  if (!rounding) return hours;
  const steps = hours.times(60).dividedBy(rounding.incrementMinutes);
  const whole = rounding.mode === 'up' ? steps.ceil() : rounding.mode === 'down' ? steps.floor() : steps.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return whole.times(rounding.incrementMinutes).dividedBy(60).toDecimalPlaces(HOUR_DECIMALS, Decimal.ROUND_HALF_UP);
}

/** Hours as a clock: 1.25 → "+1:15", -0.5 → "-0:30", 0 → "0:00" (signed for differences). */
export function clockText(hours: Decimal | string, signed = true): string {
  const h = dec(hours);
  const totalMinutes = h.abs().times(60).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  const text = `${Math.floor(totalMinutes / 60)}:${String(totalMinutes % 60).padStart(2, '0')}`;
  if (totalMinutes === 0) return '0:00';
  if (h.isNegative()) return `-${text}`;
  return signed ? `+${text}` : text;
}

export function hoursText(value: Decimal): string {
  return decimalText(value);
}

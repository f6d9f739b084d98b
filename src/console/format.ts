import type { Locale } from './messages.js';

const INTL: Record<Locale, string> = { fi: 'fi-FI', en: 'en-GB' };
const ZONE = 'Europe/Helsinki';

/**
 * An amount for people: `1 200,00 €` in Finnish, `€1,200.00` in English. The
 * decimal string is formatted digit by digit (never through a float), so a
 * cent is never lost to binary rounding.
 */
export function formatMoney(amount: string | null | undefined, currency: string | null | undefined, locale: Locale): string {
  if (amount === null || amount === undefined || !/^-?\d+(\.\d+)?$/.test(amount)) return '–';
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const cents = (fraction + '00').slice(0, Math.max(2, fraction.length));
  const group = locale === 'fi' ? '\u00a0' : ',';
  const point = locale === 'fi' ? ',' : '.';
  const grouped = whole!.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const number = `${negative ? '−' : ''}${grouped}${point}${cents}`;
  const symbol = currency === 'EUR' || !currency ? '€' : currency;
  return locale === 'fi' ? `${number}\u00a0${symbol}` : symbol === '€' ? `${negative ? '−' : ''}€${number.replace('−', '')}` : `${number} ${symbol}`;
}

/** A calendar day `YYYY-MM-DD` as people write it: `30.11.2026` / `30 Nov 2026`. */
export function formatDay(day: string | null | undefined, locale: Locale): string {
  const match = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  if (!match) return day ?? '–';
  const [, y, m, d] = match;
  if (locale === 'fi') return `${Number(d)}.${Number(m)}.${y}`;
  return new Intl.DateTimeFormat(INTL.en, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** A moment in Finnish time: `30.11.2026 klo 14.05.09` / `30 Nov 2026, 14:05:09`. */
export function formatTime(at: Date | string | null | undefined, locale: Locale): string {
  if (!at) return '–';
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat(INTL[locale], { dateStyle: 'short', timeStyle: 'medium', timeZone: ZONE }).format(date);
}

/** How long ago, coarse: `5 min`, `3 h`, `2 d` (`pv` in Finnish). */
export function formatAge(since: Date, now: Date, locale: Locale): string {
  const seconds = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  if (seconds < 60) return locale === 'fi' ? `${seconds} s` : `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} ${locale === 'fi' ? 'pv' : 'd'}`;
}

/** A plain decimal (a VAT rate, a quantity) with the locale's decimal mark: `25,5` / `25.5`. */
export function formatDecimal(value: string | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || value === '') return '–';
  return locale === 'fi' ? value.replace('.', ',') : value;
}

import { z } from 'zod';

/**
 * Dates and times as ledgerlink reads them from input: ISO 8601 only, checked
 * field by field (never through Date.parse, which guesses at "March 3" and
 * rolls 2026-02-30 over to 2 March), and only years 0001–9999, which every
 * database column, JavaScript Date and provider ledgerlink talks to can hold.
 */

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function isDay(year: number, month: number, day: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day that exists, written YYYY-MM-DD: "2024-02-29" yes, "2026-02-30" and "0000-01-01" no. */
export function isCalendarDate(s: string): boolean {
  const m = DAY.exec(s);
  return !!m && isDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A calendar day written YYYY-MM-DD, as documents carry invoice, due and delivery dates. */
export const calendarDateSchema = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine((s) => isCalendarDate(s), { message: 'must be a real calendar date written YYYY-MM-DD' });

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Reads an ISO 8601 / RFC 3339 time with its zone ("2026-03-01T10:00:00Z",
 * "2026-03-01T10:00:00.123+02:00", seconds optional) into a Date, or null when
 * it is not one or names a time that does not exist (hour 24, minute 61, 30
 * February, a zone beyond ±23:59).
 */
export function parseInstant(s: string): Date | null {
  const m = INSTANT.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (!isDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[9]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 to 1900–1999; set the year again so year 0001 stays year 1.
  const date = new Date(utc);
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Midnight UTC at the start of a YYYY-MM-DD day. */
export function startOfDay(day: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const d = new Date(Date.UTC(2000, month - 1, date));
  d.setUTCFullYear(year);
  return d;
}

const MESSAGE = 'must be a date (YYYY-MM-DD) or an ISO 8601 time with its zone (2026-03-01T10:00:00Z), in years 0001–9999';

/** A filter bound given as a day or a time: the raw text, checked. Days and times are told apart by their form. */
const dayOrInstant = z.string({ error: MESSAGE }).refine((s) => isCalendarDate(s) || parseInstant(s) !== null, { message: MESSAGE });

/** `from` of a filter: a day starts at its midnight (UTC); a time is itself. */
export const fromTimeSchema = dayOrInstant.transform((s) => (isCalendarDate(s) ? startOfDay(s) : parseInstant(s)!));

/** `to` of a filter: exclusive for a time, but a day is included whole. */
export const toTimeSchema = dayOrInstant.transform((s) => (isCalendarDate(s) ? new Date(startOfDay(s).getTime() + 86_400_000) : parseInstant(s)!));

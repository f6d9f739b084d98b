import { addDays, daysInMonth } from './local-date.js';
import type { Schedule } from './work-schemas.js';

/**
 * Invoicing periods of a project's schedule (inclusive days in the tenant's
 * time zone). Monthly periods start on the anchor's day of each month, clamped
 * to the month's last day (an anchor on the 31st starts on 28 or 29 February);
 * bi-weekly periods are 14 days, custom ones `everyDays`, counted from the
 * anchor. A period is due in the calendar month in which it ends.
 */
export interface Period {
  from: string;
  to: string;
}

function parts(day: string): [number, number, number] {
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}

function dayOf(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The anchor's day `k` months on, clamped to that month's length. */
export function monthlyStart(anchor: string, k: number): string {
  const [y, m, d] = parts(anchor);
  const index = y * 12 + (m - 1) + k;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return dayOf(year, month, Math.min(d, daysInMonth(year, month)));
}

export function monthBounds(period: string): Period {
  const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
  return { from: dayOf(y, m, 1), to: dayOf(y, m, daysInMonth(y, m)) };
}

/** The schedule's periods that end within [from, to] (a calendar month, for the cycle). */
export function periodsEndingIn(schedule: Schedule, window: Period): Period[] {
  const out: Period[] = [];
  if (schedule.cadence === 'monthly') {
    const [ay, am] = parts(schedule.anchorDate);
    const [wy, wm] = parts(window.from);
    const approx = wy * 12 + wm - (ay * 12 + am);
    for (let k = Math.max(0, approx - 2); k <= approx + 1; k++) {
      const from = monthlyStart(schedule.anchorDate, k);
      const to = addDays(monthlyStart(schedule.anchorDate, k + 1), -1);
      if (to >= window.from && to <= window.to) out.push({ from, to });
    }
    return out;
  }
  const every = schedule.cadence === 'biweekly' ? 14 : (schedule.everyDays ?? 30);
  const anchorMs = Date.parse(`${schedule.anchorDate}T00:00:00Z`);
  const fromMs = Date.parse(`${window.from}T00:00:00Z`);
  let k = Math.max(0, Math.floor((fromMs - anchorMs) / (every * 86_400_000)) - 1);
  for (;; k++) {
    const from = addDays(schedule.anchorDate, k * every);
    const to = addDays(from, every - 1);
    if (from > window.to) break;
    if (to >= window.from && to <= window.to) out.push({ from, to });
  }
  return out;
}

/** The period of a schedule that contains a day (or null before the anchor). */
export function periodContaining(schedule: Schedule, day: string): Period | null {
  if (day < schedule.anchorDate) return null;
  const [y, m] = parts(day);
  for (const candidate of [...periodsEndingIn(schedule, monthBounds(dayOf(y, m, 1))), ...periodsEndingIn(schedule, monthBounds(monthlyStart(dayOf(y, m, 1), 1)))]) {
    if (candidate.from <= day && day <= candidate.to) return candidate;
  }
  return null;
}

import { describe, expect, it } from 'vitest';
import { fromTimeSchema, isCalendarDate, parseInstant, toTimeSchema } from '../../../src/domain/dates.js';

describe('dates read from input', () => {
  it('knows which days exist, leap years included, in years 0001–9999', () => {
    for (const day of ['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2026-12-31']) expect(isCalendarDate(day), day).toBe(true);
    for (const day of ['2026-02-29', '1900-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '0000-01-01', '2026-1-01', '20260101', '+02026-01-01']) {
      expect(isCalendarDate(day), day).toBe(false);
    }
  });

  it('reads ISO 8601 times with their zone exactly, and refuses times that do not exist', () => {
    expect(parseInstant('2026-03-01T10:00:00Z')?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(parseInstant('2026-03-01T10:00:00.123+02:00')?.toISOString()).toBe('2026-03-01T08:00:00.123Z');
    expect(parseInstant('2026-03-01T10:00-05:30')?.toISOString()).toBe('2026-03-01T15:30:00.000Z');
    expect(parseInstant('0001-01-01T00:00:00Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseInstant('0050-06-01T12:00:00Z')?.toISOString()).toBe('0050-06-01T12:00:00.000Z');
    for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2026-01-01T10:00:60Z', '2026-01-01T10:00:00', '2026-01-01T10:00:00+24:00', '-271821-04-20T00:00:00Z', '2026-01-01', 'March 3, 2026']) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });

  it('includes a "to" day whole and starts a "from" day at midnight UTC', () => {
    expect(fromTimeSchema.parse('2026-03-01').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(toTimeSchema.parse('2026-03-01').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(toTimeSchema.parse('2026-03-01T10:00:00Z').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(fromTimeSchema.safeParse('2026-02-30').success).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { readinessOf } from '../../src/billing/domain/readiness.js';
import { monthBounds, periodContaining, periodsEndingIn } from '../../src/billing/domain/schedule.js';

describe('schedules: periods due in a month', () => {
  it('runs monthly periods over month ends of 28 to 31 days and leap years', () => {
    const monthly = { cadence: 'monthly' as const, anchorDate: '2024-01-01' };
    expect(periodsEndingIn(monthly, monthBounds('2024-02'))).toEqual([{ from: '2024-02-01', to: '2024-02-29' }]);
    expect(periodsEndingIn(monthly, monthBounds('2025-02'))).toEqual([{ from: '2025-02-01', to: '2025-02-28' }]);
    expect(periodsEndingIn(monthly, monthBounds('2026-04'))).toEqual([{ from: '2026-04-01', to: '2026-04-30' }]);
    expect(periodsEndingIn(monthly, monthBounds('2026-12'))).toEqual([{ from: '2026-12-01', to: '2026-12-31' }]);
    // Before the anchor there is nothing.
    expect(periodsEndingIn(monthly, monthBounds('2023-12'))).toEqual([]);
  });

  it('clamps an anchor on the 31st to shorter months, and a mid-month anchor is due when its period ends', () => {
    const endOfMonth = { cadence: 'monthly' as const, anchorDate: '2024-01-31' };
    expect(periodsEndingIn(endOfMonth, monthBounds('2024-02'))).toEqual([{ from: '2024-01-31', to: '2024-02-28' }]);
    expect(periodsEndingIn(endOfMonth, monthBounds('2024-03'))).toEqual([{ from: '2024-02-29', to: '2024-03-30' }]);
    expect(periodsEndingIn(endOfMonth, monthBounds('2024-05'))).toEqual([{ from: '2024-04-30', to: '2024-05-30' }]);
    expect(periodsEndingIn(endOfMonth, monthBounds('2025-03'))).toEqual([{ from: '2025-02-28', to: '2025-03-30' }]);
    const mid = { cadence: 'monthly' as const, anchorDate: '2026-01-16' };
    expect(periodsEndingIn(mid, monthBounds('2026-03'))).toEqual([{ from: '2026-02-16', to: '2026-03-15' }]);
  });

  it('runs bi-weekly periods across month and year ends, two or three due in a month', () => {
    const biweekly = { cadence: 'biweekly' as const, anchorDate: '2026-01-05' };
    expect(periodsEndingIn(biweekly, monthBounds('2026-01'))).toEqual([{ from: '2026-01-05', to: '2026-01-18' }]);
    // The period from 16 February ends on 1 March: it is due in March.
    expect(periodsEndingIn(biweekly, monthBounds('2026-02'))).toEqual([
      { from: '2026-01-19', to: '2026-02-01' },
      { from: '2026-02-02', to: '2026-02-15' },
    ]);
    // 2024 is a leap year: the period over 29 February is still 14 days.
    const leap = { cadence: 'biweekly' as const, anchorDate: '2024-02-19' };
    expect(periodsEndingIn(leap, monthBounds('2024-03'))).toEqual([
      { from: '2024-02-19', to: '2024-03-03' },
      { from: '2024-03-04', to: '2024-03-17' },
      { from: '2024-03-18', to: '2024-03-31' },
    ]);
    expect(periodsEndingIn(biweekly, monthBounds('2027-01'))).toEqual([
      { from: '2026-12-21', to: '2027-01-03' },
      { from: '2027-01-04', to: '2027-01-17' },
      { from: '2027-01-18', to: '2027-01-31' },
    ]);
    expect(periodContaining(biweekly, '2026-02-10')).toEqual({ from: '2026-02-02', to: '2026-02-15' });
  });

  it('runs custom periods of N days', () => {
    const tenDays = { cadence: 'custom' as const, anchorDate: '2026-02-20', everyDays: 10 };
    expect(periodsEndingIn(tenDays, monthBounds('2026-03'))).toEqual([
      { from: '2026-02-20', to: '2026-03-01' },
      { from: '2026-03-02', to: '2026-03-11' },
      { from: '2026-03-12', to: '2026-03-21' },
      { from: '2026-03-22', to: '2026-03-31' },
    ]);
  });
});

describe('readiness', () => {
  const period = { from: '2026-03-01', to: '2026-03-31' };
  const time = [
    { userId: 'anna', userName: 'Anna', date: '2026-03-05', hours: '4' },
    { userId: 'anna', userName: 'Anna', date: '2026-03-25', hours: '2' },
    { userId: 'bert', userName: 'Bert', date: '2026-03-10', hours: '3.5' },
    { userId: 'cara', userName: 'Cara', date: '2026-03-20', hours: '1' },
    { userId: 'cara', userName: 'Cara', date: '2026-04-01', hours: '8' },
  ];
  const locks = new Map<string, string | null>([
    ['anna', '2026-03-20'],
    ['bert', '2026-03-31'],
  ]);

  it('splits the period into open and locked time per person without approvals', () => {
    const r = readinessOf(period, time, locks, [], false);
    expect(r.ready).toBe(false);
    expect(r.users.map((u) => [u.userId, u.lockedUntil, u.openDays, u.openHours, u.lockedHours, u.ready])).toEqual([
      ['anna', '2026-03-20', 11, '2', '4', false],
      ['bert', '2026-03-31', 0, '0', '3.5', true],
      ['cara', null, 31, '1', '0', false],
    ]);
    expect(r).toMatchObject({ hours: '10.5', openHours: '3', lockedHours: '7.5', pendingApprovalHours: null });
    const locked = readinessOf(period, time, new Map([['anna', '2026-04-30'], ['bert', '2026-03-31'], ['cara', '2026-03-31']]), [], false);
    expect(locked.ready).toBe(true);
  });

  it('with approvals, locked time waits for approval', () => {
    const allLocked = new Map<string, string | null>([['anna', '2026-03-31'], ['bert', '2026-03-31'], ['cara', '2026-03-31']]);
    const approvals = [{ userId: 'anna', from: '2026-03-01', to: '2026-03-31' }, { userId: 'bert', from: '2026-03-01', to: '2026-03-15' }];
    const r = readinessOf(period, time, allLocked, approvals, true);
    expect(r.ready).toBe(false);
    expect(r.users.map((u) => [u.userId, u.openDays, u.pendingApprovalDays, u.approvedDays, u.pendingApprovalHours, u.approvedHours, u.ready])).toEqual([
      ['anna', 0, 0, 31, '0', '6', true],
      ['bert', 0, 16, 15, '0', '3.5', true],
      ['cara', 0, 31, 0, '1', '0', false],
    ]);
    expect(r).toMatchObject({ pendingApprovalHours: '1', approvedHours: '9.5' });
    const done = readinessOf(period, time, allLocked, [...approvals, { userId: 'cara', from: '2026-03-01', to: '2026-03-31' }], true);
    expect(done.ready).toBe(true);
  });
});

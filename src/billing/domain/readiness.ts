import type { Decimal } from 'decimal.js';
import { dec, decimalText, sum } from '../../domain/money.js';
import { addDays, daysBetween, maxDay } from './local-date.js';
import type { Period } from './schedule.js';

/**
 * Whether the time behind a period is ready to invoice (pure). Each person
 * with hours in the period has locked their timesheet until some day (or never);
 * days after it are *open*. With the tenant's approval flow, locked days are
 * *pending approval* until the host approves them, then *approved*; without
 * it, locked is enough. The period is ready when nobody has open days in it
 * and, with approvals, no hours are pending approval.
 */
export interface UserTime {
  userId: string;
  userName: string | null;
  date: string;
  hours: string;
}

export interface Approval {
  userId: string;
  from: string;
  to: string;
}

export interface UserReadiness {
  userId: string;
  userName: string | null;
  lockedUntil: string | null;
  hours: string;
  openDays: number;
  openHours: string;
  lockedHours: string;
  pendingApprovalDays: number | null;
  pendingApprovalHours: string | null;
  approvedDays: number | null;
  approvedHours: string | null;
  ready: boolean;
}

export interface Readiness {
  ready: boolean;
  approvalFlow: boolean;
  users: UserReadiness[];
  hours: string;
  openHours: string;
  lockedHours: string;
  pendingApprovalHours: string | null;
  approvedHours: string | null;
}

function approvedOn(approvals: Approval[], userId: string, day: string): boolean {
  return approvals.some((a) => a.userId === userId && a.from <= day && day <= a.to);
}

export function readinessOf(period: Period, time: UserTime[], locks: ReadonlyMap<string, string | null>, approvals: Approval[], approvalFlow: boolean): Readiness {
  const byUser = new Map<string, UserTime[]>();
  for (const t of time) {
    if (t.date < period.from || t.date > period.to) continue;
    const list = byUser.get(t.userId) ?? [];
    list.push(t);
    byUser.set(t.userId, list);
  }
  const periodDays = daysBetween(period.from, period.to) + 1;
  const users: UserReadiness[] = [...byUser.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([userId, entries]) => {
      const lockedUntil = locks.get(userId) ?? null;
      const isLocked = (day: string) => lockedUntil !== null && day <= lockedUntil;
      const total = sum(entries.map((e) => dec(e.hours)));
      const lockedHours = sum(entries.filter((e) => isLocked(e.date)).map((e) => dec(e.hours)));
      const firstOpen = lockedUntil === null ? period.from : maxDay(period.from, addDays(lockedUntil, 1));
      const openDays = firstOpen > period.to ? 0 : daysBetween(firstOpen, period.to) + 1;
      let pendingDays: number | null = null;
      let pendingHours: Decimal | null = null;
      let approvedDays: number | null = null;
      let approvedHours: Decimal | null = null;
      if (approvalFlow) {
        pendingDays = 0;
        approvedDays = 0;
        for (let i = 0; i < periodDays; i++) {
          const day = addDays(period.from, i);
          if (approvedOn(approvals, userId, day)) approvedDays += 1;
          else if (isLocked(day)) pendingDays += 1;
        }
        approvedHours = sum(entries.filter((e) => approvedOn(approvals, userId, e.date)).map((e) => dec(e.hours)));
        pendingHours = sum(entries.filter((e) => isLocked(e.date) && !approvedOn(approvals, userId, e.date)).map((e) => dec(e.hours)));
      }
      const openHours = total.minus(lockedHours).minus(approvalFlow ? sum(entries.filter((e) => !isLocked(e.date) && approvedOn(approvals, userId, e.date)).map((e) => dec(e.hours))) : dec(0));
      const ready = approvalFlow ? openHours.isZero() && pendingHours!.isZero() && approvedHours!.equals(total) && openDays === 0 : openDays === 0;
      return {
        userId,
        userName: entries.find((e) => e.userName)?.userName ?? null,
        lockedUntil,
        hours: decimalText(total),
        openDays,
        openHours: decimalText(openHours),
        lockedHours: decimalText(lockedHours),
        pendingApprovalDays: pendingDays,
        pendingApprovalHours: pendingHours === null ? null : decimalText(pendingHours),
        approvedDays,
        approvedHours: approvedHours === null ? null : decimalText(approvedHours),
        ready,
      };
    });
  const add = (pick: (u: UserReadiness) => string | null) => decimalText(sum(users.map((u) => dec(pick(u) ?? '0'))));
  return {
    ready: users.every((u) => u.ready),
    approvalFlow,
    users,
    hours: add((u) => u.hours),
    openHours: add((u) => u.openHours),
    lockedHours: add((u) => u.lockedHours),
    pendingApprovalHours: approvalFlow ? add((u) => u.pendingApprovalHours) : null,
    approvedHours: approvalFlow ? add((u) => u.approvedHours) : null,
  };
}

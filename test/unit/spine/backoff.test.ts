import { describe, expect, it } from 'vitest';
import { backoffMs, jobCatalog, type RetryPolicy } from '../../../src/queue/catalog.js';

const policy: RetryPolicy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 10 };

describe('backoffMs', () => {
  it('doubles from the base, with at most ±20 % jitter', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const exp = 1000 * 2 ** (attempt - 1);
      expect(backoffMs(policy, attempt, () => 0.5)).toBe(exp);
      expect(backoffMs(policy, attempt, () => 0)).toBe(Math.round(exp * 0.8));
      const top = backoffMs(policy, attempt, () => 0.999999);
      expect(top).toBeGreaterThan(exp * 1.19);
      expect(top).toBeLessThanOrEqual(exp * 1.2);
    }
  });

  it('stays within its bounds for any random value and never exceeds maxMs', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const ms = backoffMs(policy, attempt, () => r);
        const exp = Math.min(policy.maxMs, 1000 * 2 ** (attempt - 1));
        expect(ms).toBeGreaterThanOrEqual(Math.floor(exp * 0.8));
        expect(ms).toBeLessThanOrEqual(policy.maxMs);
      }
    }
    expect(backoffMs(policy, 1000, () => 1)).toBe(60_000);
  });

  it('treats attempt 0 or less as the first', () => {
    expect(backoffMs(policy, 0, () => 0.5)).toBe(1000);
    expect(backoffMs(policy, -3, () => 0.5)).toBe(1000);
  });

  it('spreads retries: real jitter gives different delays', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffMs(policy, 3)));
    expect(delays.size).toBeGreaterThan(1);
  });

  it('gives webhooks about three days of tries and syncs a budget of minutes to hours', () => {
    const hooks = jobCatalog['deliver-event'].retry;
    let total = 0;
    for (let a = 1; a < hooks.maxAttempts; a++) total += backoffMs(hooks, a, () => 0.5);
    expect(total / 3_600_000).toBeGreaterThan(60);
    expect(total / 3_600_000).toBeLessThan(96);
    const sync = jobCatalog['sync-invoice'].retry;
    expect(backoffMs(sync, 1, () => 0.5)).toBe(5000);
    expect(backoffMs(sync, sync.maxAttempts, () => 1)).toBeLessThanOrEqual(sync.maxMs);
  });
});

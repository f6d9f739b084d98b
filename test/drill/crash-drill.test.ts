import { describe, expect, it } from 'vitest';
import { formatDrillReport, runDrill } from '../../scripts/lib/drill.js';
import { TEST_DATABASE_URL } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/redis.js';

/**
 * `npm run drill` at the size CI can afford: separate API and worker processes
 * on PostgreSQL, an endpoint that loses answers and fails creates, workers
 * SIGKILLed every few seconds, the API killed once, Redis flushed once. No
 * duplicate, no loss, nothing stuck; a killed worker's records are taken over
 * within 20 s.
 */
describe('the crash drill (small)', () => {
  it('ends with every accepted invoice at the provider exactly once', { timeout: 300_000 }, async () => {
    const report = await runDrill({
      invoices: 40,
      ratePerSecond: 4,
      workers: 2,
      killEveryMs: 3000,
      timeoutShare: 0.1,
      errorShare: 0.1,
      settleTimeoutMs: 120_000,
      adminDatabaseUrl: TEST_DATABASE_URL,
      redisUrl: TEST_REDIS_URL,
      // Its own Redis database, which the drill flushes: the other tests use database 0.
      redisDb: 10,
    });
    console.log(formatDrillReport(report));
    expect(report.accepted).toBe(40);
    expect(report.workerKills).toBeGreaterThanOrEqual(2);
    expect(report.apiKills).toBe(1);
    expect(report.redisFlushes).toBe(1);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.stuck).toBe(0);
    expect(report.failed).toBe(0);
    expect(report.takeoverMs.max).toBeLessThanOrEqual(20_000);
    expect(report.ok).toBe(true);
  });
});

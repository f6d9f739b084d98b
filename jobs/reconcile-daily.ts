import type { RedisClient } from '../src/queue/redis-client.js';
import type { Logger } from 'pino';
import type { Reconciliation } from '../src/sync/reconciliation.js';

const DAY = 24 * 3600_000;

/** The months a daily run looks at: this month, and in its first days the month before (late changes to it). */
export function periodsFor(now: Date): string[] {
  const month = (d: Date) => d.toISOString().slice(0, 7);
  const out = [month(now)];
  if (now.getUTCDate() <= 5) out.push(month(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))));
  return out;
}

/**
 * The daily reconciliation: once a day (across every worker process — the
 * first to take the day's key in Redis runs it), every tenant's connections
 * are reconciled for the current month. It only reports drift.
 */
export function startDailyReconciliation(deps: { reconciliation: Reconciliation; redis: RedisClient; redisPrefix: string; clock: () => Date; log: Logger }, checkEveryMs = 3600_000) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runIfDue = () => {
    if (running) return running;
    running = (async () => {
      const now = deps.clock();
      const day = now.toISOString().slice(0, 10);
      const taken = await deps.redis.set(`${deps.redisPrefix}reconcile:daily:${day}`, '1', 'PX', DAY + 3600_000, 'NX');
      if (taken !== 'OK') return;
      for (const period of periodsFor(now)) {
        const runs = await deps.reconciliation.runAll(period, 'daily');
        deps.log.info({ period, runs }, 'daily reconciliation done');
      }
    })()
      .catch((err: unknown) => deps.log.warn({ err }, 'daily reconciliation failed; the next check tries again'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runIfDue();
  }, checkEveryMs);
  timer.unref();
  return {
    runIfDue,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

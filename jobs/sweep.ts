import type { Logger } from 'pino';
import type { Scheduler } from '../src/queue/scheduler.js';
import type { Store } from '../src/store/store.js';
import { startPeriodicRound, type PeriodicRound } from './periodic-round.js';

export interface SweepDeps {
  store: Store;
  scheduler: Scheduler;
  clock: () => Date;
  log: Logger;
  batch?: number;
}

/**
 * Puts every unfinished record and every pending webhook delivery back on its
 * queue. Redis only schedules: if it was flushed, or down when an invoice was
 * accepted, this is how nothing accepted is ever lost. Job ids come from the
 * rows, so work already queued is not queued twice.
 */
export async function sweep(deps: SweepDeps): Promise<{ connections: number; deliveries: number }> {
  const batch = deps.batch ?? 500;
  const now = deps.clock().getTime();
  // Records are not queued one by one: each connection with work is kicked, when its first record is due.
  const connections = await deps.store.repos.records.connectionsWithWork(batch);
  for (const c of connections) {
    await deps.scheduler.scheduleSync({ tenantId: c.tenantId, provider: c.provider }, Math.max(0, c.dueAt.getTime() - now));
  }
  const deliveries = await deps.store.repos.webhooks.due(batch);
  for (const delivery of deliveries) {
    const delay = Math.max(0, delivery.nextAttemptAt.getTime() - now);
    await deps.scheduler.scheduleDelivery(delivery.id, delivery.attempts, delay);
  }
  return { connections: connections.length, deliveries: deliveries.length };
}

/**
 * Puts the records of a worker that died back on the queue as soon as their
 * lease runs out (the lease is short and renewed while a worker lives), rather
 * than at the next full sweep.
 */
export async function reclaimOrphans(deps: SweepDeps): Promise<number> {
  const connections = await deps.store.repos.records.reclaimOrphans(deps.batch ?? 500);
  for (const c of connections) await deps.scheduler.scheduleSync(c, 0);
  if (connections.length) deps.log.info({ connections: connections.length }, 'took over records whose worker is gone');
  return connections.length;
}

/**
 * Runs the sweep now and then every `intervalMs`, never overlapping itself;
 * and the cheap scan for expired leases every `orphanScanMs`.
 */
export function startSweeper(deps: SweepDeps, intervalMs: number, orphanScanMs = 1000): PeriodicRound {
  const sweeper = startPeriodicRound(
    async () => {
      const r = await sweep(deps);
      if (r.connections || r.deliveries) deps.log.debug(r, 'sweep re-enqueued unfinished work');
    },
    { intervalMs, log: deps.log, failure: 'sweep failed; will try again', runAtStart: true },
  );
  const scanner = startPeriodicRound(() => reclaimOrphans(deps).then(() => undefined), {
    intervalMs: orphanScanMs,
    log: deps.log,
    failure: 'the scan for expired leases failed; will try again',
  });
  return {
    runNow: sweeper.runNow,
    async stop() {
      await Promise.all([sweeper.stop(), scanner.stop()]);
    },
  };
}

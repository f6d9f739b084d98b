import type { Logger } from 'pino';
import type { Billing } from '../src/billing/billing.js';
import { jobCatalog } from '../src/queue/catalog.js';
import type { BillingScheduler } from '../src/queue/scheduler.js';
import { startPeriodicRound, type PeriodicRound } from './periodic-round.js';

export interface BillingSweepDeps {
  billing: Billing;
  scheduler: BillingScheduler;
  clock: () => Date;
  log: Logger;
}

/**
 * Billing's share of "nothing is lost": operations whose job Redis lost (or
 * whose worker died) are queued again, and released invoices that never
 * reached intake (a crash between release and hand-off) are handed over.
 */
export async function billingSweep(deps: BillingSweepDeps): Promise<{ operations: number; handoffs: number }> {
  const staleBefore = new Date(deps.clock().getTime() - jobCatalog['billing-operation'].staleAfterMs);
  const queued = await deps.billing.store.repos.operations.unfinished(staleBefore, 200);
  const old = new Date(deps.clock().getTime() - 5_000);
  let operations = 0;
  for (const op of queued) {
    const row = await deps.billing.store.repos.operations.getById(op.id);
    // A queued operation younger than a few seconds is still on its way to its job.
    if (row && row.status === 'queued' && row.createdAt > old) continue;
    await deps.scheduler.scheduleBillingOperation(op.id, op.tenantId);
    operations += 1;
  }
  const handoffs = await deps.billing.release.repairHandoffs();
  return { operations, handoffs };
}

/** Runs the billing sweep now and every `intervalMs`, never overlapping itself. */
export function startBillingSweeper(deps: BillingSweepDeps, intervalMs: number): PeriodicRound {
  return startPeriodicRound(
    async () => {
      const r = await billingSweep(deps);
      if (r.operations || r.handoffs) deps.log.debug(r, 'billing sweep re-queued unfinished work');
    },
    { intervalMs, log: deps.log, failure: 'billing sweep failed; will try again', runAtStart: true },
  );
}

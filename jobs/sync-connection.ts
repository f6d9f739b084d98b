import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { jobCatalog } from '../src/queue/catalog.js';
import { ConnectionRuns, type ConnectionKey } from '../src/queue/connection-runs.js';
import type { BullScheduler } from '../src/queue/scheduler.js';
import type { Store } from '../src/store/store.js';
import type { SyncEngine } from '../src/sync/sync-engine.js';

export interface ConnectionRunnerDeps {
  engine: SyncEngine;
  store: Store;
  scheduler: Pick<BullScheduler, 'scheduleSync' | 'addRunner'>;
  runs: ConnectionRuns;
  /** How many runners a connection may have at once. */
  runnersFor: (connection: ConnectionKey) => Promise<number>;
  /** How long until the connection's request budget lets another sync start (0: now). */
  budgetWaitMs: (connection: ConnectionKey) => Promise<number>;
  log: Logger;
  /** This process ("host:pid:…"): runners own their records as "<workerId>:runner:<token>". */
  workerId?: string;
  /** How long a runner keeps its worker before letting the next connection go first. */
  sliceMs?: number;
  /** How long a reserved record stays this runner's before anyone may take it. */
  reserveMs?: number;
  /** A wait for the budget longer than this is done outside the worker (default 250 ms). */
  maxWaitInWorkerMs?: number;
}

const spec = jobCatalog['sync-connection'];
/** How soon a runner looks again for a due record that was busy when it looked. */
const BUSY_RECHECK_MS = 200;

/**
 * A runner of one connection: it reserves the connection's due records and
 * syncs them one by one. It keeps the worker for one slice at most, then queues
 * itself again at the back, so every connection with work takes turns — a
 * month-end backlog of one tenant does not hold up another tenant's invoice.
 * A record the provider's budget makes wait is not waited for here: the runner
 * leaves, and the connection is woken when the budget allows (the worker goes
 * to other connections meanwhile). With nothing left it gives its slot back —
 * unless someone kicked the connection since it looked — and arranges to be
 * woken when the next record comes due.
 */
export async function runConnection(deps: ConnectionRunnerDeps, c: ConnectionKey, token: string): Promise<string> {
  const max = await deps.runnersFor(c);
  if (!(await deps.runs.hold(c, token, max))) return 'enough runners on this connection';
  const owner = deps.workerId ? `${deps.workerId}:runner:${token}` : `runner:${token}`;
  const sliceEnds = Date.now() + (deps.sliceMs ?? spec.sliceMs);
  const reserveMs = deps.reserveMs ?? 15_000;
  const records = deps.store.repos.records;
  for (;;) {
    const seen = await deps.runs.wakeCount(c);
    const due = await records.reserveDue(c.tenantId, c.provider, owner, reserveMs, spec.batch);
    if (due.length === 0) {
      if (!(await deps.runs.releaseIfQuiet(c, token, seen))) continue;
      // Something due later: come back then. Something due now that the look above skipped (a
      // change to it was in progress): come back shortly — never leave a due record without a runner.
      const next = await records.nextDueAt(c.tenantId, c.provider);
      if (next) await deps.scheduler.scheduleSync(c, Math.max(BUSY_RECHECK_MS, next.getTime() - Date.now()));
      return 'nothing due';
    }
    // A full batch: there may be more than one runner's worth; another runner comes if a slot is free.
    if (due.length >= spec.batch) await deps.scheduler.scheduleSync(c, 0);
    for (let i = 0; i < due.length; i += 1) {
      // A sync is only started when the connection's budget has room: waiting for it is done
      // outside the worker (this runner comes back when it has), not asleep in it.
      const wait = await deps.budgetWaitMs(c);
      if (wait > (deps.maxWaitInWorkerMs ?? 250)) {
        await letGo(deps, due.slice(i), owner);
        if (!(await deps.runs.hold(c, token, max))) return 'slot lost';
        await deps.scheduler.addRunner(c, token, wait);
        return `waiting ${wait} ms for the connection's request budget`;
      }
      // Renew the slot before each sync: a runner that died frees its slot within the slot's short
      // lifetime, so its connection is not held up for long; a runner whose slot was taken meanwhile
      // leaves (the record leases keep two runners off the same record anyway).
      if (!(await deps.runs.hold(c, token, max))) {
        await letGo(deps, due.slice(i), owner);
        return 'slot lost';
      }
      const result = await deps.engine.run(due[i]!, { owner });
      if (result.ran && result.deferMs !== undefined) {
        // A sync that met a long wait for the budget on its way: the record is due again later.
        await letGo(deps, due.slice(i + 1), owner);
        if (!(await deps.runs.hold(c, token, max))) return 'slot lost';
        await deps.scheduler.addRunner(c, token, result.deferMs);
        return `waiting ${result.deferMs} ms for the provider's budget`;
      }
      if (!result.ran) await records.release(due[i]!, owner);
      if (Date.now() >= sliceEnds) {
        await letGo(deps, due.slice(i + 1), owner);
        if (!(await deps.runs.hold(c, token, max))) return 'slot lost';
        await deps.scheduler.addRunner(c, token);
        return 'slice used; back in line';
      }
    }
  }
}

/** Records reserved but not synced in this run go back to the connection (another runner may take them). */
async function letGo(deps: ConnectionRunnerDeps, ids: string[], owner: string): Promise<void> {
  for (const id of ids) await deps.store.repos.records.release(id, owner);
}

export function syncConnectionProcessor(deps: ConnectionRunnerDeps) {
  return async (job: Job): Promise<string> => {
    if (job.name === 'wake-connection') {
      const c = jobCatalog['wake-connection'].payload.parse(job.data);
      await deps.scheduler.scheduleSync(c, 0);
      return 'kicked';
    }
    const { tenantId, provider, token } = spec.payload.parse(job.data);
    return runConnection(deps, { tenantId, provider }, token);
  };
}

export { ConnectionRuns };

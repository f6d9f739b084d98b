import { newDeliveryFor } from '../events/outbox.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { RecordPatch, SyncRecord, SyncStatus } from '../store/records-repo.js';
import type { Repos, Store } from '../store/store.js';
import { LeaseLostError } from './lease-lost-error.js';

export interface TransitionResult {
  record: SyncRecord;
  deliveryIds: string[];
  /** Whether the record's connection must be kicked (its record is due again). */
  schedule: boolean;
}

/**
 * Changes a record's status, writes the history entry and — in the same
 * transaction — the status event for the tenant's webhook (an outbox), so an
 * event is never lost and never sent for a change that did not commit. After
 * commit, the delivery jobs and the next sync run (if any) are scheduled.
 */
export async function transition(
  deps: { store: Store; scheduler: Scheduler; clock: () => Date },
  recordId: string,
  status: SyncStatus,
  options: {
    patch?: RecordPatch;
    message?: string | null;
    runAfterMs?: number | null;
    resetRetries?: boolean;
    /**
     * More writes that must commit with the change (the attempt that explains it,
     * an older revision it supersedes); returns the ids of status events they wrote.
     */
    alsoInTransaction?: (repos: Repos) => Promise<void | string[]>;
    /**
     * Commit only while this run still holds the lease on `recordId` (a fenced write):
     * the row is locked, so no other worker can take the lease before the commit.
     * Otherwise nothing changes and LeaseLostError is thrown.
     */
    fence?: { recordId: string; owner: string };
    /**
     * Checked on the locked row before anything changes; a returned reason aborts the
     * change with a TransitionRefused (e.g. a resync that lands while a worker is on it).
     */
    onlyIf?: (current: SyncRecord) => string | null;
  } = {},
): Promise<TransitionResult> {
  const result = await deps.store.transaction(async (repos) => {
    if (options.fence && !(await repos.records.lockIfLeased(options.fence.recordId, options.fence.owner))) {
      throw new LeaseLostError(options.fence.recordId);
    }
    if (options.onlyIf) {
      const current = await repos.records.getForUpdate(recordId);
      if (!current) throw new TransitionRefused(`record ${recordId} not found`);
      const refusal = options.onlyIf(current);
      if (refusal) throw new TransitionRefused(refusal, current);
    }
    const { record, deliveryId } = await changeStatus(repos, recordId, status, {
      patch: options.patch ?? {},
      message: options.message ?? null,
      resetRetries: options.resetRetries ?? false,
      now: deps.clock(),
      beforeHistory: options.alsoInTransaction,
    });
    const deliveryIds = deliveryId.filter((id): id is string => id !== null);
    return { record, deliveryIds, schedule: options.runAfterMs !== undefined && options.runAfterMs !== null };
  });
  await afterCommit(deps.scheduler, result, options.runAfterMs ?? 0);
  return result;
}

/**
 * One status change inside the caller's transaction: the record, its history
 * entry and its status event (the outbox). Returns the record and the event
 * ids to schedule after commit (with those of `beforeHistory`'s writes).
 */
export async function changeStatus(
  repos: Repos,
  recordId: string,
  status: SyncStatus,
  options: { patch?: RecordPatch; message?: string | null; resetRetries?: boolean; now: Date; beforeHistory?: ((repos: Repos) => Promise<void | string[]>) | undefined },
): Promise<{ record: SyncRecord; deliveryId: Array<string | null> }> {
  const record = await repos.records.setStatus(recordId, status, options.patch ?? {}, { resetRetries: options.resetRetries ?? false });
  const extra = (await options.beforeHistory?.(repos)) ?? [];
  await repos.history.add(recordId, status, options.message ?? null, record.lastError && status !== 'synced' ? record.lastError : null);
  const deliveryId = await newDeliveryFor(repos, record, options.now);
  return { record, deliveryId: [deliveryId, ...extra] };
}

/**
 * A write after a remote call: it commits only while `owner` still holds the
 * record's lease (the row stays locked until the commit, so no other worker
 * can take the lease in between). Otherwise nothing is written and
 * LeaseLostError is thrown.
 */
export function fencedWrite<T>(store: Store, recordId: string, owner: string, write: (tx: Repos) => Promise<T>): Promise<T> {
  return store.transaction(async (tx) => {
    if (!(await tx.records.lockIfLeased(recordId, owner))) throw new LeaseLostError(recordId);
    return write(tx);
  });
}

/** A conditional transition whose condition did not hold; nothing was changed. */
export class TransitionRefused extends Error {
  constructor(
    message: string,
    readonly current?: SyncRecord,
  ) {
    super(message);
    this.name = 'TransitionRefused';
  }
}

/** Scheduling after commit. A failure here is repaired by the sweep, so it must not undo the change. */
export async function afterCommit(scheduler: Scheduler, result: TransitionResult, runAfterMs: number): Promise<void> {
  const jobs: Promise<void>[] = result.deliveryIds.map((id) => scheduler.scheduleDelivery(id, 0));
  if (result.schedule) {
    jobs.push(scheduler.scheduleSync({ tenantId: result.record.tenantId, provider: result.record.provider }, runAfterMs));
  }
  await Promise.allSettled(jobs);
}

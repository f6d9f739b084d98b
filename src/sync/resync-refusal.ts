import { AT_PROVIDER, type SyncRecord, type SyncStatus } from '../store/records-repo.js';

/**
 * Why a resync leaves a record as it is, in the words a finance person gets:
 * a single resync answers a 409 with it, a bulk resync lists the record under
 * `skipped` with the same code and message.
 */

/** The most records one bulk resync restarts: more are left for the next one, and it says so (`more`). */
export const BULK_RESYNC_LIMIT = 10_000;

/** A record a bulk resync did not restart, and why (the code and message a single resync would answer with). */
export interface SkippedResync {
  id: string;
  externalId: string;
  revision: number;
  status: SyncStatus;
  code: string;
  message: string;
}

export interface BulkResyncResult {
  count: number;
  skipped: SkippedResync[];
  /** More records matched than one bulk resync takes: run it again for the rest. */
  more: boolean;
}

/** Bulk resync only (a single resync answers 202 with the record as it is): already on its way, nothing to do. */
export function alreadyOnItsWay(record: SyncRecord): { code: string; message: string } {
  return { code: 'already_queued', message: `Invoice ${record.externalId} revision ${record.revision} is queued, or a worker is syncing it, already; nothing was changed.` };
}

export function skippedResync(record: SyncRecord, why: { code: string; message: string }): SkippedResync {
  return { id: record.id, externalId: record.externalId, revision: record.revision, status: record.status, code: why.code, message: why.message };
}

export function recordBusy(record: SyncRecord): { code: string; message: string } {
  return { code: 'record_busy', message: `Invoice ${record.externalId} revision ${record.revision} failed, and a worker is still finishing that attempt; resync it again in a moment.` };
}

/**
 * Why a resync leaves `current` as it is: the 409 a person gets. null: it is
 * on its way already (queued, syncing, or a worker is on it), nothing to say.
 */
export function resyncRefusal(current: SyncRecord, now: Date, otherwise: string): { code: string; message: string } | null {
  const invoice = `Invoice ${current.externalId} revision ${current.revision}`;
  if (current.status === 'failed' && isLeased(current, now)) return recordBusy(current);
  if ((AT_PROVIDER as readonly string[]).includes(current.status)) {
    return {
      code: 'already_synced',
      message: `${invoice} is already in ${current.provider} (id ${current.providerInvoiceId}${current.providerInvoiceNumber ? `, number ${current.providerInvoiceNumber}` : ''}); resyncing it would create a second copy. To change it, post a new revision.`,
    };
  }
  if (current.status === 'queued' || current.status === 'syncing' || isLeased(current, now)) return null;
  if (current.status === 'superseded') {
    return { code: 'already_superseded', message: `${invoice} was superseded${current.supersededBy ? ` by record ${current.supersededBy}` : ''}; resync the newest revision instead.` };
  }
  if (current.status === 'cancelled') {
    return { code: 'already_cancelled', message: `${invoice} was cancelled; to invoice it after all, post a new revision.` };
  }
  return { code: 'resync_refused', message: otherwise };
}

/** A worker holds the record (its lease has not run out). */
export function isLeased(record: SyncRecord, now: Date): boolean {
  return record.leaseUntil !== null && record.leaseUntil.getTime() > now.getTime();
}

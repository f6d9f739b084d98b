import type { SyncRecord, SyncStatus } from '../store/records-repo.js';

/** Statuses that are reported to the host. `syncing` is a working state and is only kept in the history. */
export const EVENTFUL: ReadonlySet<SyncStatus> = new Set(['queued', 'retrying', 'in_doubt', 'synced', 'failed', 'superseded', 'cancelled']);

export interface StatusEvent {
  type: string;
  timestamp: string;
  data: {
    id: string;
    externalId: string;
    revision: number;
    status: SyncStatus;
    provider: string;
    providerInvoiceId: string | null;
    providerInvoiceNumber: string | null;
    lastError: SyncRecord['lastError'];
    warnings: SyncRecord['warnings'];
    nextAttemptAt: string | null;
    attempt: number;
    /** The newer revision that took this one's place (superseded). */
    supersededBy: string | null;
    /** 1, 2, 3… per record, in the order its status changes committed: order events by it. */
    sequence: number;
  };
}

/** The body of a status event (CONTRACT.md "Status events"). */
export function statusEvent(record: SyncRecord, now: Date, sequence: number): StatusEvent {
  return {
    type: `invoice.${record.status}`,
    // Milliseconds, so a host can order the events of one invoice (queued and synced are often one second apart or less).
    timestamp: now.toISOString(),
    data: {
      id: record.id,
      externalId: record.externalId,
      revision: record.revision,
      status: record.status,
      provider: record.provider,
      providerInvoiceId: record.providerInvoiceId,
      providerInvoiceNumber: record.providerInvoiceNumber,
      lastError: record.lastError,
      warnings: record.warnings,
      nextAttemptAt: record.nextAttemptAt ? record.nextAttemptAt.toISOString() : null,
      attempt: record.attemptCount,
      supersededBy: record.supersededBy,
      sequence,
    },
  };
}

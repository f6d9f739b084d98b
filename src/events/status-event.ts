import type { SyncRecord, SyncStatus } from '../store/records-repo.js';

/** Statuses that are reported to the host. `syncing` is a working state and is only kept in the history. */
export const EVENTFUL: ReadonlySet<SyncStatus> = new Set(['queued', 'retrying', 'in_doubt', 'synced', 'failed', 'superseded', 'cancelled', 'sent', 'partially_paid', 'paid']);

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
    /** When ledgerlink learned it was sent (sent and later). */
    sentAt: string | null;
    /** Paid so far, 2 places (partially_paid, paid). */
    paidAmount: string | null;
    /** Date of the latest payment, YYYY-MM-DD. */
    paidAt: string | null;
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
      sentAt: record.sentAt ? record.sentAt.toISOString() : null,
      paidAmount: record.paidAmount,
      paidAt: record.paidAt,
    },
  };
}

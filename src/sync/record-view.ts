import type { ProviderAction } from '../store/actions-repo.js';
import type { Attempt } from '../store/attempts-repo.js';
import type { HistoryEntry } from '../store/history-repo.js';
import type { SyncRecord } from '../store/records-repo.js';
import type { Delivery } from '../store/webhooks-repo.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A record as the list route shows it. */
export function recordSummary(record: SyncRecord) {
  return {
    id: record.id,
    externalId: record.externalId,
    revision: record.revision,
    type: record.type,
    provider: record.provider,
    status: record.status,
    reference: record.reference,
    referenceNumber: record.referenceNumber,
    providerInvoiceId: record.providerInvoiceId,
    providerInvoiceNumber: record.providerInvoiceNumber,
    providerState: record.providerState,
    customer: { externalId: record.document.customer?.externalId ?? null, name: record.document.customer?.name ?? null },
    invoiceDate: record.document.invoiceDate ?? null,
    totals: record.totals,
    warnings: record.warnings,
    lastError: record.lastError,
    supersededBy: record.supersededBy,
    cancelRequested: record.cancelRequestedAt !== null && record.status !== 'cancelled',
    nextAttemptAt: iso(record.nextAttemptAt),
    attemptCount: record.attemptCount,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    syncedAt: iso(record.syncedAt),
    sentAt: iso(record.sentAt),
    paidAmount: record.paidAmount,
    paidAt: record.paidAt,
  };
}

/** The other revisions of the invoice this record relates to. */
export interface RevisionLinks {
  /** Older revisions this record took the place of. */
  supersedes: SyncRecord[];
  /** The record that took this one's place. */
  supersededBy: SyncRecord | null;
}

/** A record with everything a finance person needs to understand it. */
export function recordDetail(
  record: SyncRecord,
  attempts: Attempt[],
  history: HistoryEntry[],
  deliveries: Delivery[],
  actions: ProviderAction[] = [],
  revisions: RevisionLinks = { supersedes: [], supersededBy: null },
) {
  const resolvedLines = Array.isArray(record.resolved?.lines) ? (record.resolved!.lines as Array<Record<string, unknown>>) : [];
  const link = (r: SyncRecord) => ({ id: r.id, revision: r.revision, status: r.status, providerInvoiceId: r.providerInvoiceId, providerInvoiceNumber: r.providerInvoiceNumber });
  return {
    ...recordSummary(record),
    supersededBy: revisions.supersededBy ? link(revisions.supersededBy) : null,
    supersedes: revisions.supersedes.map(link),
    /** A credit note: the invoice it credits, as the provider knows it (Netvisor: matched to it; Procountor: named in its notes). */
    credits:
      record.type === 'credit_note'
        ? {
            externalId: (record.document.creditedExternalId as string | undefined) ?? null,
            providerInvoiceId: (record.resolved?.credited?.providerInvoiceId as string | null | undefined) ?? null,
            providerInvoiceNumber: (record.resolved?.credited?.providerInvoiceNumber as string | null | undefined) ?? null,
          }
        : null,
    /** What this record did at the provider: created, adopted, edited, invalidated, credited. */
    actions: actions.map((a) => ({
      kind: a.kind,
      status: a.status,
      target: a.targetRecordId,
      providerInvoiceId: a.providerInvoiceId,
      providerInvoiceNumber: a.providerInvoiceNumber,
      providerState: a.providerState,
      reference: a.reference,
      detail: a.detail,
      at: iso(a.doneAt ?? a.sentAt ?? a.createdAt),
    })),
    lines: resolvedLines.map((l) => ({
      index: l.index,
      kind: l.kind,
      description: l.description,
      product: l.product,
      quantity: l.quantity,
      unit: l.unit,
      unitPrice: l.unitPrice,
      priceSource: l.priceSource,
      resolvedFrom: l.resolvedFrom,
      vatRate: l.vatRate,
      vatTreatment: l.vatTreatment,
      netAmount: l.netAmount,
      vatAmount: l.vatAmount,
      grossAmount: l.grossAmount,
    })),
    attempts: attempts.map((a) => ({
      number: a.number,
      startedAt: iso(a.startedAt),
      finishedAt: iso(a.finishedAt),
      outcome: a.outcome,
      steps: a.steps,
      error: a.error,
      exchanges: a.exchanges,
    })),
    history: history.map((h) => ({ status: h.status, at: iso(h.at), message: h.message, error: h.error })),
    events: deliveries.map((d) => ({
      id: d.id,
      type: d.eventType,
      sequence: d.sequence,
      status: d.status,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      createdAt: iso(d.createdAt),
      deliveredAt: iso(d.deliveredAt),
    })),
    document: record.document,
  };
}

import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import type { SyncRecord } from '../store/records-repo.js';
import type { BillingInvoice } from './domain/types.js';
import type { BillingStore } from './store/billing-store.js';
import { withoutEmptyValues } from './draft-service.js';

export const invoiceListQuery = z.strictObject({
  status: z.enum(['ready_to_send', 'sent'], { error: 'must be "ready_to_send" or "sent"' }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** A released invoice with its sync record's state (the accounting system's number once synced). */
export function invoiceView(invoice: BillingInvoice, record: SyncRecord | null, detail: boolean) {
  const v = invoice.view as Record<string, any>;
  const base = {
    id: invoice.id,
    number: invoice.number,
    type: invoice.type,
    status: invoice.status,
    syncRecordId: invoice.syncRecordId,
    sync: record
      ? { status: record.status, provider: record.provider, providerInvoiceId: record.providerInvoiceId, providerInvoiceNumber: record.providerInvoiceNumber, providerState: record.providerState, lastError: record.lastError }
      : null,
    providerInvoiceNumber: record?.providerInvoiceNumber ?? null,
    referenceNumber: record?.referenceNumber ?? null,
    handoffError: invoice.handoffError,
    customerExternalId: invoice.customerExternalId,
    customer: { externalId: v.customer?.externalId ?? invoice.customerExternalId, name: v.customer?.name ?? null },
    projectExternalId: invoice.projectExternalId,
    period: invoice.periodFrom && invoice.periodTo ? { from: invoice.periodFrom, to: invoice.periodTo } : null,
    invoiceDate: invoice.invoiceDate,
    dueDate: record?.resolved?.dueDate ?? v.dueDate ?? null,
    creditedExternalId: v.creditedExternalId ?? null,
    totals: invoice.totals,
    draftId: invoice.draftId,
    sentAt: invoice.sentAt?.toISOString() ?? null,
    sentBy: invoice.sentBy,
    createdAt: invoice.createdAt.toISOString(),
  };
  if (!detail) return base;
  return { ...base, customer: v.customer, project: v.project, projects: v.projects, tasks: v.tasks, otherLines: v.otherLines, vatBreakdown: v.vatBreakdown, warnings: v.warnings, notes: v.notes ?? null, contactPerson: v.contactPerson ?? null, email: v.email ?? null };
}

/** Released invoices: list and detail (sending and PDF build on these). */
export class InvoiceViews {
  constructor(private readonly deps: { store: BillingStore }) {}

  async list(tenantId: string, query: unknown) {
    const q = parseOr400(invoiceListQuery, withoutEmptyValues(query));
    const repos = this.deps.store.repos;
    await repos.invoices.followProviderSent(tenantId);
    const invoices = await repos.invoices.list(tenantId, q.status ? { status: q.status } : {}, q.limit);
    const out = [];
    for (const inv of invoices) out.push(invoiceView(inv, inv.syncRecordId ? await repos.core.records.get(tenantId, inv.syncRecordId) : null, false));
    return { invoices: out };
  }

  async load(tenantId: string, id: string): Promise<{ invoice: BillingInvoice; record: SyncRecord | null }> {
    const repos = this.deps.store.repos;
    await repos.invoices.followProviderSent(tenantId);
    const invoice = await repos.invoices.get(tenantId, id);
    if (!invoice) throw ApiError.notFound(`Invoice ${id}`);
    return { invoice, record: invoice.syncRecordId ? await repos.core.records.get(tenantId, invoice.syncRecordId) : null };
  }

  async detail(tenantId: string, id: string) {
    const { invoice, record } = await this.load(tenantId, id);
    return invoiceView(invoice, record, true);
  }
}

import { parseInvoiceDocument } from '../domain/invoice-document.js';
import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import { referenceFor } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import { resolveInvoice } from '../sync/resolve-invoice.js';
import { vatBreakdown } from './draft-composer.js';
import type { InvoiceViews } from './invoice-views.js';
import { invoiceView } from './invoice-views.js';
import { renderInvoicePdf, type PdfInvoice } from './pdf/invoice-pdf.js';
import type { BillingStore } from './store/billing-store.js';

export interface SendingDeps {
  store: BillingStore;
  views: InvoiceViews;
  clock: () => Date;
}

/**
 * Sending: released invoices are ready_to_send until finance marks them sent
 * (who and when are kept) — or, for Procountor with afterCreate
 * approve_and_send, until the provider reports them SENT. And the PDF a
 * customer could receive.
 */
export class SendingService {
  constructor(private readonly deps: SendingDeps) {}

  async markSent(tenantId: string, id: string, actor: string) {
    const repos = this.deps.store.repos;
    const { invoice } = await this.deps.views.load(tenantId, id);
    if (invoice.status === 'ready_to_send') {
      const sent = await repos.invoices.markSent(tenantId, id, actor, this.deps.clock());
      if (sent) await repos.core.audit.record({ tenantId, actor, action: 'billing.invoice.sent', target: id });
    }
    return this.deps.views.detail(tenantId, id);
  }

  async pdf(tenantId: string, id: string): Promise<{ filename: string; pdf: Buffer }> {
    const repos = this.deps.store.repos;
    const { invoice, record } = await this.deps.views.load(tenantId, id);
    let resolved = (record?.resolved ?? null) as ResolvedInvoice | null;
    if (!resolved) {
      // Not handed to intake (yet): the same resolution intake would make.
      const parsed = parseInvoiceDocument(invoice.document);
      if (!parsed.ok) throw new ApiError(409, 'invoice_not_printable', `Invoice ${id} cannot be printed: ${parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`);
      resolved = (await resolveInvoice(repos.core, { tenantId, recordId: invoice.id, reference: referenceFor(invoice.id), referenceNumber: '', document: parsed.document, createDefaults: false })).invoice;
    }
    const settings = await repos.settings.get(tenantId);
    const view = invoiceView(invoice, record, true) as Record<string, any>;
    let credited: string | null = null;
    if (invoice.type === 'credit_note' && view.creditedExternalId) {
      const original = await repos.invoices.get(tenantId, view.creditedExternalId);
      credited = original ? String(original.number) : view.creditedExternalId;
    }
    const customer = (invoice.document.customer ?? {}) as PdfInvoice['buyer'];
    const data: PdfInvoice = {
      type: invoice.type,
      number: invoice.number,
      invoiceDate: resolved.invoiceDate,
      dueDate: resolved.dueDate,
      paymentTermDays: resolved.paymentTermDays,
      referenceNumber: record?.referenceNumber ?? null,
      period: resolved.period,
      credited,
      providerInvoiceNumber: record?.providerInvoiceNumber ?? null,
      notes: resolved.notes,
      currency: resolved.currency,
      seller: settings.seller,
      buyer: { ...customer, name: customer.name ?? invoice.customerExternalId },
      lines: resolved.lines.map((l) => ({ description: l.description, quantity: l.quantity, unit: l.unit, unitPrice: l.unitPrice, vatRate: l.vatRate, netAmount: l.netAmount })),
      vatBreakdown: vatBreakdown(resolved),
      totals: resolved.totals,
    };
    return { filename: `invoice-${invoice.number}.pdf`, pdf: await renderInvoicePdf(data) };
  }
}

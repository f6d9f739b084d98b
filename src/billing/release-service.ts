import type { Logger } from 'pino';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import type { InvoiceService } from '../sync/invoice-service.js';
import { composeStoredDraft, draftView, type ComposedDraft } from './draft-composer.js';
import type { BillingInvoice, FrozenItem } from './domain/types.js';
import type { BillingStore } from './store/billing-store.js';

export interface ReleaseDeps {
  store: BillingStore;
  invoices: InvoiceService;
  clock: () => Date;
  log: Logger;
}

function nothingToInvoice(id: string): ApiError {
  return new ApiError(409, 'nothing_to_invoice', `Draft ${id} bills nothing: every task is excluded or has no billed hours, and it has no other lines.`);
}

function notReady(id: string, problems: Array<{ path: string; code: string; message: string }>): ApiError {
  return new ApiError(
    409,
    'draft_not_ready',
    `Draft ${id} cannot be released yet: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
    problems,
  );
}

/** What each item on a released draft was billed as (or that it was not billed). */
function settlements(c: ComposedDraft): Map<string, { status: 'invoiced' | 'excluded'; frozen: FrozenItem | null }> {
  const out = new Map<string, { status: 'invoiced' | 'excluded'; frozen: FrozenItem | null }>();
  const resolved = c.resolved;
  const frozenAt = (ref: number | null, priceSource: string): FrozenItem | null => {
    const line = resolved && ref !== null ? resolved.lines[ref] : undefined;
    return line ? { product: { code: line.product.code, name: line.product.name, unit: line.product.unit }, unitPrice: line.unitPrice, priceSource, vatRate: line.vatRate } : null;
  };
  for (const t of c.composition.taskLines) {
    for (const g of t.priceGroups) {
      for (const itemId of g.itemIds) {
        out.set(itemId, t.excluded ? { status: 'excluded', frozen: null } : { status: 'invoiced', frozen: frozenAt(g.lineRef, g.priceSource) });
      }
    }
  }
  for (const o of c.composition.otherLines) {
    if (o.source !== 'work') continue;
    out.set(o.id, o.excluded ? { status: 'excluded', frozen: null } : { status: 'invoiced', frozen: frozenAt(o.lineRef, String(o.priceSource)) });
  }
  return out;
}

/**
 * Release: a draft becomes an immutable invoice with the tenant's next number,
 * its work billed (or, for what finance excluded, settled as not billed), in
 * one transaction on the locked draft — so releasing twice, even at once,
 * gives one invoice. Then the invoice goes to the same intake as
 * POST /v1/invoices (externalId = the invoice's id, revision 1), which syncs
 * it exactly once. A crash between the two is repaired by releasing again or
 * by the billing sweep: intake is idempotent on (externalId, revision).
 */
export class ReleaseService {
  constructor(private readonly deps: ReleaseDeps) {}

  async release(tenantId: string, draftId: string, actor: string): Promise<{ created: boolean; invoice: BillingInvoice }> {
    const { store, clock } = this.deps;
    let invoice = await store.repos.invoices.byDraft(tenantId, draftId);
    let created = false;
    if (!invoice) {
      const draft = await store.repos.drafts.get(tenantId, draftId);
      if (!draft) throw ApiError.notFound(`Draft ${draftId}`);
      if (draft.status === 'open') {
        // Every problem the intake and the provider would raise, before anything changes.
        const composed = await composeStoredDraft(store.repos, draft, clock());
        if (!composed.composition.documentLines.length) throw nothingToInvoice(draftId);
        if (composed.problems.length) throw notReady(draftId, composed.problems);
        const preview = await this.deps.invoices.preview(tenantId, composed.document);
        if (!preview.valid) throw notReady(draftId, preview.problems);
      }
      invoice = await store.transaction(async (b) => {
        const locked = await b.drafts.getForUpdate(tenantId, draftId);
        if (!locked) throw ApiError.notFound(`Draft ${draftId}`);
        if (locked.status !== 'open') return null;
        const c = await composeStoredDraft(b, locked, clock());
        if (!c.composition.documentLines.length || !c.resolved) throw nothingToInvoice(draftId);
        if (c.problems.length) throw notReady(draftId, c.problems);
        const number = await b.settings.nextInvoiceNumber(tenantId);
        const id = `inv_${newId(clock())}`;
        const view = { ...draftView(c), status: 'released', invoiceId: id, number };
        const document = { ...c.document, externalId: id, billing: { invoiceId: id, number, draftId } };
        const inserted = await b.invoices.insert(tenantId, {
          id,
          draftId,
          number,
          type: locked.type,
          customerExternalId: locked.customerExternalId,
          projectExternalId: locked.projectExternalId ?? c.project?.externalId ?? null,
          periodFrom: (c.document.period as { from: string } | null)?.from ?? null,
          periodTo: (c.document.period as { to: string } | null)?.to ?? null,
          invoiceDate: c.document.invoiceDate as string,
          document,
          view,
          totals: view.totals,
        });
        await b.drafts.markReleased(draftId, id);
        const settled = settlements(c);
        const billedEntries = new Set<string>();
        const excludedEntries = new Set<string>();
        for (const item of c.items) {
          const s = settled.get(item.id) ?? { status: 'excluded' as const, frozen: null };
          await b.items.settle(item.id, s.status, id, s.frozen);
          (s.status === 'invoiced' ? billedEntries : excludedEntries).add(item.entryExternalId);
        }
        await b.entries.setState(tenantId, [...billedEntries], ['compiled'], 'billed');
        await b.entries.setState(tenantId, [...excludedEntries].filter((e) => !billedEntries.has(e)), ['compiled'], 'excluded');
        await b.core.audit.record({ tenantId, actor, action: 'billing.draft.released', target: draftId, details: { invoiceId: id, number, totals: view.totals } });
        return inserted;
      });
      if (invoice) created = true;
      else invoice = await store.repos.invoices.byDraft(tenantId, draftId);
      if (!invoice) throw new ApiError(409, 'release_in_progress', `Draft ${draftId} is being released; fetch it again in a moment.`);
    }
    if (!invoice.syncRecordId) invoice = await this.handOff(invoice);
    return { created, invoice };
  }

  /** Hands a released invoice to intake (idempotent there); the outcome is kept on the invoice. */
  async handOff(invoice: BillingInvoice): Promise<BillingInvoice> {
    const invoicesRepo = this.deps.store.repos.invoices;
    try {
      const accepted = await this.deps.invoices.accept(invoice.tenantId, invoice.document, undefined);
      await invoicesRepo.setHandoff(invoice.id, accepted.record.id, null);
      return { ...invoice, syncRecordId: accepted.record.id, handoffError: null };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const handoffError = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
      this.deps.log.warn({ invoiceId: invoice.id, code: error.code }, 'intake refused a released invoice');
      await invoicesRepo.setHandoff(invoice.id, null, handoffError);
      return { ...invoice, handoffError };
    }
  }

  /** The billing sweep: released invoices that never reached intake (a crash in between). */
  async repairHandoffs(olderThanMs = 60_000): Promise<number> {
    const repos = this.deps.store.repos;
    const pending = await repos.invoices.notHandedOff(new Date(this.deps.clock().getTime() - olderThanMs), 100);
    let done = 0;
    for (const p of pending) {
      const invoice = await repos.invoices.get(p.tenantId, p.id);
      if (invoice && !invoice.syncRecordId && !(await this.handOff(invoice)).handoffError) done += 1;
    }
    return done;
  }
}

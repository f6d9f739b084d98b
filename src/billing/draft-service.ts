import { problemsFromZod, type Problem } from '../domain/invoice-document.js';
import type { InvoiceService } from '../sync/invoice-service.js';
import { newId } from '../domain/ids.js';
import { dec, decimalText } from '../domain/money.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { toProductMapping } from '../sync/resolve-invoice.js';
import { lineAmounts } from '../domain/totals.js';
import { composeStoredDraft, draftView, type DraftView } from './draft-composer.js';
import { draftListQuery, itemsQuery, patchDraftBody, patchTaskBody, type LineBody } from './draft-schemas.js';
import { localDate } from './domain/local-date.js';
import { priceLine } from './domain/pricing.js';
import type { AddedLine, Draft, DraftFields, TaskOverride } from './domain/types.js';
import type { BillingRepos, BillingStore } from './store/billing-store.js';

export interface DraftDeps {
  store: BillingStore;
  clock: () => Date;
  /** The intake's preview: with it, a draft shows what the provider would say about its customer. */
  invoices?: Pick<InvoiceService, 'preview'>;
}

export function alreadyReleased(draft: Draft): ApiError {
  return new ApiError(
    409,
    'already_billed',
    `Draft ${draft.id} was released as invoice ${draft.invoiceId}; a released invoice does not change. Credit it with a credit note, or bill more on a new draft.`,
  );
}

export function addedLineOf(line: LineBody): AddedLine {
  return {
    id: `line_${newId()}`,
    kind: line.kind,
    description: line.description,
    quantity: line.quantity,
    unit: line.unit ?? null,
    unitPrice: line.unitPrice ?? null,
    vatRate: line.vatRate ?? null,
    product: line.product ? { code: line.product.code, name: line.product.name, unit: line.product.unit ?? null } : null,
  };
}

/** Drafts: listing, the review view, and finance's edits (each on the locked draft row). */
export class DraftService {
  constructor(private readonly deps: DraftDeps) {}

  /**
   * A draft as finance reviews it. With `check`, the intake's preview runs on
   * what release would post, so the provider's problems (a customer that is not
   * linked and may not be created, a missing connection) show before release,
   * all at once.
   */
  async view(tenantId: string, id: string, options: { check?: boolean } = {}): Promise<DraftView | Record<string, unknown>> {
    const repos = this.deps.store.repos;
    const draft = await repos.drafts.get(tenantId, id);
    if (!draft) throw ApiError.notFound(`Draft ${id}`);
    if (draft.status === 'released' && draft.invoiceId) {
      const invoice = await repos.invoices.get(tenantId, draft.invoiceId);
      // What was released, exactly as it was released.
      if (invoice) return { ...invoice.view, status: 'released', invoiceId: invoice.id, number: invoice.number, releasedAt: draft.releasedAt?.toISOString() ?? null };
    }
    const composed = await composeStoredDraft(repos, draft, this.deps.clock());
    const view = draftView(composed);
    if (!options.check || !this.deps.invoices || !composed.composition.documentLines.length || composed.problems.length) return view;
    const preview = await this.deps.invoices.preview(tenantId, composed.document);
    const seen = new Set(view.problems.map((p) => `${p.path}\u0000${p.code}`));
    const problems = [...view.problems, ...preview.problems.filter((p) => !seen.has(`${p.path}\u0000${p.code}`))];
    return { ...view, problems, providerCustomer: preview.customer, provider: preview.provider ?? view.provider };
  }

  async list(tenantId: string, query: unknown) {
    const q = parseOr400(draftListQuery, withoutEmptyValues(query));
    const repos = this.deps.store.repos;
    const drafts = await repos.drafts.list(tenantId, { ...(q.projectExternalId ? { projectExternalId: q.projectExternalId } : {}), ...(q.status ? { status: q.status } : {}) }, q.limit);
    const out = [];
    for (const d of drafts) {
      const v = (await this.view(tenantId, d.id)) as DraftView;
      out.push({
        id: v.id,
        status: v.status,
        source: v.source,
        type: v.type,
        projectExternalId: v.projectExternalId,
        project: v.project,
        customerExternalId: v.customerExternalId,
        customer: { externalId: (v.customer as { externalId?: string })?.externalId ?? v.customerExternalId, name: (v.customer as { name?: string })?.name ?? null },
        period: v.period,
        invoiceDate: v.invoiceDate,
        tasks: v.tasks.length,
        totals: v.totals,
        problems: v.problems.length,
        invoiceId: v.invoiceId,
        createdAt: v.createdAt,
        updatedAt: v.updatedAt,
      });
    }
    return { drafts: out };
  }

  async patchTask(tenantId: string, draftId: string, taskExternalId: string, body: unknown, actor: string): Promise<DraftView> {
    const patch = parseOr400(patchTaskBody, body);
    const now = this.deps.clock();
    await this.deps.store.transaction(async (b) => {
      const draft = await b.drafts.getForUpdate(tenantId, draftId);
      if (!draft) throw ApiError.notFound(`Draft ${draftId}`);
      if (draft.status !== 'open') throw alreadyReleased(draft);
      const composed = await composeStoredDraft(b, draft, now);
      const line = composed.composition.taskLines.find((t) => t.taskExternalId === taskExternalId);
      const onDraft = composed.items.some((i) => i.taskExternalId === taskExternalId);
      if (!onDraft) throw ApiError.notFound(`Task ${taskExternalId} on draft ${draftId}`);
      const override: TaskOverride = { ...(draft.taskOverrides[taskExternalId] ?? {}) };
      if (patch.billedHours !== undefined || patch.adjustHours !== undefined) {
        if (!line) {
          throw ApiError.badInput([{ path: patch.billedHours !== undefined ? 'billedHours' : 'adjustHours', code: 'no_hours', message: `task ${taskExternalId} has no hours on this draft (only other work)` }]);
        }
        const billed = patch.billedHours !== undefined ? dec(patch.billedHours) : dec(line.billedHours).plus(dec(patch.adjustHours!));
        if (billed.isNegative()) {
          throw ApiError.badInput([{ path: 'adjustHours', code: 'invalid_value', message: `would make the billed hours negative (${decimalText(billed)}); they are ${line.billedHours} now` }]);
        }
        override.billedHours = decimalText(billed);
        override.bookedAtOverride = line.bookedHours;
      }
      if (patch.title !== undefined) {
        if (patch.title === null) delete override.title;
        else override.title = patch.title;
      }
      if (patch.excluded !== undefined) {
        override.excluded = patch.excluded;
        await b.items.setStatus(draft.id, { taskExternalIds: [taskExternalId] }, patch.excluded ? 'excluded' : 'pending');
        if (!patch.excluded && draft.fields.removedItems?.length) {
          await b.items.setStatus(draft.id, { itemIds: draft.fields.removedItems }, 'excluded');
        }
      }
      await b.drafts.update(draft.id, { taskOverrides: { ...draft.taskOverrides, [taskExternalId]: override } });
      await b.core.audit.record({ tenantId, actor, action: 'billing.draft.task_changed', target: draft.id, details: { taskExternalId, ...patch } });
    });
    return (await this.view(tenantId, draftId)) as DraftView;
  }

  async patchDraft(tenantId: string, draftId: string, body: unknown, actor: string): Promise<DraftView> {
    const parsed = patchDraftBody.safeParse(body ?? {});
    await this.deps.store.transaction(async (b) => {
      const draft = await b.drafts.getForUpdate(tenantId, draftId);
      if (!draft) throw ApiError.notFound(`Draft ${draftId}`);
      if (draft.status !== 'open') throw alreadyReleased(draft);
      if (!parsed.success) {
        // Every problem at once: the line ids are checked too, as far as they can be read.
        const problems = problemsFromZod(parsed.error);
        const raw = (body ?? {}) as Record<string, unknown>;
        const items = await b.items.ofDraft(draft.id);
        const known = new Set([...draft.addedLines.map((l) => l.id), ...items.filter((i) => i.lineKind !== 'task_entry').map((i) => i.id)]);
        for (const field of ['removeLines', 'restoreLines'] as const) {
          const ids = raw[field];
          if (!Array.isArray(ids)) continue;
          ids.forEach((id, index) => {
            if (typeof id === 'string' && !known.has(id) && !problems.some((p) => p.path === `${field}[${index}]`)) {
              problems.push({ path: `${field}[${index}]`, code: 'unknown_line', message: `"${id}" is not a line of this draft` });
            }
          });
        }
        throw ApiError.badInput(problems);
      }
      const patch = parsed.data;
      const fields: DraftFields = { ...draft.fields };
      for (const key of ['invoiceDate', 'dueDate', 'paymentTermDays', 'contactPerson', 'email', 'notes'] as const) {
        if (patch[key] !== undefined) (fields as Record<string, unknown>)[key] = patch[key];
      }
      // A due date and a payment term say the same thing: the last one given counts.
      if (typeof patch.dueDate === 'string') fields.paymentTermDays = null;
      if (typeof patch.paymentTermDays === 'number') fields.dueDate = null;
      const invoiceDate = fields.invoiceDate ?? localDate(this.deps.clock(), (await b.settings.get(tenantId)).timeZone);
      const problems: Problem[] = [];
      if (fields.dueDate && fields.dueDate < invoiceDate) {
        problems.push({ path: 'dueDate', code: 'invalid_value', message: `must not be before the invoice date (${invoiceDate})` });
      }
      let addedLines = [...draft.addedLines, ...(patch.addLines ?? []).map(addedLineOf)];
      const items = await b.items.ofDraft(draft.id);
      const removed = new Set(fields.removedItems ?? []);
      (patch.removeLines ?? []).forEach((id, index) => {
        if (addedLines.some((l) => l.id === id)) addedLines = addedLines.filter((l) => l.id !== id);
        else if (items.some((i) => i.id === id && i.lineKind !== 'task_entry')) removed.add(id);
        else problems.push({ path: `removeLines[${index}]`, code: 'unknown_line', message: `"${id}" is not a line of this draft (hours are excluded per task: PATCH …/tasks/{taskExternalId} {"excluded": true})` });
      });
      const restored: string[] = [];
      (patch.restoreLines ?? []).forEach((id, index) => {
        if (removed.delete(id)) restored.push(id);
        else problems.push({ path: `restoreLines[${index}]`, code: 'unknown_line', message: `"${id}" is not a removed line of this draft` });
      });
      if (problems.length) throw ApiError.badInput(problems);
      fields.removedItems = [...removed];
      if (removed.size) await b.items.setStatus(draft.id, { itemIds: [...removed] }, 'excluded');
      const back = restored.filter((id) => {
        const item = items.find((i) => i.id === id);
        return item && !draft.taskOverrides[item.taskExternalId]?.excluded;
      });
      if (back.length) await b.items.setStatus(draft.id, { itemIds: back }, 'pending');
      await b.drafts.update(draft.id, { fields, addedLines });
      await b.core.audit.record({ tenantId, actor, action: 'billing.draft.changed', target: draft.id, details: patch });
    });
    return (await this.view(tenantId, draftId)) as DraftView;
  }

  /** Billable items with what they bill at now (or, once invoiced, what they were billed at). */
  async items(tenantId: string, query: unknown) {
    const q = parseOr400(itemsQuery, withoutEmptyValues(query));
    const repos = this.deps.store.repos;
    const items = await repos.items.list(tenantId, { ...(q.status ? { status: q.status } : {}), ...(q.projectExternalId ? { projectExternalIds: [q.projectExternalId] } : {}) }, q.limit);
    const tasks = new Map((await repos.work.tasks(tenantId, { externalIds: [...new Set(items.map((i) => i.taskExternalId))] })).map((t) => [t.externalId, t]));
    const projects = new Map((await repos.work.projects(tenantId, { externalIds: [...new Set(items.map((i) => i.projectExternalId))] })).map((p) => [p.externalId, p]));
    const mappings = (await repos.core.mappings.list(tenantId)).map(toProductMapping);
    const today = localDate(this.deps.clock(), (await repos.settings.get(tenantId)).timeZone);
    return {
      items: items.map((i) => {
        const task = tasks.get(i.taskExternalId);
        const project = projects.get(i.projectExternalId);
        const priced =
          i.frozen ?? (task && project ? priceLine({ kind: i.lineKind, entryUnitPrice: i.entryUnitPrice }, task, project, mappings, today) : null);
        const unitPrice = priced?.unitPrice ?? '0';
        return {
          id: i.id,
          entryExternalId: i.entryExternalId,
          part: i.part,
          kind: i.lineKind,
          taskExternalId: i.taskExternalId,
          projectExternalId: i.projectExternalId,
          date: i.date,
          userId: i.userId,
          userName: i.userName,
          activity: i.activity,
          description: i.description,
          quantity: i.quantity,
          unit: priced ? ('unit' in priced ? priced.unit : priced.product.unit) : null,
          unitPrice,
          priceSource: priced?.priceSource ?? null,
          product: priced ? { code: priced.product.code, name: priced.product.name, unit: priced.product.unit } : null,
          net: lineAmounts(i.quantity, unitPrice, '0').netAmount,
          status: i.status,
          draftId: i.draftId,
          invoiceId: i.invoiceId,
        };
      }),
    };
  }
}

/** `?status=&projectExternalId=` as URL templates send them: an empty value is no filter. */
export function withoutEmptyValues(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query as Record<string, unknown>).filter(([, value]) => value !== ''));
}

export type { BillingRepos };

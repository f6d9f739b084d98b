import { createHash } from 'node:crypto';
import type { Problem } from '../domain/invoice-document.js';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { canonicalJson } from '../sync/invoice-service.js';
import { compileEntries, emptyOutcome, taskBillable, withdrawTaskWork } from './compiler.js';
import { collectsOnProjectDraft } from './domain/eligibility.js';
import { localDate, workDay } from './domain/local-date.js';
import type { BillingCustomer, BillingEntry, BillingProject } from './domain/types.js';
import {
  billingCustomerSchema,
  billingProjectSchema,
  billingTaskSchema,
  entriesBodySchema,
  type EntryInput,
} from './domain/work-schemas.js';
import type { BillingStore } from './store/billing-store.js';
import type { EntryWrite } from './store/entries-repo.js';

export interface WorkDeps {
  store: BillingStore;
  clock: () => Date;
}

/** Drops undefined fields and the id (it is the path), so what is stored is what was meant. */
function dataOf(parsed: Record<string, unknown>, omit: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parsed).filter(([k, v]) => v !== undefined && !omit.includes(k)));
}

function samePathId(bodyId: string | undefined, pathId: string, what: string): void {
  if (bodyId !== undefined && bodyId !== pathId) {
    throw ApiError.badInput([{ path: 'externalId', code: 'invalid_value', message: `is "${bodyId}" but the URL names ${what} "${pathId}"; leave it out or make them equal` }]);
  }
}

function pathId(value: string, what: string): string {
  if (!value || value.length > 100) throw ApiError.badInput([{ path: what, code: 'invalid_value', message: 'must be an id of 1–100 characters' }]);
  return value;
}

/**
 * Work in: the host's customers, projects, tasks and entries, as idempotent
 * upserts by the host's ids. A task turning closed puts its billable work on
 * its project's open draft; an entry already on a released invoice cannot be
 * changed (409 already_billed).
 */
export class WorkService {
  constructor(private readonly deps: WorkDeps) {}

  async putCustomer(tenantId: string, externalId: string, body: unknown): Promise<{ customer: BillingCustomer; created: boolean }> {
    pathId(externalId, 'externalId');
    const parsed = parseOr400(billingCustomerSchema, body);
    samePathId(parsed.externalId, externalId, 'customer');
    return this.deps.store.repos.work.upsertCustomer(tenantId, externalId, dataOf(parsed, ['externalId']));
  }

  async putProject(tenantId: string, externalId: string, body: unknown): Promise<{ project: BillingProject; created: boolean }> {
    pathId(externalId, 'externalId');
    const parsed = parseOr400(billingProjectSchema, body);
    samePathId(parsed.externalId, externalId, 'project');
    return this.deps.store.transaction(async (b) => {
      if (!(await b.work.customer(tenantId, parsed.customerExternalId))) {
        throw ApiError.badInput([
          { path: 'customerExternalId', code: 'unknown_customer', message: `names customer "${parsed.customerExternalId}", which ledgerlink does not have: PUT /v1/billing/customers/${parsed.customerExternalId} first` },
        ]);
      }
      const before = await b.work.project(tenantId, externalId);
      const result = await b.work.upsertProject(tenantId, externalId, parsed.customerExternalId, dataOf(parsed, ['externalId', 'customerExternalId']));
      if (before && before.customerExternalId !== parsed.customerExternalId) {
        // The project's open work draft bills the project's customer.
        await b.core.audit.record({ tenantId, actor: 'host', action: 'billing.project.customer_changed', target: externalId, details: { from: before.customerExternalId, to: parsed.customerExternalId } });
        const open = await b.drafts.list(tenantId, { projectExternalId: externalId, status: 'open', source: 'project' }, 10);
        for (const d of open) await b.drafts.setCustomer(d.id, parsed.customerExternalId);
      }
      return result;
    });
  }

  async putTask(tenantId: string, externalId: string, body: unknown) {
    pathId(externalId, 'externalId');
    const parsed = parseOr400(billingTaskSchema, body);
    samePathId(parsed.externalId, externalId, 'task');
    const settings = await this.deps.store.repos.settings.get(tenantId);
    const today = localDate(this.deps.clock(), settings.timeZone);
    return this.deps.store.transaction(async (b) => {
      const project = await b.work.project(tenantId, parsed.projectExternalId);
      if (!project) {
        throw ApiError.badInput([
          { path: 'projectExternalId', code: 'unknown_project', message: `names project "${parsed.projectExternalId}", which ledgerlink does not have: PUT /v1/billing/projects/${parsed.projectExternalId} first` },
        ]);
      }
      const { task, previous } = await b.work.upsertTask(tenantId, externalId, {
        projectExternalId: parsed.projectExternalId,
        status: parsed.status,
        billable: parsed.billable,
        data: dataOf(parsed, ['externalId', 'projectExternalId', 'status', 'billable']),
      });
      const previousProject = previous ? (previous.projectExternalId === project.externalId ? project : await b.work.project(tenantId, previous.projectExternalId)) : null;
      const wasBillable = previous !== null && previousProject !== null && taskBillable(previous, previousProject);
      const isBillable = taskBillable(task, project);
      let withdrawn = 0;
      if (previous && (previous.projectExternalId !== task.projectExternalId || (wasBillable && !isBillable))) {
        withdrawn = await withdrawTaskWork(b, tenantId, externalId);
      }
      let compiled = emptyOutcome();
      const turnedClosed = task.status === 'closed' && (previous?.status !== 'closed' || withdrawn > 0 || !wasBillable);
      if (isBillable && turnedClosed && collectsOnProjectDraft(project)) {
        const entries = await b.entries.claimCompilable(tenantId, { taskExternalIds: [externalId] }, 5000);
        compiled = await compileEntries(b, tenantId, entries, { kind: 'auto' }, today);
        // Work compiled earlier (before a schedule was removed, say) joins the draft too.
        const waiting = await b.items.lockUnattached(tenantId, { taskExternalIds: [externalId] });
        if (waiting.length) {
          const draft = await b.drafts.openProjectDraft(tenantId, project.externalId, project.customerExternalId, () => `draft_${newId()}`);
          await b.items.attach(tenantId, waiting.map((i) => i.id), draft.id);
          compiled.drafts.add(draft.id);
        }
      }
      return { task, created: previous === null, compiled: { entries: compiled.entries, items: compiled.items, draftIds: [...compiled.drafts] }, withdrawnItems: withdrawn };
    });
  }

  /**
   * Bulk entries, all or nothing: every problem in the batch is reported at
   * once (400), and an entry already on a released invoice that would change
   * refuses the whole batch (409 already_billed). The same entry sent again
   * changes nothing.
   */
  async pushEntries(tenantId: string, body: unknown) {
    const parsed = parseOr400(entriesBodySchema, body);
    const inputs = parsed.entries;
    const repos = this.deps.store.repos;
    const taskIds = [...new Set(inputs.map((e) => e.taskExternalId))];
    const tasks = new Map((await repos.work.tasks(tenantId, { externalIds: taskIds })).map((t) => [t.externalId, t]));
    const unknown: Problem[] = [];
    inputs.forEach((e, index) => {
      if (!tasks.has(e.taskExternalId)) {
        unknown.push({ path: `entries[${index}].taskExternalId`, code: 'unknown_task', message: `names task "${e.taskExternalId}", which ledgerlink does not have: PUT /v1/billing/tasks/${e.taskExternalId} first` });
      }
    });
    if (unknown.length) throw ApiError.badInput(unknown);
    const settings = await repos.settings.get(tenantId);
    const writes = inputs.map((e) => toWrite(e, settings.timeZone));
    const today = localDate(this.deps.clock(), settings.timeZone);

    return this.deps.store.transaction(async (b) => {
      // Drafts before entries: the order releases take them in.
      const ids = writes.map((w) => w.externalId);
      const onDrafts = (await b.items.ofEntries(tenantId, ids)).map((i) => i.draftId).filter((d): d is string => d !== null);
      await b.drafts.lockMany(tenantId, [...new Set(onDrafts)]);
      const existing = new Map((await b.entries.lockMany(tenantId, ids)).map((e) => [e.externalId, e]));
      const results: Array<{ externalId: string; result: 'created' | 'updated' | 'unchanged' }> = [];
      const refused: Array<Record<string, unknown>> = [];
      const changedCompiled: Array<{ write: EntryWrite; draftIds: string[] }> = [];
      writes.forEach((w, index) => {
        const before = existing.get(w.externalId);
        if (!before) return;
        if (before.bodyHash === w.bodyHash) return;
        if (before.state === 'billed' || before.state === 'excluded') {
          refused.push({ path: `entries[${index}]`, code: 'already_billed', externalId: w.externalId, message: `entry "${w.externalId}" is on a released invoice and cannot change; log new work as a new entry` });
        }
      });
      if (refused.length) {
        throw new ApiError(
          409,
          'already_billed',
          `${refused.length === 1 ? 'An entry is' : `${refused.length} entries are`} already on a released invoice and cannot change: ${refused.map((r) => r.externalId).join(', ')}. Nothing in this call was saved.`,
          refused,
        );
      }
      for (const w of writes) {
        const before = existing.get(w.externalId);
        if (!before) {
          await b.entries.insert(tenantId, w);
          results.push({ externalId: w.externalId, result: 'created' });
        } else if (before.bodyHash === w.bodyHash) {
          results.push({ externalId: w.externalId, result: 'unchanged' });
        } else {
          if (before.state === 'compiled') {
            // Its items are recomputed from the new values, on the draft they were on.
            const removed = await b.items.deleteOfEntries(tenantId, [w.externalId]);
            changedCompiled.push({ write: w, draftIds: [...new Set(removed.map((r) => r.draftId).filter((d): d is string => d !== null))] });
          }
          await b.entries.update(tenantId, w, 'open');
          results.push({ externalId: w.externalId, result: 'updated' });
        }
      }
      for (const { write, draftIds } of changedCompiled) {
        const [draftId] = draftIds;
        const draft = draftId ? await b.drafts.get(tenantId, draftId) : null;
        const task = await b.work.task(tenantId, write.taskExternalId);
        const project = task ? await b.work.project(tenantId, task.projectExternalId) : null;
        const stillOnIt = draft && draft.status === 'open' && task && project && write.stopped && taskBillable(task, project) && (draft.projectExternalId === null || draft.projectExternalId === task.projectExternalId);
        if (stillOnIt) {
          const entry = (await b.entries.lockMany(tenantId, [write.externalId]))[0] as BillingEntry;
          await compileEntries(b, tenantId, [entry], { kind: 'draft', draft }, today);
        } else if (draft) {
          if (!(await b.drafts.deleteIfEmpty(draft.id))) await b.drafts.touch(draft.id);
        }
      }
      const count = (r: string) => results.filter((x) => x.result === r).length;
      return { accepted: results.length, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), entries: results };
    });
  }
}

function toWrite(e: EntryInput, timeZone: string): EntryWrite {
  const data = {
    userName: e.userName ?? null,
    activity: e.activity ?? null,
    date: e.date,
    hours: e.hours ?? null,
    km: e.km ?? null,
    transportMinutes: e.transportMinutes ?? null,
    quantity: e.quantity ?? null,
    unitPrice: e.unitPrice ?? null,
    description: e.description ?? null,
  };
  const meaning = { taskExternalId: e.taskExternalId, userId: e.userId, kind: e.kind, stopped: e.stopped, ...data };
  return {
    externalId: e.externalId,
    taskExternalId: e.taskExternalId,
    userId: e.userId,
    kind: e.kind,
    date: workDay(e.date, timeZone),
    stopped: e.stopped,
    data,
    bodyHash: createHash('sha256').update(canonicalJson(meaning)).digest('hex'),
  };
}

import type { LineKind } from '../domain/invoice-document.js';
import { newId } from '../domain/ids.js';
import { defaultMappingFor } from '../domain/products/default-products.js';
import { toProductMapping } from '../sync/resolve-invoice.js';
import { collectsOnProjectDraft, notBillableReason } from './domain/eligibility.js';
import { itemSpecsOf } from './domain/item-parts.js';
import { priceLine } from './domain/pricing.js';
import type { BillingEntry, BillingProject, BillingTask, Draft } from './domain/types.js';
import type { BillingRepos } from './store/billing-store.js';
import type { NewItem } from './store/items-repo.js';

/** Where compiled work goes: the project's open draft (by the project's rules), or one named draft. */
export type CompileTarget = { kind: 'auto' } | { kind: 'draft'; draft: Draft };

export interface CompileOutcome {
  entries: number;
  items: number;
  drafts: Set<string>;
  zeroPriced: Array<{ itemId: string; entryExternalId: string; taskExternalId: string; lineKind: LineKind }>;
}

export function emptyOutcome(): CompileOutcome {
  return { entries: 0, items: 0, drafts: new Set(), zeroPriced: [] };
}

export function mergeOutcome(into: CompileOutcome, more: CompileOutcome): CompileOutcome {
  into.entries += more.entries;
  into.items += more.items;
  for (const d of more.drafts) into.drafts.add(d);
  into.zeroPriced.push(...more.zeroPriced);
  return into;
}

/**
 * Turns entries this transaction has locked into billable items (inside the
 * caller's transaction). Each entry is moved out of 'open' first: only the
 * transaction that moves it makes its items, and items are unique per
 * (entry, part) — so no entry is ever billed twice, however many compiles run.
 * Missing tenant default products are created here, as intake does.
 */
export async function compileEntries(b: BillingRepos, tenantId: string, entries: BillingEntry[], target: CompileTarget, vatDate: string): Promise<CompileOutcome> {
  const outcome = emptyOutcome();
  if (!entries.length) return outcome;
  const owned = new Set(await b.entries.setState(tenantId, entries.map((e) => e.externalId), ['open'], 'compiled'));
  const mine = entries.filter((e) => owned.has(e.externalId));
  if (!mine.length) return outcome;

  const tasks = new Map((await b.work.tasks(tenantId, { externalIds: [...new Set(mine.map((e) => e.taskExternalId))] })).map((t) => [t.externalId, t]));
  const projects = new Map(
    (await b.work.projects(tenantId, { externalIds: [...new Set([...tasks.values()].map((t) => t.projectExternalId))] })).map((p) => [p.externalId, p]),
  );
  const drafts = new Map<string, Draft | null>();
  const draftFor = async (task: BillingTask, project: BillingProject): Promise<Draft | null> => {
    if (target.kind === 'draft') return target.draft;
    if (!collectsOnProjectDraft(project)) return null;
    if (!drafts.has(project.externalId)) {
      drafts.set(project.externalId, await b.drafts.openProjectDraft(tenantId, project.externalId, project.customerExternalId, () => `draft_${newId()}`));
    }
    return drafts.get(project.externalId)!;
  };

  const mappings = (await b.core.mappings.list(tenantId)).map(toProductMapping);
  const needsDefaults = new Set<LineKind>();
  const items: NewItem[] = [];
  const unplaced: string[] = [];
  for (const entry of mine) {
    const task = tasks.get(entry.taskExternalId);
    const project = task ? projects.get(task.projectExternalId) : undefined;
    if (!task || !project) {
      unplaced.push(entry.externalId);
      continue;
    }
    const draft = await draftFor(task, project);
    if (draft) outcome.drafts.add(draft.id);
    for (const spec of itemSpecsOf(entry)) {
      const id = `item_${newId()}`;
      items.push({
        id,
        entryExternalId: entry.externalId,
        part: spec.part,
        taskExternalId: task.externalId,
        projectExternalId: project.externalId,
        lineKind: spec.lineKind,
        quantity: spec.quantity,
        date: entry.date,
        userId: entry.userId,
        draftId: draft?.id ?? null,
        status: draft?.taskOverrides[task.externalId]?.excluded ? 'excluded' : 'pending',
      });
      const priced = priceLine({ kind: spec.lineKind, entryUnitPrice: spec.part === 'time' ? null : entry.unitPrice }, task, project, mappings, vatDate);
      if (priced.needsDefault) needsDefaults.add(priced.needsDefault);
      if (priced.zeroPrice) outcome.zeroPriced.push({ itemId: id, entryExternalId: entry.externalId, taskExternalId: task.externalId, lineKind: spec.lineKind });
    }
  }
  // An entry whose task vanished meanwhile stays open for a later compile.
  if (unplaced.length) await b.entries.setState(tenantId, unplaced, ['compiled'], 'open');
  const inserted = await b.items.insertMany(tenantId, items);
  for (const kind of needsDefaults) {
    await b.core.mappings.insertIfAbsent(tenantId, { id: `map_${newId()}`, ...defaultMappingFor(kind), providerProducts: null });
  }
  for (const draftId of outcome.drafts) await b.drafts.touch(draftId);
  outcome.entries = mine.length - unplaced.length;
  outcome.items = inserted.length;
  return outcome;
}

/**
 * Takes back the work of a task that is no longer billable as it was (reopened
 * under closed_tasks, made non-billable, lost its contact, moved to another
 * project): its items that are on no released invoice are removed and its
 * entries are open again, to be compiled when they are billable again.
 */
export async function withdrawTaskWork(b: BillingRepos, tenantId: string, taskExternalId: string): Promise<number> {
  const items = await b.items.list(tenantId, { taskExternalIds: [taskExternalId] });
  const withdrawable = items.filter((i) => i.status !== 'invoiced' && !i.invoiceId);
  if (!withdrawable.length) return 0;
  const draftIds = [...new Set(withdrawable.map((i) => i.draftId).filter((d): d is string => d !== null))];
  const locked = await b.drafts.lockMany(tenantId, draftIds);
  const released = new Set(locked.filter((d) => d.status !== 'open').map((d) => d.id));
  const entryIds = [...new Set(withdrawable.filter((i) => !i.draftId || !released.has(i.draftId)).map((i) => i.entryExternalId))];
  const removed = await b.items.deleteOfEntries(tenantId, entryIds);
  await b.entries.setState(tenantId, entryIds, ['compiled'], 'open');
  for (const draftId of new Set(removed.map((r) => r.draftId).filter((d): d is string => d !== null))) {
    if (!(await b.drafts.deleteIfEmpty(draftId))) await b.drafts.touch(draftId);
  }
  return removed.length;
}

/** Whether a task's work is billable under its project now (the task part of the shared rules). */
export function taskBillable(task: BillingTask, project: BillingProject): boolean {
  return notBillableReason({ stopped: true, state: 'open' }, task, project) === null;
}

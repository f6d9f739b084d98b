import { notBillableReason } from './domain/eligibility.js';
import { itemSpecsOf } from './domain/item-parts.js';
import type { BillableItem, BillingProject, BillingTask } from './domain/types.js';
import type { BillingRepos } from './store/billing-store.js';

/**
 * Billable work that is on no draft and no invoice, whether compiled yet or
 * not (CONTRACT.md: "candidates and period drafts take eligible work whether it
 * has been compiled yet or not"): compiled items waiting on no draft, and
 * open entries that compile would take, as the items they would become.
 */
export async function undraftedWork(
  b: BillingRepos,
  tenantId: string,
  filter: { projectExternalIds?: string[]; from?: string; to?: string },
): Promise<{ items: BillableItem[]; tasks: Map<string, BillingTask>; projects: Map<string, BillingProject> }> {
  const waiting = await b.items.list(tenantId, { status: 'pending', unattached: true, ...filter }, 100_000);
  const open = await b.entries.openWork(tenantId, filter);
  const taskIds = [...new Set([...waiting.map((i) => i.taskExternalId), ...open.map((e) => e.taskExternalId)])];
  const tasks = new Map((taskIds.length ? await b.work.tasks(tenantId, { externalIds: taskIds }) : []).map((t) => [t.externalId, t]));
  const projectIds = [...new Set([...tasks.values()].map((t) => t.projectExternalId))];
  const projects = new Map((projectIds.length ? await b.work.projects(tenantId, { externalIds: projectIds }) : []).map((p) => [p.externalId, p]));
  const items: BillableItem[] = [...waiting];
  for (const entry of open) {
    const task = tasks.get(entry.taskExternalId);
    const project = task ? projects.get(task.projectExternalId) : undefined;
    if (!task || !project || notBillableReason(entry, task, project) !== null) continue;
    for (const spec of itemSpecsOf(entry)) {
      items.push({
        id: `entry:${entry.externalId}:${spec.part}`,
        entryExternalId: entry.externalId,
        part: spec.part,
        taskExternalId: task.externalId,
        projectExternalId: project.externalId,
        lineKind: spec.lineKind,
        quantity: spec.quantity,
        date: entry.date,
        userId: entry.userId,
        status: 'pending',
        draftId: null,
        invoiceId: null,
        frozen: null,
        userName: entry.userName,
        activity: entry.activity,
        description: entry.description,
        entryUnitPrice: spec.part === 'time' ? null : entry.unitPrice,
      });
    }
  }
  items.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.entryExternalId < y.entryExternalId ? -1 : x.entryExternalId > y.entryExternalId ? 1 : 0));
  return { items, tasks, projects };
}

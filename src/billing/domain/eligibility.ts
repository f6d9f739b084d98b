import type { BillingEntry, BillingProject, BillingTask } from './types.js';

/** Why an entry is not billable now, or null when it is (CONTRACT.md "Rules the routes share"). */
export function notBillableReason(
  entry: Pick<BillingEntry, 'stopped' | 'state'>,
  task: Pick<BillingTask, 'billable' | 'status' | 'context'>,
  project: Pick<BillingProject, 'billOn'>,
): 'running' | 'already_compiled' | 'not_billable' | 'no_contact' | 'task_not_closed' | null {
  if (!entry.stopped) return 'running';
  if (entry.state !== 'open') return 'already_compiled';
  if (!task.billable) return 'not_billable';
  if (!task.context.contactId) return 'no_contact';
  if (project.billOn === 'closed_tasks' && task.status !== 'closed') return 'task_not_closed';
  return null;
}

/**
 * Where compiled work waits: a project with a schedule is invoiced by period
 * (candidates, the cycle), so its items wait on no draft; any other project
 * collects its billable work on its one open draft.
 */
export function collectsOnProjectDraft(project: Pick<BillingProject, 'schedule'>): boolean {
  return !project.schedule;
}

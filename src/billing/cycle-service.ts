import { newId } from '../domain/ids.js';
import { dec, decimalText, sum } from '../domain/money.js';
import { parseOr400 } from '../http/parse.js';
import { readinessOf } from './domain/readiness.js';
import { monthBounds, periodsEndingIn, type Period } from './domain/schedule.js';
import type { BillingInvoice, BillingProject } from './domain/types.js';
import { approvalBody, cycleQuery, lockBody } from './period-schemas.js';
import type { PeriodService } from './period-service.js';
import type { BillingStore } from './store/billing-store.js';
import { undraftedWork } from './work-pool.js';
import { hostId } from './domain/work-schemas.js';

export interface CycleDeps {
  store: BillingStore;
  periods: PeriodService;
  clock: () => Date;
}

function invoiceSummary(i: BillingInvoice) {
  return {
    id: i.id,
    number: i.number,
    type: i.type,
    status: i.status,
    customerExternalId: i.customerExternalId,
    projectExternalId: i.projectExternalId,
    period: i.periodFrom && i.periodTo ? { from: i.periodFrom, to: i.periodTo } : null,
    invoiceDate: i.invoiceDate,
    totals: i.totals,
    syncRecordId: i.syncRecordId,
    sentAt: i.sentAt?.toISOString() ?? null,
  };
}

/**
 * The invoicing cycle of a month: the projects whose schedule has a period
 * ending in it, each `pending` until its time is ready (locked, and approved
 * when the tenant approves time) and `ready` after; `invoiced` once nothing of
 * it is left off a released invoice. Projects without a schedule are listed
 * under `missingSchedule` with their uninvoiced hours. The cycle is `clear`
 * when no due project is left to invoice and every invoice of it is sent.
 */
export class CycleService {
  constructor(private readonly deps: CycleDeps) {}

  async setLock(tenantId: string, userId: string, body: unknown) {
    const id = parseOr400(hostId, userId, ['userId']);
    const input = parseOr400(lockBody, body);
    return this.deps.store.repos.timesheets.setLock(tenantId, id, input.lockedUntil);
  }

  async approve(tenantId: string, body: unknown, actor: string) {
    const input = parseOr400(approvalBody, body);
    return this.deps.store.repos.timesheets.approve(tenantId, { id: `appr_${newId(this.deps.clock())}`, userId: input.userId, from: input.from, to: input.to, by: actor });
  }

  async cycle(tenantId: string, query: unknown) {
    const q = parseOr400(cycleQuery, query);
    const month = monthBounds(q.period);
    const b = this.deps.store.repos;
    await b.invoices.followProviderSent(tenantId);
    const settings = await b.settings.get(tenantId);
    const locks = await b.timesheets.locks(tenantId);
    const projects = await b.work.projects(tenantId);
    const customers = new Map((await b.work.customers(tenantId)).map((c) => [c.externalId, c]));
    const invoices = await b.invoices.list(tenantId, {}, 100_000);

    const due = [];
    for (const project of projects.filter((p) => p.schedule)) {
      for (const period of periodsEndingIn(project.schedule!, month)) {
        due.push(await this.dueRow(tenantId, project, period, (customers.get(project.customerExternalId)?.name as string | undefined) ?? null, locks, settings.approvalFlow, invoices));
      }
    }
    const missingSchedule = [];
    for (const project of projects.filter((p) => !p.schedule)) {
      const inMonth = await this.uninvoicedHours(tenantId, project.externalId, month.from, month.to);
      const upToMonthEnd = await this.uninvoicedHours(tenantId, project.externalId, '0000-01-01', month.to);
      if (dec(upToMonthEnd).isZero()) continue;
      missingSchedule.push({
        projectExternalId: project.externalId,
        project: { name: project.name, managerName: project.managerName },
        customer: { externalId: project.customerExternalId, name: customers.get(project.customerExternalId)?.name ?? null },
        uninvoicedHours: inMonth,
        uninvoicedHoursUntilPeriodEnd: upToMonthEnd,
      });
    }
    const ofMonth = invoices.filter((i) => {
      const day = i.periodTo ?? i.invoiceDate;
      return day >= month.from && day <= month.to;
    });
    const pending = due.filter((d) => d.status === 'pending');
    const ready = due.filter((d) => d.status === 'ready');
    const done = due.filter((d) => d.status === 'invoiced' || d.status === 'nothing_to_invoice');
    const readyToSend = ofMonth.filter((i) => i.status === 'ready_to_send').sort((a, b) => a.number - b.number).map(invoiceSummary);
    const sent = ofMonth.filter((i) => i.status === 'sent').sort((a, b) => a.number - b.number).map(invoiceSummary);
    return {
      period: q.period,
      from: month.from,
      to: month.to,
      timeZone: settings.timeZone,
      approvalFlow: settings.approvalFlow,
      pending,
      ready,
      invoiced: done,
      missingSchedule,
      invoices: { ready_to_send: readyToSend, sent },
      counts: { due: due.length, pending: pending.length, ready: ready.length, invoiced: done.length, missingSchedule: missingSchedule.length, readyToSend: readyToSend.length, sent: sent.length },
      clear: pending.length === 0 && ready.length === 0 && readyToSend.length === 0,
    };
  }

  private async dueRow(
    tenantId: string,
    project: BillingProject,
    period: Period,
    customerName: string | null,
    locks: Map<string, string | null>,
    approvalFlow: boolean,
    invoices: BillingInvoice[],
  ) {
    const b = this.deps.store.repos;
    const entries = await b.entries.ofProjects(tenantId, [project.externalId], period.from, period.to);
    const time = entries.filter((e) => e.kind === 'time').map((e) => ({ userId: e.userId, userName: e.userName, date: e.date, hours: e.hours ?? '0' }));
    const readiness = readinessOf(period, time, locks, await b.timesheets.approvals(tenantId, period), approvalFlow);
    const undrafted = await undraftedWork(b, tenantId, { projectExternalIds: [project.externalId], ...period });
    const onOpenDrafts = (await b.items.list(tenantId, { status: 'pending', projectExternalIds: [project.externalId], ...period })).filter((i) => i.draftId !== null);
    const invoicedItems = await b.items.list(tenantId, { status: 'invoiced', projectExternalIds: [project.externalId], ...period });
    const left = [...undrafted.items, ...onOpenDrafts];
    const invoiceIds = [...new Set(invoicedItems.map((i) => i.invoiceId).filter((x): x is string => Boolean(x)))];
    const status = left.length === 0 ? (invoiceIds.length ? 'invoiced' : 'nothing_to_invoice') : readiness.ready ? 'ready' : 'pending';
    const candidate = undrafted.items.length ? (await this.deps.periods.candidateRows(b, tenantId, period, 'project', [project.externalId]))[0] : undefined;
    return {
      projectExternalId: project.externalId,
      project: { name: project.name, managerName: project.managerName },
      customer: { externalId: project.customerExternalId, name: customerName },
      schedule: project.schedule,
      period,
      status,
      readiness,
      uninvoicedHours: decimalText(sum(left.filter((i) => i.lineKind === 'task_entry').map((i) => dec(i.quantity)))),
      undrafted: candidate ? { hours: candidate.hours, net: candidate.net, gross: candidate.gross } : { hours: '0', net: '0.00', gross: '0.00' },
      draftIds: [...new Set(onOpenDrafts.map((i) => i.draftId!))],
      invoiceIds,
      invoices: invoices.filter((i) => invoiceIds.includes(i.id)).map((i) => ({ id: i.id, number: i.number, status: i.status })),
    };
  }

  /** Stopped time of billable tasks not on a released invoice, in a range of days. */
  private async uninvoicedHours(tenantId: string, projectExternalId: string, from: string, to: string): Promise<string> {
    const entries = await this.deps.store.repos.entries.ofProjects(tenantId, [projectExternalId], from, to);
    const tasks = new Map((await this.deps.store.repos.work.tasks(tenantId, { projectExternalIds: [projectExternalId] })).map((t) => [t.externalId, t]));
    const open = entries.filter((e) => e.kind === 'time' && e.stopped && (e.state === 'open' || e.state === 'compiled') && tasks.get(e.taskExternalId)?.billable);
    return decimalText(sum(open.map((e) => dec(e.hours ?? '0'))));
  }
}

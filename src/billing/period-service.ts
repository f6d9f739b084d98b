import { newId } from '../domain/ids.js';
import { dec, decimalText, money, sum } from '../domain/money.js';
import type { Problem } from '../domain/invoice-document.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { compileEntries } from './compiler.js';
import { composeWork, draftView, virtualDraft, type ComposedDraft } from './draft-composer.js';
import { addedLineOf, withoutEmptyValues, type DraftService } from './draft-service.js';
import { localDate } from './domain/local-date.js';
import { readinessOf } from './domain/readiness.js';
import type { AddedLine, BillableItem, BillingCustomer, BillingProject } from './domain/types.js';
import { candidateDraftBody, candidatesQuery, freeformDraftBody } from './period-schemas.js';
import type { BillingRepos, BillingStore } from './store/billing-store.js';
import { undraftedWork } from './work-pool.js';

export interface PeriodDeps {
  store: BillingStore;
  drafts: DraftService;
  clock: () => Date;
}

type GroupBy = 'project' | 'customer';

function userStatus(items: BillableItem[], locks: ReadonlyMap<string, string | null>) {
  const last = new Map<string, { userName: string | null; lastDate: string }>();
  for (const i of items) {
    if (i.lineKind !== 'task_entry') continue;
    const seen = last.get(i.userId);
    if (!seen || seen.lastDate < i.date) last.set(i.userId, { userName: seen?.userName ?? i.userName, lastDate: i.date });
  }
  const users = [...last.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([userId, u]) => {
      const lockedUntil = locks.get(userId) ?? null;
      return { userId, userName: u.userName, lockedUntil, lastDate: u.lastDate, locked: lockedUntil !== null && lockedUntil >= u.lastDate };
    });
  return { allLocked: users.every((u) => u.locked), users };
}

function perUser(c: ComposedDraft) {
  const byKey = new Map<string, { userId: string; userName: string | null; hours: ReturnType<typeof dec>; unitPrice: string }>();
  for (const t of c.composition.taskLines) {
    if (t.excluded) continue;
    for (const u of t.perUser) {
      const key = `${u.userId}\u0000${u.unitPrice}`;
      const row = byKey.get(key) ?? { userId: u.userId, userName: u.userName, hours: dec(0), unitPrice: u.unitPrice };
      row.hours = row.hours.plus(dec(u.hours));
      byKey.set(key, row);
    }
  }
  return [...byKey.values()]
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : dec(a.unitPrice).comparedTo(dec(b.unitPrice))))
    .map((u) => ({ userId: u.userId, userName: u.userName, hours: decimalText(u.hours), unitPrice: u.unitPrice, net: money(u.hours.times(dec(u.unitPrice))) }));
}

/**
 * Billing by period: what can be invoiced in a date range (by project or by
 * customer), drafts made of exactly that work, and freeform invoices and
 * credit notes. Amounts are composed and resolved exactly as a draft's are.
 */
export class PeriodService {
  constructor(private readonly deps: PeriodDeps) {}

  /** The candidate rows of a range, each composed like the draft it would become. */
  async candidateRows(b: BillingRepos, tenantId: string, range: { from: string; to: string }, groupBy: GroupBy, keys?: string[]) {
    const work = await undraftedWork(b, tenantId, range);
    const customers = new Map((await b.work.customers(tenantId)).map((c) => [c.externalId, c]));
    const locks = await b.timesheets.locks(tenantId);
    const groups = new Map<string, BillableItem[]>();
    for (const item of work.items) {
      const project = work.projects.get(item.projectExternalId)!;
      const key = groupBy === 'project' ? project.externalId : project.customerExternalId;
      if (keys && !keys.includes(key)) continue;
      const list = groups.get(key) ?? [];
      list.push(item);
      groups.set(key, list);
    }
    const rows = [];
    for (const [key, items] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const projectIds = [...new Set(items.map((i) => i.projectExternalId))].sort();
      const projects = projectIds.map((id) => work.projects.get(id)!);
      const customerId = projects[0]!.customerExternalId;
      const draft = virtualDraft(tenantId, { customerExternalId: customerId, projectExternalId: groupBy === 'project' ? key : null, periodFrom: range.from, periodTo: range.to, groupBy, groupKey: key });
      const c = await composeWork(b, draft, items, this.deps.clock());
      const customer: BillingCustomer | undefined = customers.get(customerId);
      const managers = [...new Set(projects.map((p) => p.managerName).filter((m): m is string => Boolean(m)))];
      const totals = c.resolved ? c.resolved.totals : { net: '0.00', vat: '0.00', gross: '0.00' };
      rows.push({
        key,
        groupBy,
        customer: { externalId: customerId, name: customer?.name ?? null },
        project: groupBy === 'project' ? { externalId: projects[0]!.externalId, name: projects[0]!.name } : null,
        projects: projects.map((p: BillingProject) => ({ externalId: p.externalId, name: p.name, managerName: p.managerName })),
        projectCount: projects.length,
        projectManager: managers.length === 1 ? managers[0]! : managers.length ? managers.join(', ') : null,
        userStatus: userStatus(items, locks),
        bookedHours: decimalText(sum(c.composition.taskLines.map((t) => dec(t.bookedHours)))),
        hours: c.composition.hours,
        net: totals.net,
        vat: totals.vat,
        gross: totals.gross,
        perUser: perUser(c),
        entries: new Set(items.map((i) => i.entryExternalId)).size,
        warnings: c.warnings,
        problems: c.problems,
      });
    }
    return rows;
  }

  async candidates(tenantId: string, query: unknown) {
    const q = parseOr400(candidatesQuery, withoutEmptyValues(query));
    let rows = await this.candidateRows(this.deps.store.repos, tenantId, q, q.groupBy);
    if (q.q) {
      const needle = q.q.toLowerCase();
      rows = rows.filter((r) =>
        [r.key, r.customer.externalId, r.customer.name, r.projectManager, ...r.projects.flatMap((p) => [p.externalId, p.name, p.managerName])].some((s) => typeof s === 'string' && s.toLowerCase().includes(needle)),
      );
    }
    const add = (pick: (r: (typeof rows)[number]) => string) => money(sum(rows.map((r) => dec(pick(r)))));
    return {
      from: q.from,
      to: q.to,
      groupBy: q.groupBy,
      summary: { rows: rows.length, hours: decimalText(sum(rows.map((r) => dec(r.hours)))), bookedHours: decimalText(sum(rows.map((r) => dec(r.bookedHours)))), net: add((r) => r.net), vat: add((r) => r.vat), gross: add((r) => r.gross) },
      rows,
    };
  }

  /**
   * A draft holding exactly a candidate's work: the work is compiled as it is
   * taken (or, compiled already, moved from no draft onto this one) in one
   * transaction, so work is never on two drafts. Nothing to take is 409.
   */
  async createFromCandidate(tenantId: string, body: unknown, actor: string) {
    const input = parseOr400(candidateDraftBody, body);
    const { store, clock } = this.deps;
    const repos = store.repos;
    let projects: BillingProject[];
    let customerId: string;
    if (input.groupBy === 'project') {
      const project = await repos.work.project(tenantId, input.key);
      if (!project) throw ApiError.badInput([{ path: 'key', code: 'unknown_project', message: `names project "${input.key}", which ledgerlink does not have` }]);
      projects = [project];
      customerId = project.customerExternalId;
    } else {
      if (!(await repos.work.customer(tenantId, input.key))) throw ApiError.badInput([{ path: 'key', code: 'unknown_customer', message: `names customer "${input.key}", which ledgerlink does not have` }]);
      projects = await repos.work.projects(tenantId, { customerExternalId: input.key });
      customerId = input.key;
    }
    const projectExternalIds = projects.map((p) => p.externalId);
    const settings = await repos.settings.get(tenantId);
    const today = localDate(clock(), settings.timeZone);
    const draftId = await store.transaction(async (b) => {
      const draft = await b.drafts.insert(tenantId, {
        id: `draft_${newId(clock())}`,
        source: 'period',
        type: 'invoice',
        projectExternalId: input.groupBy === 'project' ? input.key : null,
        customerExternalId: customerId,
        groupBy: input.groupBy,
        groupKey: input.key,
        periodFrom: input.from,
        periodTo: input.to,
      });
      let taken = 0;
      if (projectExternalIds.length) {
        const entries = await b.entries.claimCompilable(tenantId, { projectExternalIds, from: input.from, to: input.to }, 100_000);
        taken += (await compileEntries(b, tenantId, entries, { kind: 'draft', draft }, today)).items;
        const waiting = await b.items.lockUnattached(tenantId, { projectExternalIds, from: input.from, to: input.to });
        taken += (await b.items.attach(tenantId, waiting.map((i) => i.id), draft.id)).length;
      }
      if (!taken) {
        throw new ApiError(409, 'nothing_to_invoice', `There is no billable work of ${input.groupBy} "${input.key}" from ${input.from} to ${input.to} that is not on a draft or invoice already.`);
      }
      await b.core.audit.record({ tenantId, actor, action: 'billing.draft.created', target: draft.id, details: input });
      return draft.id;
    });
    const view = (await this.deps.drafts.view(tenantId, draftId, { check: true })) as ReturnType<typeof draftView>;
    const readiness = await this.readinessOfRange(repos, tenantId, projectExternalIds, input);
    const warnings = [...view.warnings];
    if (!readiness.ready) {
      const who = readiness.users.filter((u) => !u.ready).map((u) => `${u.userName ?? u.userId} (${u.lockedUntil ? `locked until ${u.lockedUntil}` : 'not locked'})`);
      warnings.push({ code: 'time_not_ready', path: 'period', message: `the time from ${input.from} to ${input.to} is not ready yet: ${who.join(', ')}; the draft was made anyway` });
    }
    return { ...view, readiness, warnings };
  }

  private async readinessOfRange(b: BillingRepos, tenantId: string, projectExternalIds: string[], range: { from: string; to: string }) {
    const settings = await b.settings.get(tenantId);
    const entries = projectExternalIds.length ? await b.entries.ofProjects(tenantId, projectExternalIds, range.from, range.to) : [];
    const time = entries.filter((e) => e.kind === 'time').map((e) => ({ userId: e.userId, userName: e.userName, date: e.date, hours: e.hours ?? '0' }));
    return readinessOf(range, time, await b.timesheets.locks(tenantId), await b.timesheets.approvals(tenantId, range), settings.approvalFlow);
  }

  /** A draft of lines finance writes: a fixed fee, a one-off item, an adjustment; or a credit note. */
  async createFreeform(tenantId: string, body: unknown, actor: string) {
    const input = parseOr400(freeformDraftBody, body);
    const repos = this.deps.store.repos;
    const problems: Problem[] = [];
    if (!(await repos.work.customer(tenantId, input.customerExternalId))) {
      problems.push({ path: 'customerExternalId', code: 'unknown_customer', message: `names customer "${input.customerExternalId}", which ledgerlink does not have: PUT /v1/billing/customers/${input.customerExternalId} first` });
    }
    if (input.projectExternalId) {
      const project = await repos.work.project(tenantId, input.projectExternalId);
      if (!project) problems.push({ path: 'projectExternalId', code: 'unknown_project', message: `names project "${input.projectExternalId}", which ledgerlink does not have` });
      else if (project.customerExternalId !== input.customerExternalId) {
        problems.push({ path: 'projectExternalId', code: 'invalid_value', message: `is a project of customer "${project.customerExternalId}", not of "${input.customerExternalId}"` });
      }
    }
    let lines: AddedLine[] = input.lines.map(addedLineOf);
    let creditedExternalId = input.creditedExternalId ?? null;
    if (input.type === 'credit_note' && creditedExternalId) {
      const credited = await repos.invoices.get(tenantId, creditedExternalId);
      if (credited) {
        if (credited.type !== 'invoice') problems.push({ path: 'creditedExternalId', code: 'invalid_value', message: `names credit note ${credited.id}; a credit note credits an invoice` });
        if (credited.customerExternalId !== input.customerExternalId) {
          problems.push({ path: 'creditedExternalId', code: 'invalid_value', message: `names an invoice of customer "${credited.customerExternalId}", not of "${input.customerExternalId}"` });
        }
        if (!lines.length) lines = await this.linesOf(repos, tenantId, credited.id);
        creditedExternalId = credited.id;
      } else if (!lines.length) {
        problems.push({ path: 'lines', code: 'invalid_value', message: `must have at least one line: "${creditedExternalId}" is not an invoice released here, so its lines cannot be copied` });
      }
    }
    if (problems.length) throw ApiError.badInput(problems);
    const draft = await repos.drafts.insert(tenantId, {
      id: `draft_${newId(this.deps.clock())}`,
      source: 'freeform',
      type: input.type,
      projectExternalId: input.projectExternalId ?? null,
      customerExternalId: input.customerExternalId,
      creditedExternalId,
      fields: {
        ...(input.invoiceDate ? { invoiceDate: input.invoiceDate } : {}),
        ...(input.dueDate ? { dueDate: input.dueDate } : {}),
        ...(input.paymentTermDays != null ? { paymentTermDays: input.paymentTermDays } : {}),
        ...(input.contactPerson ? { contactPerson: input.contactPerson } : {}),
        ...(input.email ? { email: input.email } : {}),
        ...(input.notes ? { notes: input.notes } : {}),
      },
      addedLines: lines,
    });
    await repos.core.audit.record({ tenantId, actor, action: 'billing.draft.created', target: draft.id, details: { freeform: true, type: input.type, creditedExternalId } });
    return this.deps.drafts.view(tenantId, draft.id, { check: true });
  }

  /** The lines of a released invoice as it was synced (product, price and VAT rate kept), to credit it in full. */
  private async linesOf(b: BillingRepos, tenantId: string, invoiceId: string): Promise<AddedLine[]> {
    const invoice = (await b.invoices.get(tenantId, invoiceId))!;
    const record = invoice.syncRecordId ? await b.core.records.get(tenantId, invoice.syncRecordId) : null;
    const resolved = (record?.resolved?.lines ?? null) as Array<Record<string, any>> | null;
    if (resolved) {
      return resolved.map((l) => ({
        id: `line_${newId()}`,
        kind: l.kind,
        description: l.description,
        quantity: l.quantity,
        unit: l.unit ?? null,
        unitPrice: l.unitPrice,
        vatRate: l.vatRate,
        product: { code: l.product.code, name: l.product.name, unit: l.product.unit ?? null },
      }));
    }
    return (invoice.document.lines as Array<Record<string, any>>).map((l) => ({
      id: `line_${newId()}`,
      kind: l.kind,
      description: l.description,
      quantity: l.quantity,
      unit: l.unit ?? null,
      unitPrice: l.unitPrice ?? null,
      vatRate: l.vatRate ?? null,
      product: l.product ?? null,
    }));
  }
}

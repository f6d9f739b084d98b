import type { Problem } from '../domain/invoice-document.js';
import { parseInvoiceDocument } from '../domain/invoice-document.js';
import { dec, money, sum } from '../domain/money.js';
import type { ResolvedInvoice, ResolvedLine } from '../domain/resolved-invoice.js';
import { referenceFor } from '../domain/ids.js';
import { resolveInvoice, toProductMapping } from '../sync/resolve-invoice.js';
import type { SyncWarning } from '../../providers/types.js';
import { composeDraft, type DraftComposition, type OtherLine, type TaskLine } from './domain/draft-lines.js';
import { addDays, localDate } from './domain/local-date.js';
import type { BillableItem, BillingCustomer, BillingProject, BillingSettings, BillingTask, Draft } from './domain/types.js';
import type { BillingRepos } from './store/billing-store.js';

/** A draft with everything it shows and what its release would post. */
export interface ComposedDraft {
  draft: Draft;
  items: BillableItem[];
  customer: BillingCustomer | null;
  project: BillingProject | null;
  projects: BillingProject[];
  tasks: Map<string, BillingTask>;
  settings: BillingSettings;
  composition: DraftComposition;
  /** The invoice document release hands to intake (externalId set at release). */
  document: Record<string, unknown>;
  /** The intake's resolution of that document (null when it has no lines or does not parse). */
  resolved: ResolvedInvoice | null;
  problems: Problem[];
  warnings: SyncWarning[];
  provider: string | null;
}

/** Loads a draft's work and composes it with the same product, price, VAT and rounding rules as intake. */
export async function composeStoredDraft(b: BillingRepos, draft: Draft, now: Date): Promise<ComposedDraft> {
  return composeWork(b, draft, await b.items.ofDraft(draft.id), now);
}

/** A draft that does not exist (yet): what a candidate would be if finance made a draft of it. */
export function virtualDraft(tenantId: string, fields: Pick<Draft, 'customerExternalId' | 'projectExternalId'> & Partial<Draft>): Draft {
  const now = new Date(0);
  return {
    id: 'candidate',
    tenantId,
    source: 'period',
    type: 'invoice',
    status: 'open',
    groupBy: null,
    groupKey: null,
    periodFrom: null,
    periodTo: null,
    creditedExternalId: null,
    fields: {},
    taskOverrides: {},
    addedLines: [],
    invoiceId: null,
    createdAt: now,
    updatedAt: now,
    releasedAt: null,
    ...fields,
  };
}

/** Composes given work (a draft's items, or a candidate's) as a draft. */
export async function composeWork(b: BillingRepos, draft: Draft, items: BillableItem[], now: Date): Promise<ComposedDraft> {
  const tenantId = draft.tenantId;
  const taskIds = [...new Set(items.map((i) => i.taskExternalId))];
  const tasks = new Map((taskIds.length ? await b.work.tasks(tenantId, { externalIds: taskIds }) : []).map((t) => [t.externalId, t]));
  const projectIds = [...new Set([...[...tasks.values()].map((t) => t.projectExternalId), ...(draft.projectExternalId ? [draft.projectExternalId] : [])])];
  const projects = projectIds.length ? await b.work.projects(tenantId, { externalIds: projectIds }) : [];
  const projectMap = new Map(projects.map((p) => [p.externalId, p]));
  const project = draft.projectExternalId ? (projectMap.get(draft.projectExternalId) ?? null) : projects.length === 1 ? projects[0]! : null;
  const customer = await b.work.customer(tenantId, draft.customerExternalId);
  const settings = await b.settings.get(tenantId);
  const invoiceDate = draft.fields.invoiceDate ?? localDate(now, settings.timeZone);
  const mappings = (await b.core.mappings.list(tenantId)).map(toProductMapping);
  const composition = composeDraft({ draft, items, tasks, projects: projectMap, mappings, vatDate: invoiceDate });

  const problems: Problem[] = [];
  const warnings: SyncWarning[] = [...composition.warnings];
  const providers = [...new Set(projects.map((p) => p.provider).filter((p): p is string => Boolean(p)))];
  if (providers.length > 1) {
    problems.push({ path: 'provider', code: 'provider_conflict', message: `the projects on this draft sync to different systems (${providers.join(', ')}); make a draft per project` });
  }
  const provider = project?.provider ?? providers[0] ?? null;
  if (!customer) {
    problems.push({ path: 'customerExternalId', code: 'unknown_customer', message: `customer "${draft.customerExternalId}" is missing: PUT /v1/billing/customers/${draft.customerExternalId}` });
  }

  const dates = items.map((i) => i.date).sort();
  const period = draft.periodFrom && draft.periodTo ? { from: draft.periodFrom, to: draft.periodTo } : dates.length ? { from: dates[0]!, to: dates[dates.length - 1]! } : null;
  const dueDate = draft.fields.dueDate ?? (draft.fields.paymentTermDays != null ? addDays(invoiceDate, draft.fields.paymentTermDays) : null);
  const { externalId: customerId, ...customerData } = customer ?? { externalId: draft.customerExternalId, name: draft.customerExternalId };
  const document: Record<string, unknown> = {
    externalId: `draft-${draft.id}`,
    revision: 1,
    type: draft.type,
    creditedExternalId: draft.type === 'credit_note' ? draft.creditedExternalId : null,
    ...(provider ? { provider } : {}),
    invoiceDate,
    dueDate,
    currency: 'EUR',
    referenceNumber: null,
    customer: {
      ...customerData,
      externalId: customerId,
      contactPerson: draft.fields.contactPerson ?? customerData.contactPerson ?? null,
      email: draft.fields.email ?? project?.email ?? customerData.email ?? null,
    },
    project: project ? { externalId: project.externalId, name: project.name } : null,
    period,
    lines: composition.documentLines,
    notes: draft.fields.notes ?? null,
  };

  let resolved: ResolvedInvoice | null = null;
  if (composition.documentLines.length) {
    const parsed = parseInvoiceDocument(document);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
    } else {
      const connections = await b.core.connections.list(tenantId);
      const connection = provider ? connections.find((c) => c.provider === provider) : connections.length === 1 ? connections[0] : undefined;
      const term = connection?.settings.paymentTermDays;
      const result = await resolveInvoice(b.core, {
        tenantId,
        recordId: draft.id,
        reference: referenceFor(draft.id),
        referenceNumber: '(given at release)',
        document: parsed.document,
        paymentTermDays: typeof term === 'number' ? term : null,
        createDefaults: false,
      });
      resolved = result.invoice;
      problems.push(...result.problems);
      for (const w of result.warnings) if (w.code !== 'zero_price') warnings.push(w);
    }
  }
  return { draft, items, customer, project, projects, tasks, settings, composition, document, resolved, problems, warnings, provider };
}

function lineAt(resolved: ResolvedInvoice | null, ref: number | null): ResolvedLine | null {
  return resolved && ref !== null ? (resolved.lines[ref] ?? null) : null;
}

function taskView(t: TaskLine, resolved: ResolvedInvoice | null) {
  const lines = t.priceGroups.map((g) => lineAt(resolved, g.lineRef)).filter((l): l is ResolvedLine => l !== null);
  const net = sum(lines.map((l) => dec(l.netAmount)));
  const vat = sum(lines.map((l) => dec(l.vatAmount)));
  const { itemIds: _itemIds, ...rest } = t;
  return {
    ...rest,
    product: lines[0]?.product ? { code: lines[0].product.code, name: lines[0].product.name, unit: lines[0].product.unit } : t.product,
    vatRate: lines[0]?.vatRate ?? null,
    net: money(net),
    vat: money(vat),
    gross: money(net.plus(vat)),
  };
}

function otherView(o: OtherLine, resolved: ResolvedInvoice | null) {
  const line = lineAt(resolved, o.lineRef);
  const { lineRef: _lineRef, ...rest } = o;
  return {
    ...rest,
    product: line ? { code: line.product.code, name: line.product.name, unit: line.product.unit } : o.product,
    unit: line?.unit ?? o.unit,
    unitPrice: line?.unitPrice ?? o.unitPrice,
    vatRate: line?.vatRate ?? null,
    net: line ? line.netAmount : '0.00',
    vat: line ? line.vatAmount : '0.00',
    gross: line ? line.grossAmount : '0.00',
  };
}

/** VAT per rate, as a Finnish invoice must show it. */
export function vatBreakdown(resolved: ResolvedInvoice | null): Array<{ vatRate: string; net: string; vat: string; gross: string }> {
  if (!resolved) return [];
  const rates = new Map<string, { net: ReturnType<typeof dec>; vat: ReturnType<typeof dec> }>();
  for (const l of resolved.lines) {
    const r = rates.get(l.vatRate) ?? { net: dec(0), vat: dec(0) };
    r.net = r.net.plus(dec(l.netAmount));
    r.vat = r.vat.plus(dec(l.vatAmount));
    rates.set(l.vatRate, r);
  }
  return [...rates.entries()]
    .sort(([a], [b]) => dec(b).comparedTo(dec(a)))
    .map(([vatRate, r]) => ({ vatRate, net: money(r.net), vat: money(r.vat), gross: money(r.net.plus(r.vat)) }));
}

/** The draft as finance sees it. */
export function draftView(c: ComposedDraft) {
  const { draft, resolved } = c;
  const totals = resolved
    ? { hours: c.composition.hours, ...resolved.totals }
    : { hours: c.composition.hours, net: '0.00', vat: '0.00', gross: '0.00' };
  const problems = [...c.problems];
  if (!c.composition.documentLines.length && draft.status === 'open') {
    problems.push({ path: 'lines', code: 'nothing_to_invoice', message: 'the draft bills nothing: every task is excluded or has no billed hours, and it has no other lines' });
  }
  return {
    id: draft.id,
    status: draft.status,
    source: draft.source,
    type: draft.type,
    projectExternalId: draft.projectExternalId,
    project: c.project ? { externalId: c.project.externalId, name: c.project.name, managerName: c.project.managerName } : null,
    projects: c.projects.map((p) => ({ externalId: p.externalId, name: p.name, managerName: p.managerName })),
    customerExternalId: draft.customerExternalId,
    customer: c.document.customer,
    provider: c.provider,
    groupBy: draft.groupBy,
    groupKey: draft.groupKey,
    period: c.document.period,
    creditedExternalId: draft.creditedExternalId,
    invoiceDate: c.document.invoiceDate as string,
    invoiceDateSet: Boolean(draft.fields.invoiceDate),
    dueDate: resolved?.dueDate ?? (c.document.dueDate as string | null),
    paymentTermDays: resolved?.paymentTermDays ?? draft.fields.paymentTermDays ?? null,
    contactPerson: draft.fields.contactPerson ?? null,
    email: draft.fields.email ?? null,
    notes: draft.fields.notes ?? null,
    tasks: c.composition.taskLines.map((t) => taskView(t, resolved)),
    otherLines: c.composition.otherLines.map((o) => otherView(o, resolved)),
    totals,
    vatBreakdown: vatBreakdown(resolved),
    warnings: c.warnings,
    problems,
    invoiceId: draft.invoiceId,
    createdAt: draft.createdAt.toISOString(),
    updatedAt: draft.updatedAt.toISOString(),
    releasedAt: draft.releasedAt ? draft.releasedAt.toISOString() : null,
  };
}

export type DraftView = ReturnType<typeof draftView>;

import { formatDay, formatDecimal, formatMoney } from './format.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { ConsoleUser } from './session.js';

/** Tabs of the billing section (drafts, new invoices, cycle). */
export function billingTabs(user: ConsoleUser, current: 'review' | 'new' | 'cycle' | 'freeform'): Html {
  const t = user.t;
  const tab = (key: 'review' | 'new' | 'cycle' | 'freeform', href: string) =>
    html`<li><a href="${href}"${current === key ? html` aria-current="true"` : ''}>${t(`billing.nav.${key}`)}</a></li>`;
  return html`<ul class="tabs">${tab('review', '/console/billing')}${tab('new', '/console/billing/new')}${tab('cycle', '/console/billing/cycle')}${tab('freeform', '/console/billing/freeform')}</ul>`;
}

export const FREEFORM_LINES = 3;

/** The freeform invoice / credit note form: customer, type, up to three lines. */
export function freeformPage(options: { user: ConsoleUser; customers: Array<{ externalId: string; name: string | null }>; values: Record<string, string>; problems: Array<{ path: string; message: string }> }): Html {
  const { user, values, problems } = options;
  const t = user.t;
  const v = (name: string) => values[name] ?? '';
  const lineRow = (i: number) => html`<fieldset><legend>${t('billing.freeform.line', { n: i + 1 })}</legend><div class="filters">
    <div><label for="ff-d${i}">${t('billing.freeform.description')}</label><input id="ff-d${i}" name="line${i}.description" value="${v(`line${i}.description`)}" size="40"></div>
    <div><label for="ff-q${i}">${t('billing.freeform.quantity')}</label><input id="ff-q${i}" name="line${i}.quantity" value="${v(`line${i}.quantity`)}" inputmode="decimal" size="6"></div>
    <div><label for="ff-u${i}">${t('billing.freeform.unit')}</label><input id="ff-u${i}" name="line${i}.unit" value="${v(`line${i}.unit`)}" size="6"></div>
    <div><label for="ff-p${i}">${t('mappings.unitPrice')}</label><input id="ff-p${i}" name="line${i}.unitPrice" value="${v(`line${i}.unitPrice`)}" inputmode="decimal" size="8"></div>
    <div><label for="ff-v${i}">${t('mappings.vatRate')}</label><input id="ff-v${i}" name="line${i}.vatRate" value="${v(`line${i}.vatRate`)}" inputmode="decimal" size="5"></div>
  </div></fieldset>`;
  return html`<h1>${t('billing.freeform.title')}</h1>${billingTabs(user, 'freeform')}<p class="muted">${t('billing.freeform.help')}</p>
${problems.length ? html`<div class="flash flash-error" role="alert">${t('billing.freeform.problems', { count: problems.length })}<ul>${problems.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}</ul></div>` : ''}
${options.customers.length ? html`<form method="post" action="/console/billing/freeform" class="card">${csrfField(user)}
  <div class="filters">
    <div><label for="ff-type">${t('billing.freeform.type')}</label><select id="ff-type" name="type"><option value="invoice"${v('type') !== 'credit_note' ? html` selected` : ''}>${t('billing.freeform.invoice')}</option><option value="credit_note"${v('type') === 'credit_note' ? html` selected` : ''}>${t('billing.freeform.creditNote')}</option></select></div>
    <div><label for="ff-customer">${t('billing.freeform.customer')}</label><select id="ff-customer" name="customerExternalId">${options.customers.map((c) => html`<option value="${c.externalId}"${v('customerExternalId') === c.externalId ? html` selected` : ''}>${c.name ?? c.externalId}</option>`)}</select></div>
    <div><label for="ff-credited">${t('billing.freeform.credited')}</label><input id="ff-credited" name="creditedExternalId" value="${v('creditedExternalId')}"></div>
    <div><label for="ff-date">${t('invoice.invoiceDate')}</label><input id="ff-date" name="invoiceDate" type="date" value="${v('invoiceDate')}"></div>
  </div>
  ${Array.from({ length: FREEFORM_LINES }, (_, i) => lineRow(i))}
  <div><label for="ff-notes">${t('billing.freeform.notes')}</label><textarea id="ff-notes" name="notes" rows="2" cols="80">${v('notes')}</textarea></div>
  <p><button type="submit">${t('billing.freeform.create')}</button></p>
</form>` : html`<p class="card">${t('billing.freeform.noCustomers')}</p>`}`;
}

interface CandidateRow {
  key: string;
  groupBy: string;
  customer: { externalId: string; name: string | null };
  project: { name: string } | null;
  projectCount: number;
  projectManager: string | null;
  bookedHours: string;
  hours: string;
  gross: string;
  perUser: Array<{ userId: string; userName: string | null; hours: string; unitPrice: string }>;
  problems: Array<{ path: string; message: string }>;
}

export function newInvoicesPage(options: {
  user: ConsoleUser;
  from: string;
  to: string;
  groupBy: string;
  q?: string;
  result: { summary: { rows: number; hours: string; gross: string }; rows: CandidateRow[] } | null;
  problem: string | null;
}): Html {
  const { user, result } = options;
  const t = user.t;
  const l = user.locale;
  const form = html`<form class="filters" method="get" action="/console/billing/new">
  <div><label for="bn-from">${t('billing.new.from')}</label><input id="bn-from" name="from" type="date" value="${options.from}" required></div>
  <div><label for="bn-to">${t('billing.new.to')}</label><input id="bn-to" name="to" type="date" value="${options.to}" required></div>
  <div><label for="bn-group">${t('billing.new.groupBy')}</label><select id="bn-group" name="groupBy"><option value="project"${options.groupBy === 'project' ? html` selected` : ''}>${t('billing.new.project')}</option><option value="customer"${options.groupBy === 'customer' ? html` selected` : ''}>${t('billing.new.customer')}</option></select></div>
  <div><label for="bn-q">${t('invoices.text')}</label><input id="bn-q" name="q" type="search" value="${options.q ?? ''}"></div>
  <div><button type="submit">${t('billing.new.show')}</button></div>
</form>`;
  let body: Html | string = '';
  if (options.problem) body = html`<div class="flash flash-error" role="alert">${t('billing.new.invalid', { message: options.problem })}</div>`;
  else if (result && !result.rows.length) body = html`<p class="card">${t('billing.new.empty')}</p>`;
  else if (result) {
    body = html`<p><strong>${t('billing.new.summary', { rows: result.summary.rows, hours: formatDecimal(result.summary.hours, l), gross: formatMoney(result.summary.gross, 'EUR', l) })}</strong></p>
<table><thead><tr><th scope="col">${t(options.groupBy === 'project' ? 'billing.col.project' : 'billing.col.customer')}</th><th scope="col">${t('billing.col.customer')}</th><th scope="col" class="num">${t('billing.booked')}</th><th scope="col" class="num">${t('billing.billed')}</th><th scope="col" class="num">${t('billing.col.total')}</th><th scope="col"><span class="skip">${t('billing.new.create')}</span></th></tr></thead><tbody>${result.rows.map(
      (r) => html`<tr><td><details><summary>${r.project?.name ?? r.customer.name ?? r.key}${r.projectManager ? html` <span class="muted small">${r.projectManager}</span>` : ''}</summary>
  <p class="small"><strong>${t('billing.new.people')}</strong></p><ul class="small">${r.perUser.map((u) => html`<li>${u.userName ?? u.userId}: ${formatDecimal(u.hours, l)} h × ${formatMoney(u.unitPrice, 'EUR', l)}</li>`)}</ul>
  ${r.problems.length ? html`<ul class="small">${r.problems.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}</ul>` : ''}</details></td>
  <td>${r.customer.name ?? r.customer.externalId}</td><td class="num">${formatDecimal(r.bookedHours, l)}</td><td class="num">${formatDecimal(r.hours, l)}</td><td class="num">${formatMoney(r.gross, 'EUR', l)}</td>
  <td><form method="post" action="/console/billing/new">${csrfField(user)}<input type="hidden" name="from" value="${options.from}"><input type="hidden" name="to" value="${options.to}"><input type="hidden" name="groupBy" value="${options.groupBy}"><input type="hidden" name="key" value="${r.key}"><button type="submit" class="secondary">${t('billing.new.create')}</button><span class="busy-indicator" aria-hidden="true">⏳</span></form></td></tr>`,
    )}</tbody></table>`;
  }
  return html`<h1>${t('billing.new.title')}</h1>${billingTabs(user, 'new')}<p class="muted">${t('billing.new.help')}</p>${form}${body}`;
}

interface CycleInvoice {
  id: string;
  number: number;
  customerExternalId: string;
  projectExternalId: string | null;
  invoiceDate: string;
  totals: { gross: string };
  syncRecordId: string | null;
  sentAt: string | null;
}
interface DueRow {
  projectExternalId: string;
  project: { name: string };
  customer: { name: string | null; externalId: string };
  period: { from: string; to: string };
  status: string;
  readiness: { ready: boolean; users: Array<{ userId: string; userName: string | null; ready: boolean; openHours: string; lockedUntil: string | null }> };
  uninvoicedHours: string;
  draftIds: string[];
}

export function cyclePage(user: ConsoleUser, c: {
  period: string;
  pending: DueRow[];
  ready: DueRow[];
  missingSchedule: Array<{ projectExternalId: string; project: { name: string }; customer: { name: string | null; externalId: string }; uninvoicedHoursUntilPeriodEnd: string }>;
  invoices: { ready_to_send: CycleInvoice[]; sent: CycleInvoice[] };
  clear: boolean;
}): Html {
  const t = user.t;
  const l = user.locale;
  const none = html`<p class="muted">${t('billing.cycle.none')}</p>`;
  const due = (rows: DueRow[], withCreate: boolean) =>
    rows.length
      ? html`<table><thead><tr><th scope="col">${t('billing.col.project')}</th><th scope="col">${t('billing.col.customer')}</th><th scope="col">${t('billing.col.period')}</th><th scope="col" class="num">${t('billing.cycle.uninvoiced')}</th><th scope="col">${t('billing.new.people')}</th><th scope="col"></th></tr></thead><tbody>${rows.map(
          (r) => html`<tr><td>${r.project.name}</td><td>${r.customer.name ?? r.customer.externalId}</td><td>${formatDay(r.period.from, l)}–${formatDay(r.period.to, l)}</td><td class="num">${formatDecimal(r.uninvoicedHours, l)}</td>
  <td class="small">${r.readiness.users.map((u) => html`<span class="status status-${u.ready ? 'synced' : 'retrying'}">${u.userName ?? u.userId}${u.ready ? '' : html` · ${t('billing.cycle.openHours', { hours: formatDecimal(u.openHours, l) })}`}</span> `)}</td>
  <td>${r.draftIds.map((id) => html`<a href="/console/billing/drafts/${encodeURIComponent(id)}">${t('billing.nav.review')}</a> `)}${withCreate && !r.draftIds.length ? html`<form method="post" action="/console/billing/new">${csrfField(user)}<input type="hidden" name="from" value="${r.period.from}"><input type="hidden" name="to" value="${r.period.to}"><input type="hidden" name="groupBy" value="project"><input type="hidden" name="key" value="${r.projectExternalId}"><button type="submit" class="secondary">${t('billing.cycle.createDraft')}</button></form>` : ''}</td></tr>`,
        )}</tbody></table>`
      : none;
  const invoices = (rows: CycleInvoice[], canMark: boolean) =>
    rows.length
      ? html`<table><thead><tr><th scope="col">${t('billing.cycle.number')}</th><th scope="col">${t('billing.col.customer')}</th><th scope="col">${t('invoice.invoiceDate')}</th><th scope="col" class="num">${t('billing.col.total')}</th><th scope="col"></th></tr></thead><tbody>${rows.map(
          (i) => html`<tr><td>${i.syncRecordId ? html`<a href="/console/invoices/${encodeURIComponent(i.syncRecordId)}">${i.number}</a>` : i.number}</td><td>${i.customerExternalId}</td><td>${formatDay(i.invoiceDate, l)}</td><td class="num">${formatMoney(i.totals.gross, 'EUR', l)}</td>
  <td class="actions"><a href="/console/billing/invoices/${encodeURIComponent(i.id)}/pdf">${t('billing.cycle.pdf')}</a>${canMark ? html`<form method="post" action="/console/billing/invoices/${encodeURIComponent(i.id)}/mark-sent">${csrfField(user)}<input type="hidden" name="period" value="${c.period}"><button type="submit" class="secondary">${t('billing.cycle.markSent')}</button></form>` : ''}</td></tr>`,
        )}</tbody></table>`
      : none;
  return html`<h1>${t('billing.cycle.title', { period: c.period })}</h1>${billingTabs(user, 'cycle')}
<form class="filters" method="get" action="/console/billing/cycle"><div><label for="cy-period">${t('billing.cycle.period')}</label><input id="cy-period" name="period" type="month" value="${c.period}"></div><div><button type="submit">${t('billing.new.show')}</button></div></form>
${c.clear ? html`<div class="flash flash-ok" role="status">${t('billing.cycle.clear')}</div>` : ''}
<h2>${t('billing.cycle.missing')}</h2>${c.missingSchedule.length ? html`<ul>${c.missingSchedule.map((m) => html`<li>${m.project.name} (${m.customer.name ?? m.customer.externalId}) — ${formatDecimal(m.uninvoicedHoursUntilPeriodEnd, l)} h</li>`)}</ul>` : none}
<h2>${t('billing.cycle.pending')}</h2>${due(c.pending, false)}
<h2>${t('billing.cycle.ready')}</h2>${due(c.ready, true)}
<h2>${t('billing.cycle.readyToSend')}</h2>${invoices(c.invoices.ready_to_send, true)}
<h2>${t('billing.cycle.sent')}</h2>${invoices(c.invoices.sent, false)}`;
}

import type { DraftView } from '../billing/draft-composer.js';
import { formatDay, formatDecimal, formatMoney } from './format.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';
import { billingTabs } from './billing-period-page.js';
import type { ConsoleUser } from './session.js';

interface DraftSummary {
  id: string;
  project: { name: string } | null;
  projectExternalId: string | null;
  customer: { name: string | null; externalId: string | null };
  period: unknown;
  tasks: number;
  totals: { gross: string };
  problems: number;
}

function periodText(period: unknown, locale: ConsoleUser['locale']): string {
  const p = period as { start?: string; end?: string; from?: string; to?: string } | null;
  const from = p?.from ?? p?.start;
  const to = p?.to ?? p?.end;
  return from ? `${formatDay(from, locale)}–${formatDay(to ?? null, locale)}` : '–';
}

export function draftsPage(user: ConsoleUser, drafts: DraftSummary[]): Html {
  const t = user.t;
  return html`<h1>${t('billing.title')}</h1>${billingTabs(user, 'review')}<p class="muted">${t('billing.help')}</p>
<form method="post" action="/console/billing/compile" class="actions">${csrfField(user)}<button type="submit" class="secondary">${t('billing.compile')}</button><span class="busy-indicator" aria-hidden="true">⏳</span><span class="muted small">${t('billing.compileHelp')}</span></form>
${drafts.length
    ? html`<table><thead><tr><th scope="col">${t('billing.col.project')}</th><th scope="col">${t('billing.col.customer')}</th><th scope="col">${t('billing.col.period')}</th><th scope="col" class="num">${t('billing.col.tasks')}</th><th scope="col" class="num">${t('billing.col.total')}</th><th scope="col" class="num">${t('billing.col.problems')}</th></tr></thead><tbody>${drafts.map(
        (d) => html`<tr><td><a href="/console/billing/drafts/${encodeURIComponent(d.id)}">${d.project?.name ?? d.projectExternalId ?? d.id}</a></td><td>${d.customer.name ?? d.customer.externalId ?? '–'}</td><td>${periodText(d.period, user.locale)}</td><td class="num">${d.tasks}</td><td class="num">${formatMoney(d.totals.gross, 'EUR', user.locale)}</td><td class="num">${d.problems ? html`<span class="status status-failed">${d.problems}</span>` : '0'}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="card">${t('billing.empty')}</p>`}`;
}

export function draftPage(user: ConsoleUser, d: DraftView): Html {
  const t = user.t;
  const locale = user.locale;
  const hours = (v: string) => formatDecimal(v, locale);
  const open = d.status === 'open';
  const taskForm = (task: DraftView['tasks'][number], action: string, label: string, extra: Html | string = '', klass = 'secondary') =>
    html`<form method="post" action="/console/billing/drafts/${encodeURIComponent(d.id)}/tasks/${encodeURIComponent(task.taskExternalId)}" class="inline">${csrfField(user)}<input type="hidden" name="action" value="${action}">${extra}<button type="submit" class="${klass}" aria-label="${label}">${action === 'plus' ? '+' : action === 'minus' ? '−' : label}</button></form>`;
  const rows = d.tasks.map(
    (task) => html`<tr${task.excluded ? html` class="muted"` : ''}>
  <td>${task.excluded ? html`<s>${task.description}</s> <span class="status status-cancelled">${t('billing.excluded')}</span>` : task.description}
    <details><summary class="small">${t('billing.perPerson')}</summary><ul class="small">${task.perUser.map((u) => html`<li>${u.userName ?? u.userId}: ${hours(u.hours)} h × ${formatMoney(u.unitPrice, 'EUR', locale)}</li>`)}</ul></details>
    ${open ? html`<details><summary class="small">${t('billing.rename')}</summary>${taskForm(task, 'rename', t('billing.rename'), html`<label for="title-${task.taskExternalId}">${t('billing.renameLabel')}</label><input id="title-${task.taskExternalId}" name="title" value="${task.description}" size="40"> `, '')}</details>` : ''}</td>
  <td class="num">${hours(task.bookedHours)}</td>
  <td class="num"><span class="stepper">${open && !task.excluded ? taskForm(task, 'minus', t('billing.minus', { task: task.description })) : ''}<strong class="billed">${hours(task.billedHours)}</strong>${open && !task.excluded ? taskForm(task, 'plus', t('billing.plus', { task: task.description })) : ''}</span></td>
  <td class="num">${hours(task.additionalHours)}</td>
  <td class="num">${formatMoney(task.gross, 'EUR', locale)}</td>
  <td>${open ? taskForm(task, task.excluded ? 'include' : 'exclude', t(task.excluded ? 'billing.include' : 'billing.exclude')) : ''}</td>
</tr>`,
  );
  const other = d.otherLines.length
    ? html`<h2>${t('billing.otherLines')}</h2><table><tbody>${d.otherLines.map(
        (o) => html`<tr><td>${o.description}</td><td class="num">${formatDecimal(o.quantity, locale)} ${o.unit ?? ''}</td><td class="num">${formatMoney(o.gross, 'EUR', locale)}</td></tr>`,
      )}</tbody></table>`
    : '';
  const problems = d.problems.length
    ? html`<div class="card error-box" role="alert"><p><strong>${t('billing.problems')}</strong></p><ul>${d.problems.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}</ul></div>`
    : '';
  const customer = d.customer as { name?: string } | null;
  return html`<p><a href="/console/billing">${t('billing.back')}</a></p>
<h1>${t('billing.draft', { project: d.project?.name ?? d.projectExternalId ?? d.id })}</h1>
<p>${customer?.name ?? d.customerExternalId ?? ''} · ${periodText(d.period, locale)} · ${t('invoice.invoiceDate')} ${formatDay(d.invoiceDate, locale)}</p>
${problems}
<table><thead><tr><th scope="col">${t('billing.task')}</th><th scope="col" class="num">${t('billing.booked')}</th><th scope="col" class="num">${t('billing.billed')}</th><th scope="col" class="num">${t('billing.additional')}</th><th scope="col" class="num">${t('billing.amount')}</th><th scope="col"><span class="skip">${t('billing.exclude')}</span></th></tr></thead><tbody>${rows}</tbody></table>
${other}
<section class="card"><h2>${t('billing.totals')}</h2><dl class="facts">
  <dt>h</dt><dd class="num" id="total-hours">${hours(d.totals.hours)}</dd>
  <dt>${t('invoice.net')}</dt><dd>${formatMoney(d.totals.net, 'EUR', locale)}</dd>
  <dt>${t('invoice.vat')}</dt><dd>${formatMoney(d.totals.vat, 'EUR', locale)}</dd>
  <dt>${t('invoice.amount')}</dt><dd id="total-gross"><strong>${formatMoney(d.totals.gross, 'EUR', locale)}</strong></dd>
</dl></section>
${open ? fieldsForm(user, d) : ''}
${open ? html`<form method="post" action="/console/billing/drafts/${encodeURIComponent(d.id)}/release" data-confirm="${t('billing.billConfirm')}" class="card">${csrfField(user)}<button type="submit"${d.problems.length ? html` disabled` : ''}>${t('billing.bill')}</button><span class="busy-indicator" aria-hidden="true">⏳</span><p class="muted small">${t('billing.billHelp')}</p></form>` : ''}`;
}

export function operationPage(user: ConsoleUser, op: { status: string; counts: unknown; error: unknown; problems: unknown }): Html {
  const t = user.t;
  const running = op.status !== 'done' && op.status !== 'failed';
  const counts = Object.entries((op.counts ?? {}) as Record<string, unknown>);
  return html`<h1>${t('billing.operation.title')}</h1>${billingTabs(user, 'review')}
<div class="card" role="status" aria-live="polite">
  ${running ? html`<p><progress aria-label="${t('billing.operation.title')}"></progress> ${t('billing.operation.running')}</p>` : op.status === 'done' ? html`<p><strong>${t('billing.operation.done')}</strong></p>` : html`<p class="flash flash-error">${t('billing.operation.failed', { error: typeof op.error === 'string' ? op.error : JSON.stringify(op.error) })}</p>`}
  ${counts.length ? html`<dl class="facts">${counts.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>` : ''}
</div>
<p><a href="/console/billing">${t('billing.back')}</a></p>`;
}

/** The draft's own fields: dates, payment term, contact, e-mail, notes (empty: the default). */
function fieldsForm(user: ConsoleUser, d: DraftView): Html {
  const t = user.t;
  const input = (name: string, label: string, value: string | number | null, type = 'text') =>
    html`<div><label for="df-${name}">${label}</label><input id="df-${name}" name="${name}" type="${type}" value="${value === null || value === undefined ? '' : String(value)}"></div>`;
  return html`<details class="card"><summary>${t('billing.fields')}</summary>
<form method="post" action="/console/billing/drafts/${encodeURIComponent(d.id)}/fields">${csrfField(user)}
  <div class="filters">
    ${input('invoiceDate', t('invoice.invoiceDate'), d.invoiceDateSet ? d.invoiceDate : null, 'date')}
    ${input('paymentTermDays', t('billing.fields.paymentTermDays'), d.paymentTermDays ?? null)}
    ${input('contactPerson', t('billing.fields.contactPerson'), d.contactPerson)}
    ${input('email', t('billing.fields.email'), d.email, 'email')}
  </div>
  <div><label for="df-notes">${t('billing.freeform.notes')}</label><textarea id="df-notes" name="notes" rows="2" cols="80">${d.notes ?? ''}</textarea></div>
  <p><button type="submit" class="secondary">${t('billing.fields.save')}</button></p>
</form></details>`;
}

import { STATUSES, type SyncRecord, type SyncStatus } from '../store/records-repo.js';
import { formatAge, formatMoney } from './format.js';
import { html, queryString, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

/** The list's filters as the page's query string carries them (dates as typed, `YYYY-MM-DD`). */
export interface ListParams {
  status?: string;
  provider?: string;
  from?: string;
  to?: string;
  q?: string;
}

/** Tab order: what needs a person first. */
export const STATUS_ORDER: SyncStatus[] = ['failed', 'in_doubt', 'retrying', 'queued', 'syncing', 'synced', 'superseded', 'cancelled'];

export function statusBadge(status: string, t: ConsoleUser['t']): Html {
  const known = (STATUSES as readonly string[]).includes(status);
  return html`<span class="status status-${known ? status : 'queued'}">${known ? t(`status.${status}` as MessageKey) : status}</span>`;
}

export function invoicesPage(options: {
  user: ConsoleUser;
  params: ListParams;
  providers: string[];
  counts: Map<SyncStatus, number>;
  items: SyncRecord[];
  nextCursor: string | null;
  isFirstPage: boolean;
  now: Date;
  problems: string[];
}): Html {
  const { user, params } = options;
  const t = user.t;
  const total = [...options.counts.values()].reduce((a, b) => a + b, 0);
  const base = { provider: params.provider, from: params.from, to: params.to, q: params.q };
  const tab = (label: string, status: string | undefined, count: number) =>
    html`<li><a href="/console/invoices${queryString({ ...base, status })}"${(params.status ?? '') === (status ?? '') ? html` aria-current="true"` : ''}>${label}<span class="count">${count}</span></a></li>`;
  const tabs = html`<ul class="tabs" aria-label="${t('invoices.status')}">${tab(t('invoices.all'), undefined, total)}${STATUS_ORDER.filter((s) => (options.counts.get(s) ?? 0) > 0 || s === 'failed' || s === 'in_doubt').map((s) => tab(t(`status.${s}` as MessageKey), s, options.counts.get(s) ?? 0))}</ul>`;
  const filters = html`<form class="filters" method="get" action="/console/invoices" role="search">
  ${params.status ? html`<input type="hidden" name="status" value="${params.status}">` : ''}
  <div><label for="q">${t('invoices.text')}</label><input id="q" name="q" type="search" value="${params.q ?? ''}" title="${t('invoices.textHelp')}" maxlength="200"></div>
  <div><label for="provider">${t('invoices.provider')}</label><select id="provider" name="provider"><option value="">${t('invoices.anyProvider')}</option>${options.providers.map((p) => html`<option value="${p}"${params.provider === p ? html` selected` : ''}>${p}</option>`)}</select></div>
  <div><label for="from">${t('invoices.from')}</label><input id="from" name="from" type="date" value="${params.from ?? ''}"></div>
  <div><label for="to">${t('invoices.to')}</label><input id="to" name="to" type="date" value="${params.to ?? ''}"></div>
  <div><button type="submit">${t('invoices.filter')}</button> <a class="button secondary" href="/console/invoices">${t('invoices.clear')}</a></div>
</form>`;
  const problems = options.problems.length ? html`<div class="flash flash-error" role="alert">${t('invoices.badFilter', { problems: options.problems.join('; ') })}</div>` : '';
  const filtered = Boolean(params.status || params.provider || params.from || params.to || params.q);
  const rows = options.items.map((r) => {
    const currency = typeof r.document.currency === 'string' ? r.document.currency : 'EUR';
    return html`<tr>
  <td><a href="/console/invoices/${encodeURIComponent(r.id)}">${r.externalId}</a>${r.revision > 1 ? html` <span class="muted small">r${r.revision}</span>` : ''}${r.type === 'credit_note' ? html` <span class="muted small">(credit)</span>` : ''}</td>
  <td>${r.document.customer?.name ?? '–'}</td>
  <td class="num">${formatMoney(r.totals?.gross, currency, user.locale)}</td>
  <td>${r.provider}${r.providerInvoiceNumber ? html` <span class="muted">${r.providerInvoiceNumber}</span>` : ''}</td>
  <td>${statusBadge(r.status, t)}</td>
  <td class="num" title="${r.createdAt.toISOString()}">${formatAge(r.createdAt, options.now, user.locale)}</td>
</tr>`;
  });
  const table = options.items.length
    ? html`<table>
  <caption class="skip">${t('invoices.title')}</caption>
  <thead><tr><th scope="col">${t('invoices.col.invoice')}</th><th scope="col">${t('invoices.col.customer')}</th><th scope="col" class="num">${t('invoices.col.amount')}</th><th scope="col">${t('invoices.col.number')}</th><th scope="col">${t('invoices.col.status')}</th><th scope="col" class="num">${t('invoices.col.age')}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
    : html`<p class="card">${filtered || total ? t('invoices.empty') : t('invoices.emptyAll')}</p>`;
  const pager = html`<div class="pager">${options.isFirstPage ? '' : html`<a href="/console/invoices${queryString({ ...base, status: params.status })}">${t('invoices.first')}</a>`}${options.nextCursor ? html`<a href="/console/invoices${queryString({ ...base, status: params.status, after: options.nextCursor })}" rel="next">${t('invoices.next')}</a>` : ''}</div>`;
  const bulk = user.roles.includes('finance')
    ? html`<p><a class="button secondary" href="/console/invoices/resync${queryString({ ...base, status: params.status })}">${t('invoices.bulkResync')}</a></p>`
    : '';
  return html`<h1>${t('invoices.title')}</h1>${problems}${tabs}${filters}${table}${pager}${bulk}`;
}

/** The confirmation before a bulk resync: how many, and a button that says so. */
export function bulkResyncPage(options: { user: ConsoleUser; params: ListParams; count: number }): Html {
  const { user, params, count } = options;
  const t = user.t;
  const back = `/console/invoices${queryString({ ...params })}`;
  if (count === 0) return html`<h1>${t('bulk.title')}</h1><p class="card">${t('bulk.none')}</p><p><a href="${back}">${t('bulk.cancel')}</a></p>`;
  return html`<h1>${t('bulk.title')}</h1>
<div class="card"><p>${t('bulk.count', { count })}</p>
<form method="post" action="/console/invoices/resync" class="actions">
  ${csrfField(user)}
  ${Object.entries(params).map(([k, v]) => (v ? html`<input type="hidden" name="${k}" value="${v}">` : ''))}
  <input type="hidden" name="expected" value="${count}">
  <button type="submit">${t('bulk.confirm', { count })}</button><span class="busy-indicator" aria-hidden="true">⏳</span>
  <a class="button secondary" href="${back}">${t('bulk.cancel')}</a>
</form></div>`;
}

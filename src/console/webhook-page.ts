import type { DeliveryLogEntry } from '../store/webhook-log-repo.js';
import { formatTime } from './format.js';
import { html, queryString, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

export function webhookPage(options: {
  user: ConsoleUser;
  url: string | null;
  typedUrl?: string;
  newSecret: string | null;
  deliveries: DeliveryLogEntry[];
  status?: string;
  nextCursor: string | null;
  isFirstPage: boolean;
  canSeeInvoices: boolean;
}): Html {
  const { user, deliveries } = options;
  const t = user.t;
  const secret = options.newSecret
    ? html`<div class="flash flash-ok" role="status"><p><strong>${t('webhook.newSecret')}</strong></p><p><code id="new-secret">${options.newSecret}</code></p></div>`
    : '';
  const endpoint = html`<section class="card" aria-labelledby="wh-endpoint"><h2 id="wh-endpoint">${t('webhook.url')}</h2>
  ${options.url ? '' : html`<p>${t('webhook.notSet')}</p>`}
  <form method="post" action="/console/webhook" class="filters">${csrfField(user)}
    <div class="grow"><label for="wh-url">${t('webhook.url')}</label><input id="wh-url" name="url" type="url" required value="${options.typedUrl ?? options.url ?? ''}"></div>
    <div><button type="submit">${t('webhook.save')}</button></div>
  </form>
  ${options.url ? html`<form method="post" action="/console/webhook/rotate" data-confirm="${t('webhook.rotateConfirm')}">${csrfField(user)}<button type="submit" class="secondary">${t('webhook.rotate')}</button> <span class="muted small">${t('webhook.rotateHelp')}</span></form>` : ''}
</section>`;
  const tab = (label: string, status: string | undefined) =>
    html`<li><a href="/console/webhook${queryString({ status })}"${(options.status ?? '') === (status ?? '') ? html` aria-current="true"` : ''}>${label}</a></li>`;
  const rows = deliveries.map(
    (d) => html`<tr>
  <td><code>${d.eventType}</code>${d.sequence ? html` <span class="muted small">#${d.sequence}</span>` : ''}</td>
  <td>${d.recordId ? (options.canSeeInvoices ? html`<a href="/console/invoices/${encodeURIComponent(d.recordId)}">${d.externalId ?? d.recordId}</a>` : d.externalId ?? d.recordId) : '–'}</td>
  <td><span class="status status-${d.status === 'delivered' ? 'synced' : d.status === 'failed' ? 'failed' : 'queued'}">${t(`delivery.${d.status}` as MessageKey)}</span></td>
  <td class="num">${d.attempts}</td>
  <td>${d.lastStatus ?? ''} ${d.lastError ?? ''}</td>
  <td class="small">${formatTime(d.createdAt, user.locale)}</td>
  <td><form method="post" action="/console/webhook/deliveries/${encodeURIComponent(d.id)}/replay">${csrfField(user)}<button type="submit" class="secondary" aria-label="${t('webhook.replay')} ${d.eventType} ${d.externalId ?? ''}">${t('webhook.replay')}</button></form></td>
</tr>`,
  );
  const log = html`<section aria-labelledby="wh-log"><h2 id="wh-log">${t('webhook.log')}</h2>
<ul class="tabs">${tab(t('invoices.all'), undefined)}${tab(t('delivery.failed'), 'failed')}${tab(t('delivery.pending'), 'pending')}${tab(t('delivery.delivered'), 'delivered')}</ul>
${deliveries.length
    ? html`<table><thead><tr><th scope="col">${t('webhook.col.event')}</th><th scope="col">${t('webhook.col.invoice')}</th><th scope="col">${t('webhook.col.status')}</th><th scope="col" class="num">${t('webhook.col.tries')}</th><th scope="col">${t('webhook.col.answer')}</th><th scope="col">${t('webhook.col.created')}</th><th scope="col"><span class="skip">${t('webhook.replay')}</span></th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="card">${t('webhook.log.empty')}</p>`}
<div class="pager">${options.isFirstPage ? '' : html`<a href="/console/webhook${queryString({ status: options.status })}">${t('invoices.first')}</a>`}${options.nextCursor ? html`<a rel="next" href="/console/webhook${queryString({ status: options.status, after: options.nextCursor })}">${t('invoices.next')}</a>` : ''}</div>
</section>`;
  return html`<h1>${t('webhook.title')}</h1><p class="muted">${t('webhook.help')}</p>${secret}${endpoint}${log}`;
}

import type { recordDetail } from '../sync/record-view.js';
import { errorInWords } from './error-words.js';
import { formatDay, formatDecimal, formatMoney, formatTime } from './format.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { MessageKey } from './messages.js';
import { statusBadge } from './invoices-page.js';
import type { ConsoleUser } from './session.js';

type Detail = ReturnType<typeof recordDetail>;

const RESYNCABLE = ['failed', 'retrying', 'in_doubt'];
const CANCELLABLE = ['queued', 'retrying', 'failed', 'in_doubt', 'syncing'];

/** One invoice: what it is, where it is, what went wrong and what to do, everything that happened. */
export function invoicePage(options: { user: ConsoleUser; detail: Detail }): Html {
  const { user, detail: d } = options;
  const t = user.t;
  const locale = user.locale;
  const doc = d.document as Record<string, any>;
  const currency = typeof doc.currency === 'string' ? doc.currency : 'EUR';
  const money = (v: string | undefined) => formatMoney(v, currency, locale);

  const facts = html`<div class="card"><dl class="facts">
  <dt>${t('invoice.customer')}</dt><dd>${d.customer.name ?? '–'} <span class="muted small">${d.customer.externalId ?? ''}</span></dd>
  <dt>${t('invoice.amount')}</dt><dd>${money(d.totals?.gross)} <span class="muted small">(${t('invoice.net')} ${money(d.totals?.net)}, ${t('invoice.vat')} ${money(d.totals?.vat)})</span></dd>
  <dt>${t('invoice.invoiceDate')}</dt><dd>${formatDay(d.invoiceDate, locale)}</dd>
  ${doc.dueDate ? html`<dt>${t('invoice.dueDate')}</dt><dd>${formatDay(doc.dueDate, locale)}</dd>` : ''}
  <dt>${t('invoice.provider')}</dt><dd>${d.provider}</dd>
  <dt>${t('invoice.providerNumber')}</dt><dd>${d.providerInvoiceNumber ?? d.providerInvoiceId ?? '–'}</dd>
  <dt>${t('invoice.reference')}</dt><dd>${d.referenceNumber}</dd>
  <dt>${t('invoice.accepted')}</dt><dd>${formatTime(d.createdAt, locale)}</dd>
  ${d.nextAttemptAt ? html`<dt>${t('invoice.nextAttempt')}</dt><dd>${formatTime(d.nextAttemptAt, locale)}</dd>` : ''}
</dl></div>`;

  let errorBox: Html | string = '';
  if (d.lastError && (d.status === 'failed' || d.status === 'retrying' || d.status === 'in_doubt')) {
    const words = errorInWords(d.lastError, t);
    errorBox = html`<section class="card error-box" aria-labelledby="last-error">
  <h2 id="last-error">${t('invoice.lastError')}</h2>
  <p><strong>${words.what}</strong></p>
  <p>${words.message}</p>
  ${words.fields.length ? html`<ul>${words.fields.map((f) => html`<li><code>${f.path}</code> ${f.message}</li>`)}</ul>` : ''}
  <h3>${t('invoice.whatToDo')}</h3>
  <p>${words.todo}</p>
  <details><summary>${t('invoice.technical')}</summary><pre>${JSON.stringify(d.lastError, null, 2)}</pre></details>
</section>`;
  }

  const warnings = d.warnings?.length
    ? html`<section class="card"><h2>${t('invoice.warnings')}</h2><ul>${d.warnings.map((w) => html`<li>${w.message}</li>`)}</ul></section>`
    : '';

  const canAct = user.roles.includes('finance');
  const actions = canAct
    ? html`<div class="actions card">
  ${RESYNCABLE.includes(d.status) ? html`<form method="post" action="/console/invoices/${d.id}/resync">${csrfField(user)}<button type="submit">${t('invoice.resync')}</button><span class="busy-indicator" aria-hidden="true">⏳</span><p class="muted small">${t('invoice.resyncHelp')}</p></form>` : ''}
  ${CANCELLABLE.includes(d.status) && !d.providerInvoiceId && !d.cancelRequested ? html`<form method="post" action="/console/invoices/${d.id}/cancel" data-confirm="${t('invoice.cancel')}?">${csrfField(user)}<button type="submit" class="danger">${t('invoice.cancel')}</button><p class="muted small">${t('invoice.cancelHelp')}</p></form>` : ''}
</div>`
    : html`<p class="muted small">${t('invoice.readOnly')}</p>`;

  const timeline = html`<section><h2>${t('invoice.timeline')}</h2><ol class="timeline">${d.history.map(
    (h) => html`<li>${statusBadge(h.status, t)} <span class="small">${formatTime(h.at, locale)}</span>${h.message ? html` <span class="muted small">— ${h.message}</span>` : ''}</li>`,
  )}</ol></section>`;

  const attempts = html`<section><h2>${t('invoice.attempts')}</h2>${
    d.attempts.length
      ? d.attempts.map(
          (a) => html`<details class="card"${a.number === d.attempts.length ? html` open` : ''}>
  <summary>${t('invoice.attempt', { number: a.number, outcome: outcomeText(a.outcome, t) })} · <span class="small">${formatTime(a.startedAt, locale)}</span></summary>
  ${a.error ? html`<p><strong>${a.error.message}</strong></p>` : ''}
  <h3 class="small">${t('invoice.steps')}</h3>
  <ol class="small">${(a.steps ?? []).map((s) => html`<li>${formatTime(s.at, locale)} · ${s.step}${s.detail ? html` — ${s.detail}` : ''}</li>`)}</ol>
  ${a.exchanges?.length ? html`<h3 class="small">${t('invoice.exchanges')}</h3>${a.exchanges.map(
    (e) => html`<details><summary><code>${e.method} ${e.url}</code> → ${e.status ?? e.error ?? '–'} <span class="muted small">(${e.label}, ${e.durationMs} ms)</span></summary>
      ${e.requestBody ? html`<p class="small">${t('invoice.request')}</p><pre>${e.requestBody}</pre>` : ''}
      ${e.responseBody ? html`<p class="small">${t('invoice.response')}</p><pre>${e.responseBody}</pre>` : ''}
    </details>`,
  )}` : ''}
</details>`,
        )
      : html`<p class="muted">${t('invoice.noAttempts')}</p>`
  }</section>`;

  const events = html`<section><h2>${t('invoice.events')}</h2>${
    d.events.length
      ? html`<table><thead><tr><th scope="col">${t('invoice.event.sequence')}</th><th scope="col">${t('invoice.event.type')}</th><th scope="col">${t('invoice.event.status')}</th><th scope="col" class="num">${t('invoice.event.tries')}</th><th scope="col">${t('invoice.event.answer')}</th></tr></thead><tbody>${d.events.map(
          (e) => html`<tr><td>${e.sequence ?? ''}</td><td><code>${e.type}</code></td><td>${t(`delivery.${e.status}` as MessageKey)} <span class="muted small">${formatTime(e.deliveredAt ?? e.createdAt, locale)}</span></td><td class="num">${e.attempts}</td><td>${e.lastStatus ?? ''} ${e.lastError ?? ''}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">${t('invoice.noEvents')}</p>`
  }</section>`;

  const lines = html`<section><h2>${t('invoice.lines')}</h2><table><tbody>${d.lines.map(
    (l) => html`<tr><td>${String(l.description ?? '')}</td><td class="num">${formatDecimal(String(l.quantity ?? ''), locale)} ${String(l.unit ?? '')}</td><td class="num">${money(l.unitPrice as string)}</td><td class="num">${formatDecimal(String(l.vatRate ?? ''), locale)} %</td><td class="num">${money(l.grossAmount as string)}</td></tr>`,
  )}</tbody></table></section>`;

  return html`<p><a href="/console/invoices">${t('invoice.back')}</a></p>
<h1>${t('invoice.title', { externalId: d.externalId })} <span class="muted small">${t('invoice.revision', { revision: d.revision })}</span> ${statusBadge(d.status, t)}</h1>
${errorBox}${facts}${actions}${warnings}${timeline}${attempts}${events}${lines}`;
}

/** An attempt's outcome in the page's language where it is one of the statuses; else the engine's word. */
function outcomeText(outcome: string, t: ConsoleUser['t']): string {
  return ['failed', 'retrying', 'in_doubt', 'superseded', 'cancelled', 'synced'].includes(outcome) ? t(`status.${outcome}` as MessageKey) : outcome;
}

import type { CustomerLink } from '../store/links-repo.js';
import type { HostCustomer } from '../store/console-customers-repo.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

export function customersPage(options: { user: ConsoleUser; customers: HostCustomer[]; links: CustomerLink[]; providers: Array<{ id: string; displayName: string }>; q?: string }): Html {
  const { user, customers, links, providers } = options;
  const t = user.t;
  const linkOf = (customer: string, provider: string) => links.find((l) => l.customerExternalId === customer && l.provider === provider);
  const cell = (c: HostCustomer, provider: { id: string; displayName: string }) => {
    const link = linkOf(c.externalId, provider.id);
    if (!link) return html`<td class="muted small">${c.businessId ? t('customers.willMatch') : t('customers.willCreate')}</td>`;
    return html`<td>${t(`customers.how.${link.how}` as MessageKey, { id: link.providerCustomerId })}
      <form method="post" action="/console/customers/unlink" data-confirm="${t('customers.unlinkConfirm')}">${csrfField(user)}<input type="hidden" name="customer" value="${c.externalId}"><input type="hidden" name="provider" value="${provider.id}"><button type="submit" class="secondary small" aria-label="${t('customers.unlink')} ${c.name ?? c.externalId} ${provider.displayName}">${t('customers.unlink')}</button></form></td>`;
  };
  const linkForm = (c: HostCustomer) =>
    html`<td><form method="post" action="/console/customers/link" class="filters">${csrfField(user)}<input type="hidden" name="customer" value="${c.externalId}">
      <select name="provider" aria-label="${t('invoices.provider')}">${providers.map((p) => html`<option value="${p.id}">${p.displayName}</option>`)}</select>
      <input name="providerCustomerId" size="10" required aria-label="${t('customers.providerCustomerId', { provider: '' })} (${c.name ?? c.externalId})">
      <button type="submit" class="secondary">${t('customers.link')}</button></form></td>`;
  const table = customers.length
    ? html`<table><thead><tr><th scope="col">${t('customers.col.customer')}</th><th scope="col">${t('customers.col.businessId')}</th><th scope="col" class="num">${t('customers.col.invoices')}</th>${providers.map((p) => html`<th scope="col">${p.displayName}</th>`)}<th scope="col">${t('customers.link')}</th></tr></thead><tbody>${customers.map(
        (c) => html`<tr><td>${c.name ?? '–'} <code class="small">${c.externalId}</code></td><td>${c.businessId ?? '–'}</td><td class="num">${c.invoices}</td>${providers.map((p) => cell(c, p))}${linkForm(c)}</tr>`,
      )}</tbody></table>`
    : html`<p class="card">${t('customers.empty')}</p>`;
  return html`<h1>${t('customers.title')}</h1><p class="muted">${t('customers.help')}</p>
<form class="filters" method="get" action="/console/customers" role="search"><div><label for="cq">${t('customers.search')}</label><input id="cq" name="q" type="search" value="${options.q ?? ''}"></div><div><button type="submit">${t('invoices.filter')}</button></div></form>
${providers.length ? table : html`<p class="card">${t('customers.noConnections')}</p>`}`;
}

import { LINE_KINDS, type Problem } from '../domain/invoice-document.js';
import { MAPPING_SCOPES } from '../domain/products/product-mapping.js';
import type { StoredMapping } from '../store/mappings-repo.js';
import type { ImportChange } from '../sync/mapping-import.js';
import { formatDecimal, formatMoney } from './format.js';
import { html, queryString, type Html } from './html.js';
import { csrfField } from './layout.js';
import type { MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

/** The mapping form's fields, flat, as the form posts them. */
export interface MappingForm {
  scope: string;
  scopeId: string;
  lineKind: string;
  code: string;
  name: string;
  unit: string;
  unitPrice: string;
  vatRate: string;
  procountorId: string;
  procountorCode: string;
  netvisorCode: string;
}

export const MAPPING_FORM_FIELDS: Array<keyof MappingForm> = ['scope', 'scopeId', 'lineKind', 'code', 'name', 'unit', 'unitPrice', 'vatRate', 'procountorId', 'procountorCode', 'netvisorCode'];

/** Where each field's problems come from in the API's mapping input. */
export const PROBLEM_PATHS: Record<keyof MappingForm, string> = {
  scope: 'scope',
  scopeId: 'scopeId',
  lineKind: 'lineKind',
  code: 'product.code',
  name: 'product.name',
  unit: 'product.unit',
  unitPrice: 'product.unitPrice',
  vatRate: 'product.vatRate',
  procountorId: 'providerProducts.procountor.id',
  procountorCode: 'providerProducts.procountor.code',
  netvisorCode: 'providerProducts.netvisor.code',
};

export function formOfMapping(m: StoredMapping | null): MappingForm {
  const pp = (m?.providerProducts ?? {}) as { procountor?: { id?: string | null; code?: string | null } | null; netvisor?: { code?: string | null } | null };
  return {
    scope: m?.scope ?? 'tenant',
    scopeId: m?.scopeId ?? '',
    lineKind: m?.lineKind ?? 'task_entry',
    code: m?.product.code ?? '',
    name: m?.product.name ?? '',
    unit: m?.product.unit ?? '',
    unitPrice: m?.product.unitPrice ?? '',
    vatRate: m?.product.vatRate ?? '',
    procountorId: pp.procountor?.id ?? '',
    procountorCode: pp.procountor?.code ?? '',
    netvisorCode: pp.netvisor?.code ?? '',
  };
}

/** The API's mapping input from the form (empty optional fields are absent). */
export function inputOfForm(f: MappingForm): Record<string, unknown> {
  const opt = (v: string) => (v.trim() === '' ? null : v.trim());
  const procountor = opt(f.procountorId) || opt(f.procountorCode) ? { id: opt(f.procountorId), code: opt(f.procountorCode) } : null;
  const netvisor = opt(f.netvisorCode) ? { code: opt(f.netvisorCode) } : null;
  return {
    scope: f.scope,
    scopeId: f.scope === 'tenant' || f.scopeId.trim() === '' ? null : f.scopeId,
    lineKind: f.lineKind,
    product: { code: f.code, name: f.name, unit: f.unit, unitPrice: opt(f.unitPrice), vatRate: opt(f.vatRate) },
    providerProducts: procountor || netvisor ? { ...(procountor ? { procountor } : {}), ...(netvisor ? { netvisor } : {}) } : null,
  };
}

const kindLabel = (kind: string) => kind.replace(/_/g, ' ');

function productText(p: StoredMapping['product'] | ImportChange['input']['product'], locale: ConsoleUser['locale']): string {
  return `${p.code} · ${p.name} · ${p.unit}${p.unitPrice ? ` · ${formatMoney(p.unitPrice, 'EUR', locale)}` : ''}${p.vatRate ? ` · ${formatDecimal(p.vatRate, locale)} %` : ''}`;
}

function providerText(pp: unknown): string {
  const v = (pp ?? {}) as { procountor?: { id?: string | null; code?: string | null } | null; netvisor?: { code?: string | null } | null };
  const parts: string[] = [];
  if (v.procountor?.id || v.procountor?.code) parts.push(`Procountor ${[v.procountor.id, v.procountor.code].filter(Boolean).join(' / ')}`);
  if (v.netvisor?.code) parts.push(`Netvisor ${v.netvisor.code}`);
  return parts.join(', ');
}

export function mappingsPage(options: { user: ConsoleUser; mappings: StoredMapping[]; scope?: string; lineKind?: string }): Html {
  const { user, mappings } = options;
  const t = user.t;
  const rows = mappings.map(
    (m) => html`<tr>
  <td>${m.scope}${m.scopeId ? html` <code>${m.scopeId}</code>` : ''}</td>
  <td>${kindLabel(m.lineKind)}</td>
  <td>${m.product.code}${m.autoCreated ? html` <span class="status status-queued" title="${t('mappings.autoHelp')}">${t('mappings.auto')}</span>` : ''}</td>
  <td>${m.product.name}</td>
  <td>${m.product.unit}</td>
  <td class="num">${m.product.unitPrice ? formatMoney(m.product.unitPrice, 'EUR', user.locale) : '–'}</td>
  <td class="num">${formatDecimal(m.product.vatRate, user.locale)}</td>
  <td>${providerText(m.providerProducts)}</td>
  <td class="actions"><a href="/console/mappings/${encodeURIComponent(m.id)}/edit" aria-label="${t('mappings.edit')} ${m.product.code} (${m.scope} ${m.scopeId ?? ''} ${kindLabel(m.lineKind)})">${t('mappings.edit')}</a>
    <form method="post" action="/console/mappings/${encodeURIComponent(m.id)}/delete" data-confirm="${t('mappings.deleteConfirm')}">${csrfField(user)}<button type="submit" class="secondary" aria-label="${t('mappings.delete')} ${m.product.code} (${m.scope} ${m.scopeId ?? ''} ${kindLabel(m.lineKind)})">${t('mappings.delete')}</button></form></td>
</tr>`,
  );
  const select = (name: string, label: string, values: readonly string[], current: string | undefined) =>
    html`<div><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">${t('mappings.any')}</option>${values.map((v) => html`<option value="${v}"${current === v ? html` selected` : ''}>${kindLabel(v)}</option>`)}</select></div>`;
  return html`<h1>${t('mappings.title')}</h1>
<p class="muted">${t('mappings.help')}</p>
<form class="filters" method="get" action="/console/mappings">
  ${select('scope', t('mappings.scope'), MAPPING_SCOPES, options.scope)}
  ${select('lineKind', t('mappings.lineKind'), LINE_KINDS, options.lineKind)}
  <div><button type="submit">${t('invoices.filter')}</button></div>
</form>
<p class="actions"><a class="button" href="/console/mappings/new">${t('mappings.add')}</a> <a class="button secondary" href="/console/mappings/import">${t('mappings.import')}</a> <a class="button secondary" href="/console/mappings/export.csv${queryString({ scope: options.scope, lineKind: options.lineKind })}" download>${t('mappings.export')}</a></p>
${mappings.length
    ? html`<table><thead><tr><th scope="col">${t('mappings.scope')}</th><th scope="col">${t('mappings.lineKind')}</th><th scope="col">${t('mappings.code')}</th><th scope="col">${t('mappings.name')}</th><th scope="col">${t('mappings.unit')}</th><th scope="col" class="num">${t('mappings.unitPrice')}</th><th scope="col" class="num">${t('mappings.vatRate')}</th><th scope="col">${t('mappings.providerProducts')}</th><th scope="col"><span class="skip">${t('mappings.edit')}</span></th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="card">${t('mappings.empty')}</p>`}`;
}

export function mappingFormPage(options: { user: ConsoleUser; form: MappingForm; editingId: string | null; problems: Problem[] }): Html {
  const { user, form, editingId, problems } = options;
  const t = user.t;
  const problemsOf = (name: keyof MappingForm) => problems.filter((p) => p.path === PROBLEM_PATHS[name] || p.path.startsWith(`${PROBLEM_PATHS[name]}.`));
  const other = problems.filter((p) => !MAPPING_FORM_FIELDS.some((f) => p.path === PROBLEM_PATHS[f] || p.path.startsWith(`${PROBLEM_PATHS[f]}.`)));
  const input = (name: keyof MappingForm, label: MessageKey, options: { required?: boolean; inputmode?: string } = {}) => {
    const mine = problemsOf(name);
    return html`<div><label for="m-${name}">${t(label)}</label><input id="m-${name}" name="${name}" value="${form[name]}"${options.required ? html` required` : ''}${options.inputmode ? html` inputmode="${options.inputmode}"` : ''}${mine.length ? html` aria-invalid="true" aria-describedby="m-${name}-problem"` : ''}>${mine.length ? html`<p id="m-${name}-problem" class="small problem">${mine.map((p) => p.message).join('; ')}</p>` : ''}</div>`;
  };
  const select = (name: 'scope' | 'lineKind', label: MessageKey, values: readonly string[]) => {
    const mine = problemsOf(name);
    return html`<div><label for="m-${name}">${t(label)}</label><select id="m-${name}" name="${name}"${editingId ? html` disabled` : ''}>${values.map((v) => html`<option value="${v}"${form[name] === v ? html` selected` : ''}>${kindLabel(v)}</option>`)}</select>${editingId ? html`<input type="hidden" name="${name}" value="${form[name]}">` : ''}${mine.length ? html`<p class="small problem">${mine.map((p) => p.message).join('; ')}</p>` : ''}</div>`;
  };
  return html`<p><a href="/console/mappings">← ${t('mappings.title')}</a></p>
<h1>${editingId ? t('mappings.edit') : t('mappings.add')}</h1>
${problems.length ? html`<div class="flash flash-error" role="alert">${t('mappings.problems', { count: problems.length })}${other.length ? html`<ul>${other.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}</ul>` : ''}</div>` : ''}
<form method="post" action="${editingId ? `/console/mappings/${encodeURIComponent(editingId)}` : '/console/mappings'}" class="card">
  ${csrfField(user)}
  <div class="filters">${select('scope', 'mappings.scope', MAPPING_SCOPES)}${editingId ? html`<div><label for="m-scopeId">${t('mappings.scopeId')}</label><input id="m-scopeId" value="${form.scopeId}" disabled><input type="hidden" name="scopeId" value="${form.scopeId}"></div>` : input('scopeId', 'mappings.scopeId')}${select('lineKind', 'mappings.lineKind', LINE_KINDS)}</div>
  <div class="filters">${input('code', 'mappings.code', { required: true })}${input('name', 'mappings.name', { required: true })}${input('unit', 'mappings.unit', { required: true })}${input('unitPrice', 'mappings.unitPrice', { inputmode: 'decimal' })}${input('vatRate', 'mappings.vatRate', { inputmode: 'decimal' })}</div>
  <fieldset><legend>${t('mappings.providerProducts')}</legend><div class="filters">${input('procountorId', 'mappings.procountorId', { inputmode: 'numeric' })}${input('procountorCode', 'mappings.procountorCode')}${input('netvisorCode', 'mappings.netvisorCode')}</div></fieldset>
  <p class="actions"><button type="submit">${t('mappings.save')}</button> <a class="button secondary" href="/console/mappings">${t('mappings.cancel')}</a></p>
</form>`;
}

export function importPage(options: { user: ConsoleUser; csv: string; problems: Array<{ row: number; column: string | null; message: string }>; plan: ImportChange[] | null; fingerprint: string }): Html {
  const { user, csv, problems, plan } = options;
  const t = user.t;
  const form = html`<form method="post" action="/console/mappings/import/preview" class="card">
  ${csrfField(user)}
  <label for="csv">${t('mappings.import.csv')}</label>
  <textarea id="csv" name="csv" rows="10" cols="100" required>${csv}</textarea>
  <p><label for="csv-file">${t('mappings.import.file')}</label><input id="csv-file" type="file" accept=".csv,text/csv" data-fill="csv"></p>
  <button type="submit">${t('mappings.import.preview')}</button>
</form>`;
  const invalid = problems.length
    ? html`<div class="flash flash-error" role="alert">${t('mappings.import.invalid', { count: problems.length })}<ul>${problems.map((p) => html`<li>${p.row ? `row ${p.row}` : ''}${p.column ? html` <code>${p.column}</code>` : ''}: ${p.message}</li>`)}</ul></div>`
    : '';
  let preview: Html | string = '';
  if (plan) {
    const changing = plan.filter((c) => c.kind !== 'unchanged').length;
    const count = (k: ImportChange['kind']) => plan.filter((c) => c.kind === k).length;
    preview = html`<section class="card" aria-labelledby="preview-title"><h2 id="preview-title">${t('mappings.import.summary', { create: count('create'), update: count('update'), unchanged: count('unchanged') })}</h2>
<table><thead><tr><th scope="col"></th><th scope="col">${t('mappings.scope')}</th><th scope="col">${t('mappings.lineKind')}</th><th scope="col">${t('mappings.code')}</th></tr></thead><tbody>${plan.map(
      (c) => html`<tr><td><span class="status status-${c.kind === 'create' ? 'synced' : c.kind === 'update' ? 'retrying' : 'cancelled'}">${t(`mappings.import.change.${c.kind}` as MessageKey)}</span></td><td>${c.input.scope}${c.input.scopeId ? html` <code>${c.input.scopeId}</code>` : ''}</td><td>${kindLabel(c.input.lineKind)}</td><td>${productText(c.input.product, user.locale)}${c.before && c.kind === 'update' ? html`<br><span class="muted small">${t('mappings.import.before', { before: productText(c.before.product, user.locale) })}</span>` : ''}</td></tr>`,
    )}</tbody></table>
${changing
      ? html`<form method="post" action="/console/mappings/import/apply">${csrfField(user)}<input type="hidden" name="fingerprint" value="${options.fingerprint}"><textarea name="csv" hidden>${csv}</textarea><p><button type="submit">${t('mappings.import.apply', { count: changing })}</button><span class="busy-indicator" aria-hidden="true">⏳</span></p></form>`
      : html`<p>${t('mappings.import.nothing')}</p>`}
</section>`;
  }
  return html`<p><a href="/console/mappings">← ${t('mappings.title')}</a></p><h1>${t('mappings.import.title')}</h1><p class="muted">${t('mappings.import.help')}</p>${invalid}${preview}${form}`;
}

import type { Problem } from '../domain/invoice-document.js';
import type { publicConnection } from '../sync/connection-store.js';
import { formatTime } from './format.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';
import { hasMessage } from './messages.js';
import type { ConsoleUser } from './session.js';

/** One setting of a provider's connection form, read off its settings schema. */
export interface SettingField {
  name: string;
  kind: 'text' | 'secret' | 'number' | 'boolean' | 'choice';
  choices: string[];
  required: boolean;
  defaultValue: unknown;
}

/** The form fields of a provider, from the JSON Schema of its settings (objects are left to the API). */
export function settingFields(schema: Record<string, any>, secretFields: readonly string[]): { fields: SettingField[]; advanced: string[] } {
  const properties = (schema.properties ?? {}) as Record<string, any>;
  const required = new Set<string>((schema.required as string[]) ?? []);
  const fields: SettingField[] = [];
  const advanced: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const choices: string[] = Array.isArray(prop.enum) ? prop.enum.map(String) : [];
    const type = prop.type;
    let kind: SettingField['kind'] | null = null;
    if (secretFields.includes(name)) kind = 'secret';
    else if (choices.length) kind = 'choice';
    else if (type === 'string') kind = 'text';
    else if (type === 'integer' || type === 'number') kind = 'number';
    else if (type === 'boolean') kind = 'boolean';
    if (!kind) {
      advanced.push(name);
      continue;
    }
    fields.push({ name, kind, choices, required: required.has(name) && prop.default === undefined, defaultValue: prop.default });
  }
  return { fields, advanced };
}

/**
 * The settings body from the form: types as the schema wants them, empty
 * fields left out (defaults apply), and an empty secret keeps the saved one.
 */
export function settingsFromForm(fields: SettingField[], form: (name: string) => string | undefined, savedSecrets: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const value = (form(f.name) ?? '').trim();
    if (value === '') {
      if (f.kind === 'secret' && savedSecrets[f.name] !== undefined) body[f.name] = savedSecrets[f.name];
      continue;
    }
    if (f.kind === 'number') body[f.name] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    else if (f.kind === 'boolean') body[f.name] = value === 'true' ? true : value === 'false' ? false : value;
    else body[f.name] = value;
  }
  return body;
}

type View = ReturnType<typeof publicConnection>;

export interface ProviderPanel {
  id: string;
  displayName: string;
  connection: View | null;
  fields: SettingField[];
  advanced: string[];
  /** What was typed (after a refused save), else the saved settings. */
  values: Record<string, unknown>;
  problems: Problem[];
  message: { kind: 'ok' | 'error'; text: string } | null;
  revealOnce: Record<string, string>;
}

function label(name: string, t: ConsoleUser['t']): string {
  const key = `setting.${name}`;
  return hasMessage(key) ? t(key) : name;
}

function panel(user: ConsoleUser, p: ProviderPanel): Html {
  const t = user.t;
  const c = p.connection;
  const health = c
    ? html`<dl class="facts">
  <dt>${t('invoices.status')}</dt><dd>${c.health.healthy ? html`<span class="status status-synced">${t('connections.healthy')}</span>` : html`<span class="status status-failed">${t('connections.unhealthy')}</span>`}</dd>
  <dt>${t('connections.lastSuccess')}</dt><dd>${formatTime(c.health.lastSuccessAt, user.locale)}</dd>
  <dt>${t('connections.lastError')}</dt><dd>${c.health.lastErrorAt ? html`${formatTime(c.health.lastErrorAt, user.locale)} — ${(c.health.lastError as { message?: string } | null)?.message ?? ''}` : '–'}</dd>
</dl>`
    : html`<p><span class="status status-cancelled">${t('connections.notConnected')}</span></p>`;
  const problemsOf = (name: string) => p.problems.filter((x) => x.path === name || x.path.startsWith(`${name}.`));
  const other = p.problems.filter((x) => !p.fields.some((f) => x.path === f.name || x.path.startsWith(`${f.name}.`)));
  const id = (name: string) => `${p.id}-${name}`;
  const input = (f: SettingField) => {
    const mine = problemsOf(f.name);
    const value = p.values[f.name];
    const invalid = mine.length ? html` aria-invalid="true" aria-describedby="${id(f.name)}-problem"` : '';
    let control: Html;
    if (f.kind === 'secret') {
      control = html`<input id="${id(f.name)}" name="${f.name}" type="password" autocomplete="new-password" placeholder="${c && value === '[set]' ? t('connections.secretSet') : t('connections.secretUnset')}"${invalid}>`;
    } else if (f.kind === 'choice' || f.kind === 'boolean') {
      const choices = f.kind === 'boolean' ? ['true', 'false'] : f.choices;
      const current = value === undefined || value === null ? '' : String(value);
      control = html`<select id="${id(f.name)}" name="${f.name}"${invalid}><option value="">${f.defaultValue !== undefined ? t('connections.default', { value: String(f.defaultValue) }) : t('connections.automatic')}</option>${choices.map(
        (v) => html`<option value="${v}"${current === v ? html` selected` : ''}>${f.kind === 'boolean' ? t(v === 'true' ? 'connections.yes' : 'connections.no') : v}</option>`,
      )}</select>`;
    } else {
      control = html`<input id="${id(f.name)}" name="${f.name}" value="${value === undefined || value === null ? '' : String(value)}"${f.kind === 'number' ? html` inputmode="numeric"` : ''}${f.defaultValue !== undefined ? html` placeholder="${t('connections.default', { value: String(f.defaultValue) })}"` : ''}${f.required ? html` required` : ''}${invalid}>`;
    }
    return html`<div><label for="${id(f.name)}">${label(f.name, t)} <code class="small">${f.name}</code></label>${control}${mine.length ? html`<p id="${id(f.name)}-problem" class="small problem">${mine.map((x) => x.message).join('; ')}</p>` : ''}</div>`;
  };
  const reveal = Object.keys(p.revealOnce).length
    ? html`<div class="flash flash-ok" role="status"><p><strong>${t('connections.revealOnce')}</strong></p>${Object.entries(p.revealOnce).map(([k, v]) => html`<p><code>${k}</code>: <code>${v}</code></p>`)}</div>`
    : '';
  return html`<section class="card" id="${p.id}" aria-labelledby="${p.id}-title">
  <h2 id="${p.id}-title">${p.displayName}</h2>
  ${p.message ? html`<div class="flash flash-${p.message.kind}" role="${p.message.kind === 'error' ? 'alert' : 'status'}">${p.message.text}${other.length ? html`<ul>${other.map((x) => html`<li><code>${x.path}</code> ${x.message}</li>`)}</ul>` : ''}</div>` : ''}
  ${reveal}
  ${health}
  ${c ? html`<form method="post" action="/console/connections/${p.id}/test">${csrfField(user)}<button type="submit" class="secondary">${t('connections.test')}</button><span class="busy-indicator" aria-hidden="true">⏳</span></form>` : ''}
  <form method="post" action="/console/connections/${p.id}">
    ${csrfField(user)}
    <div class="filters">${p.fields.map(input)}</div>
    ${p.advanced.length ? html`<p class="muted small">${t('connections.advanced', { fields: p.advanced.join(', ') })}</p>` : ''}
    <button type="submit">${t('connections.save')}</button><span class="busy-indicator" aria-hidden="true">⏳</span>
  </form>
</section>`;
}

export function connectionsPage(user: ConsoleUser, panels: ProviderPanel[]): Html {
  const t = user.t;
  return html`<h1>${t('connections.title')}</h1><p class="muted">${t('connections.help')}</p>${panels.map((p) => panel(user, p))}`;
}

import type { z } from 'zod';
import { problemsFromZod, type Problem } from '../domain/invoice-document.js';
import { newId } from '../domain/ids.js';
import type { ConnectionRow } from '../store/connections-repo.js';
import type { Repos } from '../store/store.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Provider } from '../../providers/types.js';

const aad = (tenantId: string, provider: string) => `connection:${tenantId}:${provider}`;

export interface LoadedConnection {
  row: ConnectionRow;
  /** Full settings, secrets decrypted. Never log or return these. */
  settings: Record<string, any>;
  secretValues: string[];
}

export type ValidatedSettings =
  | { ok: true; settings: Record<string, any>; revealOnce: Record<string, string> }
  | { ok: false; problems: Problem[] };

/** Validates a connection body with the provider's own schema and fills generated settings. */
export function validateSettings(provider: Provider<any, any>, input: unknown): ValidatedSettings {
  const parsed = (provider.settingsSchema as z.ZodType).safeParse(input);
  if (!parsed.success) return { ok: false, problems: problemsFromZod(parsed.error) };
  const completed = provider.completeSettings ? provider.completeSettings(parsed.data) : { settings: parsed.data as Record<string, any> };
  return { ok: true, settings: completed.settings as Record<string, any>, revealOnce: completed.revealOnce ?? {} };
}

/** Splits secrets from settings and stores them sealed. */
export async function saveConnection(
  repos: Repos,
  box: SecretBox,
  tenantId: string,
  provider: Provider<any, any>,
  settings: Record<string, any>,
): Promise<ConnectionRow> {
  const publicSettings: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (provider.secretFields.includes(key)) secrets[key] = value;
    else publicSettings[key] = value;
  }
  return repos.connections.upsert({
    id: `conn_${newId()}`,
    tenantId,
    provider: provider.id,
    settings: publicSettings,
    secrets: box.seal(secrets, aad(tenantId, provider.id)),
  });
}

export async function loadConnection(repos: Repos, box: SecretBox, tenantId: string, provider: string): Promise<LoadedConnection | null> {
  const row = await repos.connections.get(tenantId, provider);
  if (!row) return null;
  const secrets = box.open<Record<string, unknown>>(row.secrets, aad(tenantId, provider));
  const secretValues = Object.values(secrets).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return { row, settings: { ...row.settings, ...secrets }, secretValues };
}

/** What GET /v1/connections shows: settings with every secret replaced by a marker. */
export function publicConnection(row: ConnectionRow, provider: Provider<any, any> | undefined) {
  const redacted: Record<string, unknown> = { ...row.settings };
  for (const field of provider?.secretFields ?? []) redacted[field] = '[set]';
  return {
    provider: row.provider,
    settings: redacted,
    health: {
      healthy: row.healthy,
      lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
      lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
      lastError: row.lastError,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

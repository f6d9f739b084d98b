import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import { ApiError } from '../http/api-error.js';
import { checkOutboundUrl, type UrlPolicy } from '../http/url-guard.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import type { Provider } from '../../providers/types.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { loadConnection, publicConnection, saveConnection, validateSettings } from './connection-store.js';
import { buildProviderContext } from './provider-context-factory.js';

export interface ConnectionServiceDeps {
  store: Store;
  secretBox: SecretBox;
  registry: ProviderRegistry;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
}

/** The provider of an id (own keys only: "toString" or "__proto__" is no provider), or a 404. */
export function providerOf(registry: ProviderRegistry, id: string): Provider<any, any> {
  const provider = Object.hasOwn(registry, id) ? registry[id as keyof ProviderRegistry] : undefined;
  if (!provider) throw new ApiError(404, 'unknown_provider', `There is no provider "${id}"; use one of ${Object.keys(registry).join(', ')}.`);
  return provider;
}

/**
 * Saves a tenant's connection to a provider after checking it: the settings
 * against the provider's schema, the address against the outbound URL policy,
 * and the credentials at the provider itself. Nothing is saved unless all
 * three pass. Used by `PUT /v1/connections/{provider}` and the console.
 */
export async function verifyAndSaveConnection(deps: ConnectionServiceDeps, tenantId: string, providerId: string, body: unknown, actor: string) {
  const provider = providerOf(deps.registry, providerId);
  const validated = validateSettings(provider, body);
  if (!validated.ok) throw ApiError.badInput(validated.problems);
  const urlCheck = await checkOutboundUrl(String(validated.settings.baseUrl), deps.urlPolicy);
  if (!urlCheck.ok) {
    throw ApiError.badInput([{ path: 'baseUrl', code: urlCheck.unresolved ? 'host_not_resolved' : 'url_not_allowed', message: urlCheck.reason }]);
  }
  const secretValues = provider.secretFields.map((f) => validated.settings[f]).filter((v): v is string => typeof v === 'string');
  const { ctx, exchanges } = buildProviderContext(
    { repos: deps.store.repos, redis: deps.redis, redisPrefix: deps.redisPrefix, urlPolicy: deps.urlPolicy, clock: deps.clock, log: deps.log },
    {
      row: { id: 'unsaved', tenantId, provider: provider.id, settings: {}, secrets: '', healthy: true, lastSuccessAt: null, lastErrorAt: null, lastError: null, createdAt: deps.clock(), updatedAt: deps.clock() },
      settings: validated.settings,
      secretValues,
    },
    { providerName: provider.displayName },
  );
  try {
    await provider.verifyConnection(ctx);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const status = error.category === 'auth' || error.category === 'validation' ? 422 : 502;
    throw new ApiError(status, error.category === 'auth' ? 'credentials_refused' : 'connection_check_failed', error.message, [
      { path: 'baseUrl', code: error.code, message: error.message, exchanges: exchanges.map((e) => ({ label: e.label, method: e.method, url: e.url, status: e.status, error: e.error })) },
    ]);
  }
  const row = await saveConnection(deps.store.repos, deps.secretBox, tenantId, provider, validated.settings);
  await deps.store.repos.connections.markSuccess(row.id);
  await deps.store.repos.audit.record({ tenantId, actor, action: 'connection.save', target: provider.id, details: { settings: publicConnection(row, provider).settings } });
  const saved = (await deps.store.repos.connections.get(tenantId, provider.id))!;
  return { connection: publicConnection(saved, provider), revealOnce: validated.revealOnce };
}

/**
 * "Test connection": checks the saved connection's credentials at the provider
 * now, and records the outcome as the connection's health.
 */
export async function testConnection(deps: ConnectionServiceDeps, tenantId: string, providerId: string): Promise<{ ok: true } | { ok: false; message: string; category: string }> {
  const provider = providerOf(deps.registry, providerId);
  const loaded = await loadConnection(deps.store.repos, deps.secretBox, tenantId, provider.id);
  if (!loaded) throw ApiError.notFound(`The ${provider.displayName} connection`);
  const { ctx } = buildProviderContext(
    { repos: deps.store.repos, redis: deps.redis, redisPrefix: deps.redisPrefix, urlPolicy: deps.urlPolicy, clock: deps.clock, log: deps.log },
    loaded,
    { providerName: provider.displayName },
  );
  try {
    await provider.verifyConnection(ctx);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    await deps.store.repos.connections.markError(loaded.row.id, { code: error.code, message: error.message }, error.category === 'auth');
    return { ok: false, message: error.message, category: error.category };
  }
  await deps.store.repos.connections.markSuccess(loaded.row.id);
  return { ok: true };
}

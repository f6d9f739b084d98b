import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/api-error.js';
import { checkOutboundUrl } from '../http/url-guard.js';
import { PROVIDER_IDS } from '../domain/invoice-document.js';
import type { AppDeps } from '../app-deps.js';
import { publicConnection, saveConnection, validateSettings } from '../sync/connection-store.js';
import { buildProviderContext } from '../sync/provider-context-factory.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import { actorOf, requireRole, tenantOf } from './auth.js';

/** Admin routes: the tenant's connections to accounting systems. */
export function connectionRoutes(app: FastifyInstance, deps: AppDeps): void {
  const admin = requireRole(deps.auth, 'admin');

  app.put<{ Params: { provider: string } }>(
    '/v1/connections/:provider',
    {
      preHandler: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create or replace the connection to a provider (credentials are checked first)',
        params: { type: 'object', properties: { provider: { type: 'string', enum: [...PROVIDER_IDS] } } },
        body: { type: 'object', additionalProperties: true },
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      // Own keys only: "toString" or "__proto__" in the path is no provider.
      const provider = Object.hasOwn(deps.registry, request.params.provider) ? deps.registry[request.params.provider as keyof typeof deps.registry] : undefined;
      if (!provider) {
        throw new ApiError(404, 'unknown_provider', `There is no provider "${request.params.provider}"; use one of ${Object.keys(deps.registry).join(', ')}.`);
      }
      const validated = validateSettings(provider, request.body);
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
      await deps.store.repos.audit.record({
        tenantId,
        actor: actorOf(request),
        action: 'connection.save',
        target: provider.id,
        details: { settings: publicConnection(row, provider).settings },
      });
      const saved = (await deps.store.repos.connections.get(tenantId, provider.id))!;
      return reply.code(200).send({ ...publicConnection(saved, provider), ...(Object.keys(validated.revealOnce).length ? { revealOnce: validated.revealOnce } : {}) });
    },
  );

  app.get('/v1/connections', { preHandler: admin, schema: { tags: ['admin'], summary: 'List connections (secrets redacted) with health' } }, async (request) => {
    const tenantId = tenantOf(request);
    const rows = await deps.store.repos.connections.list(tenantId);
    return { connections: rows.map((row) => publicConnection(row, deps.registry[row.provider as keyof typeof deps.registry])) };
  });
}


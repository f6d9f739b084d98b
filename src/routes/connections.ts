import type { FastifyInstance } from 'fastify';
import { PROVIDER_IDS } from '../domain/invoice-document.js';
import type { AppDeps } from '../app-deps.js';
import { publicConnection } from '../sync/connection-store.js';
import { verifyAndSaveConnection } from '../sync/connection-service.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

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
      const { connection, revealOnce } = await verifyAndSaveConnection(deps, tenantOf(request), request.params.provider, request.body, actorOf(request));
      return reply.code(200).send({ ...connection, ...(Object.keys(revealOnce).length ? { revealOnce } : {}) });
    },
  );

  app.get('/v1/connections', { preHandler: admin, schema: { tags: ['admin'], summary: 'List connections (secrets redacted) with health' } }, async (request) => {
    const tenantId = tenantOf(request);
    const rows = await deps.store.repos.connections.list(tenantId);
    return { connections: rows.map((row) => publicConnection(row, deps.registry[row.provider as keyof typeof deps.registry])) };
  });
}


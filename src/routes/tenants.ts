import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { ROLES } from '../store/api-keys-repo.js';
import type { AppDeps } from '../app-deps.js';
import { hashApiKey, requireOperator } from '../http/auth.js';

export const tenantBody = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1–63 lowercase letters, digits or "-", starting with a letter or digit'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
});

export const apiKeyBody = z.strictObject({
  roles: z.array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` })).min(1, 'must name at least one role'),
  label: z.string().max(200).optional(),
});

/** Operator routes: tenants and their API keys. */
export function tenantRoutes(app: FastifyInstance, deps: AppDeps): void {
  const operator = requireOperator(deps.auth);

  app.post('/v1/tenants', { preHandler: operator, schema: { tags: ['operator'], summary: 'Create a tenant', body: deps.docs.schema(tenantBody) } }, async (request, reply) => {
    const body = parseOr400(tenantBody, request.body);
    const tenant = await deps.store.repos.tenants.create(body.id, body.name);
    if (!tenant) throw new ApiError(409, 'tenant_exists', `A tenant with id "${body.id}" already exists.`);
    await deps.store.repos.audit.record({ tenantId: tenant.id, actor: 'operator', action: 'tenant.create', target: tenant.id });
    return reply.code(201).send({ id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString() });
  });

  app.post<{ Params: { tenantId: string } }>(
    '/v1/tenants/:tenantId/api-keys',
    { preHandler: operator, schema: { tags: ['operator'], summary: 'Issue an API key (shown once)', body: deps.docs.schema(apiKeyBody) } },
    async (request, reply) => {
      const body = parseOr400(apiKeyBody, request.body);
      const tenant = await deps.store.repos.tenants.get(request.params.tenantId);
      if (!tenant) throw ApiError.notFound(`Tenant "${request.params.tenantId}"`);
      const key = `llk_${randomBytes(32).toString('base64url')}`;
      const id = `key_${newId()}`;
      const roles = [...new Set(body.roles)];
      await deps.store.repos.apiKeys.insert({ id, tenantId: tenant.id, hash: hashApiKey(key), roles, label: body.label ?? null });
      await deps.store.repos.audit.record({ tenantId: tenant.id, actor: 'operator', action: 'api_key.create', target: id, details: { roles, label: body.label ?? null } });
      return reply.code(201).send({ id, key, roles, label: body.label ?? null });
    },
  );

  app.delete<{ Params: { tenantId: string; keyId: string } }>(
    '/v1/tenants/:tenantId/api-keys/:keyId',
    { preHandler: operator, schema: { tags: ['operator'], summary: 'Revoke an API key (refused at once, in every process)' } },
    async (request, reply) => {
      const revoked = await deps.store.repos.apiKeys.revoke(request.params.tenantId, request.params.keyId);
      if (!revoked) throw ApiError.notFound(`API key "${request.params.keyId}" of tenant "${request.params.tenantId}"`);
      await deps.store.repos.audit.record({ tenantId: request.params.tenantId, actor: 'operator', action: 'api_key.revoke', target: request.params.keyId });
      return reply.code(204).send();
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROVIDER_IDS } from '../domain/invoice-document.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import type { CustomerLink } from '../store/links-repo.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

export const customerLinkBody = z
  .strictObject({
    provider: z.enum(PROVIDER_IDS, { error: `must be one of ${PROVIDER_IDS.join(', ')}` }),
    providerCustomerId: z
      .union([z.string(), z.number().int()], { error: "must be the provider's customer id (Procountor partner id, Netvisor customer code)" })
      .transform((v) => String(v).trim())
      .pipe(z.string().min(1, 'must not be empty').max(100)),
  })
  .superRefine((body, ctx) => {
    // A Procountor business partner id is a number; anything else would only fail at the next sync.
    if (body.provider === 'procountor' && !/^\d{1,18}$/.test(body.providerCustomerId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['providerCustomerId'],
        message: `must be a Procountor business partner id (a number such as 200001), got "${body.providerCustomerId}"`,
      });
    }
  });

const providerQuery = z.strictObject({ provider: z.enum(PROVIDER_IDS).optional() });

function view(link: CustomerLink) {
  return { provider: link.provider, providerCustomerId: link.providerCustomerId, how: link.how, updatedAt: link.updatedAt.toISOString() };
}

/** Admin routes: which provider customer a host customer is, per provider. */
export function customerLinkRoutes(app: FastifyInstance, deps: AppDeps): void {
  const admin = requireRole(deps.auth, 'admin');
  const links = deps.store.repos.links;

  app.get<{ Params: { customerExternalId: string } }>(
    '/v1/customer-links/:customerExternalId',
    { preHandler: admin, schema: { tags: ['customers'], summary: "A customer's links, per provider (?provider= to pick one)" } },
    async (request) => {
      const tenantId = tenantOf(request);
      const q = parseOr400(providerQuery, request.query);
      const all = (await links.customerAll(tenantId, request.params.customerExternalId)).filter((l) => !q.provider || l.provider === q.provider);
      if (all.length === 0) throw ApiError.notFound(`A link for customer "${request.params.customerExternalId}"${q.provider ? ` to ${q.provider}` : ''}`);
      return { customerExternalId: request.params.customerExternalId, links: all.map(view) };
    },
  );

  app.put<{ Params: { customerExternalId: string } }>(
    '/v1/customer-links/:customerExternalId',
    { preHandler: admin, schema: { tags: ['customers'], summary: 'Link a customer to a provider customer', body: deps.docs.schema(customerLinkBody) } },
    async (request) => {
      const tenantId = tenantOf(request);
      const body = parseOr400(customerLinkBody, request.body);
      const link = await links.setCustomer(tenantId, { provider: body.provider, customerExternalId: request.params.customerExternalId, providerCustomerId: body.providerCustomerId, how: 'manual' });
      await deps.store.repos.audit.record({ tenantId, actor: actorOf(request), action: 'customer_link.set', target: request.params.customerExternalId, details: body });
      return { customerExternalId: request.params.customerExternalId, ...view(link) };
    },
  );

  app.delete<{ Params: { customerExternalId: string } }>(
    '/v1/customer-links/:customerExternalId',
    { preHandler: admin, schema: { tags: ['customers'], summary: 'Remove the link (one provider with ?provider=, else all)' } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const q = parseOr400(providerQuery, request.query);
      const removed = await links.deleteCustomer(tenantId, q.provider ?? null, request.params.customerExternalId);
      if (removed === 0) throw ApiError.notFound(`A link for customer "${request.params.customerExternalId}"`);
      await deps.store.repos.audit.record({ tenantId, actor: actorOf(request), action: 'customer_link.delete', target: request.params.customerExternalId, details: { provider: q.provider ?? 'all' } });
      return reply.code(204).send();
    },
  );
}

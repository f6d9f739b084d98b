import type { FastifyInstance } from 'fastify';
import type { BillingRouteDeps } from './billing-route-deps.js';
import { ApiError } from '../../http/api-error.js';
import { actorOf, tenantOf } from '../../http/auth.js';
import { billingCustomerSchema, billingProjectSchema, billingSettingsSchema, billingTaskSchema, entriesBodySchema } from '../domain/work-schemas.js';
import { billingRoles } from './billing-auth.js';

type WithId = { Params: { externalId: string } };

/** Work in: customers, projects, tasks and entries (host), and the billing settings (admin). */
export function billingWorkRoutes(app: FastifyInstance, deps: BillingRouteDeps): void {
  const roles = billingRoles(deps);
  const billing = deps.billing;
  const tags = ['billing'];

  app.put<WithId>(
    '/v1/billing/customers/:externalId',
    { preHandler: roles.host, schema: { tags, summary: 'Create or update a customer (idempotent upsert)', body: deps.docs.schema(billingCustomerSchema) } },
    async (request, reply) => {
      const r = await billing.work.putCustomer(tenantOf(request), request.params.externalId, request.body);
      return reply.code(r.created ? 201 : 200).send({ customer: r.customer, created: r.created });
    },
  );

  app.get<WithId>('/v1/billing/customers/:externalId', { preHandler: roles.finance, schema: { tags, summary: 'A customer' } }, async (request) => {
    const customer = await billing.store.repos.work.customer(tenantOf(request), request.params.externalId);
    if (!customer) throw ApiError.notFound(`Customer ${request.params.externalId}`);
    return { customer };
  });

  app.put<WithId>(
    '/v1/billing/projects/:externalId',
    { preHandler: roles.host, schema: { tags, summary: 'Create or update a project (idempotent upsert)', body: deps.docs.schema(billingProjectSchema) } },
    async (request, reply) => {
      const r = await billing.work.putProject(tenantOf(request), request.params.externalId, request.body);
      return reply.code(r.created ? 201 : 200).send({ project: r.project, created: r.created });
    },
  );

  app.put<WithId>(
    '/v1/billing/tasks/:externalId',
    {
      preHandler: roles.host,
      schema: { tags, summary: 'Create or update a task; turning it closed puts its billable work on the project\'s open draft', body: deps.docs.schema(billingTaskSchema) },
    },
    async (request, reply) => {
      const r = await billing.work.putTask(tenantOf(request), request.params.externalId, request.body);
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.post(
    '/v1/billing/entries',
    {
      preHandler: roles.host,
      schema: { tags, summary: 'Push up to 1,000 entries (idempotent by externalId; 409 already_billed for a change to a billed entry)', body: deps.docs.schema(entriesBodySchema) },
    },
    async (request) => billing.work.pushEntries(tenantOf(request), request.body),
  );

  app.get('/v1/billing/settings', { preHandler: roles.settingsReader, schema: { tags, summary: 'Billing settings' } }, async (request) => billing.settings(tenantOf(request)));

  app.put(
    '/v1/billing/settings',
    { preHandler: roles.admin, schema: { tags, summary: 'Billing settings: approval flow, time zone, seller, first invoice number', body: deps.docs.schema(billingSettingsSchema) } },
    async (request) => billing.putSettings(tenantOf(request), request.body, actorOf(request)),
  );
}

import type { FastifyInstance } from 'fastify';
import type { BillingRouteDeps } from './billing-route-deps.js';
import { actorOf, tenantOf } from '../../http/auth.js';
import { compileBody, operationView } from '../compile-service.js';
import { patchDraftBody, patchTaskBody } from '../draft-schemas.js';
import { invoiceView } from '../invoice-views.js';
import { billingRoles } from './billing-auth.js';

/** Compile, operations, items, drafts (review, release) and released invoices. */
export function billingDraftRoutes(app: FastifyInstance, deps: BillingRouteDeps): void {
  const roles = billingRoles(deps);
  const billing = deps.billing;
  const tags = ['billing'];

  app.post(
    '/v1/billing/compile',
    { preHandler: roles.compiler, schema: { tags, summary: 'Compile unbilled, stopped work into billable items (202 {operationId})', body: deps.docs.schema(compileBody) } },
    async (request, reply) => {
      const op = await billing.compile.start(tenantOf(request), request.body);
      return reply.code(202).header('location', `/v1/billing/operations/${op.id}`).send({ operationId: op.id, status: op.status });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/billing/operations/:id',
    { preHandler: roles.compiler, schema: { tags, summary: 'A compile or generate operation: status, counts, problems' } },
    async (request) => operationView(await billing.compile.get(tenantOf(request), request.params.id)),
  );

  app.get('/v1/billing/items', { preHandler: roles.finance, schema: { tags, summary: 'Billable items (?status=pending|invoiced|excluded&projectExternalId=)' } }, async (request) =>
    billing.drafts.items(tenantOf(request), request.query),
  );

  app.get('/v1/billing/drafts', { preHandler: roles.finance, schema: { tags, summary: 'Drafts (?projectExternalId=&status=open|released)' } }, async (request) =>
    billing.drafts.list(tenantOf(request), request.query),
  );

  app.get<{ Params: { id: string } }>('/v1/billing/drafts/:id', { preHandler: roles.finance, schema: { tags, summary: 'A draft: tasks, other lines, totals, problems' } }, async (request) =>
    billing.drafts.view(tenantOf(request), request.params.id, { check: true }),
  );

  app.patch<{ Params: { id: string; taskExternalId: string } }>(
    '/v1/billing/drafts/:id/tasks/:taskExternalId',
    { preHandler: roles.finance, schema: { tags, summary: "Set or adjust a task's billed hours, rename its line, or exclude it (do not bill)", body: deps.docs.schema(patchTaskBody) } },
    async (request) => billing.drafts.patchTask(tenantOf(request), request.params.id, request.params.taskExternalId, request.body, actorOf(request)),
  );

  app.patch<{ Params: { id: string } }>(
    '/v1/billing/drafts/:id',
    { preHandler: roles.finance, schema: { tags, summary: 'Dates, payment term, contact person, e-mail, notes; add, remove or restore lines', body: deps.docs.schema(patchDraftBody) } },
    async (request) => billing.drafts.patchDraft(tenantOf(request), request.params.id, request.body, actorOf(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/billing/drafts/:id/release',
    { preHandler: roles.finance, schema: { tags, summary: 'Release the draft as an immutable invoice and sync it (idempotent)' } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const { created, invoice } = await billing.release.release(tenantId, request.params.id, actorOf(request));
      const record = invoice.syncRecordId ? await billing.store.repos.core.records.get(tenantId, invoice.syncRecordId) : null;
      return reply
        .code(created ? 201 : 200)
        .header('location', `/v1/billing/invoices/${invoice.id}`)
        .send({ invoiceId: invoice.id, syncRecordId: invoice.syncRecordId, number: invoice.number, status: invoice.status, totals: invoice.totals, handoffError: invoice.handoffError, invoice: invoiceView(invoice, record, false) });
    },
  );

  app.get('/v1/billing/invoices', { preHandler: roles.finance, schema: { tags, summary: 'Released invoices (?status=ready_to_send|sent)' } }, async (request) =>
    billing.invoices.list(tenantOf(request), request.query),
  );

  app.get<{ Params: { id: string } }>('/v1/billing/invoices/:id', { preHandler: roles.finance, schema: { tags, summary: 'A released invoice with its lines and sync state' } }, async (request) =>
    billing.invoices.detail(tenantOf(request), request.params.id),
  );
}

import type { FastifyInstance } from 'fastify';
import type { BillingRouteDeps } from './billing-route-deps.js';
import { actorOf, tenantOf } from '../../http/auth.js';
import { approvalBody, candidateDraftBody, freeformDraftBody, lockBody } from '../period-schemas.js';
import { billingRoles } from './billing-auth.js';

/** Billing by period: locks and approvals (host), candidates, period and freeform drafts, the cycle, sending and the PDF (finance). */
export function billingPeriodRoutes(app: FastifyInstance, deps: BillingRouteDeps): void {
  const roles = billingRoles(deps);
  const billing = deps.billing;
  const tags = ['billing'];

  app.put<{ Params: { userId: string } }>(
    '/v1/billing/users/:userId/lock',
    { preHandler: roles.host, schema: { tags, summary: "Lock a person's timesheet until a day (null: unlocked)", body: deps.docs.schema(lockBody) } },
    async (request) => billing.cycle.setLock(tenantOf(request), request.params.userId, request.body),
  );

  app.post(
    '/v1/billing/approvals',
    { preHandler: roles.host, schema: { tags, summary: "Approve a person's time for a range of days", body: deps.docs.schema(approvalBody) } },
    async (request, reply) => {
      const r = await billing.cycle.approve(tenantOf(request), request.body, actorOf(request));
      return reply.code(r.created ? 201 : 200).send(r);
    },
  );

  app.get('/v1/billing/candidates', { preHandler: roles.finance, schema: { tags, summary: 'What can be invoiced from a range (?from=&to=&groupBy=project|customer&q=)' } }, async (request) =>
    billing.periods.candidates(tenantOf(request), request.query),
  );

  app.post(
    '/v1/billing/drafts',
    {
      preHandler: roles.finance,
      schema: {
        tags,
        summary: 'A draft from a candidate ({from, to, groupBy, key}) or a freeform invoice or credit note ({freeform: true, …})',
        body: { oneOf: [deps.docs.schema(candidateDraftBody), deps.docs.schema(freeformDraftBody)] },
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const body = request.body as Record<string, unknown> | null;
      const view =
        body && typeof body === 'object' && 'freeform' in body
          ? await billing.periods.createFreeform(tenantId, body, actorOf(request))
          : await billing.periods.createFromCandidate(tenantId, body, actorOf(request));
      return reply.code(201).header('location', `/v1/billing/drafts/${(view as { id: string }).id}`).send(view);
    },
  );

  app.get('/v1/billing/cycle', { preHandler: roles.finance, schema: { tags, summary: 'The invoicing cycle of a month (?period=YYYY-MM)' } }, async (request) =>
    billing.cycle.cycle(tenantOf(request), request.query),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/billing/invoices/:id/mark-sent',
    { preHandler: roles.finance, schema: { tags, summary: 'Mark a released invoice sent (who and when are kept; idempotent)' } },
    async (request) => billing.sending.markSent(tenantOf(request), request.params.id, actorOf(request)),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/billing/invoices/:id/pdf',
    { preHandler: roles.finance, schema: { tags, summary: 'The invoice as a PDF (application/pdf)' } },
    async (request, reply) => {
      const { filename, pdf } = await billing.sending.pdf(tenantOf(request), request.params.id);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${filename}"`).send(pdf);
    },
  );
}

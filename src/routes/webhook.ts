import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isWebhookSecret } from '../events/signing.js';
import { replayDelivery, setWebhook, webhookAad } from '../events/webhook-admin.js';
import { parseOr400 } from '../http/parse.js';
import { parseOutboundUrl } from '../http/url-guard.js';
import { DELIVERY_STATUSES, WebhookLogRepo, type DeliveryLogEntry } from '../store/webhook-log-repo.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

export const webhookBody = z.strictObject({
  url: z.string().superRefine((value, ctx) => {
    const check = parseOutboundUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
  }),
  secret: z.string().refine(isWebhookSecret, 'must be "whsec_" followed by at least 16 base64-encoded bytes').optional(),
});

export const deliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  cursor: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export { webhookAad };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deliveryView(d: DeliveryLogEntry) {
  return {
    id: d.id,
    type: d.eventType,
    recordId: d.recordId,
    externalId: d.externalId,
    sequence: d.sequence,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
  };
}

/** Admin routes: where status events go (the signing secret is returned once), the delivery log, replays. */
export function webhookRoutes(app: FastifyInstance, deps: AppDeps): void {
  const admin = requireRole(deps.auth, 'admin');
  const log = new WebhookLogRepo(deps.store.db);

  app.put('/v1/webhook', { preHandler: admin, schema: { tags: ['admin'], summary: 'Set the status-event webhook', body: deps.docs.schema(webhookBody) } }, async (request) => {
    const body = parseOr400(webhookBody, request.body);
    return setWebhook(deps, tenantOf(request), body.url, body.secret, actorOf(request));
  });

  app.get('/v1/webhook', { preHandler: admin, schema: { tags: ['admin'], summary: 'The status-event webhook (its URL; the secret is never shown again)' } }, async (request) => {
    const endpoint = await deps.store.repos.webhooks.endpoint(tenantOf(request));
    return { url: endpoint?.url ?? null, configured: endpoint !== null };
  });

  app.get(
    '/v1/webhook/deliveries',
    {
      preHandler: admin,
      schema: { tags: ['admin'], summary: 'The webhook delivery log, newest first: status, tries, last answer (`?status=pending|delivered|failed`, `cursor`, `limit`)', querystring: deps.docs.schema(deliveriesQuery) },
    },
    async (request) => {
      const q = parseOr400(deliveriesQuery, request.query);
      const rows = await log.list(tenantOf(request), { ...(q.status ? { status: q.status } : {}) }, { limit: q.limit + 1, ...(q.cursor ? { before: q.cursor } : {}) });
      const items = rows.slice(0, q.limit);
      return { items: items.map(deliveryView), nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/webhook/deliveries/:id/replay',
    { preHandler: admin, schema: { tags: ['admin'], summary: 'Deliver an event again now (same webhook-id, so receivers deduplicate it); 202' } },
    async (request, reply) => {
      await replayDelivery(deps, tenantOf(request), request.params.id, actorOf(request));
      return reply.code(202).send({ id: request.params.id, status: 'pending' });
    },
  );
}

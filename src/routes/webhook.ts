import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { generateWebhookSecret, isWebhookSecret } from '../events/signing.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { checkOutboundUrl, parseOutboundUrl } from '../http/url-guard.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, tenantOf } from './auth.js';

export const webhookBody = z.strictObject({
  url: z.string().superRefine((value, ctx) => {
    const check = parseOutboundUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
  }),
  secret: z.string().refine(isWebhookSecret, 'must be "whsec_" followed by at least 16 base64-encoded bytes').optional(),
});

export const webhookAad = (tenantId: string) => `webhook:${tenantId}`;

/** Admin route: where status events go. The signing secret is returned once. */
export function webhookRoutes(app: FastifyInstance, deps: AppDeps): void {
  const admin = requireRole(deps.auth, 'admin');

  app.put('/v1/webhook', { preHandler: admin, schema: { tags: ['admin'], summary: 'Set the status-event webhook', body: deps.docs.schema(webhookBody) } }, async (request) => {
    const tenantId = tenantOf(request);
    const body = parseOr400(webhookBody, request.body);
    const check = await checkOutboundUrl(body.url, deps.urlPolicy);
    if (!check.ok) throw ApiError.badInput([{ path: 'url', code: check.unresolved ? 'host_not_resolved' : 'url_not_allowed', message: check.reason }]);
    const secret = body.secret ?? generateWebhookSecret();
    await deps.store.repos.webhooks.setEndpoint(tenantId, body.url, deps.secretBox.seal(secret, webhookAad(tenantId)));
    await deps.store.repos.audit.record({ tenantId, actor: actorOf(request), action: 'webhook.set', target: body.url });
    return { url: body.url, secret };
  });
}

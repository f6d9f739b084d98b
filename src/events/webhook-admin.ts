import type { Logger } from 'pino';
import { ApiError } from '../http/api-error.js';
import { checkOutboundUrl, type UrlPolicy } from '../http/url-guard.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { WebhookLogRepo } from '../store/webhook-log-repo.js';
import { generateWebhookSecret } from './signing.js';

export const webhookAad = (tenantId: string) => `webhook:${tenantId}`;

/**
 * Sets where a tenant's status events go, with the given signing secret or a
 * new one; returns the secret (the caller shows it once; it is stored sealed).
 * Used by `PUT /v1/webhook` and the console (which rotates the secret this way).
 */
export async function setWebhook(
  deps: { store: Store; secretBox: SecretBox; urlPolicy: UrlPolicy },
  tenantId: string,
  url: string,
  secret: string | undefined,
  actor: string,
): Promise<{ url: string; secret: string }> {
  const check = await checkOutboundUrl(url, deps.urlPolicy);
  if (!check.ok) throw ApiError.badInput([{ path: 'url', code: check.unresolved ? 'host_not_resolved' : 'url_not_allowed', message: check.reason }]);
  const chosen = secret ?? generateWebhookSecret();
  await deps.store.repos.webhooks.setEndpoint(tenantId, url, deps.secretBox.seal(chosen, webhookAad(tenantId)));
  await deps.store.repos.audit.record({ tenantId, actor, action: 'webhook.set', target: url });
  return { url, secret: chosen };
}

/**
 * Puts a delivery back on the queue for one more try now (same webhook-id, so
 * a receiver that has it already deduplicates it). Its own job — the id carries
 * the time of the replay — so it never merges with a retry already scheduled;
 * if Redis cannot take it, the sweep delivers the pending row.
 */
export async function replayDelivery(deps: { store: Store; scheduler: Scheduler; log: Logger }, tenantId: string, id: string, actor: string): Promise<void> {
  const replayed = await new WebhookLogRepo(deps.store.db).replay(tenantId, id);
  if (!replayed) throw ApiError.notFound(`Webhook delivery ${id}`);
  await deps.store.repos.audit.record({ tenantId, actor, action: 'webhook.replay', target: id });
  await deps.scheduler.scheduleDelivery(id, Date.now(), 0).catch((err: unknown) => deps.log.warn({ err, deliveryId: id }, 'could not enqueue the replay; the sweep will'));
}

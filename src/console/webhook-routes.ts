import type { FastifyInstance } from 'fastify';
import { replayDelivery, setWebhook, webhookAad } from '../events/webhook-admin.js';
import { ApiError } from '../http/api-error.js';
import { DELIVERY_STATUSES, WebhookLogRepo } from '../store/webhook-log-repo.js';
import { actorOfUser } from './actor.js';
import { field, type ConsoleKit } from './kit.js';
import type { ConsoleUser } from './session.js';
import { webhookPage } from './webhook-page.js';

const SECTION = '/console/webhook';
const PAGE_SIZE = 50;

/** The webhook (admin): its address, rotating the signing secret (shown once), the delivery log with replay. */
export function webhookPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const admin = kit.guard(['admin']);
  const deps = kit.deps;
  const log = new WebhookLogRepo(deps.store.db);

  async function render(user: ConsoleUser, query: unknown, extra: { newSecret?: string; typedUrl?: string } = {}) {
    const raw = field(query, 'status');
    const status = raw && (DELIVERY_STATUSES as readonly string[]).includes(raw) ? raw : undefined;
    const after = field(query, 'after');
    const cursor = after && /^[\w-]{1,60}$/.test(after) ? after : undefined;
    const [endpoint, rows] = await Promise.all([
      deps.store.repos.webhooks.endpoint(user.tenantId),
      log.list(user.tenantId, { ...(status ? { status } : {}) }, { limit: PAGE_SIZE + 1, ...(cursor ? { before: cursor } : {}) }),
    ]);
    const deliveries = rows.slice(0, PAGE_SIZE);
    return webhookPage({
      user,
      url: endpoint?.url ?? null,
      ...(extra.typedUrl !== undefined ? { typedUrl: extra.typedUrl } : {}),
      newSecret: extra.newSecret ?? null,
      deliveries,
      ...(status ? { status } : {}),
      nextCursor: rows.length > PAGE_SIZE ? deliveries[deliveries.length - 1]!.id : null,
      isFirstPage: !cursor,
      canSeeInvoices: user.roles.includes('finance'),
    });
  }

  scope.get('/webhook', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const done = field(request.query, 'done');
    const flash = done === 'saved' ? { kind: 'ok' as const, text: user.t('webhook.saved') } : done === 'replayed' ? { kind: 'ok' as const, text: user.t('webhook.replayed') } : null;
    return kit.page(reply, user, user.t('webhook.title'), await render(user, request.query), { section: SECTION, flash });
  });

  scope.post('/webhook', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const url = (field(request.body, 'url') ?? '').trim();
    const current = await deps.store.repos.webhooks.endpoint(user.tenantId);
    // Changing the address keeps the secret the receiving system already has.
    const secret = current ? deps.secretBox.open<string>(current.secret, webhookAad(user.tenantId)) : undefined;
    try {
      const saved = await setWebhook(deps, user.tenantId, url, secret, actorOfUser(user));
      if (!current) return kit.page(reply, user, user.t('webhook.title'), await render(user, {}, { newSecret: saved.secret }), { section: SECTION });
      return kit.redirect(reply, '/console/webhook?done=saved');
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode !== 400) throw error;
      const details = (error.toBody().error.details ?? []) as Array<{ message: string }>;
      return kit.page(reply, user, user.t('webhook.title'), await render(user, {}, { typedUrl: url }), {
        section: SECTION,
        status: 422,
        flash: { kind: 'error', text: user.t('webhook.invalid', { message: details.map((d) => d.message).join('; ') || error.message }) },
      });
    }
  });

  scope.post('/webhook/rotate', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const current = await deps.store.repos.webhooks.endpoint(user.tenantId);
    if (!current) return kit.redirect(reply, '/console/webhook');
    const saved = await setWebhook(deps, user.tenantId, current.url, undefined, actorOfUser(user));
    return kit.page(reply, user, user.t('webhook.title'), await render(user, {}, { newSecret: saved.secret }), { section: SECTION });
  });

  scope.post<{ Params: { id: string } }>('/webhook/deliveries/:id/replay', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    await replayDelivery(deps, user.tenantId, request.params.id, actorOfUser(user));
    return kit.redirect(reply, '/console/webhook?done=replayed');
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../domain/invoice-document.js';
import { ApiError } from '../http/api-error.js';
import { loadConnection, publicConnection } from '../sync/connection-store.js';
import { testConnection, verifyAndSaveConnection } from '../sync/connection-service.js';
import { actorOfUser } from './actor.js';
import { connectionsPage, settingFields, settingsFromForm, type ProviderPanel } from './connections-page.js';
import { field, type ConsoleKit } from './kit.js';
import type { ConsoleUser } from './session.js';

const SECTION = '/console/connections';

/** Connections (admin): health, the provider's settings form (secrets write-only), test connection. */
export function connectionPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const admin = kit.guard(['admin']);
  const deps = kit.deps;
  const providers = Object.values(deps.registry).filter((p): p is NonNullable<typeof p> => Boolean(p));

  const fieldsOf = (provider: (typeof providers)[number]) => settingFields(deps.docs.schema(provider.settingsSchema), provider.secretFields);

  async function panels(user: ConsoleUser, override: Partial<ProviderPanel> & { id?: string } = {}): Promise<ProviderPanel[]> {
    const rows = await deps.store.repos.connections.list(user.tenantId);
    return providers.map((provider) => {
      const row = rows.find((r) => r.provider === provider.id);
      const connection = row ? publicConnection(row, provider) : null;
      const { fields, advanced } = fieldsOf(provider);
      const base: ProviderPanel = { id: provider.id, displayName: provider.displayName, connection, fields, advanced, values: connection?.settings ?? {}, problems: [], message: null, revealOnce: {} };
      return override.id === provider.id ? { ...base, ...override } : base;
    });
  }

  const show = async (reply: FastifyReply, user: ConsoleUser, override: Partial<ProviderPanel> & { id?: string } = {}, status = 200) =>
    kit.page(reply, user, user.t('connections.title'), connectionsPage(user, await panels(user, override)), { section: SECTION, status });

  scope.get('/connections', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const done = field(request.query, 'done');
    const provider = field(request.query, 'provider');
    const text = done === 'saved' ? user.t('connections.saved') : done === 'tested' ? user.t('connections.tested') : null;
    return show(reply, user, text && provider ? { id: provider, message: { kind: 'ok', text } } : {});
  });

  scope.post<{ Params: { provider: string } }>('/connections/:provider', { preHandler: admin }, async (request: FastifyRequest<{ Params: { provider: string } }>, reply) => {
    const user = kit.userOf(request);
    const provider = providers.find((p) => p.id === request.params.provider);
    if (!provider) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
    const { fields } = fieldsOf(provider);
    const saved = await loadConnection(deps.store.repos, deps.secretBox, user.tenantId, provider.id).catch(() => null);
    const savedSecrets = Object.fromEntries(provider.secretFields.filter((f) => saved?.settings[f] !== undefined).map((f) => [f, saved!.settings[f]]));
    const body = settingsFromForm(fields, (name) => field(request.body, name), savedSecrets);
    // What was typed goes back into the form on refusal; secrets never do.
    const typed = Object.fromEntries(fields.filter((f) => f.kind !== 'secret').map((f) => [f.name, field(request.body, f.name) ?? '']));
    try {
      const { revealOnce } = await verifyAndSaveConnection(deps, user.tenantId, provider.id, body, actorOfUser(user));
      if (Object.keys(revealOnce).length) {
        return show(reply, user, { id: provider.id, revealOnce, message: { kind: 'ok', text: user.t('connections.saved') } });
      }
      return kit.redirect(reply, `/console/connections?done=saved&provider=${provider.id}#${provider.id}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.statusCode === 400) {
        const problems = ((error.toBody().error as { details?: Problem[] }).details ?? []) as Problem[];
        return show(reply, user, { id: provider.id, values: typed, problems, message: { kind: 'error', text: user.t('connections.problems', { count: problems.length }) } }, 422);
      }
      return show(reply, user, { id: provider.id, values: typed, message: { kind: 'error', text: user.t('connections.refused', { message: error.message }) } }, error.statusCode);
    }
  });

  scope.post<{ Params: { provider: string } }>('/connections/:provider/test', { preHandler: admin }, async (request: FastifyRequest<{ Params: { provider: string } }>, reply) => {
    const user = kit.userOf(request);
    const provider = providers.find((p) => p.id === request.params.provider);
    if (!provider) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
    const result = await testConnection(deps, user.tenantId, provider.id);
    if (result.ok) return kit.redirect(reply, `/console/connections?done=tested&provider=${provider.id}#${provider.id}`);
    return show(reply, user, { id: provider.id, message: { kind: 'error', text: user.t('connections.testFailed', { message: result.message }) } }, 200);
  });
}

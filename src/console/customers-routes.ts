import type { FastifyInstance } from 'fastify';
import { customerLinkBody } from '../routes/customer-links.js';
import { ConsoleCustomersRepo } from '../store/console-customers-repo.js';
import { actorOfUser } from './actor.js';
import { customersPage } from './customers-page.js';
import { field, type ConsoleKit } from './kit.js';
import type { ConsoleUser } from './session.js';

const SECTION = '/console/customers';

/** Customer links (admin): host customers with their link per connected provider; link and unlink. */
export function customerPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const admin = kit.guard(['admin']);
  const deps = kit.deps;
  const customersRepo = new ConsoleCustomersRepo(deps.store.db);

  async function render(user: ConsoleUser, q: string | undefined) {
    const [customers, connections] = await Promise.all([customersRepo.list(user.tenantId, q, 200), deps.store.repos.connections.list(user.tenantId)]);
    const links = await customersRepo.links(user.tenantId, customers.map((c) => c.externalId));
    const providers = connections.map((c) => ({ id: c.provider, displayName: deps.registry[c.provider as keyof typeof deps.registry]?.displayName ?? c.provider }));
    return customersPage({ user, customers, links, providers, ...(q ? { q } : {}) });
  }

  scope.get('/customers', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const q = field(request.query, 'q')?.trim().slice(0, 200) || undefined;
    const done = field(request.query, 'done');
    const flash = done === 'linked' ? { kind: 'ok' as const, text: user.t('customers.linked') } : done === 'unlinked' ? { kind: 'ok' as const, text: user.t('customers.unlinked') } : null;
    return kit.page(reply, user, user.t('customers.title'), await render(user, q), { section: SECTION, flash });
  });

  scope.post('/customers/link', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const customer = (field(request.body, 'customer') ?? '').trim();
    const parsed = customerLinkBody.safeParse({ provider: field(request.body, 'provider'), providerCustomerId: field(request.body, 'providerCustomerId') });
    if (!customer || customer.length > 100 || !parsed.success) {
      const message = parsed.success ? 'customer' : parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.')} ${i.message}`).join('; ');
      return kit.page(reply, user, user.t('customers.title'), await render(user, undefined), { section: SECTION, status: 422, flash: { kind: 'error', text: user.t('customers.invalid', { message }) } });
    }
    const body = parsed.data;
    await deps.store.repos.links.setCustomer(user.tenantId, { provider: body.provider, customerExternalId: customer, providerCustomerId: body.providerCustomerId, how: 'manual' });
    await deps.store.repos.audit.record({ tenantId: user.tenantId, actor: actorOfUser(user), action: 'customer_link.set', target: customer, details: body });
    return kit.redirect(reply, '/console/customers?done=linked');
  });

  scope.post('/customers/unlink', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const customer = field(request.body, 'customer') ?? '';
    const provider = field(request.body, 'provider') ?? '';
    const removed = await deps.store.repos.links.deleteCustomer(user.tenantId, provider, customer);
    if (removed === 0) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
    await deps.store.repos.audit.record({ tenantId: user.tenantId, actor: actorOfUser(user), action: 'customer_link.delete', target: customer, details: { provider } });
    return kit.redirect(reply, '/console/customers?done=unlinked');
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BULK_RESYNC_LIMIT } from '../sync/resync-refusal.js';
import type { AppDeps } from '../app-deps.js';
import { fromTimeSchema, toTimeSchema } from '../domain/dates.js';
import { PROVIDER_IDS } from '../domain/invoice-document.js';
import { ApiError } from '../http/api-error.js';
import { actorOfUser } from './actor.js';
import type { Role } from '../store/api-keys-repo.js';
import { ConsoleInvoicesRepo, decodeCursor, encodeCursor, type ConsoleInvoiceFilter } from '../store/console-invoices-repo.js';
import { STATUSES, type SyncStatus } from '../store/records-repo.js';
import { RESYNCABLE } from '../sync/invoice-service.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { html, queryString, type Html } from './html.js';
import { invoicePage } from './invoice-page.js';
import { bulkResyncPage, invoicesPage, type ListParams } from './invoices-page.js';
import { layout, sectionsFor, sendPage } from './layout.js';
import { isLocale, translator, type Locale, type MessageKey } from './messages.js';
import { cookies, ConsoleSessions, newToken, PRE_COOKIE, sameToken, SESSION_COOKIE, SESSION_HOURS, setCookie, type ConsoleUser } from './session.js';
import { signInPage } from './sign-in-page.js';
import { field, type ConsoleKit } from './kit.js';
import { mappingPages } from './mappings-routes.js';
import { connectionPages } from './connections-routes.js';
import { webhookPages } from './webhook-routes.js';
import { customerPages } from './customers-routes.js';
import { billingPages } from './billing-routes.js';

const PAGE_SIZE = 50;

/** A form body (urlencoded) as an object of strings; repeated names keep the last value. */
function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/** The list's filters from a query or form: what was given as typed, the parsed filter, and what was not understood. */
function readFilter(source: unknown): { params: ListParams; filter: ConsoleInvoiceFilter; problems: string[] } {
  const params: ListParams = {};
  const filter: ConsoleInvoiceFilter = {};
  const problems: string[] = [];
  const status = field(source, 'status')?.trim();
  if (status) {
    params.status = status;
    const list = status.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((s) => !(STATUSES as readonly string[]).includes(s));
    if (bad.length) problems.push(`status: ${bad.join(', ')} (${STATUSES.join(', ')})`);
    else filter.status = list as SyncStatus[];
  }
  const provider = field(source, 'provider')?.trim();
  if (provider) {
    params.provider = provider;
    if ((PROVIDER_IDS as readonly string[]).includes(provider)) filter.provider = provider;
    else problems.push(`provider: ${provider} (${PROVIDER_IDS.join(', ')})`);
  }
  for (const [name, schema] of [['from', fromTimeSchema], ['to', toTimeSchema]] as const) {
    const value = field(source, name)?.trim();
    if (!value) continue;
    params[name] = value;
    const parsed = schema.safeParse(value);
    if (parsed.success) filter[name] = parsed.data;
    else problems.push(`${name}: ${value} (YYYY-MM-DD)`);
  }
  const q = field(source, 'q')?.trim();
  if (q) {
    params.q = q.slice(0, 200);
    filter.text = params.q;
  }
  return { params, filter, problems };
}

/** What a bulk resync of a filter takes up: its resyncable statuses (all three when none is named). */
function resyncableFilter(filter: ConsoleInvoiceFilter): ConsoleInvoiceFilter | null {
  const statuses = (filter.status?.length ? filter.status : [...RESYNCABLE]).filter((s) => RESYNCABLE.includes(s));
  return statuses.length ? { ...filter, status: statuses } : null;
}

const DONE: Record<string, MessageKey> = { billed: 'invoice.billed', resynced: 'invoice.resynced', cancelled: 'invoice.cancelled', cancel_requested: 'invoice.cancelRequested', bulk: 'bulk.done' };

function doneFlash(query: unknown, user: ConsoleUser): { kind: 'ok' | 'error'; text: string } | null {
  const done = field(query, 'done');
  const key = done && Object.hasOwn(DONE, done) ? DONE[done]! : null;
  if (!key) return null;
  const number = (name: string) => {
    const n = Number(field(query, name) ?? '0');
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  };
  const text = user.t(key, { count: number('count') });
  const skipped = done === 'bulk' ? number('skipped') : 0;
  const more = done === 'bulk' && field(query, 'more') === '1';
  const said = [text, ...(skipped ? [user.t('bulk.skipped', { count: skipped })] : []), ...(more ? [user.t('bulk.more')] : [])].join(' ');
  return skipped || more ? { kind: 'error', text: said } : { kind: 'ok', text };
}

/**
 * The web console at /console (issue 13): server-rendered pages over the same
 * services the API routes use, a session cookie made from an API key, a CSRF
 * token on every form. Registered in its own scope, so its form parser and
 * HTML error pages do not change the JSON API.
 */
export function consoleRoutes(app: FastifyInstance, deps: AppDeps): void {
  const sessions = new ConsoleSessions(deps);
  const invoicesRepo = new ConsoleInvoicesRepo(deps.store.db);

  app.register(
    async (scope) => {
      // Pages, not API: kept out of the OpenAPI description.
      scope.addHook('onRoute', (route) => {
        route.schema = { ...(route.schema ?? {}), hide: true };
      });
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, parseForm(body as string)));

      const page = (
        reply: FastifyReply,
        user: ConsoleUser | null,
        locale: Locale,
        title: string,
        body: Html,
        options: { status?: number; section?: string; flash?: { kind: 'ok' | 'error'; text: string } | null; refreshSeconds?: number } = {},
      ) =>
        sendPage(
          reply,
          layout({ title, user, locale, body, ...(options.section ? { section: options.section } : {}), flash: options.flash ?? null, ...(options.refreshSeconds ? { refreshSeconds: options.refreshSeconds } : {}) }),
          options.status ?? 200,
        );

      const messagePage = (request: FastifyRequest, reply: FastifyReply, status: number, title: MessageKey, text: string) => {
        const user = request.consoleUser ?? null;
        const locale = user?.locale ?? 'fi';
        const t = translator(locale);
        return page(reply, user, locale, t(title), html`<h1>${t(title)}</h1><p class="card">${text}</p><p><a href="/console">${t('app.title')}</a></p>`, { status });
      };

      // Server time of every console answer (issue 13 asks < 300 ms per page), visible in the browser's dev tools.
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
      });

      scope.setErrorHandler((error, request, reply) => {
        if (error instanceof ApiError) {
          // Unstorable input (NUL, lone surrogates): the API's answer, naming the field.
          if (error.statusCode === 400) return reply.code(400).send(error.toBody());
          const t = translator(request.consoleUser?.locale ?? 'fi');
          if (error.statusCode === 404) return messagePage(request, reply, 404, 'notFound.title', t('notFound.body'));
          return messagePage(request, reply, error.statusCode, 'forbidden.title', error.message);
        }
        throw error;
      });

      scope.setNotFoundHandler((request, reply) => messagePage(request, reply, 404, 'notFound.title', translator(request.consoleUser?.locale ?? 'fi')('notFound.body')));

      /** Signed in (else to the sign-in page), the CSRF token on every POST, and one of the roles when given. */
      const guard = (roles: Role[] | null) => async (request: FastifyRequest, reply: FastifyReply) => {
        const user = await sessions.userOf(request);
        if (!user) {
          const hadCookie = Boolean(cookies(request)[SESSION_COOKIE]);
          return reply.code(303).header('location', `/console/sign-in${hadCookie ? '?m=expired' : ''}`).send();
        }
        request.consoleUser = user;
        if (request.method === 'POST' && !sameToken(field(request.body, '_csrf'), user.csrf)) {
          return messagePage(request, reply, 403, 'forbidden.title', user.t('csrf.failed'));
        }
        if (roles && !roles.some((r) => user.roles.includes(r))) {
          return messagePage(request, reply, 403, 'forbidden.title', user.t('forbidden.body', { roles: user.roles.join(', '), needed: roles.join(' / ') }));
        }
        return undefined;
      };
      const kit: ConsoleKit = {
        deps,
        guard,
        userOf: (request) => request.consoleUser!,
        page: (reply, user, title, body, options = {}) => page(reply, user, user.locale, title, body, options),
        messagePage,
        redirect: (reply, location) => reply.code(303).header('location', location).send(),
      };
      mappingPages(scope, kit);
      connectionPages(scope, kit);
      webhookPages(scope, kit);
      customerPages(scope, kit);
      billingPages(scope, kit);

      const signedIn = guard(null);
      const finance = guard(['finance']);
      const userOf = (request: FastifyRequest) => request.consoleUser!;

      scope.get('/assets/console.css', async (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CONSOLE_CSS));
      scope.get('/assets/console.js', async (_request, reply) => reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(CONSOLE_JS));

      scope.get('/', { preHandler: signedIn }, async (request, reply) => {
        const user = userOf(request);
        const first = sectionsFor(user)[0];
        if (first) return reply.code(303).header('location', first.path).send();
        return messagePage(request, reply, 200, 'app.title', user.t('nav.signedInAs', { tenant: user.tenantId, roles: user.roles.join(', ') }));
      });

      // ---------------------------------------------------------------- sign in / out, language

      const showSignIn = (request: FastifyRequest, reply: FastifyReply, locale: Locale, message: { kind: 'ok' | 'error'; text: string } | null, status = 200) => {
        const preToken = newToken();
        setCookie(reply, request, PRE_COOKIE, preToken, 3600);
        return sendPage(reply, signInPage({ locale, preToken, message }), status);
      };

      scope.get('/sign-in', async (request, reply) => {
        if (await sessions.userOf(request)) return reply.code(303).header('location', '/console').send();
        const lang = field(request.query, 'lang');
        const locale: Locale = isLocale(lang) ? lang : 'fi';
        const t = translator(locale);
        const m = field(request.query, 'm');
        const message = m === 'signed_out' ? { kind: 'ok' as const, text: t('signIn.signedOut') } : m === 'expired' ? { kind: 'error' as const, text: t('signIn.expired') } : null;
        return showSignIn(request, reply, locale, message);
      });

      scope.post('/sign-in', async (request, reply) => {
        const lang = field(request.body, 'locale');
        const locale: Locale = isLocale(lang) ? lang : 'fi';
        const t = translator(locale);
        if (!sameToken(field(request.body, '_csrf'), cookies(request)[PRE_COOKIE])) return showSignIn(request, reply, locale, { kind: 'error', text: t('csrf.failed') }, 403);
        const key = field(request.body, 'key') ?? '';
        const result = key.trim() && key.length <= 500 ? await sessions.signIn(key, locale) : ({ ok: false, why: 'invalid' } as const);
        if (!result.ok) {
          request.log.info({ why: result.why }, 'console sign-in refused');
          return showSignIn(request, reply, locale, { kind: 'error', text: t(result.why === 'host_only' ? 'signIn.noConsoleRole' : 'signIn.invalid') }, 401);
        }
        setCookie(reply, request, PRE_COOKIE, '', 0);
        setCookie(reply, request, SESSION_COOKIE, result.token, SESSION_HOURS * 3600);
        return reply.code(303).header('location', '/console').send();
      });

      scope.post('/sign-out', { preHandler: signedIn }, async (request, reply) => {
        await sessions.signOut(userOf(request));
        setCookie(reply, request, SESSION_COOKIE, '', 0);
        return reply.code(303).header('location', `/console/sign-in?m=signed_out${userOf(request).locale === 'en' ? '&lang=en' : ''}`).send();
      });

      scope.post('/locale', { preHandler: signedIn }, async (request, reply) => {
        const locale = field(request.body, 'locale');
        if (isLocale(locale)) await sessions.setLocale(userOf(request), locale);
        // Back where the person was (our own pages only).
        const referer = request.headers.referer;
        let back = '/console';
        try {
          const url = referer ? new URL(referer) : null;
          if (url && url.host === request.headers.host && url.pathname.startsWith('/console/')) back = url.pathname + url.search;
        } catch {
          // no usable referer
        }
        return reply.code(303).header('location', back).send();
      });

      // ---------------------------------------------------------------- invoices

      scope.get('/invoices', { preHandler: finance }, async (request, reply) => {
        const user = userOf(request);
        const { params, filter, problems } = readFilter(request.query);
        const after = decodeCursor(field(request.query, 'after'));
        const usable = problems.length === 0;
        const [counts, pageOf] = usable
          ? await Promise.all([invoicesRepo.countsByStatus(user.tenantId, filter), invoicesRepo.page(user.tenantId, filter, PAGE_SIZE, after)])
          : [new Map(), { items: [], next: null }];
        const body = invoicesPage({
          user,
          params,
          providers: [...PROVIDER_IDS],
          counts,
          items: pageOf.items,
          nextCursor: pageOf.next ? encodeCursor(pageOf.next) : null,
          isFirstPage: !after,
          now: deps.clock(),
          problems,
        });
        return page(reply, user, user.locale, user.t('invoices.title'), body, { section: '/console/invoices', status: usable ? 200 : 422, flash: doneFlash(request.query, user) });
      });

      scope.get('/invoices/resync', { preHandler: finance }, async (request, reply) => {
        const user = userOf(request);
        const { params, filter, problems } = readFilter(request.query);
        if (problems.length) return reply.code(303).header('location', `/console/invoices${queryString({ ...params })}`).send();
        const target = resyncableFilter(filter);
        const count = target ? await invoicesRepo.count(user.tenantId, target) : 0;
        return page(reply, user, user.locale, user.t('bulk.title'), bulkResyncPage({ user, params, count }), { section: '/console/invoices' });
      });

      scope.post('/invoices/resync', { preHandler: finance }, async (request, reply) => {
        const user = userOf(request);
        const { params, filter, problems } = readFilter(request.body);
        if (problems.length) return reply.code(303).header('location', `/console/invoices${queryString({ ...params })}`).send();
        const target = resyncableFilter(filter);
        let count = 0;
        let skipped = 0;
        let more = false;
        if (target && !target.text) {
          const result = await deps.invoices.bulkResync(user.tenantId, target, actorOfUser(user));
          count = result.count;
          skipped = result.skipped.length;
          more = result.more;
        } else if (target) {
          // Text is the console's own filter: the same resync, one record at a time.
          const ids = await invoicesRepo.ids(user.tenantId, target, BULK_RESYNC_LIMIT + 1);
          more = ids.length > BULK_RESYNC_LIMIT;
          for (const id of ids.slice(0, BULK_RESYNC_LIMIT)) {
            try {
              await deps.invoices.resync(user.tenantId, id, actorOfUser(user));
              count += 1;
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              skipped += 1;
            }
          }
        }
        // What was not restarted is said, not left to be noticed in the list later.
        const done = { done: 'bulk', count: String(count), ...(skipped ? { skipped: String(skipped) } : {}), ...(more ? { more: '1' } : {}) };
        return reply.code(303).header('location', `/console/invoices${queryString({ ...params, ...done })}`).send();
      });

      scope.get<{ Params: { id: string } }>('/invoices/:id', { preHandler: finance }, async (request, reply) => {
        const user = userOf(request);
        const detail = await deps.invoices.detail(user.tenantId, request.params.id);
        return page(reply, user, user.locale, user.t('invoice.title', { externalId: detail.externalId }), invoicePage({ user, detail }), { section: '/console/invoices', flash: doneFlash(request.query, user) });
      });

      /** An invoice action: done → back to the page saying so; refused → the page with the reason. */
      const invoiceAction = (act: (user: ConsoleUser, id: string) => Promise<string>) => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
        const user = userOf(request);
        const id = request.params.id;
        try {
          const done = await act(user, id);
          return reply.code(303).header('location', `/console/invoices/${encodeURIComponent(id)}?done=${done}`).send();
        } catch (error) {
          if (!(error instanceof ApiError) || error.statusCode !== 409) throw error;
          const detail = await deps.invoices.detail(user.tenantId, id);
          return page(reply, user, user.locale, user.t('invoice.title', { externalId: detail.externalId }), invoicePage({ user, detail }), {
            status: 409,
            section: '/console/invoices',
            flash: { kind: 'error', text: user.t('invoice.actionRefused', { message: error.message }) },
          });
        }
      };

      scope.post<{ Params: { id: string } }>(
        '/invoices/:id/resync',
        { preHandler: finance },
        invoiceAction(async (user, id) => {
          await deps.invoices.resync(user.tenantId, id, actorOfUser(user));
          return 'resynced';
        }),
      );

      scope.post<{ Params: { id: string } }>(
        '/invoices/:id/cancel',
        { preHandler: finance },
        invoiceAction(async (user, id) => {
          const { statusCode } = await deps.invoices.cancel(user.tenantId, id, actorOfUser(user));
          return statusCode === 200 ? 'cancelled' : 'cancel_requested';
        }),
      );
    },
    { prefix: '/console' },
  );
}

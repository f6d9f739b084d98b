import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { checkedPayment, checkedTotal, control } from '../../sandbox-kit/sandbox-control.js';
import { invoiceRuleErrors, partnerRuleErrors, textErrors, type RuleError } from './rules.js';
import { businessPartnerSchema, checkingEventSchema, invoiceSchema, sandboxFaultSchema, schemaErrors, type SandboxInvoiceBody } from './schemas.js';
import type { SandboxState, StoredInvoice, StoredPartner } from './state.js';

/**
 * Where the API lives under the sandbox origin. Procountor's own base URLs end
 * in /api; the sandbox serves at its root so its origin is the base URL, the
 * same way every ledgerlink sandbox and the demo address it.
 */
export const API_PREFIX = '';

export interface SandboxApp {
  app: FastifyInstance;
  /** Lets every held response and injected latency go at once (before closing). */
  release(): void;
}

type Query = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Procountor's error answer: `{"errors":[{status, field, message}]}`. */
function fail(reply: FastifyReply, status: number, errors: RuleError[]) {
  return reply.code(status).send({ errors: errors.map((e) => ({ status, ...(e.field ? { field: e.field } : {}), message: e.message })) });
}

function validate<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; errors: RuleError[] } {
  if (body === undefined || body === null || typeof body !== 'object') {
    return { ok: false, errors: [{ message: 'INVALID_REQUEST: a JSON object body is required' }] };
  }
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error) };
  return { ok: true, value: parsed.data };
}

function partnerSummary(p: StoredPartner) {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    ...(p.billingAddress ?? p.address ? { billingAddress: p.billingAddress ?? p.address } : {}),
    invoicingInfo: {
      ...(p.invoicingInfo?.customerNumber ? { customerNumber: p.invoicingInfo.customerNumber } : {}),
      ...(p.invoicingInfo?.identifier ? { identifier: p.invoicingInfo.identifier } : {}),
      ...(p.invoicingInfo?.identifierType ? { identifierType: p.invoicingInfo.identifierType } : {}),
    },
    registryInfo: { active: p.registryInfo.active },
    version: p.version,
  };
}

function invoiceSummary(i: StoredInvoice) {
  return {
    id: i.id,
    partnerId: i.partnerId ?? null,
    type: i.type,
    status: i.status,
    invoiceNumber: i.invoiceNumber,
    originalInvoiceNumber: i.originalInvoiceNumber ?? '',
    invoiceChannel: i.invoiceChannel,
    date: i.date,
    dueDate: i.paymentInfo.dueDate,
    created: i.created,
    version: i.version,
    invoiceSumInfo: i.invoiceSumInfo,
    counterParty: i.counterParty,
  };
}

/** The parts of a multipart/form-data body by name (enough for the sandbox: no nested parts). */
function parseMultipart(body: Buffer, contentType: string): Record<string, { data: Buffer; filename?: string; contentType?: string }> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return null;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Record<string, { data: Buffer; filename?: string; contentType?: string }> = {};
  let at = body.indexOf(marker);
  while (at !== -1) {
    const start = at + marker.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(marker, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    if (name) parts[name] = { data: part.subarray(split + 4), ...(filename ? { filename } : {}), ...(type ? { contentType: type.trim() } : {}) };
    at = next;
  }
  return parts;
}

function page<T>(items: T[], query: Query) {
  const size = Math.min(200, Math.max(1, Number(first(query.size) ?? 50) || 50));
  const pageNumber = Math.max(0, Number(first(query.page) ?? 0) || 0);
  const results = items.slice(pageNumber * size, pageNumber * size + size);
  return { results, meta: { pageNumber, pageSize: size, resultCount: results.length, totalCount: items.length } };
}

/**
 * A local stand-in for Procountor's REST API: M2M token endpoint, business
 * partners, products and sales invoices (create, read, search by
 * originalInvoiceNumber, approve, send). Bodies are checked against the
 * OpenAPI schemas and Procountor's rules and refused Procountor-style; the
 * rate limit is enforced per API client; faults can be injected.
 */
export function buildProcountorSandboxApp(state: SandboxState, credentials: () => Record<string, unknown>): SandboxApp {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const holds = new Set<() => void>();

  /** Waits `ms`, or less when the sandbox closes or the client goes away. */
  function hold(ms: number, request?: FastifyRequest): Promise<'elapsed' | 'released'> {
    return new Promise((resolve) => {
      const socket = request?.raw.socket;
      const done = (how: 'elapsed' | 'released') => {
        clearTimeout(timer);
        holds.delete(release);
        socket?.off('close', release);
        resolve(how);
      };
      const release = () => done('released');
      const timer = setTimeout(() => done('elapsed'), ms);
      holds.add(release);
      socket?.once('close', release);
    });
  }

  function drop(request: FastifyRequest, reply: FastifyReply) {
    reply.hijack();
    request.raw.socket?.destroy();
  }

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 12_000_000 }, (request, body, done) => {
    done(null, parseMultipart(body as Buffer, String(request.headers['content-type'] ?? '')));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return fail(reply, status, [{ message: status === 500 ? 'INTERNAL_ERROR' : `INVALID_REQUEST: ${error.message}` }]);
  });
  app.setNotFoundHandler((request, reply) => fail(reply, 404, [{ message: `NOT_FOUND: the sandbox has no ${request.method} ${request.url.split('?')[0]}` }]));

  // What was asked and what was answered (a benchmark counts the 429s a client ran into).
  const entries = new WeakMap<object, { status?: number }>();
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/_sandbox')) return;
    const entry: { method: string; path: string; at: string; status?: number } = { method: request.method, path: request.url, at: state.now().toISOString() };
    state.log.push(entry);
    entries.set(request.raw, entry);
  });
  app.addHook('onResponse', async (request, reply) => {
    const entry = entries.get(request.raw);
    if (entry) entry.status = reply.statusCode;
  });

  // --- controls for tests, drills and the demo -------------------------------

  app.post('/_sandbox/faults', async (request, reply) => {
    const parsed = sandboxFaultSchema.safeParse(request.body);
    if (!parsed.success) return fail(reply, 400, schemaErrors(parsed.error));
    state.injectFault(parsed.data);
    return reply.code(204).send();
  });
  app.delete('/_sandbox/faults', async (_request, reply) => {
    state.clearFaults();
    return reply.code(204).send();
  });
  app.get('/_sandbox/invoices', async () => state.sandboxInvoices());
  // A person sends the invoice in Procountor (approving it first if needed).
  app.post('/_sandbox/invoices/:id/send', async (request, reply) => {
    const invoice = state.invoices.get(Number((request.params as { id: string }).id));
    if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
    state.setInvoiceStatus(invoice.id, 'SENT');
    return reply.code(204).send();
  });
  // A payment arrives; a person deletes, invalidates or changes the invoice.
  app.post('/_sandbox/invoices/:id/payments', async (request, reply) => {
    const problem = control(() => state.registerPayment(Number((request.params as { id: string }).id), checkedPayment(request.body)));
    return problem ? fail(reply, problem.status, [{ message: problem.message }]) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/delete', async (request, reply) => {
    const problem = control(() => state.deleteInvoice(Number((request.params as { id: string }).id)));
    return problem ? fail(reply, problem.status, [{ message: problem.message }]) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/invalidate', async (request, reply) => {
    const invoice = state.invoices.get(Number((request.params as { id: string }).id));
    if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
    state.setInvoiceStatus(invoice.id, 'INVALIDATED');
    return reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/edit', async (request, reply) => {
    const problem = control(() => state.editInvoiceTotal(Number((request.params as { id: string }).id), checkedTotal(request.body)));
    return problem ? fail(reply, problem.status, [{ message: problem.message }]) : reply.code(204).send();
  });
  app.get('/_sandbox/credentials', async () => credentials());
  app.get('/_sandbox/requests', async () => [...state.log]);
  app.post('/_sandbox/reset', async (_request, reply) => {
    state.reset();
    return reply.code(204).send();
  });

  /** Procountor's text and business rules for an invoice body (create and update alike). */
  const invoiceErrors = (body: SandboxInvoiceBody) => [
    ...textErrors(body),
    ...invoiceRuleErrors(body, state.config.company, {
      partner: (id) => state.partners.has(id),
      product: (id) => state.products.has(id),
    }),
  ];

  // --- the API ---------------------------------------------------------------

  app.register(
    async (api) => {
      api.addHook('preHandler', async (request, reply) => {
        const isCreate = request.method === 'POST' && request.routeOptions.url === `${API_PREFIX}/invoices`;
        const latency = state.takeFault('latency', (f) => isCreate || f.on !== 'create');
        if (latency) await hold(latency.ms, request);
        if (request.routeOptions.url === `${API_PREFIX}/oauth/token`) return;
        // Faults other than latency hit API calls only, so a test's token fetch does not use them up.
        if (state.takeFault('unauthorized')) return fail(reply, 401, [{ message: 'UNAUTHORIZED: the access token was refused' }]);
        const limited = state.takeFault('rate_limit');
        if (limited) {
          reply.header('Retry-After', String(limited.retryAfterSeconds ?? 1));
          return fail(reply, 429, [{ message: 'TOO_MANY_REQUESTS' }]);
        }
        if (state.takeFault('maintenance')) {
          reply.header('Retry-After', '60');
          return fail(reply, 503, [{ message: 'SERVICE_UNAVAILABLE: Procountor is under maintenance' }]);
        }
        const serverError = state.takeFault('server_error', (f) => (f.on ?? 'any') === 'any');
        if (serverError) return fail(reply, serverError.status ?? 500, [{ message: 'INTERNAL_SERVER_ERROR' }]);

        const header = request.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
        const client = token ? state.tokenClient(token) : null;
        if (!client) return fail(reply, 401, [{ message: 'UNAUTHORIZED: missing, invalid or expired access token' }]);
        if (!state.admit(client)) {
          reply.header('Retry-After', '1');
          return fail(reply, 429, [{ message: `TOO_MANY_REQUESTS: at most ${state.config.requestsPerSecond} requests a second per API client` }]);
        }
      });

      // M2M: client credentials with an API key (dev.procountor.com/m2m-authentication).
      api.post('/oauth/token', async (request, reply) => {
        if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          return reply.code(400).send({ error: 'invalid_request', error_description: 'The token request must be form-encoded.' });
        }
        const form = (request.body ?? {}) as Record<string, string>;
        const { config } = state;
        if (!state.admit(form.client_id === config.clientId ? config.clientId : `unknown:${form.client_id ?? ''}`)) {
          reply.header('Retry-After', '1');
          return reply.code(429).send({ error: 'too_many_requests', error_description: 'Too many requests.' });
        }
        if (form.grant_type !== 'client_credentials') {
          return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials.' });
        }
        if (!form.client_id || !form.client_secret || !form.api_key) {
          return reply.code(400).send({ error: 'invalid_request', error_description: 'client_id, client_secret and api_key are required.' });
        }
        if (form.client_id !== config.clientId || form.client_secret !== config.clientSecret) {
          return reply.code(401).send({ error: 'invalid_client', error_description: 'Client authentication failed.' });
        }
        if (form.api_key !== config.apiKey) {
          return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid API key.' });
        }
        const issued = state.issueToken(config.clientId);
        return { access_token: issued.token, token_type: 'bearer', expires_in: issued.expiresIn };
      });

      api.get('/vats/default', async () => ({
        vatInformation: [
          {
            country: 'Finland',
            percentages: state.config.company.vatPercentages.map((vatPercent) => ({ vatPercent, sales: true, purchase: true })),
          },
        ],
        vatStatuses: state.config.company.vatStatuses.map((s) => ({ ...s, sales: true, purchase: false })),
      }));

      // Business partners: customerNumber in the query; name and identifier in headers (release notes 23.08).
      api.get('/businesspartners', async (request) => {
        const query = request.query as Query;
        const type = first(query.type);
        const customerNumber = first(query.customerNumber);
        const active = first(query.active) === undefined ? true : first(query.active) === 'true';
        const identifier = first(request.headers.identifier as string | string[] | undefined)?.trim();
        const name = first(request.headers.name as string | string[] | undefined)?.trim().toLowerCase();
        const found = [...state.partners.values()]
          .filter((p) => !type || p.type === type)
          .filter((p) => !customerNumber || p.invoicingInfo?.customerNumber === customerNumber)
          .filter((p) => !identifier || p.invoicingInfo?.identifier === identifier)
          .filter((p) => !name || p.name.toLowerCase().includes(name))
          .filter((p) => p.registryInfo.active === active)
          .sort((a, b) => (first(query.orderById) === 'ASC' ? a.id - b.id : b.id - a.id));
        return page(found.map(partnerSummary), query);
      });

      api.post('/businesspartners', async (request, reply) => {
        const parsed = validate(businessPartnerSchema, request.body);
        if (!parsed.ok) return fail(reply, 400, parsed.errors);
        const errors = [...textErrors(parsed.value), ...partnerRuleErrors(parsed.value, (n) => state.customerNumberTaken(n))];
        if (errors.length) return fail(reply, 400, errors);
        return state.storePartner(parsed.value);
      });

      api.get('/businesspartners/:id', async (request, reply) => {
        const partner = state.partners.get(Number((request.params as { id: string }).id));
        return partner ?? fail(reply, 404, [{ message: 'NOT_FOUND: no such business partner' }]);
      });

      // Products: `code` and `name` are substring searches; results under `results`.
      api.get('/products', async (request) => {
        const query = request.query as Query;
        const code = first(query.code)?.toLowerCase();
        const name = first(query.name)?.toLowerCase();
        const type = first(query.type);
        const active = first(query.active);
        const found = [...state.products.values()]
          .filter((p) => !code || p.code.toLowerCase().includes(code))
          .filter((p) => !name || p.name.toLowerCase().includes(name))
          .filter((p) => !type || p.type === type)
          .filter((p) => active === undefined || String(p.active) === active);
        return page(found, query);
      });

      api.get('/invoices', async (request) => {
        const query = request.query as Query;
        const original = first(query.originalInvoiceNumber);
        const statuses = all(query.status);
        const types = all(query.types);
        const invoiceNumber = first(query.invoiceNumber);
        const partnerId = first(query.businessPartnerId);
        const startDate = first(query.startDate);
        const endDate = first(query.endDate);
        const found = [...state.invoices.values()]
          .filter((i) => startDate === undefined || i.date >= startDate)
          .filter((i) => endDate === undefined || i.date <= endDate)
          .filter((i) => original === undefined || i.originalInvoiceNumber === original)
          .filter((i) => statuses.length === 0 || statuses.includes(i.status))
          .filter((i) => types.length === 0 || types.includes(i.type))
          .filter((i) => invoiceNumber === undefined || String(i.invoiceNumber) === invoiceNumber)
          .filter((i) => partnerId === undefined || String(i.partnerId) === partnerId)
          .sort((a, b) => (first(query.orderById) === 'ASC' ? a.id - b.id : b.id - a.id));
        return page(found.map(invoiceSummary), query);
      });

      api.post('/invoices', async (request, reply) => {
        const failing = state.takeFault('server_error', (f) => f.on === 'create');
        if (failing) return fail(reply, failing.status ?? 500, [{ message: 'INTERNAL_SERVER_ERROR' }]);
        const parsed = validate(invoiceSchema, request.body);
        if (!parsed.ok) return fail(reply, 400, parsed.errors);
        const errors = invoiceErrors(parsed.value);
        if (errors.length) return fail(reply, 400, errors);
        const stored = state.storeInvoice(parsed.value);
        if (state.takeFault('reset_after_store')) return drop(request, reply);
        const held = state.takeFault('timeout_after_store');
        if (held && (await hold(held.ms ?? 30_000, request)) === 'released') return drop(request, reply);
        return stored;
      });

      api.get('/invoices/:id', async (request, reply) => {
        const id = (request.params as { id: string }).id;
        if (id.includes(',')) return fail(reply, 400, [{ message: 'INVALID_REQUEST: the sandbox reads one invoice at a time' }]);
        const invoice = state.invoices.get(Number(id));
        return invoice ?? fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
      });

      api.get('/invoices/:id/paymentevents', async (request, reply) => {
        const id = Number((request.params as { id: string }).id);
        if (!state.invoices.has(id)) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
        const events = (state.payments.get(id) ?? []).map((p) => ({ ...p, invoiceId: id, type: 'BANKSTATEMENT', status: 'PAID' }));
        const query = request.query as Query;
        return page(first(query.orderById) === 'DESC' ? [...events].reverse() : events, query);
      });

      // saveAttachment: multipart with `meta` (Attachment JSON) and `file`; at most 10,000,000 bytes.
      api.post('/attachments', async (request, reply) => {
        const parts = request.body as Record<string, { data: Buffer; filename?: string; contentType?: string }> | null;
        if (!parts || !parts.meta || !parts.file) return fail(reply, 400, [{ message: 'INVALID_REQUEST: multipart parts meta and file are required' }]);
        let meta: { name?: string; referenceType?: string; referenceId?: number };
        try {
          meta = JSON.parse(parts.meta.data.toString('utf8'));
        } catch {
          return fail(reply, 400, [{ field: 'meta', message: 'INVALID_REQUEST: meta is not JSON' }]);
        }
        if (!meta.name || meta.referenceType !== 'INVOICE' || typeof meta.referenceId !== 'number') {
          return fail(reply, 400, [{ field: 'meta', message: 'INVALID_VALUE: name, referenceType INVOICE and referenceId are required' }]);
        }
        if (!state.invoices.has(meta.referenceId)) return fail(reply, 404, [{ message: `NOT_FOUND: no invoice ${meta.referenceId}` }]);
        if (parts.file.data.length > 10_000_000) return fail(reply, 400, [{ field: 'file', message: 'ATTACHMENT_TOO_LARGE: at most 10000000 bytes' }]);
        return state.addAttachment(meta.referenceId, { name: meta.name, mimeType: parts.file.contentType ?? 'application/octet-stream', size: parts.file.data.length });
      });

      // Only an UNFINISHED invoice can be updated, with the version it was read at; its partner cannot change.
      api.put('/invoices/:id', async (request, reply) => {
        const invoice = state.invoices.get(Number((request.params as { id: string }).id));
        if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
        const parsed = validate(invoiceSchema, request.body);
        if (!parsed.ok) return fail(reply, 400, parsed.errors);
        if (invoice.status !== 'UNFINISHED') {
          return fail(reply, 403, [{ message: `INVALID_STATUS: an invoice in status ${invoice.status} cannot be updated` }]);
        }
        if (!parsed.value.version) return fail(reply, 400, [{ field: 'version', message: 'VERSION_REQUIRED: version is required when updating an invoice' }]);
        if (parsed.value.version !== invoice.version) {
          return fail(reply, 400, [{ field: 'version', message: `VERSION_CONFLICT: the invoice has been modified since version ${parsed.value.version}` }]);
        }
        if (parsed.value.partnerId !== undefined && parsed.value.partnerId !== null && parsed.value.partnerId !== invoice.partnerId) {
          return fail(reply, 400, [{ field: 'partnerId', message: 'INVALID_VALUE: partnerId cannot be changed when updating an invoice' }]);
        }
        const errors = invoiceErrors(parsed.value);
        if (errors.length) return fail(reply, 400, errors);
        return state.replaceInvoice(invoice.id, parsed.value);
      });

      // An invalidated invoice stays in the books but no longer counts; possible while the period is open.
      api.put('/invoices/:id/invalidate', async (request, reply) => {
        const invoice = state.invoices.get(Number((request.params as { id: string }).id));
        if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
        if (['INVALIDATED', 'DELETED', 'PAID', 'PARTLY_PAID', 'MARKED_PAID'].includes(invoice.status)) {
          return fail(reply, 403, [{ message: `INVALID_STATUS: an invoice in status ${invoice.status} cannot be invalidated` }]);
        }
        state.setInvoiceStatus(invoice.id, 'INVALIDATED');
        return { message: 'Invoice invalidated.' };
      });

      // UNFINISHED → NOT_SENT; nothing changes after approval.
      api.put('/invoices/:id/approve', async (request, reply) => {
        if (request.body !== undefined && request.body !== null && request.body !== '') {
          const parsed = validate(checkingEventSchema, request.body);
          if (!parsed.ok) return fail(reply, 400, parsed.errors);
        }
        const invoice = state.invoices.get(Number((request.params as { id: string }).id));
        if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
        if (invoice.status !== 'UNFINISHED') {
          return fail(reply, 403, [{ message: `INVALID_STATUS: an invoice in status ${invoice.status} cannot be approved` }]);
        }
        state.setInvoiceStatus(invoice.id, 'NOT_SENT');
        return { message: 'Invoice approved.' };
      });

      // Only NOT_SENT and SENT invoices can be sent (openapi.yaml).
      api.put('/invoices/:id/send', async (request, reply) => {
        const invoice = state.invoices.get(Number((request.params as { id: string }).id));
        if (!invoice) return fail(reply, 404, [{ message: 'NOT_FOUND: no such invoice' }]);
        if (invoice.status !== 'NOT_SENT' && invoice.status !== 'SENT') {
          return fail(reply, 403, [{ message: `INVALID_STATUS: an invoice in status ${invoice.status} cannot be sent` }]);
        }
        state.setInvoiceStatus(invoice.id, 'SENT');
        return { message: 'Invoice sent.' };
      });
    },
    { prefix: API_PREFIX },
  );

  return {
    app,
    release() {
      for (const release of [...holds]) release();
    },
  };
}

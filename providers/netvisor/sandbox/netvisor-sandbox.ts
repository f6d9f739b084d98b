import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FaultQueue } from '../../sandbox-kit/fault-queue.js';
import { HeldResponses } from '../../sandbox-kit/held-responses.js';
import { RequestLog } from '../../sandbox-kit/request-log.js';
import type { RunningSandbox, SandboxFault, SandboxInvoice, SandboxOptions } from '../../types.js';
import { decodeXmlBytes, parseXmlTree, type XmlNode } from '../xml/tree.js';
import { checkNetvisorAuth, type SandboxCredentials } from './auth-check.js';
import { restyle, type NetvisorAnswerStyle } from './answer-style.js';
import { failedAnswer, type Answer } from './responses.js';
import { handleResource, isInvoiceAdd, paidOf } from './resources.js';
import { dec, money } from '../../../src/domain/money.js';
import { checkedPayment, checkedTotal, control, SandboxControlError } from '../../sandbox-kit/sandbox-control.js';
import { OrganisationData, type StoredCustomer, type StoredInvoice, type StoredProduct } from './store.js';

/** `npm run sandbox` serves Netvisor here. */
export const NETVISOR_SANDBOX_DEFAULT_PORT = 4012;

/** The credentials the sandbox accepts unless told otherwise (a sandbox is not a secret store). */
export const NETVISOR_SANDBOX_CREDENTIALS: SandboxCredentials = {
  sender: 'ledgerlink',
  customerId: 'LL-SANDBOX-USER',
  partnerId: 'LL-SANDBOX-PARTNER',
  customerKey: 'sandbox-customer-key-0001',
  partnerKey: 'sandbox-partner-key-0001',
  organisationId: '2345678-0',
  language: 'FI',
};

export interface NetvisorSandboxOptions extends SandboxOptions {
  credentials?: Partial<SandboxCredentials>;
  /** Business IDs of the companies the API user may reach (default: credentials.organisationId). */
  organisations?: string[];
  /** Invoices dated before this day (YYYY-MM-DD) fall in a locked accounting period. */
  periodLockedBefore?: string | null;
  /** Clock for the answers' TimeStamp. */
  now?: () => Date;
  /** Answer in other shapes real Netvisor answers take (see answer-style.ts); changeable while running. */
  answerStyle?: NetvisorAnswerStyle;
  /** How many invoices one salesinvoicelist.nv answer holds at most (Netvisor: 500); small in paging tests. */
  listPageSize?: number;
}

/** What the sandbox counts about concurrency, for tests of the one-at-a-time rule. */
export interface NetvisorSandboxStats {
  /** Requests refused because another request of the same organisation was still in progress. */
  refusedOverlapping: number;
  /** Most requests in progress at once, over all organisations. */
  maxConcurrent: number;
  /** Most requests in progress at once, per organisation. */
  maxConcurrentByOrganisation: Record<string, number>;
  /** Requests answered, per organisation. */
  answeredByOrganisation: Record<string, number>;
}

export interface RunningNetvisorSandbox extends RunningSandbox {
  /** Valid connection settings without baseUrl (a mapped type, so it is also a Record). */
  readonly credentials: { [K in keyof SandboxCredentials]: SandboxCredentials[K] };
  readonly organisations: readonly string[];
  stats(): NetvisorSandboxStats;
  customers(organisationId?: string): StoredCustomer[];
  products(organisationId?: string): StoredProduct[];
  /** Invoices as the sandbox stored them (every field), for one organisation. */
  storedInvoices(organisationId?: string): StoredInvoice[];
  lockPeriodBefore(date: string | null): void;
  /** From now on, answer in this style (replaces the previous one; {} is the usual answer). */
  setAnswerStyle(style: NetvisorAnswerStyle): void;
}

const freshStats = (): NetvisorSandboxStats => ({ refusedOverlapping: 0, maxConcurrent: 0, maxConcurrentByOrganisation: {}, answeredByOrganisation: {} });

/** A control route's JSON body (this app reads bodies as bytes). */
function jsonBody(body: unknown): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') || '{}' : '{}');
  } catch {
    return null;
  }
}

/**
 * A local Netvisor: it verifies every request's headers and MAC, refuses a
 * reused transaction id and overlapping requests to one organisation, checks
 * bodies against the DTD structure, keeps customers, products and invoices in
 * memory, answers the list and get resources in Netvisor's own XML, and
 * injects faults on request. Built as a Fastify app; see startNetvisorSandbox.
 */
export function buildNetvisorSandbox(options: NetvisorSandboxOptions = {}) {
  const credentials: SandboxCredentials = { ...NETVISOR_SANDBOX_CREDENTIALS, ...options.credentials };
  const organisations = [...new Set(options.organisations ?? [credentials.organisationId])];
  const now = options.now ?? (() => new Date());
  const faults = new FaultQueue();
  const log = new RequestLog();
  const held = new HeldResponses();
  let data = new Map<string, OrganisationData>();
  let seenTransactions = new Set<string>();
  let periodLockedBefore = options.periodLockedBefore ?? null;
  let answerStyle: NetvisorAnswerStyle = options.answerStyle ?? {};
  let stats = freshStats();
  const inFlight = new Map<string, number>();
  let inFlightTotal = 0;
  let publicUrl = '';

  const org = (id: string) => {
    let d = data.get(id);
    if (!d) data.set(id, (d = new OrganisationData()));
    return d;
  };

  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const send = (reply: FastifyReply, answer: Answer, resource = '') => {
    const styled = restyle(answer, resource, answerStyle);
    return reply.code(styled.status).headers({ ...styled.headers, 'content-type': styled.contentType }).send(styled.body);
  };

  /** Faults that act before anything happens: latency first, then at most one answering fault. */
  async function faultBefore(isCreate: boolean, useHttp: boolean): Promise<Answer | null> {
    // Latency is taken on its own, so a standing latency never hides another fault queued after it.
    const latency = faults.take((f) => f.kind === 'latency' && (isCreate || f.on !== 'create'));
    if (latency?.kind === 'latency') await held.hold(latency.ms);
    const fault = faults.take((f) => {
      if (f.kind === 'server_error') return f.on === 'any' || isCreate;
      return f.kind === 'unauthorized' || f.kind === 'rate_limit' || f.kind === 'maintenance';
    });
    if (!fault) return null;
    switch (fault.kind) {
      case 'unauthorized':
        return failedAnswer('AUTHENTICATION_FAILED', 'Integraatiokumppania ei löydy, katso dokumentaatio', now(), useHttp);
      case 'maintenance':
        return failedAnswer('SYSTEM_MAINTENANCE', 'Netvisor is under maintenance, try again later', now(), useHttp);
      case 'rate_limit':
        return {
          status: 429,
          contentType: 'text/plain; charset=utf-8',
          headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          body: Buffer.from('Too many requests'),
        };
      case 'server_error':
        return { status: fault.status ?? 500, contentType: 'text/html; charset=utf-8', body: Buffer.from('<html><body><h1>Internal Server Error</h1></body></html>') };
      default:
        return null;
    }
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = request.url;
    log.add(request.method, url);
    const headers = request.headers as Record<string, unknown>;
    const useHttp = headers['x-netvisor-authentication-usehttpresponsestatuscodes'] === '1';
    const orgHeader = typeof headers['x-netvisor-organisation-id'] === 'string' ? (headers['x-netvisor-organisation-id'] as string) : '';

    // One request at a time per organisation, as Netvisor demands.
    if ((inFlight.get(orgHeader) ?? 0) > 0) {
      stats.refusedOverlapping += 1;
      return send(
        reply,
        failedAnswer('SERVICE_ACCESS_ERROR', 'Another request to this organisation is still being processed; send one request at a time', now(), useHttp),
      );
    }
    inFlight.set(orgHeader, (inFlight.get(orgHeader) ?? 0) + 1);
    inFlightTotal += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlightTotal);
    stats.maxConcurrentByOrganisation[orgHeader] = Math.max(stats.maxConcurrentByOrganisation[orgHeader] ?? 0, inFlight.get(orgHeader)!);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight.set(orgHeader, (inFlight.get(orgHeader) ?? 1) - 1);
      inFlightTotal -= 1;
      stats.answeredByOrganisation[orgHeader] = (stats.answeredByOrganisation[orgHeader] ?? 0) + 1;
    };
    // Done when the answer is handed over ('finish') or the connection ends without one ('close').
    reply.raw.once('finish', finish);
    reply.raw.once('close', finish);
    const clientGone = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));

    const [path = '', queryString = ''] = url.split('?', 2);
    const resource = path.replace(/^.*\//, '').toLowerCase();
    const query = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(queryString)) query.set(k.toLowerCase(), v);

    const early = await faultBefore(isInvoiceAdd(resource, query), useHttp);
    if (early) return send(reply, early);

    const fullUrl = `http://${request.headers.host ?? ''}${url}`;
    const auth = checkNetvisorAuth(headers, fullUrl, credentials, new Set(organisations));
    if (!auth.ok) return send(reply, failedAnswer('AUTHENTICATION_FAILED', auth.reason, now(), useHttp));
    if (seenTransactions.has(auth.transactionId)) {
      return send(reply, failedAnswer('REQUEST_NOT_UNIQUE', `Transaction id ${auth.transactionId} has been used already`, now(), useHttp));
    }
    seenTransactions.add(auth.transactionId);

    let body: { tree: XmlNode; xml: string; encoding: 'utf-8' | 'iso-8859-15' } | null = null;
    const raw = Buffer.isBuffer(request.body) ? request.body : null;
    if (raw && raw.length) {
      const xml = decodeXmlBytes(raw, request.headers['content-type']);
      try {
        body = { tree: await parseXmlTree(xml), xml, encoding: /iso-8859-15/i.test(raw.subarray(0, 100).toString('latin1')) ? 'iso-8859-15' : 'utf-8' };
      } catch (error) {
        return send(reply, failedAnswer('INVALID_DATA', `the body is not well-formed XML: ${(error as Error).message.split('\n')[0]}`, now(), useHttp));
      }
    }

    const result = handleResource(resource, org(auth.organisationId), {
      now: now(),
      baseUrl: publicUrl || `http://${request.headers.host ?? ''}`,
      query,
      method: request.method,
      body,
      useHttpStatus: useHttp,
      periodLockedBefore,
      ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
    });

    if (result.storedInvoice) {
      const after = faults.take((f) => f.kind === 'timeout_after_store' || f.kind === 'reset_after_store');
      if (after?.kind === 'reset_after_store') {
        HeldResponses.reset(reply);
        return reply;
      }
      if (after?.kind === 'timeout_after_store') {
        // Stored; now keep the client waiting past its timeout (or until it gives up, or the sandbox closes).
        await Promise.race([held.hold(after.ms ?? 150_000), clientGone]);
        if (reply.raw.destroyed || reply.raw.writableEnded) return reply;
      }
    }
    return send(reply, result.answer, resource);
  }

  app.post('/_sandbox/faults', async (request, reply) => {
    const fault = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '{}') as SandboxFault;
    faults.inject(fault);
    return reply.code(204).send();
  });
  app.delete('/_sandbox/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.get('/_sandbox/invoices', async () => invoices());
  app.post('/_sandbox/invoices/:id/send', async (request, reply) => {
    if (!sendInvoice((request.params as { id: string }).id)) return reply.code(404).send({ error: 'no such invoice' });
    return reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/payments', async (request, reply) => {
    const problem = control(() => registerPayment((request.params as { id: string }).id, checkedPayment(jsonBody(request.body))));
    return problem ? reply.code(problem.status).send({ error: problem.message }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/delete', async (request, reply) => {
    const problem = control(() => deleteInvoice((request.params as { id: string }).id));
    return problem ? reply.code(problem.status).send({ error: problem.message }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/invalidate', async (request, reply) => {
    const problem = control(() => invalidateInvoice((request.params as { id: string }).id));
    return problem ? reply.code(problem.status).send({ error: problem.message }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/edit', async (request, reply) => {
    const problem = control(() => editInvoiceTotal((request.params as { id: string }).id, checkedTotal(jsonBody(request.body))));
    return problem ? reply.code(problem.status).send({ error: problem.message }) : reply.code(204).send();
  });
  app.get('/_sandbox/requests', async () => log.list());
  app.get('/_sandbox/stats', async () => stats);
  app.get('/_sandbox/credentials', async () => credentials);
  app.post('/_sandbox/reset', async (_request, reply) => {
    reset();
    return reply.code(204).send();
  });
  app.post('/_sandbox/answer-style', async (request, reply) => {
    answerStyle = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') || '{}' : '{}') as NetvisorAnswerStyle;
    return reply.code(204).send();
  });
  app.post('/_sandbox/period-lock', async (request, reply) => {
    const body = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') || '{}' : '{}') as { before?: string | null };
    periodLockedBefore = body.before ?? null;
    return reply.code(204).send();
  });
  app.get('/*', handle);
  app.post('/*', handle);

  function invoices(organisationId?: string): SandboxInvoice[] {
    const ids = organisationId ? [organisationId] : organisations;
    return ids.flatMap((id) =>
      org(id).invoices.map((i) => ({ id: String(i.netvisorKey), number: i.number, state: i.status, reference: i.referenceNumber, total: i.amount, paid: paidOf(i), raw: i })),
    );
  }

  /** A person sends the invoice in Netvisor: it becomes open (and can no longer be edited). */
  function sendInvoice(id: string): boolean {
    for (const orgId of organisations) {
      const found = org(orgId).invoices.find((i) => String(i.netvisorKey) === id);
      if (found) {
        found.status = 'open';
        return true;
      }
    }
    return false;
  }

  function located(id: string): { orgId: string; invoice: StoredInvoice } {
    for (const orgId of organisations) {
      const invoice = org(orgId).invoices.find((i) => String(i.netvisorKey) === id);
      if (invoice) return { orgId, invoice };
    }
    throw new SandboxControlError(404, `the Netvisor sandbox has no invoice ${id}`);
  }

  /** A payment is matched to the invoice: its open sum goes down; paid in full, it becomes paid. */
  function registerPayment(id: string, payment: { amount: string; date: string }): void {
    const { orgId, invoice } = located(id);
    if (invoice.status === 'unsent') throw new SandboxControlError(409, `invoice ${invoice.number} is unsent; send it before it can be paid`);
    invoice.payments = [...(invoice.payments ?? []), { key: org(orgId).nextKey(), amount: money(dec(payment.amount)), date: payment.date }];
    if (dec(paidOf(invoice)).gte(dec(invoice.amount))) invoice.status = 'paid';
  }

  function deleteInvoice(id: string): void {
    const { orgId, invoice } = located(id);
    org(orgId).invoices = org(orgId).invoices.filter((i) => i !== invoice);
  }

  // Netvisor's API has no invalidation: an issued invoice is credited. The sandbox says so.
  function invalidateInvoice(id: string): void {
    located(id);
    throw new SandboxControlError(409, 'Netvisor invoices are not invalidated: delete it, or credit it with a credit note');
  }

  function editInvoiceTotal(id: string, total: string): void {
    located(id).invoice.amount = money(dec(total));
  }

  function reset() {
    data = new Map();
    seenTransactions = new Set();
    periodLockedBefore = options.periodLockedBefore ?? null;
    answerStyle = options.answerStyle ?? {};
    stats = freshStats();
    faults.clear();
    log.clear();
  }

  return {
    app,
    credentials,
    organisations,
    faults,
    invoices,
    sendInvoice,
    registerPayment,
    deleteInvoice,
    invalidateInvoice,
    editInvoiceTotal,
    requests: () => log.list(),
    stats: () => structuredClone(stats),
    customers: (id = credentials.organisationId) => [...org(id).customers],
    products: (id = credentials.organisationId) => [...org(id).products],
    storedInvoices: (id = credentials.organisationId) => [...org(id).invoices],
    lockPeriodBefore: (date: string | null) => {
      periodLockedBefore = date;
    },
    setAnswerStyle: (style: NetvisorAnswerStyle) => {
      answerStyle = style;
    },
    setPublicUrl: (url: string) => {
      publicUrl = url;
    },
    reset,
    releaseHeld: () => held.releaseAll(),
  };
}

/** Starts the Netvisor sandbox (port 4012 on 127.0.0.1 by default; 0 picks a free port). */
export async function startNetvisorSandbox(options: NetvisorSandboxOptions = {}): Promise<RunningNetvisorSandbox> {
  const sandbox = buildNetvisorSandbox(options);
  const address = await sandbox.app.listen({ port: options.port ?? NETVISOR_SANDBOX_DEFAULT_PORT, host: options.host ?? '127.0.0.1' });
  const url = address.replace('localhost', '127.0.0.1');
  sandbox.setPublicUrl(url);
  return {
    provider: 'netvisor',
    url,
    credentials: { ...sandbox.credentials },
    organisations: sandbox.organisations,
    injectFault: (fault) => sandbox.faults.inject(fault),
    clearFaults: () => sandbox.faults.clear(),
    invoices: () => sandbox.invoices(),
    sendInvoice: (id) => {
      if (!sandbox.sendInvoice(id)) throw new Error(`the Netvisor sandbox has no invoice ${id}`);
    },
    registerPayment: sandbox.registerPayment,
    deleteInvoice: sandbox.deleteInvoice,
    invalidateInvoice: sandbox.invalidateInvoice,
    editInvoiceTotal: sandbox.editInvoiceTotal,
    requests: sandbox.requests,
    stats: sandbox.stats,
    customers: sandbox.customers,
    products: sandbox.products,
    storedInvoices: sandbox.storedInvoices,
    lockPeriodBefore: sandbox.lockPeriodBefore,
    setAnswerStyle: sandbox.setAnswerStyle,
    reset: sandbox.reset,
    close: async () => {
      sandbox.releaseHeld();
      await sandbox.app.close();
    },
  };
}

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { dec, sum } from '../../../src/domain/money.js';
import { verify } from '../../../src/events/signing.js';
import { FaultQueue } from '../../sandbox-kit/fault-queue.js';
import { HeldResponses } from '../../sandbox-kit/held-responses.js';
import { RequestLog } from '../../sandbox-kit/request-log.js';
import { checkedPayment, checkedTotal, control, SandboxControlError } from '../../sandbox-kit/sandbox-control.js';
import type { RunningSandbox, SandboxFault, SandboxInvoice, SandboxOptions } from '../../types.js';

/** The signing secret the sandbox accepts unless told otherwise (a sandbox is not a secret store). */
export const GENERIC_SANDBOX_SECRET = 'whsec_bGVkZ2VybGluay1nZW5lcmljLXNhbmRib3gtc2VjcmV0';

export interface GenericSandboxOptions extends SandboxOptions {
  secret?: string;
  /**
   * Answer a repeated Idempotency-Key with the stored invoice instead of storing
   * another. Off by default, so a duplicate sent by ledgerlink shows up in tests.
   */
  honourIdempotencyKey?: boolean;
}

interface ReceivedWebhook {
  at: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A local accounting endpoint speaking ledgerlink's generic protocol: it checks
 * the Standard Webhooks signature and the Idempotency-Key, validates the
 * payload's amounts, stores invoices and answers lookups by reference. It also
 * receives status events at POST /webhooks so the demo can show them.
 */
export function buildGenericSandbox(options: GenericSandboxOptions = {}) {
  const secret = options.secret ?? GENERIC_SANDBOX_SECRET;
  const faults = new FaultQueue();
  const log = new RequestLog();
  const held = new HeldResponses();
  let invoices: SandboxInvoice[] = [];
  /** Every reference an invoice was created or edited under → its id (lookups find it by any of them). */
  let references = new Map<string, string>();
  let webhooks: ReceivedWebhook[] = [];
  /** Payments registered per invoice id, oldest first. */
  let payments = new Map<string, Array<{ amount: string; date: string }>>();
  /** Attachments per invoice id, with their bytes' size (what GET …/attachments lists). */
  let attachments = new Map<string, Array<{ id: string; name: string; filename: string; size: number }>>();
  /** Ids and numbers are never reused, also after a person deleted an invoice. */
  let lastNumber = 0;

  const app: FastifyInstance = Fastify({ logger: false });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/_sandbox')) log.add(request.method, request.url);
  });

  const signatureOk = (request: FastifyRequest, body: string) =>
    verify({ secret, headers: request.headers as Record<string, string>, body, now: new Date() }).ok;

  /** Faults that apply before anything is stored. Returns true when it answered. */
  async function preFault(reply: FastifyReply, isCreate: boolean): Promise<boolean> {
    const fault = faults.take((f) => {
      if (f.kind === 'server_error') return isCreate || f.on === 'any';
      if (f.kind === 'latency') return isCreate || f.on !== 'create';
      return ['unauthorized', 'rate_limit', 'maintenance'].includes(f.kind);
    });
    if (!fault) return false;
    switch (fault.kind) {
      case 'latency':
        await held.hold(fault.ms);
        return false;
      case 'unauthorized':
        await reply.code(401).send({ error: { code: 'unauthorized', message: 'signature not accepted' } });
        return true;
      case 'rate_limit':
        await reply
          .code(429)
          .header('retry-after', String(fault.retryAfterSeconds ?? 1))
          .send({ error: { code: 'rate_limited', message: 'slow down' } });
        return true;
      case 'maintenance':
        await reply.code(503).send({ error: { code: 'maintenance', message: 'down for maintenance' } });
        return true;
      case 'server_error':
        await reply.code(fault.status ?? 500).send({ error: { code: 'server_error', message: 'internal error' } });
        return true;
      default:
        return false;
    }
  }

  app.post('/invoices', async (request, reply) => {
    if (await preFault(reply, true)) return reply;
    const raw = typeof request.body === 'string' ? request.body : '';
    if (!signatureOk(request, raw)) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return reply.code(400).send({ error: { code: 'missing_idempotency_key', message: 'Idempotency-Key header is required' } });
    if (options.honourIdempotencyKey) {
      const existing = invoices.find((i) => i.reference === key);
      if (existing) return reply.code(200).send({ id: existing.id, number: existing.number });
    }
    const body = readPayload(raw);
    if ('refusal' in body) return reply.code(body.refusal.status).send(body.refusal.body);

    const n = ++lastNumber;
    const stored: SandboxInvoice = { id: `G-${n}`, number: String(1000 + n), state: 'draft', reference: key, total: String(body.payload.totals.gross), raw: body.payload };
    invoices.push(stored);
    references.set(key, stored.id);

    const after = faults.take((f) => f.kind === 'timeout_after_store' || f.kind === 'reset_after_store');
    if (after?.kind === 'reset_after_store') {
      HeldResponses.reset(reply);
      return reply;
    }
    if (after?.kind === 'timeout_after_store') await held.hold(after.ms ?? 30_000);
    return reply.code(201).send({ id: stored.id, number: stored.number });
  });

  app.get('/invoices', async (request, reply) => {
    if (await preFault(reply, false)) return reply;
    if (!signatureOk(request, '')) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const query = request.query as Record<string, string | undefined>;
    const reference = query.reference;
    if (!reference && query.from && query.to) {
      // The period list (reconciliation): every invoice dated from..to, with its reference and total.
      const listed = invoices
        .filter((i) => {
          const date = String((i.raw as { invoiceDate?: unknown }).invoiceDate ?? '');
          return date >= query.from! && date <= query.to!;
        })
        .map((i) => ({ ...statusOf(i), reference: i.reference, invoiceDate: (i.raw as { invoiceDate?: unknown }).invoiceDate ?? null }));
      return { invoices: listed };
    }
    if (!reference) return reply.code(400).send({ error: { code: 'missing_reference', message: 'reference is required' } });
    const id = references.get(reference);
    const found = id === undefined ? undefined : invoices.find((i) => i.id === id);
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'no invoice with that reference' } });
    return { id: found.id, number: found.number };
  });

  // An edit: the whole new document replaces a draft; a sent invoice is not editable (409).
  app.put('/invoices/:id', async (request, reply) => {
    if (await preFault(reply, false)) return reply;
    const raw = typeof request.body === 'string' ? request.body : '';
    if (!signatureOk(request, raw)) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const found = invoices.find((i) => i.id === (request.params as { id: string }).id);
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    if (found.state !== 'draft') return reply.code(409).send({ error: { code: 'not_editable', message: `invoice ${found.id} is ${found.state} and can no longer be changed` } });
    const body = readPayload(raw);
    if ('refusal' in body) return reply.code(body.refusal.status).send(body.refusal.body);
    const key = request.headers['idempotency-key'];
    found.raw = body.payload;
    found.total = String(body.payload.totals.gross);
    if (typeof key === 'string' && key) {
      found.reference = key;
      references.set(key, found.id);
    }
    return reply.code(200).send({ id: found.id, number: found.number });
  });

  // The invoice's state and payments (the status read): 200 {id, number, status, sent, total, paidAmount, paidAt, payments}, 404 when deleted.
  app.get('/invoices/:id', async (request, reply) => {
    if (await preFault(reply, false)) return reply;
    if (!signatureOk(request, '')) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const found = invoices.find((i) => i.id === (request.params as { id: string }).id);
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    return statusOf(found);
  });

  app.post('/invoices/:id/attachments', async (request, reply) => {
    if (await preFault(reply, false)) return reply;
    const raw = typeof request.body === 'string' ? request.body : '';
    if (!signatureOk(request, raw)) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const found = invoices.find((i) => i.id === (request.params as { id: string }).id);
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    const body = parsed(raw) as { name?: unknown; filename?: unknown; contentType?: unknown; data?: unknown } | null;
    const bytes = typeof body?.data === 'string' ? Buffer.from(body.data, 'base64') : Buffer.alloc(0);
    if (!body || typeof body.name !== 'string' || body.contentType !== 'application/pdf' || !bytes.subarray(0, 5).equals(Buffer.from('%PDF-'))) {
      return reply.code(422).send({ error: { code: 'invalid_attachment', message: 'name, contentType application/pdf and data (a base64 PDF) are required' } });
    }
    const list = attachments.get(found.id) ?? [];
    const stored = { id: `A-${found.id}-${list.length + 1}`, name: body.name, filename: String(body.filename ?? body.name), size: bytes.length };
    attachments.set(found.id, [...list, stored]);
    return reply.code(201).send({ id: stored.id });
  });
  app.get('/invoices/:id/attachments', async (request, reply) => {
    if (await preFault(reply, false)) return reply;
    if (!signatureOk(request, '')) return reply.code(401).send({ error: { code: 'bad_signature', message: 'webhook-signature does not verify' } });
    const id = (request.params as { id: string }).id;
    if (!invoices.some((i) => i.id === id)) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    return { attachments: (attachments.get(id) ?? []).map((a) => ({ ...a })) };
  });

  app.post('/webhooks', async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
    webhooks.push({ at: new Date().toISOString(), headers, body });
    return reply.code(204).send();
  });

  app.post('/_sandbox/faults', async (request, reply) => {
    faults.inject(request.body as SandboxFault);
    return reply.code(204).send();
  });
  app.delete('/_sandbox/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.get('/_sandbox/invoices', async () => invoices.map((i) => ({ ...i, paid: paidOf(i.id) })));
  app.post('/_sandbox/invoices/:id/send', async (request, reply) => {
    const found = invoices.find((i) => i.id === (request.params as { id: string }).id);
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    found.state = 'sent';
    return reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/payments', async (request, reply) => {
    const problem = control(() => registerPayment((request.params as { id: string }).id, checkedPayment(parsed(request.body))));
    return problem ? reply.code(problem.status).send({ error: { code: 'refused', message: problem.message } }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/delete', async (request, reply) => {
    const problem = control(() => deleteInvoice((request.params as { id: string }).id));
    return problem ? reply.code(problem.status).send({ error: { code: 'refused', message: problem.message } }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/invalidate', async (request, reply) => {
    const problem = control(() => invalidateInvoice((request.params as { id: string }).id));
    return problem ? reply.code(problem.status).send({ error: { code: 'refused', message: problem.message } }) : reply.code(204).send();
  });
  app.post('/_sandbox/invoices/:id/edit', async (request, reply) => {
    const problem = control(() => editInvoiceTotal((request.params as { id: string }).id, checkedTotal(parsed(request.body))));
    return problem ? reply.code(problem.status).send({ error: { code: 'refused', message: problem.message } }) : reply.code(204).send();
  });
  app.get('/_sandbox/requests', async () => log.list());
  app.get('/_sandbox/webhooks', async () => webhooks);
  app.get('/_sandbox/credentials', async () => ({ secret }));
  app.post('/_sandbox/reset', async (_request, reply) => {
    reset();
    return reply.code(204).send();
  });

  function find(id: string): SandboxInvoice {
    const found = invoices.find((i) => i.id === id);
    if (!found) throw new SandboxControlError(404, `the generic sandbox has no invoice ${id}`);
    return found;
  }

  function paidOf(id: string): string {
    return sum((payments.get(id) ?? []).map((p) => dec(p.amount))).toFixed(2);
  }

  function statusOf(found: SandboxInvoice) {
    const list = payments.get(found.id) ?? [];
    return {
      id: found.id,
      number: found.number,
      status: found.state,
      sent: found.state === 'sent',
      total: found.total === null ? null : dec(found.total).toFixed(2),
      paidAmount: paidOf(found.id),
      paidAt: list.length ? list.map((p) => p.date).sort().at(-1)! : null,
      payments: list.map((p) => ({ ...p })),
    };
  }

  function registerPayment(id: string, payment: { amount: string; date: string }) {
    const found = find(id);
    payment = checkedPayment(payment);
    if (found.state === 'invalidated') throw new SandboxControlError(409, `invoice ${id} is invalidated`);
    payments.set(id, [...(payments.get(id) ?? []), { amount: dec(payment.amount).toFixed(2), date: payment.date }]);
  }

  function deleteInvoice(id: string) {
    find(id);
    invoices = invoices.filter((i) => i.id !== id);
    for (const [key, value] of references) if (value === id) references.delete(key);
  }

  function invalidateInvoice(id: string) {
    find(id).state = 'invalidated';
  }

  function editInvoiceTotal(id: string, total: string) {
    total = checkedTotal({ total });
    const found = find(id);
    found.total = dec(total).toFixed(2);
    found.raw = { ...(found.raw as object), totals: { ...((found.raw as { totals?: object }).totals ?? {}), gross: found.total } };
  }

  /** An invoice someone else put into the accounting system (for reconciliation tests), with whatever reference it carries. */
  function plantInvoice(invoice: { reference: string; total: string; invoiceDate: string }): string {
    const n = ++lastNumber;
    const stored: SandboxInvoice = { id: `G-${n}`, number: String(1000 + n), state: 'draft', reference: invoice.reference, total: invoice.total, raw: { invoiceDate: invoice.invoiceDate, totals: { gross: invoice.total } } };
    invoices.push(stored);
    references.set(invoice.reference, stored.id);
    return stored.id;
  }

  function reset() {
    attachments = new Map();
    lastNumber = 0;
    payments = new Map();
    invoices = [];
    references = new Map();
    webhooks = [];
    faults.clear();
    log.clear();
  }

  return {
    app,
    secret,
    faults,
    invoices: () => invoices.map((i) => ({ ...i, paid: paidOf(i.id) })),
    registerPayment,
    plantInvoice,
    attachmentsOf: (id: string) => (attachments.get(id) ?? []).map((a) => ({ ...a })),
    deleteInvoice,
    invalidateInvoice,
    editInvoiceTotal,
    sendInvoice(id: string) {
      const found = invoices.find((i) => i.id === id);
      if (!found) throw new Error(`the generic sandbox has no invoice ${id}`);
      found.state = 'sent';
    },
    webhooks: () => [...webhooks],
    requests: () => log.list(),
    reset,
    releaseHeld: () => held.releaseAll(),
  };
}

/** The invoice payload of a create or edit, or the answer that refuses it (400 not JSON, 422 invalid). */
/** A control route's body: the JSON parser here hands over text. */
function parsed(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

function readPayload(raw: string): { payload: any } | { refusal: { status: number; body: unknown } } {
  let payload: any;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { refusal: { status: 400, body: { error: { code: 'bad_json', message: 'body is not JSON' } } } };
  }
  const problems = checkPayload(payload);
  if (problems.length) return { refusal: { status: 422, body: { error: { code: 'invalid_invoice', message: problems.map((p) => `${p.path} ${p.message}`).join('; '), details: problems } } } };
  return { payload };
}

function checkPayload(body: any): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (!body || typeof body !== 'object') return [{ path: '(body)', message: 'must be an object' }];
  if (typeof body.id !== 'string') problems.push({ path: 'id', message: 'is required' });
  if (!Array.isArray(body.lines) || body.lines.length === 0) problems.push({ path: 'lines', message: 'must have at least one line' });
  const money = /^-?\d+\.\d{2}$/;
  for (const [i, line] of (Array.isArray(body.lines) ? body.lines : []).entries()) {
    for (const field of ['netAmount', 'vatAmount'] as const) {
      if (typeof line?.[field] !== 'string' || !money.test(line[field])) problems.push({ path: `lines[${i}].${field}`, message: 'must be a decimal string with 2 places' });
    }
    if (typeof line?.product?.code !== 'string') problems.push({ path: `lines[${i}].product.code`, message: 'is required' });
  }
  for (const field of ['net', 'vat', 'gross'] as const) {
    if (typeof body.totals?.[field] !== 'string' || !money.test(body.totals[field])) problems.push({ path: `totals.${field}`, message: 'must be a decimal string with 2 places' });
  }
  if (problems.length === 0) {
    const net = sum(body.lines.map((l: any) => dec(l.netAmount)));
    const vat = sum(body.lines.map((l: any) => dec(l.vatAmount)));
    if (!net.equals(dec(body.totals.net))) problems.push({ path: 'totals.net', message: `is not the sum of the lines (${net.toFixed(2)})` });
    if (!vat.equals(dec(body.totals.vat))) problems.push({ path: 'totals.vat', message: `is not the sum of the lines (${vat.toFixed(2)})` });
    if (!net.plus(vat).equals(dec(body.totals.gross))) problems.push({ path: 'totals.gross', message: 'is not net + vat' });
  }
  return problems;
}

export interface RunningGenericSandbox extends RunningSandbox {
  /** Status events received at POST {url}/webhooks. */
  webhooks(): ReceivedWebhook[];
  readonly webhookUrl: string;
  /** An invoice someone else put there, carrying `reference` (reconciliation's "not created by ledgerlink"). Returns its id. */
  plantInvoice(invoice: { reference: string; total: string; invoiceDate: string }): string;
  /** The attachments an invoice has (name, size). */
  attachmentsOf(id: string): Array<{ id: string; name: string; filename: string; size: number }>;
}

/** Starts the generic sandbox (port 4010 on 127.0.0.1 by default; 0 picks a free port). */
export async function startGenericSandbox(options: GenericSandboxOptions = {}): Promise<RunningGenericSandbox> {
  const sandbox = buildGenericSandbox(options);
  const address = await sandbox.app.listen({ port: options.port ?? 4010, host: options.host ?? '127.0.0.1' });
  const url = address.replace('localhost', '127.0.0.1');
  return {
    provider: 'generic',
    url,
    webhookUrl: `${url}/webhooks`,
    credentials: { secret: sandbox.secret },
    injectFault: (fault) => sandbox.faults.inject(fault),
    clearFaults: () => sandbox.faults.clear(),
    invoices: sandbox.invoices,
    sendInvoice: sandbox.sendInvoice,
    registerPayment: sandbox.registerPayment,
    plantInvoice: sandbox.plantInvoice,
    attachmentsOf: sandbox.attachmentsOf,
    deleteInvoice: sandbox.deleteInvoice,
    invalidateInvoice: sandbox.invalidateInvoice,
    editInvoiceTotal: sandbox.editInvoiceTotal,
    requests: sandbox.requests,
    webhooks: sandbox.webhooks,
    reset: sandbox.reset,
    close: async () => {
      sandbox.releaseHeld();
      await sandbox.app.close();
    },
  };
}

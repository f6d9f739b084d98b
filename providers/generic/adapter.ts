import { sign } from '../../src/events/signing.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { generateWebhookSecret } from '../../src/events/signing.js';
import { ProviderNotEditableError } from '../errors/not-editable-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { OutboundRequest } from '../http/outbound-http.js';
import { dec } from '../../src/domain/money.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { CustomerResolution, Provider, ProviderContext, ProviderInvoice, ProviderInvoiceStatus } from '../types.js';
import { genericInvoicePayload } from './payload.js';
import { classifyResponse, endpointMessage } from './response.js';
import { genericSettingsSchema, type GenericSettings } from './settings.js';

type Ctx = ProviderContext<GenericSettings>;

interface GenericPrepared {
  customer: CustomerResolution;
  providerCustomerId: string | null;
}

/**
 * Any accounting system behind an HTTP endpoint that speaks ledgerlink's
 * generic protocol: POST /invoices (signed, with Idempotency-Key) and
 * GET /invoices?reference=… for the lookup that makes posting exactly-once.
 */
export const genericProvider: Provider<GenericSettings, GenericPrepared> = {
  id: 'generic',
  displayName: 'Accounting endpoint',
  settingsSchema: genericSettingsSchema,
  secretFields: ['secret'],
  parallelSyncs: () => 8,

  completeSettings(settings) {
    if (settings.secret) return { settings };
    const secret = generateWebhookSecret();
    return { settings: { ...settings, secret }, revealOnce: { secret } };
  },

  async verifyConnection(ctx) {
    // A lookup of a reference that cannot exist: harmless, and it exercises the signature.
    const response = await ctx.http.send(lookupRequest(ctx, 'll-connection-check'));
    if (response.status === 200 || response.status === 404) return;
    throw classifyResponse(response, { write: false, what: 'check the connection', connectionLabel: ctx.connection.label, now: ctx.clock() });
  },

  async resolveCustomer(ctx, invoice) {
    return customerResolution(ctx, invoice);
  },

  async prepare(ctx, invoice) {
    const resolution = await customerResolution(ctx, invoice);
    return { customer: resolution, providerCustomerId: resolution.providerCustomerId ?? null };
  },

  buildCreateRequest(ctx, invoice, prepared) {
    return invoiceRequest(ctx, 'POST', `${ctx.settings.baseUrl}/invoices`, invoice, prepared, 'create the invoice');
  },

  async create(ctx, request) {
    const response = await ctx.http.send(request);
    if (response.status >= 200 && response.status < 300) {
      const created = invoiceFrom(response.data);
      if (created) return created;
      // The endpoint took the request but did not say what it stored: find out by lookup.
      throw classifyResponse(
        { ...response, status: 502, data: { message: 'the answer had no invoice id' } },
        { write: true, what: 'create the invoice', connectionLabel: ctx.connection.label, now: ctx.clock() },
      );
    }
    throw classifyResponse(response, { write: true, what: 'create the invoice', connectionLabel: ctx.connection.label, now: ctx.clock() });
  },

  // The protocol has no way to read an invoice's state: the endpoint says whether it can be
  // edited by answering the PUT (404/405/409 = no).
  async readInvoice(_ctx, existing) {
    return existing;
  },

  // GET {baseUrl}/invoices/{id} (README, generic wire protocol): every field checked, or nothing is believed.
  async readStatus(ctx, existing) {
    const response = await ctx.http.send({
      method: 'GET',
      url: `${ctx.settings.baseUrl}/invoices/${encodeURIComponent(existing.id)}`,
      headers: { accept: 'application/json', ...signatureHeaders(ctx, `status-${existing.id}`, '') },
      write: false,
      label: 'read the invoice status',
    });
    if (response.status === 404) return null;
    if (response.status !== 200) {
      throw classifyResponse(response, { write: false, what: 'read the invoice status', connectionLabel: ctx.connection.label, now: ctx.clock() });
    }
    return genericStatus(response.data, existing.id);
  },

  // GET {baseUrl}/invoices?from=&to= → 200 {invoices: [{id, number, reference, status, total, invoiceDate}]} (README).
  async listInvoices(ctx, period) {
    const url = `${ctx.settings.baseUrl}/invoices?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}`;
    const response = await ctx.http.send({
      method: 'GET',
      url,
      headers: { accept: 'application/json', ...signatureHeaders(ctx, `list-${period.from}-${period.to}`, '') },
      write: false,
      label: 'list the invoices of a period',
    });
    if (response.status !== 200) throw classifyResponse(response, { write: false, what: 'list the invoices of a period', connectionLabel: ctx.connection.label, now: ctx.clock() });
    const list = (response.data as { invoices?: unknown })?.invoices;
    if (!Array.isArray(list)) {
      throw new ProviderTransientError({ code: 'generic_list_unreadable', message: 'The accounting endpoint answered the period list without an "invoices" array; reconciliation will try again.' });
    }
    return list.map((raw) => {
      const i = (raw ?? {}) as Record<string, unknown>;
      const state = typeof i.status === 'string' ? i.status : null;
      return {
        id: String(i.id ?? ''),
        number: i.number === undefined || i.number === null ? null : String(i.number),
        reference: typeof i.reference === 'string' ? i.reference : null,
        state,
        void: state === 'invalidated' || state === 'void',
        total: i.total === undefined || i.total === null || !MONEY.test(String(i.total).replace(/^-/, '')) ? null : dec(String(i.total)).toFixed(2),
        date: typeof i.invoiceDate === 'string' ? i.invoiceDate : null,
      };
    });
  },

  // POST {baseUrl}/invoices/{id}/attachments {name, filename, contentType, data (base64)}, Idempotency-Key = name → 2xx {id}.
  async attach(ctx, invoice, file) {
    const body = JSON.stringify({ name: file.name, filename: file.filename, contentType: file.contentType, data: file.data.toString('base64') });
    const response = await ctx.http.send({
      method: 'POST',
      url: `${ctx.settings.baseUrl}/invoices/${encodeURIComponent(invoice.id)}/attachments`,
      headers: { 'content-type': 'application/json', 'idempotency-key': file.name, ...signatureHeaders(ctx, `attach-${file.name.replace(/[^A-Za-z0-9_-]/g, '-')}`, body) },
      body,
      write: true,
      label: 'attach the invoice PDF',
    });
    const id = (response.data as { id?: unknown } | null)?.id;
    if (response.status >= 200 && response.status < 300 && (typeof id === 'string' || typeof id === 'number')) return { id: String(id) };
    if (response.status >= 200 && response.status < 300) {
      throw classifyResponse({ ...response, status: 502, data: { message: 'the answer had no attachment id' } }, { write: true, what: 'attach the invoice PDF', connectionLabel: ctx.connection.label, now: ctx.clock() });
    }
    throw classifyResponse(response, { write: true, what: 'attach the invoice PDF', connectionLabel: ctx.connection.label, now: ctx.clock() });
  },

  // GET {baseUrl}/invoices/{id}/attachments → 200 {attachments: [{id, name}]}.
  async findAttachment(ctx, invoice, name) {
    const response = await ctx.http.send({
      method: 'GET',
      url: `${ctx.settings.baseUrl}/invoices/${encodeURIComponent(invoice.id)}/attachments`,
      headers: { accept: 'application/json', ...signatureHeaders(ctx, `attachments-${invoice.id}`, '') },
      write: false,
      label: 'look for the invoice PDF among its attachments',
    });
    const list = (response.data as { attachments?: unknown } | null)?.attachments;
    if (response.status !== 200 || !Array.isArray(list)) {
      throw classifyResponse(response.status === 200 ? { ...response, status: 502 } : response, { write: false, what: 'list the invoice attachments', connectionLabel: ctx.connection.label, now: ctx.clock() });
    }
    const found = (list as Array<{ id?: unknown; name?: unknown }>).find((a) => a.name === name);
    return found && found.id !== undefined ? { id: String(found.id) } : null;
  },

  planRevision() {
    return 'edit';
  },

  async edit(ctx, current, invoice, prepared) {
    const url = `${ctx.settings.baseUrl}/invoices/${encodeURIComponent(current.id)}`;
    const response = await ctx.http.send(invoiceRequest(ctx, 'PUT', url, invoice, prepared, 'update the invoice with the new revision'));
    if (response.status >= 200 && response.status < 300) {
      const updated = invoiceFrom(response.data);
      return { ...current, ...(updated ?? {}), id: current.id };
    }
    if (response.status === 404 || response.status === 405 || response.status === 409) {
      const said = endpointMessage(response.data);
      throw new ProviderNotEditableError({
        code: 'not_editable',
        status: response.status,
        message: `The accounting endpoint did not let ledgerlink change invoice ${current.id}${current.number ? ` (number ${current.number})` : ''} (HTTP ${response.status}${said ? `: ${said}` : ''}).`,
      });
    }
    throw classifyResponse(response, { write: true, what: 'update the invoice', connectionLabel: ctx.connection.label, now: ctx.clock() });
  },

  async findByReference(ctx, invoice) {
    const response = await ctx.http.send(lookupRequest(ctx, invoice.reference));
    if (response.status === 404) return null;
    if (response.status === 200) {
      const found = invoiceFrom(response.data);
      if (found) return found;
    }
    throw classifyResponse(response, { write: false, what: 'look the invoice up', connectionLabel: ctx.connection.label, now: ctx.clock() });
  },
};

async function customerResolution(ctx: Ctx, invoice: ResolvedInvoice): Promise<CustomerResolution> {
  const linked = await ctx.links.customer(invoice.customer.externalId);
  if (linked) return { action: 'linked', providerCustomerId: linked };
  if (!ctx.settings.createCustomers) {
    throw new ProviderValidationError({
      code: 'customer_not_linked',
      message: `Customer "${invoice.customer.name}" (${invoice.customer.externalId}) is not linked and ${ctx.connection.label} does not allow new customers. Link it with PUT /v1/customer-links/${encodeURIComponent(invoice.customer.externalId)} {"provider":"generic","providerCustomerId":"…"}, or allow createCustomers.`,
      details: [{ path: 'customer.externalId', message: 'is not linked to a customer of the accounting endpoint' }],
    });
  }
  // The endpoint receives the customer inline and creates or matches it on its side.
  return { action: 'create' };
}

/** A signed create (POST) or edit (PUT) carrying the whole invoice, keyed by the revision's reference. */
function invoiceRequest(ctx: Ctx, method: 'POST' | 'PUT', url: string, invoice: ResolvedInvoice, prepared: GenericPrepared, label: string): OutboundRequest {
  const body = JSON.stringify(genericInvoicePayload(invoice, prepared.providerCustomerId));
  return {
    method,
    url,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': invoice.reference,
      ...signatureHeaders(ctx, invoice.reference, body),
    },
    body,
    write: true,
    label,
  };
}

function lookupRequest(ctx: Ctx, reference: string): OutboundRequest {
  return {
    method: 'GET',
    url: `${ctx.settings.baseUrl}/invoices?reference=${encodeURIComponent(reference)}`,
    headers: { accept: 'application/json', ...signatureHeaders(ctx, `lookup-${reference}`, '') },
    write: false,
    label: 'look the invoice up by its reference',
  };
}

function signatureHeaders(ctx: Ctx, id: string, body: string): Record<string, string> {
  const secret = ctx.settings.secret;
  if (!secret) {
    throw new ProviderValidationError({
      code: 'generic_no_secret',
      message: `${ctx.connection.label} has no signing secret; save the connection again to generate one.`,
    });
  }
  const signed = sign({ secret, id, body, now: ctx.clock() });
  if (!signed.ok) {
    throw new ProviderValidationError({ code: 'generic_bad_secret', message: `${ctx.connection.label}: ${signed.reason}.` });
  }
  return { ...signed.headers };
}

const MONEY = /^\d{1,15}(\.\d{1,2})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The status answer, read whole: anything missing or malformed is an error (a partial read must change nothing). */
function genericStatus(data: unknown, id: string): ProviderInvoiceStatus {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (String(d.id ?? '') !== id) problems.push(`id is ${JSON.stringify(d.id)}, not ${id}`);
  if (typeof d.sent !== 'boolean') problems.push('sent must be true or false');
  const paid = d.paidAmount === undefined || d.paidAmount === null ? '0' : String(d.paidAmount);
  if (!MONEY.test(paid)) problems.push('paidAmount must be a decimal string such as "100.00"');
  if (d.paidAt !== undefined && d.paidAt !== null && !(typeof d.paidAt === 'string' && DAY.test(d.paidAt))) problems.push('paidAt must be a date YYYY-MM-DD or null');
  if (d.total !== undefined && d.total !== null && !MONEY.test(String(d.total).replace(/^-/, ''))) problems.push('total must be a decimal string');
  if (problems.length) {
    throw new ProviderTransientError({
      code: 'generic_status_unreadable',
      message: `The accounting endpoint's status answer for invoice ${id} could not be read (${problems.join('; ')}); ledgerlink keeps what it knew and reads it again later.`,
    });
  }
  const state = typeof d.status === 'string' ? d.status : null;
  return {
    state,
    void: state === 'invalidated' || state === 'void',
    sent: d.sent === true,
    paidAmount: dec(paid).toFixed(2),
    paidAt: typeof d.paidAt === 'string' ? d.paidAt : null,
    total: d.total === undefined || d.total === null ? null : dec(String(d.total)).toFixed(2),
  };
}

function invoiceFrom(data: unknown): ProviderInvoice | null {
  if (!data || typeof data !== 'object') return null;
  const { id, number } = data as { id?: unknown; number?: unknown };
  if ((typeof id !== 'string' && typeof id !== 'number') || id === '') return null;
  return { id: String(id), number: number === undefined || number === null ? null : String(number) };
}

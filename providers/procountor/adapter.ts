import { validateReferenceNumber } from '../../src/domain/finnish/reference-number.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { OutboundRequest } from '../http/outbound-http.js';
import type { CustomerResolution, Provider, SyncWarning } from '../types.js';
import { ProcountorClient, type ProcountorContext } from './client.js';
import { CustomerResolver } from './customers.js';
import { channelProblems, chooseChannel } from './invoice-channel.js';
import { mapInvoice, procountorNumberProblems } from './invoice-mapping.js';
import { createInvoice, finalizeInvoice, findInvoiceByReference, getInvoice } from './invoices.js';
import { readProcountorStatus } from './invoice-status.js';
import { listProcountorInvoices } from './invoice-list.js';
import { attachToProcountorInvoice, findProcountorAttachment } from './attachments.js';
import { editProcountorInvoice, invalidateProcountorInvoice, planProcountorRevision } from './revisions.js';
import { resolveProducts, type ProductLink } from './products.js';
import { procountorSettingsSchema, type InvoiceChannel, type ProcountorSettings } from './settings.js';

/** What `prepare` settles for `buildCreateRequest`. */
export interface ProcountorPrepared {
  customer: CustomerResolution;
  /** Procountor business partner id of the customer. */
  partnerId: string;
  customerAction: CustomerResolution['action'];
  /** Per line: the linked Procountor product, when the product mapping names one Procountor has. */
  products: Array<ProductLink | null>;
  channel: InvoiceChannel;
}

/** The same warning twice in one attempt (e.g. a cleaned customer name on the partner and the invoice) is said once. */
function withDedupedWarnings(ctx: ProcountorContext): ProcountorContext {
  const said = new Set<string>();
  return {
    ...ctx,
    warn(warning: SyncWarning) {
      const key = `${warning.code}|${warning.path ?? ''}`;
      if (said.has(key)) return;
      said.add(key);
      ctx.warn(warning);
    },
  };
}

/** Checks, before anything is created at Procountor, that the chosen channel has what it needs. */
function checkChannel(channel: InvoiceChannel, invoice: ResolvedInvoice, ctx: ProcountorContext): void {
  const problems = channelProblems(channel, invoice.customer);
  if (problems.length === 0) return;
  const how = ctx.settings.invoiceChannel ? `the Procountor connection sends invoices as ${channel}` : `ledgerlink chose ${channel} for this customer`;
  throw new ProviderValidationError({
    code: 'procountor_channel_incomplete',
    message: `The invoice cannot be sent as ${channel}: ${how}, and the customer lacks ${problems.map((p) => p.path).join(', ')}. Complete the customer, or set invoiceChannel in the connection.`,
    details: problems,
  });
}

/** Procountor refuses a reference number whose check digit is wrong; say so before anything is created. */
function checkReference(invoice: ResolvedInvoice): void {
  if (invoice.referenceNumber.trim() === '') return;
  const check = validateReferenceNumber(invoice.referenceNumber);
  if (check.ok) return;
  throw new ProviderValidationError({
    code: 'procountor_validation',
    message: `The payment reference number ${invoice.referenceNumber} ${check.message}; Procountor only accepts valid Finnish or RF reference numbers.`,
    details: [{ path: 'referenceNumber', message: check.message, providerCode: 'INVALID_REFERENCE_CODE' }],
  });
}

function invoicesUrl(settings: ProcountorSettings): string {
  return `${settings.baseUrl}/invoices`;
}

/**
 * Procountor adapter: invoices become SALES_INVOICEs through Procountor's REST
 * API (M2M auth), customers business partners, mapped products product links.
 * Our reference goes in `originalInvoiceNumber`, which is how a retry after a
 * lost answer finds the invoice instead of posting it again.
 */
export const procountorProvider: Provider<ProcountorSettings, ProcountorPrepared> = {
  id: 'procountor',
  displayName: 'Procountor',
  settingsSchema: procountorSettingsSchema,
  secretFields: ['clientSecret', 'apiKey'],
  // The client's request budget is the limit: a sync makes about three requests, so a few
  // syncs at once keep it busy; more would only queue for it.
  parallelSyncs: (settings) => Math.max(1, Math.floor(settings.requestsPerSecond / 4)),

  async budgetWaitMs(ctx) {
    return new ProcountorClient(ctx).budgetWaitMs();
  },

  async verifyConnection(ctx) {
    await new ProcountorClient(ctx).verifyCredentials();
  },

  async resolveCustomer(ctx, invoice, options) {
    const channel = chooseChannel(ctx.settings, invoice.customer);
    return new CustomerResolver(new ProcountorClient(ctx), ctx).resolve(invoice, { dryRun: options.dryRun, channel });
  },

  async prepare(rawCtx, invoice) {
    const ctx = withDedupedWarnings(rawCtx);
    const client = new ProcountorClient(ctx);
    const channel = chooseChannel(ctx.settings, invoice.customer);
    checkChannel(channel, invoice, ctx);
    checkReference(invoice);
    // Map once before touching Procountor: an invoice Procountor cannot take
    // (a VAT treatment without a status) must not leave a new customer behind.
    const draft = mapInvoice({ invoice, settings: ctx.settings, partnerId: null, products: invoice.lines.map(() => null), channel });
    const products = await resolveProducts(client, ctx, invoice);
    const customer = await new CustomerResolver(client, ctx).resolve(invoice, { dryRun: false, channel });
    for (const warning of draft.warnings) ctx.warn(warning);
    return { customer, partnerId: customer.providerCustomerId!, customerAction: customer.action, products, channel };
  },

  checkInvoice(invoice) {
    return procountorNumberProblems(invoice);
  },

  buildCreateRequest(ctx, invoice, prepared): OutboundRequest {
    const json = invoiceJson(ctx, invoice, prepared);
    return {
      method: 'POST',
      url: invoicesUrl(ctx.settings),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      // Text, not an object: its numbers are written from the decimals, digit for digit.
      body: json,
      write: true,
      label: 'create invoice',
    };
  },

  async create(ctx, request) {
    return createInvoice(new ProcountorClient(ctx), request);
  },

  async findByReference(ctx, invoice) {
    return findInvoiceByReference(new ProcountorClient(ctx), ctx, invoice.reference);
  },

  async finalize(ctx, _invoice, existing) {
    return finalizeInvoice(new ProcountorClient(ctx), ctx, existing);
  },

  async readInvoice(ctx, existing) {
    return getInvoice(new ProcountorClient(ctx), existing.id);
  },

  async readStatus(ctx, existing) {
    return readProcountorStatus(new ProcountorClient(ctx), existing);
  },

  async listInvoices(ctx, period) {
    return listProcountorInvoices(new ProcountorClient(ctx), period);
  },

  async attach(ctx, invoice, file) {
    return attachToProcountorInvoice(new ProcountorClient(ctx), invoice, file);
  },

  async findAttachment(ctx, invoice, name) {
    return findProcountorAttachment(new ProcountorClient(ctx), invoice, name);
  },

  planRevision(current, customer) {
    return planProcountorRevision(current, customer.providerCustomerId ?? null);
  },

  async edit(ctx, current, invoice, prepared) {
    return editProcountorInvoice(new ProcountorClient(ctx), ctx, current, invoiceJson(ctx, invoice, prepared));
  },

  async invalidate(ctx, current) {
    return invalidateProcountorInvoice(new ProcountorClient(ctx), ctx, current);
  },
};

/** The SALES_INVOICE of a prepared invoice as JSON text, numbers digit for digit (create and edit send the same). */
function invoiceJson(ctx: ProcountorContext, invoice: ResolvedInvoice, prepared: ProcountorPrepared): string {
  return mapInvoice({
    invoice,
    settings: ctx.settings,
    partnerId: Number(prepared.partnerId),
    products: prepared.products,
    channel: prepared.channel,
  }).json;
}

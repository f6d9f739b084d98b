import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { ProviderNotEditableError } from '../errors/not-editable-error.js';
import { ProviderError } from '../errors/provider-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import type { OutboundRequest } from '../http/outbound-http.js';
import type { CustomerResolution, InvoiceFile, Provider, ProviderInvoice } from '../types.js';
import { callNetvisor, expectOk, netvisorOk, netvisorRequest, type NetvisorContext, type NetvisorDeps } from './client.js';
import { customerRefFromLink, customerRefToLink } from './customer-ref.js';
import { createNetvisorCustomer, resolveNetvisorCustomer } from './customers.js';
import { randomTransactionId } from './mac.js';
import { findInvoiceByReference } from './lookup.js';
import { readNetvisorStatus } from './invoice-status.js';
import { listNetvisorInvoices } from './invoice-list.js';
import { matchCreditNote } from './credit-note-match.js';
import { ensureNetvisorProducts } from './products.js';
import { netvisorSettingsSchema, withDefaults, type NetvisorSettings } from './settings.js';
import { buildSalesInvoiceXml } from './xml/build-invoice.js';
import { insertedIdentifier, parseSalesInvoice } from './xml/parse-response.js';

/** What `prepare` settles for `buildCreateRequest`: plain data, safe to store. */
export interface NetvisorPrepared {
  customer: CustomerResolution;
  /** The customer link: a Netvisor customer code, or "netvisor:<key>". */
  customerLink: string;
  /** Product code → NetvisorKey (or link value) of every product the lines name. */
  products: Record<string, string>;
}

/** A keyword no customer has: verifying the connection reads an empty customer list. */
const CONNECTION_CHECK_KEYWORD = 'ledgerlink-connection-check';

/**
 * Netvisor (Visma Netvisor's XML API). Every request is signed with the
 * HMAC-SHA256 MAC and sent one at a time per organisation across all workers;
 * invoices are added as unsent, found again by our reference number.
 */
export function createNetvisorProvider(overrides: Partial<NetvisorDeps> = {}): Provider<NetvisorSettings, NetvisorPrepared> {
  const deps: NetvisorDeps = { transactionId: randomTransactionId, ...overrides };

  return {
    id: 'netvisor',
    displayName: 'Netvisor',
    settingsSchema: netvisorSettingsSchema,
    secretFields: ['customerKey', 'partnerKey'],
    // Netvisor takes one request at a time per organisation: one invoice at a time.
    parallelSyncs: () => 1,

    async verifyConnection(ctx) {
      await netvisorOk(
        ctx,
        { method: 'GET', resource: 'customerlist.nv', query: [['keyword', CONNECTION_CHECK_KEYWORD]], write: false, label: 'check the connection to Netvisor' },
        deps,
      );
    },

    async resolveCustomer(ctx, invoice, options) {
      const { action, providerCustomerId } = await resolveNetvisorCustomer(ctx, invoice.customer, deps, options);
      return providerCustomerId === undefined ? { action } : { action, providerCustomerId };
    },

    async prepare(ctx, invoice) {
      const resolution = await resolveNetvisorCustomer(ctx, invoice.customer, deps, { dryRun: false });
      const ref = resolution.ref ?? (await createNetvisorCustomer(ctx, invoice.customer, deps));
      const products = await ensureNetvisorProducts(ctx, invoice.lines, deps);
      const customerLink = customerRefToLink(ref);
      return { customer: { action: resolution.action, providerCustomerId: customerLink }, customerLink, products };
    },

    // Netvisor has no call that adds an attachment to an existing sales invoice: they go inside it.
    attachesWithCreate: true,

    buildCreateRequest(ctx, invoice, prepared, files = []) {
      return invoiceRequest(ctx, invoice, prepared, [['method', 'add']], invoice.type === 'credit_note' ? 'create the credit note in Netvisor' : 'create the invoice in Netvisor', files);
    },

    async create(ctx, request, invoice) {
      const sendable = { ...request, body: reviveBody(request.body) };
      const answer = await callNetvisor(ctx, sendable, deps);
      const response = expectOk(ctx, sendable, answer, { invoiceDate: invoice.invoiceDate });
      const key = insertedIdentifier(response);
      if (!key) {
        throw new ProviderUnknownOutcomeError({
          code: 'netvisor_no_identifier',
          status: answer.status,
          message: 'Netvisor answered OK but did not say which invoice it created (no InsertedDataIdentifier); ledgerlink will look it up before doing anything else.',
        });
      }
      return { id: key, number: await invoiceNumber(ctx, key, deps), state: 'unsent' } satisfies ProviderInvoice;
    },

    // A credit note is matched to the invoice it credits; an invoice has nothing to finalize.
    async finalize(ctx, invoice, existing) {
      return matchCreditNote(ctx, invoice, existing, deps);
    },

    async findByReference(ctx, invoice: ResolvedInvoice) {
      return findInvoiceByReference(ctx, invoice, deps);
    },

    async readInvoice(ctx, existing) {
      const details = parseSalesInvoice(
        await netvisorOk(
          ctx,
          { method: 'GET', resource: 'getsalesinvoice.nv', query: [['netvisorkey', existing.id], ['pdfimage', 'nopdf']], write: false, label: 'read the invoice from Netvisor' },
          deps,
        ),
      );
      if (!details) return null;
      return { id: existing.id, number: details.number ?? existing.number ?? null, state: details.status?.toLowerCase() ?? null };
    },

    async readStatus(ctx, existing) {
      return readNetvisorStatus(ctx, existing, deps);
    },

    async listInvoices(ctx, period) {
      return listNetvisorInvoices(ctx, period, deps);
    },

    // Only an unsent invoice can be edited (it has no voucher and nobody has received it);
    // Netvisor's API cannot invalidate one, so anything else is issued.
    planRevision(current) {
      return current.state === 'unsent' ? 'edit' : 'issued';
    },

    async edit(ctx, current, invoice, prepared) {
      const request = invoiceRequest(ctx, invoice, prepared, [['method', 'edit'], ['id', current.id]], 'update the invoice in Netvisor with the new revision');
      const sendable = { ...request, body: reviveBody(request.body) };
      const answer = await callNetvisor(ctx, sendable, deps);
      try {
        expectOk(ctx, sendable, answer, { invoiceDate: invoice.invoiceDate });
      } catch (refusal) {
        // Refused: because it was sent meanwhile (then it is issued), or for the data itself.
        if (refusal instanceof ProviderError && refusal.category === 'validation') {
          const now = await this.readInvoice(ctx, current);
          if (!now || now.state !== 'unsent') {
            throw new ProviderNotEditableError({
              code: 'not_editable',
              message: `Netvisor invoice ${current.number ?? current.id} (NetvisorKey ${current.id}) ${now ? `is ${now.state}` : 'no longer exists'} and can no longer be changed.`,
            });
          }
        }
        throw refusal;
      }
      return { ...current, state: 'unsent' };
    },
  };

  function invoiceRequest(
    ctx: NetvisorContext,
    invoice: ResolvedInvoice,
    prepared: NetvisorPrepared,
    query: Array<[string, string]>,
    label: string,
    files: readonly InvoiceFile[] = [],
  ): OutboundRequest {
    const settings = withDefaults(ctx.settings);
    return netvisorRequest(settings, {
      method: 'POST',
      resource: 'salesinvoice.nv',
      query,
      body: buildSalesInvoiceXml({ invoice, customer: customerRefFromLink(prepared.customerLink), settings, warn: (w) => ctx.warn(w), files }),
      write: true,
      label,
    });
  }
}

/** The provider as the registry uses it: random transaction ids. */
export const netvisorProvider = createNetvisorProvider();

/**
 * The invoice number Netvisor gave the new invoice (getsalesinvoice.nv). The
 * invoice exists whatever happens here, so a failure only leaves the number
 * unknown, with a warning — it never fails the sync.
 */
async function invoiceNumber(ctx: NetvisorContext, key: string, deps: NetvisorDeps): Promise<string | null> {
  try {
    const response = await netvisorOk(
      ctx,
      { method: 'GET', resource: 'getsalesinvoice.nv', query: [['netvisorkey', key], ['pdfimage', 'nopdf']], write: false, label: 'read the new invoice number from Netvisor' },
      deps,
    );
    return parseSalesInvoice(response)?.number ?? null;
  } catch (error) {
    // Whatever failed (Netvisor, the network, Redis), the invoice exists: never turn that into a failed create.
    ctx.warn({
      code: 'netvisor_number_unknown',
      message: `The invoice was created in Netvisor (NetvisorKey ${key}) but its invoice number could not be read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return null;
  }
}

/** A request stored as JSON by the engine turns a Buffer body into {type:'Buffer', data}; turn it back. */
function reviveBody(body: OutboundRequest['body']): OutboundRequest['body'] {
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    const b = body as { type?: unknown; data?: unknown };
    if (b.type === 'Buffer' && Array.isArray(b.data)) return Buffer.from(b.data as number[]);
  }
  return body;
}

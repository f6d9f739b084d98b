import { createHash, randomBytes } from 'node:crypto';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { CustomerResolution, SyncWarning } from '../types.js';
import { LIMITS, type ProcountorPartnerRequest, type ProcountorPartnerSummary, type SearchResult } from './api-types.js';
import type { ProcountorClient, ProcountorContext } from './client.js';
import { invoiceLanguage, mapAddress } from './invoice-mapping.js';
import type { InvoiceChannel } from './settings.js';
import { TextFitter } from './text-fitter.js';

/** Business IDs compared without punctuation or country prefix: "1234567-1" = "FI12345671". */
function comparableId(value: string | null | undefined): string | null {
  if (!value) return null;
  const compact = value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return compact.replace(/^FI(?=\d{8}$)/, '') || null;
}

/** How the customer of an invoice maps to a Procountor business partner. */
export class CustomerResolver {
  constructor(
    private readonly client: ProcountorClient,
    private readonly ctx: ProcountorContext,
  ) {}

  /**
   * Linked partner id as is; else a partner found by customer number, then by
   * business ID (matched, and the link saved unless dryRun); else one to create
   * (created here unless dryRun, and the link saved).
   */
  async resolve(invoice: ResolvedInvoice, options: { dryRun: boolean; channel: InvoiceChannel }): Promise<CustomerResolution> {
    const customer = invoice.customer;
    const linked = await this.ctx.links.customer(customer.externalId);
    if (linked) {
      if (!/^\d+$/.test(linked)) {
        throw new ProviderValidationError({
          code: 'customer_link_invalid',
          message: `Customer ${customer.externalId} is linked to "${linked}", which is not a Procountor business partner id (a number). Fix the link with PUT /v1/customer-links/${customer.externalId}.`,
          details: [{ path: 'customer.externalId', message: 'is linked to an id that is not a number' }],
        });
      }
      return { action: 'linked', providerCustomerId: linked };
    }
    // Two syncs of one new customer at once (two runners, two workers) would both find nothing and
    // both create it: Procountor refuses the second (CUSTOMER_NUMBER_IN_USE) or, without a customer
    // number, keeps two partners. So finding and creating one customer is done under a lock shared
    // by every worker; the second sync then finds the link the first saved.
    if (options.dryRun) return this.findOrCreate(invoice, options);
    return this.underCustomerLock(customer.externalId, async () => {
      const linkedMeanwhile = await this.ctx.links.customer(customer.externalId);
      if (linkedMeanwhile && /^\d+$/.test(linkedMeanwhile)) return { action: 'linked', providerCustomerId: linkedMeanwhile };
      return this.findOrCreate(invoice, options);
    });
  }

  private async underCustomerLock<T>(externalId: string, fn: () => Promise<T>): Promise<T> {
    const digest = createHash('sha256').update(`${this.ctx.settings.baseUrl}|${this.ctx.settings.clientId}|${this.ctx.connection.tenantId}|${externalId}`).digest('hex').slice(0, 32);
    const key = `${this.ctx.redisPrefix}procountor:customer:${digest}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + 20_000;
    let backoff = 10;
    while ((await this.ctx.redis.set(key, token, 'PX', 30_000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) {
        throw new ProviderTransientError({
          code: 'procountor_customer_busy',
          retryAfterMs: 5_000,
          message: `Another ledgerlink worker has been setting up customer ${externalId} in Procountor for over 20 s; ledgerlink will try again shortly.`,
        });
      }
      await new Promise((r) => setTimeout(r, backoff + Math.floor(Math.random() * backoff)));
      backoff = Math.min(backoff * 2, 200);
    }
    try {
      return await fn();
    } finally {
      await this.ctx.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, key, token).catch(() => undefined);
    }
  }

  private async findOrCreate(invoice: ResolvedInvoice, options: { dryRun: boolean; channel: InvoiceChannel }): Promise<CustomerResolution> {
    const customer = invoice.customer;
    const found = await this.find(invoice);
    if (found) {
      const id = String(found.id);
      if (!options.dryRun) await this.ctx.links.saveCustomer(customer.externalId, id, 'matched');
      return { action: 'matched', providerCustomerId: id };
    }
    if (!this.ctx.settings.createCustomers) {
      const searched = [
        customer.customerNumber ? `customer number ${customer.customerNumber}` : null,
        customer.businessId ? `business ID ${customer.businessId}` : null,
      ].filter(Boolean);
      throw new ProviderValidationError({
        code: 'customer_not_linked',
        message: `Customer "${customer.name}" (${customer.externalId}) is not linked to a Procountor business partner${
          searched.length ? `, Procountor has none with ${searched.join(' or ')},` : ''
        } and ${this.ctx.connection.label} does not let ledgerlink create customers. Link it with PUT /v1/customer-links/${encodeURIComponent(
          customer.externalId,
        )} giving the Procountor business partner id, or allow creating customers (createCustomers: true).`,
        details: [{ path: 'customer', message: 'is not linked to a Procountor business partner' }],
      });
    }
    if (options.dryRun) return { action: 'create' };
    const id = await this.create(invoice, options.channel);
    await this.ctx.links.saveCustomer(customer.externalId, id, 'created');
    return { action: 'create', providerCustomerId: id };
  }

  /** A partner by customer number, else by business ID (Procountor takes `identifier` as a header: release notes 23.08). */
  private async find(invoice: ResolvedInvoice): Promise<ProcountorPartnerSummary | null> {
    const customer = invoice.customer;
    const ourId = comparableId(customer.businessId);
    if (customer.customerNumber) {
      const result = await this.client.call<SearchResult<ProcountorPartnerSummary>>({
        method: 'GET',
        path: '/businesspartners',
        query: { type: 'CUSTOMER', customerNumber: customer.customerNumber },
        write: false,
        label: 'find customer by customer number',
      });
      const matches: ProcountorPartnerSummary[] = [];
      for (const candidate of (result?.results ?? []).slice(0, 20)) {
        if (candidate.invoicingInfo?.customerNumber === customer.customerNumber) matches.push(candidate);
        else if (candidate.invoicingInfo?.customerNumber == null) {
          // A result that does not show its number is read in full rather than trusted.
          const full = await this.client.call<ProcountorPartnerSummary>({
            method: 'GET',
            path: `/businesspartners/${candidate.id}`,
            write: false,
            label: 'read customer',
          });
          if (full?.invoicingInfo?.customerNumber === customer.customerNumber) matches.push({ ...candidate, invoicingInfo: full.invoicingInfo });
        }
      }
      const match = this.pick(matches, `customer number ${customer.customerNumber}`);
      if (match) {
        const theirId = comparableId(match.invoicingInfo?.identifier);
        if (ourId && theirId && ourId !== theirId) {
          throw new ProviderValidationError({
            code: 'customer_conflict',
            message: `Procountor's customer number ${customer.customerNumber} belongs to "${match.name ?? match.id}" with business ID ${match.invoicingInfo?.identifier}, but this invoice's customer "${customer.name}" has business ID ${customer.businessId}. ledgerlink will not guess: link the right Procountor partner with PUT /v1/customer-links/${encodeURIComponent(
              customer.externalId,
            )}, or correct the customer number.`,
            details: [{ path: 'customer.customerNumber', message: `belongs to another company in Procountor (partner ${match.id})` }],
          });
        }
        return match;
      }
    }
    if (customer.businessId) {
      const result = await this.client.call<SearchResult<ProcountorPartnerSummary>>({
        method: 'GET',
        path: '/businesspartners',
        query: { type: 'CUSTOMER' },
        headers: { identifier: customer.businessId.trim() },
        write: false,
        label: 'find customer by business ID',
      });
      const matches = (result?.results ?? []).filter((p) => comparableId(p.invoicingInfo?.identifier) === ourId);
      return this.pick(matches, `business ID ${customer.businessId}`);
    }
    return null;
  }

  /** One partner of several: the oldest (lowest id), saying so. */
  private pick(matches: ProcountorPartnerSummary[], by: string): ProcountorPartnerSummary | null {
    if (matches.length === 0) return null;
    const sorted = [...matches].sort((a, b) => a.id - b.id);
    if (sorted.length > 1) {
      this.ctx.warn({
        code: 'customer_ambiguous',
        path: 'customer',
        message: `Procountor has ${sorted.length} customers with ${by} (ids ${sorted.map((p) => p.id).join(', ')}); ledgerlink used the oldest, ${sorted[0]!.id}. Link the right one with PUT /v1/customer-links if that is wrong.`,
      });
    }
    return sorted[0]!;
  }

  private async create(invoice: ResolvedInvoice, channel: InvoiceChannel): Promise<string> {
    const { body, warnings } = partnerBody(invoice, this.ctx, channel);
    for (const w of warnings) this.ctx.warn(w);
    const created = await this.client.call<{ id?: number }>({
      method: 'POST',
      path: '/businesspartners',
      body,
      write: true,
      label: 'create customer',
    });
    if (typeof created?.id !== 'number') {
      throw new ProviderUnknownOutcomeError({
        code: 'procountor_unexpected_answer',
        message: 'Procountor accepted the new customer but did not say its id; ledgerlink will look it up by customer number or business ID before trying again.',
      });
    }
    return String(created.id);
  }
}

/** `POST /businesspartners` body for a new customer (openapi.yaml `BusinessPartner`; name, type, paymentInfo.paymentMethod and, for customers, address required). */
export function partnerBody(
  invoice: ResolvedInvoice,
  ctx: Pick<ProcountorContext, 'settings'>,
  channel: InvoiceChannel,
): { body: ProcountorPartnerRequest; warnings: SyncWarning[] } {
  const customer = invoice.customer;
  const text = new TextFitter();
  const warnings: SyncWarning[] = [];
  const address = mapAddress(customer, text, warnings);
  const name = text.fit(customer.name, { path: 'customer.name', max: LIMITS.partnerName })!;
  const contact = text.fit(customer.contactPerson, { path: 'customer.contactPerson', max: LIMITS.partnerContactName });
  const email = customer.email && customer.email.length <= LIMITS.partnerContactEmail ? customer.email : undefined;
  const body: ProcountorPartnerRequest = {
    name,
    type: 'CUSTOMER',
    address,
    billingAddress: { ...address },
    invoicingInfo: {
      ...(customer.customerNumber ? { customerNumber: customer.customerNumber } : {}),
      ...(customer.businessId ? { identifier: customer.businessId.trim() } : {}),
      invoiceChannel: channel,
      ...(contact ? { contactPerson: contact } : {}),
      language: invoiceLanguage(invoice, ctx.settings),
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.einvoice ? { einvoiceAddress: customer.einvoice.address.replace(/\s+/g, ''), einvoiceOperator: customer.einvoice.operator.replace(/\s+/g, '') } : {}),
    },
    ...(contact || email ? { contactPersons: [{ ...(contact ? { name: contact } : {}), ...(email ? { email } : {}) }] } : {}),
    paymentInfo: {
      paymentMethod: 'BANK_TRANSFER',
      currency: invoice.currency,
      paymentTermDays: String(ctx.settings.paymentTermDays),
    },
  };
  return { body, warnings: [...text.warnings, ...warnings] };
}

import { randomBytes } from 'node:crypto';
import type { SandboxFault, SandboxInvoice } from '../../types.js';
import { Decimal } from 'decimal.js';
import { SandboxControlError } from '../../sandbox-kit/sandbox-control.js';
import { finnishReference, invoiceSums, type SandboxCompany } from './rules.js';
import type { SandboxInvoiceBody, SandboxPartnerBody } from './schemas.js';

/** A product in the sandbox register (`NemoProduct`). */
export interface SandboxProduct {
  id: number;
  type: 'SALES' | 'PURCHASE';
  name: string;
  code: string;
  unit: string;
  price: number;
  vat: number;
  active: boolean;
  currency: string;
}

export interface SandboxConfig {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  /** Requests per second per API client before 429 (Procountor's documented 20). */
  requestsPerSecond: number;
  tokenTtlSeconds: number;
  company: SandboxCompany;
  products: SandboxProduct[];
  clock: () => Date;
}

export type StoredPartner = SandboxPartnerBody & { id: number; version: string; registryInfo: { active: boolean } };
export type StoredInvoice = Omit<SandboxInvoiceBody, 'attachments'> & {
  id: number;
  status: string;
  invoiceNumber: number;
  version: string;
  created: string;
  ledgerReceiptId: number;
  attachments?: Array<{ id: number; name: string; referenceType: string; referenceId: number; mimeType: string; size: number }>;
  invoiceSumInfo: Array<{ currency: string; inAccountingCurrency: boolean; excludingVatTotal: number; vatSumTotal: number; invoiceSumTotal: number }>;
};

interface ActiveFault {
  fault: SandboxFault;
  remaining: number;
}

/** Procountor writes timestamps without zone: 2026-11-30T10:00:00. */
function timestamp(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** An invoice's version: its last modification time, to the millisecond, never the same twice. */
function nextVersion(at: Date, previous: string | null): string {
  let t = at.getTime();
  if (previous !== null && Date.parse(`${previous}Z`) >= t) t = Date.parse(`${previous}Z`) + 1;
  return new Date(t).toISOString().slice(0, 23);
}

/**
 * Everything the sandbox remembers: the company's registers and invoices,
 * issued tokens, the request log, the injected faults and each API client's
 * recent requests (for the rate limit). Plain memory; `reset` empties it.
 */
export class SandboxState {
  readonly partners = new Map<number, StoredPartner>();
  readonly products = new Map<number, SandboxProduct>();
  readonly invoices = new Map<number, StoredInvoice>();
  /** Payment events per invoice id (GET /invoices/{id}/paymentevents), oldest first. */
  readonly payments = new Map<number, Array<{ id: number; paymentDate: string; amount: number; currency: string }>>();
  private nextPaymentId = 900_001;
  readonly log: Array<{ method: string; path: string; at: string; status?: number }> = [];
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  private faults: ActiveFault[] = [];
  private readonly windows = new Map<string, number[]>();
  private nextPartnerId = 200_001;
  private nextInvoiceId = 500_001;
  private nextInvoiceNumber = 1001;
  private nextCustomerNumber = 10_001;

  constructor(readonly config: SandboxConfig) {
    this.reset();
  }

  now(): Date {
    return this.config.clock();
  }

  /** Forgets partners, invoices, requests, faults and rate windows; products go back to the seeds. Issued tokens stay valid. */
  reset(): void {
    this.partners.clear();
    this.invoices.clear();
    this.payments.clear();
    this.nextPaymentId = 900_001;
    this.products.clear();
    for (const p of this.config.products) this.products.set(p.id, { ...p });
    this.log.length = 0;
    this.faults = [];
    this.windows.clear();
    this.nextPartnerId = 200_001;
    this.nextInvoiceId = 500_001;
    this.nextInvoiceNumber = 1001;
    this.nextCustomerNumber = 10_001;
  }

  // --- tokens -------------------------------------------------------------

  issueToken(clientId: string): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, expiresAt: this.now().getTime() + this.config.tokenTtlSeconds * 1000 });
    return { token, expiresIn: this.config.tokenTtlSeconds };
  }

  /** The API client of a valid token, or null. */
  tokenClient(token: string): string | null {
    const entry = this.tokens.get(token);
    if (!entry) return null;
    if (entry.expiresAt <= this.now().getTime()) {
      this.tokens.delete(token);
      return null;
    }
    return entry.clientId;
  }

  /** Makes every issued token invalid (as when Procountor revokes an API key). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  // --- rate limit ---------------------------------------------------------

  /** Counts a request of an API client; false when it is over the limit in the last second. */
  admit(clientId: string): boolean {
    const now = this.now().getTime();
    const recent = (this.windows.get(clientId) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= this.config.requestsPerSecond) {
      this.windows.set(clientId, recent);
      return false;
    }
    recent.push(now);
    this.windows.set(clientId, recent);
    return true;
  }

  // --- faults -------------------------------------------------------------

  injectFault(fault: SandboxFault): void {
    this.faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault of a kind that matches; faults without `times` last until cleared. */
  takeFault<K extends SandboxFault['kind']>(kind: K, matches: (f: Extract<SandboxFault, { kind: K }>) => boolean = () => true) {
    const active = this.faults.find(
      (a) => a.fault.kind === kind && matches(a.fault as Extract<SandboxFault, { kind: K }>) && (a.fault.share === undefined || Math.random() < a.fault.share),
    );
    if (!active) return null;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults = this.faults.filter((a) => a !== active);
    return active.fault as Extract<SandboxFault, { kind: K }>;
  }

  // --- registers ----------------------------------------------------------

  customerNumberTaken(number: string): boolean {
    return [...this.partners.values()].some((p) => p.invoicingInfo?.customerNumber === number && p.registryInfo.active);
  }

  storePartner(body: SandboxPartnerBody): StoredPartner {
    const id = this.nextPartnerId++;
    const invoicingInfo = { ...body.invoicingInfo };
    if (body.type === 'CUSTOMER' && !invoicingInfo.customerNumber) invoicingInfo.customerNumber = String(this.nextCustomerNumber++);
    const stored: StoredPartner = {
      ...body,
      id,
      invoicingInfo,
      version: timestamp(this.now()),
      registryInfo: { ...(body.registryInfo ?? {}), active: true },
    };
    this.partners.set(id, stored);
    return stored;
  }

  storeInvoice(body: SandboxInvoiceBody): StoredInvoice {
    const id = this.nextInvoiceId++;
    const at = timestamp(this.now());
    const paymentInfo = { ...body.paymentInfo };
    // An empty reference code asks Procountor to generate one.
    if (paymentInfo.bankReferenceCode === '') paymentInfo.bankReferenceCode = finnishReference(id);
    const stored: StoredInvoice = {
      ...body,
      attachments: [],
      paymentInfo,
      id,
      status: 'UNFINISHED',
      invoiceNumber: this.nextInvoiceNumber++,
      version: nextVersion(this.now(), null),
      created: at,
      ledgerReceiptId: id + 1_000_000,
      invoiceSumInfo: this.sumInfo(body),
    };
    this.invoices.set(id, stored);
    return stored;
  }

  /** Procountor's `invoiceSumInfo` of an invoice body. */
  private sumInfo(body: SandboxInvoiceBody): StoredInvoice['invoiceSumInfo'] {
    const sums = invoiceSums(body);
    return [
      {
        currency: body.paymentInfo.currency,
        inAccountingCurrency: body.paymentInfo.currency === this.config.company.currency,
        excludingVatTotal: Number(sums.net.toFixed(2)),
        vatSumTotal: Number(sums.vat.toFixed(2)),
        invoiceSumTotal: Number(sums.gross.toFixed(2)),
      },
    ];
  }

  setInvoiceStatus(id: number, status: string): StoredInvoice {
    const invoice = this.invoices.get(id)!;
    invoice.status = status;
    invoice.version = nextVersion(this.now(), invoice.version);
    return invoice;
  }

  private nextAttachmentId = 700_001;

  /** POST /attachments for an invoice: kept on the invoice (GET /invoices/{id} lists it). */
  addAttachment(invoiceId: number, meta: { name: string; mimeType: string; size: number }): { id: number; name: string; referenceType: string; referenceId: number; mimeType: string; size: number } {
    const invoice = this.invoices.get(invoiceId)!;
    const attachment = { id: this.nextAttachmentId++, name: meta.name, referenceType: 'INVOICE', referenceId: invoiceId, mimeType: meta.mimeType, size: meta.size };
    invoice.attachments = [...(invoice.attachments ?? []), attachment];
    return attachment;
  }

  /** Gross total of an invoice as Procountor states it (`invoiceSumInfo`), 2 places. */
  gross(invoice: StoredInvoice): string {
    return Number(invoice.invoiceSumInfo[0]?.invoiceSumTotal ?? 0).toFixed(2);
  }

  /** Paid so far on an invoice, 2 places. */
  paid(id: number): string {
    return (this.payments.get(id) ?? []).reduce((a, p) => a.plus(p.amount), new Decimal(0)).toFixed(2);
  }

  /**
   * A payment arrives (a bank statement matched to the invoice): a payment event,
   * and the invoice becomes PARTLY_PAID or PAID. Only an approved invoice can be paid.
   */
  registerPayment(id: number, payment: { amount: string; date: string }): void {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new SandboxControlError(404, `the Procountor sandbox has no invoice ${id}`);
    if (['UNFINISHED', 'INVALIDATED', 'DELETED'].includes(invoice.status)) {
      throw new SandboxControlError(409, `invoice ${id} is ${invoice.status}; only an approved invoice can be paid`);
    }
    const list = this.payments.get(id) ?? [];
    list.push({ id: this.nextPaymentId++, paymentDate: payment.date, amount: Number(payment.amount), currency: invoice.paymentInfo.currency });
    this.payments.set(id, list);
    this.setInvoiceStatus(id, new Decimal(this.paid(id)).gte(this.gross(invoice)) ? 'PAID' : 'PARTLY_PAID');
  }

  /** A person deletes the invoice: Procountor no longer has it. */
  deleteInvoice(id: number): void {
    if (!this.invoices.delete(id)) throw new SandboxControlError(404, `the Procountor sandbox has no invoice ${id}`);
    this.payments.delete(id);
  }

  /** A person changes the invoice in Procountor so its gross total becomes `total`. */
  editInvoiceTotal(id: number, total: string): void {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new SandboxControlError(404, `the Procountor sandbox has no invoice ${id}`);
    const sums = invoice.invoiceSumInfo[0]!;
    sums.invoiceSumTotal = Number(total);
    sums.excludingVatTotal = Number(new Decimal(total).minus(sums.vatSumTotal).toFixed(2));
    invoice.version = nextVersion(this.now(), invoice.version);
  }

  /** PUT /invoices/{id}: the new body replaces the invoice; id, number, status and creation stay. */
  replaceInvoice(id: number, body: SandboxInvoiceBody): StoredInvoice {
    const old = this.invoices.get(id)!;
    const updated: StoredInvoice = {
      ...body,
      attachments: old.attachments ?? [],
      paymentInfo: { ...body.paymentInfo, bankReferenceCode: body.paymentInfo.bankReferenceCode === '' ? old.paymentInfo.bankReferenceCode : body.paymentInfo.bankReferenceCode },
      id,
      partnerId: old.partnerId,
      status: old.status,
      invoiceNumber: old.invoiceNumber,
      version: nextVersion(this.now(), old.version),
      created: old.created,
      ledgerReceiptId: old.ledgerReceiptId,
      invoiceSumInfo: this.sumInfo(body),
    };
    this.invoices.set(id, updated);
    return updated;
  }

  /** Invoices in the one shape every sandbox shares, oldest first. */
  sandboxInvoices(): SandboxInvoice[] {
    return [...this.invoices.values()].map((inv) => ({
      id: String(inv.id),
      number: String(inv.invoiceNumber),
      state: inv.status,
      reference: inv.originalInvoiceNumber ?? null,
      total: this.gross(inv),
      paid: this.paid(inv.id),
      raw: structuredClone(inv),
    }));
  }
}

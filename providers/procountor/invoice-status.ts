import { Decimal } from 'decimal.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { ProviderInvoice, ProviderInvoiceStatus } from '../types.js';
import type { ProcountorInvoiceResponse, SearchResult } from './api-types.js';
import type { ProcountorClient } from './client.js';
import { VOID_STATUSES } from './invoices.js';

/** Statuses after the customer has been sent the invoice (or it was paid, which implies it). */
const SENT_STATUSES = new Set(['SENT', 'RECEIVED', 'PAID', 'PARTLY_PAID', 'MARKED_PAID', 'PAYMENT_QUEUED', 'PAYMENT_SENT_TO_BANK', 'VERIFIED', 'APPROVED_AND_SENT']);
/** Payment events that are not money received (a removed transaction, a denied payment). */
const NOT_PAID = new Set(['PAYMENT_DENIED', 'PAYMENT_TRANSACTION_REMOVED', 'INVALIDATED', 'DELETED', 'UNSAVED', 'UNFINISHED']);
const PAGE_SIZE = 200;
/** An invoice with more payment events than this is read again later rather than half-read. */
const MAX_PAGES = 10;

type PaymentEvent = { id?: number; paymentDate?: string; amount?: number; status?: string };

/**
 * Whether a sales invoice was sent and what has been paid:
 * `GET /invoices/{id}` for its status and total (`invoiceSumInfo`), then every
 * page of `GET /invoices/{id}/paymentevents` (openapi.yaml searchPaymentEvents).
 * Anything unreadable — a page missing, an amount that is not a number — throws:
 * the caller keeps what it knew.
 */
export async function readProcountorStatus(client: ProcountorClient, existing: ProviderInvoice): Promise<ProviderInvoiceStatus | null> {
  const request = client.request({ method: 'GET', path: `/invoices/${encodeURIComponent(existing.id)}`, write: false, label: 'read the invoice status' });
  const response = await client.send<ProcountorInvoiceResponse & { invoiceSumInfo?: Array<{ invoiceSumTotal?: number }> }>(request);
  if (response.status === 404) return null;
  if (response.status < 200 || response.status >= 300) throw client.error(response, request);
  const invoice = response.data;
  if (!invoice || typeof invoice.id !== 'number' || typeof invoice.status !== 'string') throw unreadable(existing.id, 'the invoice had no id or status');
  const gross = invoice.invoiceSumInfo?.[0]?.invoiceSumTotal;
  const events = await paymentEvents(client, existing.id);
  let paid = new Decimal(0);
  let paidAt: string | null = null;
  for (const e of events) {
    if (NOT_PAID.has(e.status ?? '')) continue;
    if (typeof e.amount !== 'number' || !Number.isFinite(e.amount)) throw unreadable(existing.id, `payment event ${e.id ?? '?'} has no amount`);
    paid = paid.plus(new Decimal(String(e.amount)));
    if (typeof e.paymentDate === 'string' && /^\d{4}-\d{2}-\d{2}/.test(e.paymentDate)) {
      const day = e.paymentDate.slice(0, 10);
      if (!paidAt || day > paidAt) paidAt = day;
    }
  }
  // The status says paid in full though no event was listed (MARKED_PAID by a person without an amount): the total is paid.
  if ((invoice.status === 'PAID' || invoice.status === 'MARKED_PAID') && paid.isZero() && typeof gross === 'number') paid = new Decimal(String(gross));
  return {
    state: invoice.status,
    void: VOID_STATUSES.has(invoice.status),
    sent: SENT_STATUSES.has(invoice.status),
    paidAmount: paid.toFixed(2),
    paidAt,
    total: typeof gross === 'number' ? new Decimal(String(gross)).toFixed(2) : null,
  };
}

async function paymentEvents(client: ProcountorClient, id: string): Promise<PaymentEvent[]> {
  const all: PaymentEvent[] = [];
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await client.call<SearchResult<PaymentEvent>>({
      method: 'GET',
      path: `/invoices/${encodeURIComponent(id)}/paymentevents`,
      query: { orderById: 'ASC', size: PAGE_SIZE, page },
      write: false,
      label: 'read the invoice payment events',
    });
    if (!result || !Array.isArray(result.results)) throw unreadable(id, 'the payment events answer had no results');
    all.push(...result.results);
    if (result.results.length < PAGE_SIZE) return all;
  }
  throw unreadable(id, `more than ${MAX_PAGES * PAGE_SIZE} payment events`);
}

function unreadable(id: string, why: string): ProviderTransientError {
  return new ProviderTransientError({
    code: 'procountor_status_unreadable',
    message: `Procountor's answer about invoice ${id} could not be read in full (${why}); ledgerlink keeps what it knew and reads it again later.`,
  });
}

import { ProviderError } from '../errors/provider-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import type { OutboundRequest } from '../http/outbound-http.js';
import type { ProviderInvoice } from '../types.js';
import type { ProcountorInvoiceResponse, ProcountorInvoiceSummary, SearchResult } from './api-types.js';
import type { ProcountorClient, ProcountorContext } from './client.js';

/** Statuses in which an invoice no longer counts as the live copy. */
export const VOID_STATUSES = new Set(['INVALIDATED', 'DELETED']);
const VOID = VOID_STATUSES;

function toProviderInvoice(data: Pick<ProcountorInvoiceResponse, 'id' | 'invoiceNumber' | 'status' | 'version' | 'partnerId'>): ProviderInvoice {
  return {
    id: String(data.id),
    number: data.invoiceNumber === undefined || data.invoiceNumber === null ? null : String(data.invoiceNumber),
    state: data.status ?? null,
    ...(data.version === undefined ? {} : { version: data.version }),
    ...(data.partnerId === undefined || data.partnerId === null ? {} : { customerId: String(data.partnerId) }),
  };
}

/** Sends the prepared `POST /invoices`; Procountor answers with the stored invoice (status UNFINISHED). */
export async function createInvoice(client: ProcountorClient, request: OutboundRequest): Promise<ProviderInvoice> {
  const data = await client.expectOk<ProcountorInvoiceResponse>(request);
  if (!data || typeof data.id !== 'number') {
    throw new ProviderUnknownOutcomeError({
      code: 'procountor_unexpected_answer',
      message: 'Procountor accepted the invoice but did not say its id; ledgerlink will look it up by its reference before doing anything else.',
    });
  }
  return toProviderInvoice({ ...data, status: data.status ?? 'UNFINISHED' });
}

/**
 * The invoice created from this record and revision: `GET /invoices` filtered
 * by `originalInvoiceNumber` (openapi.yaml `searchInvoice`), kept only when the
 * number matches exactly. Several matches mean an earlier copy slipped
 * through; the oldest is adopted and the record says so.
 */
export async function findInvoiceByReference(
  client: ProcountorClient,
  ctx: ProcountorContext,
  reference: string,
): Promise<ProviderInvoice | null> {
  const result = await client.call<SearchResult<ProcountorInvoiceSummary>>({
    method: 'GET',
    path: '/invoices',
    query: { originalInvoiceNumber: reference, types: 'SALES_INVOICE', orderById: 'ASC', size: 200 },
    write: false,
    label: 'find invoice by reference',
  });
  const candidates = result?.results ?? [];
  const exact: ProcountorInvoiceSummary[] = [];
  for (const candidate of candidates) {
    if (candidate.originalInvoiceNumber === reference) exact.push(candidate);
    else if (candidate.originalInvoiceNumber === undefined) {
      // A result without the field cannot be trusted as a match without reading it.
      const full = await getInvoiceData(client, String(candidate.id));
      if (full?.originalInvoiceNumber === reference) exact.push({ ...candidate, status: full.status ?? candidate.status });
    }
  }
  if (exact.length === 0) return null;
  const ordered = [...exact].sort((a, b) => Number(VOID.has(a.status ?? '')) - Number(VOID.has(b.status ?? '')) || a.id - b.id);
  const chosen = ordered[0]!;
  if (exact.length > 1) {
    ctx.warn({
      code: 'duplicate_at_provider',
      message: `Procountor has ${exact.length} invoices with ledgerlink reference ${reference} (ids ${exact
        .map((i) => i.id)
        .sort((a, b) => a - b)
        .join(', ')}); ledgerlink adopted ${chosen.id}. Check the others in Procountor and invalidate the extra copies.`,
    });
  }
  if (VOID.has(chosen.status ?? '')) {
    ctx.warn({
      code: 'adopted_invalidated',
      message: `The Procountor invoice ${chosen.id} with ledgerlink reference ${reference} is ${chosen.status}; ledgerlink did not create another copy. Sync a new revision to invoice again.`,
    });
  }
  return toProviderInvoice(chosen);
}

async function getInvoiceData(client: ProcountorClient, id: string): Promise<ProcountorInvoiceResponse | null> {
  const request = client.request({ method: 'GET', path: `/invoices/${encodeURIComponent(id)}`, write: false, label: 'read invoice' });
  const response = await client.send<ProcountorInvoiceResponse>(request);
  if (response.status === 404) return null;
  if (response.status >= 200 && response.status < 300) return response.data;
  throw client.error(response, request);
}

/** Today's state of an invoice (status, version, business partner); null when Procountor no longer has it. */
export async function getInvoice(client: ProcountorClient, id: string): Promise<ProviderInvoice | null> {
  const data = await getInvoiceData(client, id);
  return data && typeof data.id === 'number' ? toProviderInvoice(data) : null;
}

/**
 * Approve, then send, as the connection says; safe to call again. Procountor
 * moves a sales invoice UNFINISHED → NOT_SENT on approve and NOT_SENT → SENT
 * on send; nothing changes after approval. A step Procountor refuses because
 * it was already done (an earlier attempt whose answer was lost) counts as done.
 */
export async function finalizeInvoice(
  client: ProcountorClient,
  ctx: ProcountorContext,
  existing: ProviderInvoice,
): Promise<ProviderInvoice> {
  const mode = ctx.settings.afterCreate;
  if (mode === 'none') return existing;
  // Always today's state, never the one stored at the last attempt: a send whose answer was
  // lost may have gone through, and sending again would send the customer a second copy.
  let current = (await getInvoice(client, existing.id)) ?? existing;
  if (current.state === 'UNFINISHED') {
    current = await step(client, ctx, current, 'approve', 'approve invoice', 'NOT_SENT');
  }
  if (mode === 'approve_and_send' && current.state === 'NOT_SENT') {
    current = await step(client, ctx, current, 'send', 'send invoice', 'SENT');
  }
  return current;
}

async function step(
  client: ProcountorClient,
  ctx: ProcountorContext,
  current: ProviderInvoice,
  action: 'approve' | 'send',
  label: string,
  after: string,
): Promise<ProviderInvoice> {
  try {
    await client.call({
      method: 'PUT',
      path: `/invoices/${encodeURIComponent(current.id)}/${action}`,
      ...(action === 'approve' ? { body: {} } : {}),
      write: true,
      label,
    });
    ctx.log.info({ invoiceId: current.id, action }, `Procountor invoice ${action === 'approve' ? 'approved' : 'sent'}`);
    return { ...current, state: after };
  } catch (error) {
    if (!(error instanceof ProviderError) || error.category !== 'validation') throw error;
    const now = await getInvoice(client, current.id);
    if (now && now.state !== current.state) return { ...current, ...now };
    throw error;
  }
}

import { ProviderError } from '../errors/provider-error.js';
import { ProviderNotEditableError } from '../errors/not-editable-error.js';
import type { ProviderInvoice, RevisionPlan } from '../types.js';
import type { ProcountorInvoiceResponse } from './api-types.js';
import type { ProcountorClient, ProcountorContext } from './client.js';
import { getInvoice, VOID_STATUSES } from './invoices.js';

function describe(invoice: ProviderInvoice): string {
  return `${invoice.id}${invoice.number ? ` (number ${invoice.number})` : ''}`;
}

/**
 * Procountor's rules (openapi.yaml, help.procountor.fi): an UNFINISHED invoice
 * can be updated with PUT /invoices/{id} — but not its business partner, so a
 * revision for another customer replaces it; an approved one (NOT_SENT) cannot
 * be changed, only invalidated, and nobody has received it yet: replace it; a
 * sent (or paid) one has reached the customer: issued.
 */
export function planProcountorRevision(current: ProviderInvoice, partnerId: string | null): RevisionPlan {
  const state = current.state ?? '';
  if (VOID_STATUSES.has(state)) return 'void';
  if (state === 'UNFINISHED') return current.customerId && current.customerId !== partnerId ? 'replace' : 'edit';
  if (state === 'NOT_SENT') return 'replace';
  return 'issued';
}

/**
 * `PUT /invoices/{id}` with the whole new invoice and the version it was read
 * at. Procountor refuses a stale version (someone changed it since): read
 * again and try once more; refuses a non-UNFINISHED one: not editable.
 */
export async function editProcountorInvoice(
  client: ProcountorClient,
  ctx: ProcountorContext,
  current: ProviderInvoice,
  json: string,
): Promise<ProviderInvoice> {
  let target = current;
  for (let attempt = 0; ; attempt += 1) {
    if (target.state !== 'UNFINISHED') {
      throw new ProviderNotEditableError({
        code: 'not_editable',
        message: `Procountor invoice ${describe(target)} is ${target.state ?? 'in an unknown state'} and can no longer be changed.`,
      });
    }
    try {
      const data = await client.call<ProcountorInvoiceResponse>({
        method: 'PUT',
        path: `/invoices/${encodeURIComponent(target.id)}`,
        // The invoice's JSON text (numbers digit for digit) with the version it was read at.
        body: withVersion(json, target.version),
        write: true,
        label: 'update the invoice with the new revision',
      });
      ctx.log.info({ invoiceId: target.id }, 'Procountor invoice updated in place with a newer revision');
      return {
        ...target,
        number: data?.invoiceNumber === undefined || data?.invoiceNumber === null ? target.number : String(data.invoiceNumber),
        state: data?.status ?? target.state,
        version: data?.version ?? null,
      };
    } catch (error) {
      if (!(error instanceof ProviderError) || error.category !== 'validation') throw error;
      // Refused: because it changed since we read it (another version, another status), or for the data itself.
      const now = await getInvoice(client, target.id);
      if (!now || now.state !== 'UNFINISHED') {
        throw new ProviderNotEditableError({
          code: 'not_editable',
          message: `Procountor invoice ${describe(target)} ${now ? `is now ${now.state}` : 'no longer exists'} and can no longer be changed.`,
          ...(error.status === undefined ? {} : { status: error.status }),
        });
      }
      if (attempt === 0 && now.version !== target.version) {
        target = now;
        continue;
      }
      throw error;
    }
  }
}

/** Adds `version` to the invoice's JSON text (an object) without re-serialising its numbers. */
function withVersion(json: string, version: string | null | undefined): string {
  if (!version) return json;
  const rest = json.trim().slice(1).trim();
  return `{"version":${JSON.stringify(version)}${rest === '}' ? '' : ','}${rest}`;
}

/** `PUT /invoices/{id}/invalidate`; an invoice Procountor already shows invalidated counts as done. */
export async function invalidateProcountorInvoice(client: ProcountorClient, ctx: ProcountorContext, current: ProviderInvoice): Promise<ProviderInvoice> {
  if (VOID_STATUSES.has(current.state ?? '')) return current;
  try {
    await client.call({ method: 'PUT', path: `/invoices/${encodeURIComponent(current.id)}/invalidate`, write: true, label: 'invalidate the older revision' });
    ctx.log.info({ invoiceId: current.id }, 'Procountor invoice invalidated for a newer revision');
    return { ...current, state: 'INVALIDATED' };
  } catch (error) {
    if (!(error instanceof ProviderError) || error.category !== 'validation') throw error;
    // An earlier attempt whose answer was lost may have done it already.
    const now = await getInvoice(client, current.id);
    if (!now || VOID_STATUSES.has(now.state ?? '')) return { ...current, state: now?.state ?? 'DELETED' };
    throw error;
  }
}

import { Decimal } from 'decimal.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { ProviderListedInvoice } from '../types.js';
import type { NetvisorContext, NetvisorDeps } from './client.js';
import { readSalesInvoicePages } from './sales-invoice-pages.js';

const MAX_PAGES = 200;
/** ledgerlink writes "ledgerlink <reference> (…)" in the private comment of every invoice it adds. */
const OUR_COMMENT = /\bledgerlink (LL-[A-Za-z0-9-]+)/;

/**
 * Every sales invoice dated in the period: `salesinvoicelist.nv` with
 * `begininvoicedate`/`endinvoicedate` and `replyoption=1` (private comments,
 * where our reference is), paged on with `invoicesabovenetvisorkey` while
 * pages come back full (at most 500 an answer).
 */
export async function listNetvisorInvoices(ctx: NetvisorContext, period: { from: string; to: string }, deps: NetvisorDeps): Promise<ProviderListedInvoice[]> {
  const list = await readSalesInvoicePages(ctx, deps, {
    query: [
      ['begininvoicedate', period.from],
      ['endinvoicedate', period.to],
      ['replyoption', '1'],
    ],
    label: 'list the invoices of a period',
    maxPages: MAX_PAGES,
  });
  if (!list.complete) {
    throw new ProviderTransientError({ code: 'netvisor_list_incomplete', message: `Netvisor's invoice list for ${period.from}–${period.to} could not be read to its end; reconciliation will try again.` });
  }
  return list.entries.map((e) => ({
    id: e.netvisorKey,
    number: e.number,
    reference: OUR_COMMENT.exec(e.privateComment ?? '')?.[1] ?? null,
    state: e.status?.toLowerCase() ?? null,
    void: false,
    total: e.sum === null ? null : new Decimal(e.sum).toFixed(2),
    date: e.date,
  }));
}

import { Decimal } from 'decimal.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { ProviderListedInvoice } from '../types.js';
import { netvisorOk, type NetvisorContext, type NetvisorDeps } from './client.js';
import { NETVISOR_LIST_PAGE } from './lookup.js';
import { parseSalesInvoiceList, type SalesInvoiceListEntry } from './xml/parse-response.js';

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
  const seen = new Map<string, SalesInvoiceListEntry>();
  let above: number | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const entries = parseSalesInvoiceList(
      await netvisorOk(
        ctx,
        {
          method: 'GET',
          resource: 'salesinvoicelist.nv',
          query: [
            ['begininvoicedate', period.from],
            ['endinvoicedate', period.to],
            ['replyoption', '1'],
            ...(above === null ? [] : ([['invoicesabovenetvisorkey', String(above)]] as Array<[string, string]>)),
          ],
          write: false,
          label: 'list the invoices of a period',
        },
        deps,
      ),
    );
    for (const e of entries) seen.set(e.netvisorKey, e);
    if (entries.length < NETVISOR_LIST_PAGE) {
      return [...seen.values()].map((e) => ({
        id: e.netvisorKey,
        number: e.number,
        reference: OUR_COMMENT.exec(e.privateComment ?? '')?.[1] ?? null,
        state: e.status?.toLowerCase() ?? null,
        void: false,
        total: e.sum === null ? null : new Decimal(e.sum).toFixed(2),
        date: e.date,
      }));
    }
    const highest = Math.max(...entries.map((e) => Number(e.netvisorKey)));
    if (!Number.isFinite(highest) || (above !== null && highest <= above)) break;
    above = highest;
  }
  throw new ProviderTransientError({ code: 'netvisor_list_incomplete', message: `Netvisor's invoice list for ${period.from}–${period.to} could not be read to its end; reconciliation will try again.` });
}

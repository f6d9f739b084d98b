import { netvisorOk, type NetvisorContext, type NetvisorDeps } from './client.js';
import { parseSalesInvoiceList, type SalesInvoiceListEntry } from './xml/parse-response.js';

/**
 * salesinvoicelist.nv answers at most this many invoices per request. A month-end
 * billing run easily dates more than that on one day, so a full page is never
 * read as "that is all": the list is paged on with `invoicesabovenetvisorkey`.
 */
export const NETVISOR_LIST_PAGE = 500;

/**
 * Reads `salesinvoicelist.nv` with `query`, page after page (each asking for
 * keys above the highest seen) until a page is not full, or `onPage` says it
 * has what it needs. `complete` is false when Netvisor kept answering full
 * pages that did not advance, or `maxPages` ran out: a list read only in part
 * must never pass for the whole (a lookup would create a second copy, a
 * reconciliation report drift that is not there), so callers refuse it.
 */
export async function readSalesInvoicePages(
  ctx: NetvisorContext,
  deps: NetvisorDeps,
  request: { query: Array<[string, string]>; label: string; maxPages: number },
  onPage: (entries: SalesInvoiceListEntry[]) => boolean = () => false,
): Promise<{ entries: SalesInvoiceListEntry[]; complete: boolean }> {
  const seen = new Map<string, SalesInvoiceListEntry>();
  let above: number | null = null;
  for (let page = 0; page < request.maxPages; page += 1) {
    const entries = parseSalesInvoiceList(
      await netvisorOk(
        ctx,
        {
          method: 'GET',
          resource: 'salesinvoicelist.nv',
          query: [...request.query, ...(above === null ? [] : ([['invoicesabovenetvisorkey', String(above)]] as Array<[string, string]>))],
          write: false,
          label: request.label,
        },
        deps,
      ),
    );
    for (const entry of entries) if (!seen.has(entry.netvisorKey)) seen.set(entry.netvisorKey, entry);
    if (onPage(entries) || entries.length < NETVISOR_LIST_PAGE) return { entries: [...seen.values()], complete: true };
    const highest = Math.max(...entries.map((e) => (/^\d+$/.test(e.netvisorKey) ? Number(e.netvisorKey) : Number.NaN)));
    if (!Number.isFinite(highest) || (above !== null && highest <= above)) break;
    above = highest;
  }
  return { entries: [...seen.values()], complete: false };
}

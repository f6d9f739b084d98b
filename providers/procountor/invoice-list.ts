import { Decimal } from 'decimal.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { ProviderListedInvoice } from '../types.js';
import type { ProcountorInvoiceSummary, SearchResult } from './api-types.js';
import type { ProcountorClient } from './client.js';
import { VOID_STATUSES } from './invoices.js';

const PAGE_SIZE = 200;
const MAX_PAGES = 100;

type Summary = ProcountorInvoiceSummary & { date?: string; invoiceSumInfo?: Array<{ invoiceSumTotal?: number }> };

/**
 * Every sales invoice dated in the period: `GET /invoices` with `startDate`,
 * `endDate` and `types=SALES_INVOICE` (openapi.yaml searchInvoice), page by
 * page until a page comes back short. Our reference is `originalInvoiceNumber`.
 */
export async function listProcountorInvoices(client: ProcountorClient, period: { from: string; to: string }): Promise<ProviderListedInvoice[]> {
  const out: ProviderListedInvoice[] = [];
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await client.call<SearchResult<Summary>>({
      method: 'GET',
      path: '/invoices',
      query: { startDate: period.from, endDate: period.to, types: 'SALES_INVOICE', orderById: 'ASC', size: PAGE_SIZE, page },
      write: false,
      label: 'list the invoices of a period',
    });
    if (!result || !Array.isArray(result.results)) {
      throw new ProviderTransientError({ code: 'procountor_list_unreadable', message: 'Procountor answered the invoice list without results; reconciliation will try again.' });
    }
    for (const i of result.results) {
      const gross = i.invoiceSumInfo?.[0]?.invoiceSumTotal;
      out.push({
        id: String(i.id),
        number: i.invoiceNumber === undefined || i.invoiceNumber === null ? null : String(i.invoiceNumber),
        reference: i.originalInvoiceNumber ? i.originalInvoiceNumber : null,
        state: i.status ?? null,
        void: VOID_STATUSES.has(i.status ?? ''),
        total: typeof gross === 'number' ? new Decimal(String(gross)).toFixed(2) : null,
        date: typeof i.date === 'string' ? i.date.slice(0, 10) : null,
      });
    }
    if (result.results.length < PAGE_SIZE) return out;
  }
  throw new ProviderTransientError({ code: 'procountor_list_incomplete', message: `Procountor listed more than ${MAX_PAGES * PAGE_SIZE} invoices for ${period.from}–${period.to}; reconcile a shorter period.` });
}

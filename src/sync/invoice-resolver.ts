import type { Problem } from '../domain/invoice-document.js';
import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import type { SyncRecord } from '../store/records-repo.js';
import type { Repos } from '../store/store.js';
import type { SyncWarning } from '../../providers/types.js';
import type { LoadedConnection } from './connection-store.js';

export interface Resolution {
  invoice: ResolvedInvoice;
  problems: Problem[];
  warnings: SyncWarning[];
}

/** Turns a stored record into the invoice a provider receives (products, prices, VAT, totals, dates). */
export interface InvoiceResolver {
  resolveForSync(repos: Repos, record: SyncRecord, connection: LoadedConnection): Promise<Resolution>;
}

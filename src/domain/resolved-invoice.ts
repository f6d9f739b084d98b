import type { InvoiceCustomer, LineKind, VatTreatment } from './invoice-document.js';

/**
 * The invoice as ledgerlink hands it to a provider adapter: every line has a
 * product, a price, a VAT rate and exact amounts; the customer, dates and our
 * own reference are settled. Adapters only translate this into their dialect.
 *
 * All amounts are decimal strings with two decimals ("1200.00"); quantities,
 * unit prices and rates are canonical decimal strings ("12", "100.00", "25.5").
 * For a credit note, quantities and amounts are negative.
 */
export interface ResolvedInvoice {
  /** ledgerlink's sync record id. */
  id: string;
  tenantId: string;
  /**
   * Our unique reference for this record and revision: ASCII letters, digits
   * and '-', at most 40 characters. It is what lookups search for
   * (Idempotency-Key for generic, originalInvoiceNumber for Procountor).
   */
  reference: string;
  externalId: string;
  revision: number;
  type: 'invoice' | 'credit_note';
  /** For a credit note: the invoice it credits, with its provider ids when ledgerlink synced it. */
  credited: CreditedInvoice | null;
  invoiceDate: string;
  dueDate: string;
  deliveryDate: string | null;
  /** Days between invoiceDate and dueDate. */
  paymentTermDays: number;
  currency: string;
  currencyRate: string;
  /** Finnish reference number (viitenumero) or RF reference; given by the host or generated. */
  referenceNumber: string;
  customer: InvoiceCustomer;
  /** Treatment of the whole invoice, derived from the customer unless the host set it. */
  vatTreatment: VatTreatment;
  project: { externalId?: string | null; name?: string | null } | null;
  period: { from: string; to: string } | null;
  notes: string | null;
  lines: ResolvedLine[];
  totals: Totals;
  /** The document exactly as the host posted it (after normalisation), for pass-through. */
  document: Record<string, unknown>;
}

export interface CreditedInvoice {
  externalId: string;
  providerInvoiceId: string | null;
  providerInvoiceNumber: string | null;
}

export interface ResolvedProduct {
  code: string;
  name: string;
  unit: string;
  /** Provider-side identities from the product mapping, when an admin gave them. */
  providerProducts?: {
    procountor?: { id?: string | null; code?: string | null } | null;
    netvisor?: { code?: string | null } | null;
  } | null;
}

export interface ResolvedLine {
  index: number;
  kind: LineKind;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  vatRate: string;
  vatTreatment: VatTreatment;
  product: ResolvedProduct;
  netAmount: string;
  vatAmount: string;
  grossAmount: string;
  /** Where the product and price came from (preview shows these). */
  resolvedFrom: 'line' | 'task' | 'contact' | 'membership' | 'team' | 'tenant' | 'default';
  priceSource: 'line' | 'product' | 'task' | 'none';
  context: Record<string, unknown> | null;
}

export interface Totals {
  net: string;
  vat: string;
  gross: string;
}

import type { JsonDecimal } from '../http/exact-json.js';
import type { InvoiceChannel, ProcountorLanguage } from './settings.js';
import type { ProcountorUnit } from './units.js';

/**
 * The parts of Procountor's JSON that ledgerlink sends and reads, written from
 * openapi.yaml (v25.12) schema by schema. Field limits are the spec's maxLength.
 */
export const LIMITS = {
  addressName: 80,
  addressSpecifier: 80,
  street: 80,
  zip: 20,
  city: 40,
  subdivision: 35,
  contactPersonName: 70,
  originalInvoiceNumber: 40,
  orderReference: 70,
  additionalInformation: 10_000,
  notes: 10_000,
  rowComment: 512,
  partnerName: 80,
  partnerContactName: 80,
  partnerContactEmail: 80,
} as const;

/** `InvoiceCounterpartyAddress` / `InvoiceBillingAddress` / `BusinessPartnerAddress`. */
export interface ProcountorAddress {
  name: string;
  specifier?: string;
  street?: string;
  zip?: string;
  city?: string;
  country?: string;
  subdivision?: string;
}

/** `CounterParty`. */
export interface ProcountorCounterParty {
  contactPersonName?: string;
  identifier?: string;
  taxCode?: string;
  customerNumber?: string;
  email?: string;
  counterPartyAddress: ProcountorAddress;
  einvoiceAddress?: { operator?: string; address?: string; ediId?: string };
}

/**
 * A decimal field of a request. Requests are built with `N = JsonDecimal`, so
 * each number is written from its decimal text (providers/http/exact-json.ts);
 * `number` is what a JSON reader — Procountor, a test — gets back.
 */
export type ProcountorDecimal = number | JsonDecimal;

/** `PaymentInfo`. */
export interface ProcountorPaymentInfo<N extends ProcountorDecimal = number> {
  paymentMethod: 'BANK_TRANSFER';
  currency: string;
  bankAccount: { accountNumber: string };
  dueDate: string;
  currencyRate: N;
  bankReferenceCode?: string;
  bankReferenceCodeType?: 'FI' | 'RF';
}

/** `InvoiceRow`. */
export interface ProcountorInvoiceRow<N extends ProcountorDecimal = number> {
  productId?: number;
  product: string;
  productCode?: string;
  quantity: N;
  unit: ProcountorUnit;
  unitPrice: N;
  discountPercent: number;
  vatPercent: N;
  vatStatus?: number;
  comment?: string;
  startDate?: string;
  endDate?: string;
}

/** `Invoice`, as ledgerlink creates a sales invoice. */
export interface ProcountorInvoiceRequest<N extends ProcountorDecimal = number> {
  type: 'SALES_INVOICE';
  partnerId?: number;
  date: string;
  counterParty: ProcountorCounterParty;
  billingAddress?: ProcountorAddress;
  paymentInfo: ProcountorPaymentInfo<N>;
  extraInfo: { accountingByRow: boolean; unitPricesIncludeVat: boolean };
  discountPercent: number;
  invoiceRows: Array<ProcountorInvoiceRow<N>>;
  vatStatus: number;
  originalInvoiceNumber: string;
  deliveryStartDate?: string;
  deliveryEndDate?: string;
  invoiceChannel: InvoiceChannel;
  language: ProcountorLanguage;
  additionalInformation?: string;
  notes?: string;
}

/** What Procountor answers for an invoice (`Invoice`, read side); only what we read. */
export interface ProcountorInvoiceResponse {
  id?: number;
  partnerId?: number | null;
  status?: string;
  invoiceNumber?: number | null;
  originalInvoiceNumber?: string | null;
  version?: string;
}

/** `InvoiceBasicInfo` in `InvoiceSearchResult.results`. */
export interface ProcountorInvoiceSummary {
  id: number;
  status?: string;
  invoiceNumber?: number | null;
  originalInvoiceNumber?: string | null;
  created?: string;
}

export interface SearchResult<T> {
  results?: T[];
  meta?: { pageNumber?: number; pageSize?: number; resultCount?: number; totalCount?: number };
}

/** `BusinessPartnerBasicInfo` in `BusinessPartnerSearchResult.results`. */
export interface ProcountorPartnerSummary {
  id: number;
  name?: string;
  type?: string;
  invoicingInfo?: { customerNumber?: string | null; identifier?: string | null; identifierType?: string | null };
  registryInfo?: { active?: boolean };
}

/** `BusinessPartner`, as ledgerlink creates a customer. */
export interface ProcountorPartnerRequest {
  name: string;
  type: 'CUSTOMER';
  address: ProcountorAddress;
  billingAddress?: ProcountorAddress;
  invoicingInfo: {
    customerNumber?: string;
    identifier?: string;
    invoiceChannel?: InvoiceChannel;
    contactPerson?: string;
    language?: ProcountorLanguage;
    email?: string;
    einvoiceAddress?: string;
    einvoiceOperator?: string;
  };
  contactPersons?: Array<{ name?: string; email?: string }>;
  paymentInfo: { paymentMethod: 'BANK_TRANSFER'; currency?: string; paymentTermDays?: string };
}

/** `NemoProduct` in the `GET /products` results. */
export interface ProcountorProduct {
  id: number;
  code?: string | null;
  name?: string | null;
  type?: string | null;
  active?: boolean | null;
}

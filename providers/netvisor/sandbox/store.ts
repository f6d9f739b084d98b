/** What one sandbox organisation (one Netvisor company) holds. */

export interface StoredCustomer {
  netvisorKey: number;
  code: string | null;
  name: string | null;
  nameExtension: string | null;
  businessId: string | null;
  streetAddress: string | null;
  postNumber: string | null;
  city: string | null;
  country: string | null;
  email: string | null;
  xml: string;
}

export interface StoredProduct {
  netvisorKey: number;
  code: string | null;
  name: string;
  group: string;
  /** Net unit price with a dot. */
  unitPrice: string;
  unit: string | null;
  defaultVatPercentage: string | null;
  xml: string;
}

export interface StoredInvoiceLine {
  productCode: string | null;
  productKey: number;
  productName: string;
  /** Decimals with a dot, as the sandbox read them. */
  unitPrice: string;
  unitPriceType: 'net' | 'gross';
  vatPercent: string;
  vatCode: string | null;
  quantity: string;
  freeText: string | null;
  net: string;
  vat: string;
  gross: string;
}

export interface StoredInvoice {
  netvisorKey: number;
  number: string;
  date: string;
  deliveryDate: string | null;
  referenceNumber: string | null;
  /** salesinvoiceamount as sent, with a dot. */
  amount: string;
  currency: string;
  status: string;
  customerKey: number;
  customerCode: string | null;
  customerName: string | null;
  paymentTermNetDays: number;
  ourReference: string | null;
  privateComment: string | null;
  freeTextBefore: string | null;
  freeTextAfter: string | null;
  lines: StoredInvoiceLine[];
  /** Sums of the lines, each rounded to cents (what Netvisor computes), with a dot. */
  linesTotal: { net: string; vat: string; gross: string };
  /** The body as received (decoded). */
  xml: string;
  receivedAt: string;
  /** Payments matched to the invoice, oldest first (amounts with a dot). */
  payments?: Array<{ key: number; amount: string; date: string }>;
  /** For a credit note matched with matchcreditnote.nv: the NetvisorKey of the invoice it credits. */
  matchedInvoiceKey?: number;
  /** What came in `salesinvoiceattachments` (the decoded size, not the data). */
  attachments: StoredAttachment[];
}

export interface StoredAttachment {
  mimeType: string;
  description: string;
  filename: string;
  size: number;
}

export class OrganisationData {
  customers: StoredCustomer[] = [];
  products: StoredProduct[] = [];
  invoices: StoredInvoice[] = [];
  private lastKey = 100;
  private lastInvoiceNumber = 1000;

  nextKey(): number {
    this.lastKey += 1;
    return this.lastKey;
  }

  nextInvoiceNumber(): string {
    this.lastInvoiceNumber += 1;
    return String(this.lastInvoiceNumber);
  }

  takeInvoiceNumber(given: string): void {
    const n = Number(given);
    if (Number.isInteger(n) && n > this.lastInvoiceNumber) this.lastInvoiceNumber = n;
  }

  customerByCode(code: string): StoredCustomer | undefined {
    const wanted = code.trim().toUpperCase();
    return this.customers.find((c) => c.code?.toUpperCase() === wanted);
  }

  productByCode(code: string): StoredProduct | undefined {
    const wanted = code.trim().toUpperCase();
    return this.products.find((p) => p.code?.toUpperCase() === wanted);
  }
}

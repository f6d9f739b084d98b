import type { ResolvedInvoice, ResolvedLine } from '../../../src/domain/resolved-invoice.js';
import type { InvoiceFile, SyncWarning } from '../../types.js';
import type { NetvisorCustomerRef } from '../customer-ref.js';
import { commaDecimal, commaMoney, commaPrice } from '../decimal-format.js';
import type { NetvisorSettings } from '../settings.js';
import { cleanText, NETVISOR_LIMITS as L } from '../text.js';
import { defaultVatCode } from '../vat-codes.js';
import { compact, optional, serializeXml, type XmlBody, type XmlElement } from './serialize.js';

/** The Netvisor product code of a line: the admin's mapping for Netvisor, else our product code. */
export function netvisorProductCode(line: Pick<ResolvedLine, 'product'>): string {
  return line.product.providerProducts?.netvisor?.code?.trim() || line.product.code;
}

/** What ledgerlink writes into the invoice's private comment; the lookup reads it back. */
export function privateCommentFor(invoice: Pick<ResolvedInvoice, 'reference' | 'externalId' | 'revision'>): string {
  return `ledgerlink ${invoice.reference} (${invoice.externalId}, revision ${invoice.revision})`;
}

const CREDIT_NOTE_TEXT: Record<string, (n: string) => string> = {
  fi: (n) => `Hyvityslasku laskulle ${n}`,
  sv: (n) => `Kreditnota för faktura ${n}`,
  en: (n) => `Credit note for invoice ${n}`,
};

export interface InvoiceXmlInput {
  invoice: ResolvedInvoice;
  customer: NetvisorCustomerRef;
  settings: Pick<NetvisorSettings, 'encoding' | 'paymentTermDays' | 'vatCodes'>;
  warn: (warning: SyncWarning) => void;
  /** PDFs that go with the invoice (Netvisor takes attachments only inside the sales invoice). */
  files?: readonly InvoiceFile[];
}

/**
 * The `salesinvoice.nv?method=add` body: elements in salesinvoice.dtd's order,
 * lowercase, decimals with a comma, dates `format="ansi"`.
 *
 * - `salesinvoiceamount` is the gross total (what the customer pays; Netvisor
 *   uses it as the invoice sum instead of summing the lines); negative for a
 *   credit note, whose quantities are negative too (Netvisor: "unit count and
 *   sum total are set to negative numbers").
 * - Lines carry the net unit price (`type="net"`), the VAT percentage with its
 *   code, the quantity, and our line description as free text. Line sums are
 *   left to Netvisor, which rounds each line to cents exactly as we do.
 * - `salesinvoiceprivatecomment` carries our reference for the lookup;
 *   `salesinvoiceourreference` the host's invoice id, for people.
 * - Attachments: the host's file name, our unique attachment name as the
 *   description (so a person can tell them apart), the PDF in base64.
 *   salesinvoice.dtd declares no attribute on `documentdata`, so none is sent
 *   (Netvisor's own example adds `type="pdf"`; the DTD is what we validate against).
 */
export function buildSalesInvoiceXml(input: InvoiceXmlInput): XmlBody {
  const { invoice, customer, settings, warn, files = [] } = input;
  const enc = settings.encoding ?? 'utf-8';
  const text = (value: string | null | undefined, max: number, path: string) => optional(cleanText(value, { max, path }, enc, warn));

  const term = Number.isInteger(invoice.paymentTermDays) && invoice.paymentTermDays >= 0 ? invoice.paymentTermDays : (settings.paymentTermDays ?? 14);
  const amountAttrs: Record<string, string> = { iso4217currencycode: invoice.currency };
  if (invoice.currency !== 'EUR') amountAttrs.currencyrate = commaDecimal(invoice.currencyRate);

  let before: string | undefined;
  if (invoice.type === 'credit_note' && invoice.credited) {
    const which = invoice.credited.providerInvoiceNumber ?? invoice.credited.externalId;
    const say = CREDIT_NOTE_TEXT[invoice.customer.language ?? 'fi'] ?? CREDIT_NOTE_TEXT.fi!;
    before = text(say(which), L.invoiceFreeText, 'creditedExternalId');
  }
  const address = invoice.customer.address ?? null;

  const salesinvoice: XmlElement = compact({
    salesinvoicedate: { _: invoice.invoiceDate, $: { format: 'ansi' } },
    salesinvoicedeliverydate: invoice.deliveryDate ? { _: invoice.deliveryDate, $: { format: 'ansi' } } : undefined,
    salesinvoicereferencenumber: optional(invoice.referenceNumber.replace(/\s+/g, '')),
    salesinvoiceamount: { _: commaMoney(invoice.totals.gross), $: amountAttrs },
    salesinvoicestatus: { _: 'unsent', $: { type: 'netvisor' } },
    salesinvoicefreetextbeforelines: before,
    salesinvoicefreetextafterlines: text(invoice.notes, L.invoiceFreeText, 'notes'),
    salesinvoiceourreference: text(invoice.externalId, L.reference, 'externalId'),
    salesinvoiceprivatecomment: text(privateCommentFor(invoice), L.privateComment, 'reference'),
    invoicingcustomeridentifier:
      customer.type === 'customer' ? { _: customer.code, $: { type: 'customer' } } : { _: customer.key, $: { type: 'netvisor' } },
    invoicingcustomername: text(invoice.customer.name, L.customerName, 'customer.name'),
    invoicingcustomeraddressline: text(address?.street, L.addressLine, 'customer.address.street'),
    invoicingcustomerpostnumber: text(address?.postalCode, L.postNumber, 'customer.address.postalCode'),
    invoicingcustomertown: text(address?.city, L.town, 'customer.address.city'),
    invoicingcustomercountrycode: optional(address?.country ?? undefined),
    paymenttermnetdays: String(term),
    invoicelines: {
      invoiceline: invoice.lines.map((line, i) => ({
        salesinvoiceproductline: compact({
          productidentifier: { _: netvisorProductCode(line), $: { type: 'customer' } },
          productname: cleanText(line.product.name, { max: L.productName, path: `lines[${i}].product.name` }, enc, warn),
          productunitprice: { _: commaPrice(line.unitPrice), $: { type: 'net' } },
          productvatpercentage: { _: commaDecimal(line.vatRate), $: { vatcode: defaultVatCode(line, settings.vatCodes ?? {}) } },
          salesinvoiceproductlinequantity: commaDecimal(line.quantity),
          salesinvoiceproductlinefreetext: text(line.description, L.lineFreeText, `lines[${i}].description`),
        }),
      })),
    },
    salesinvoiceattachments: files.length
      ? {
          salesinvoiceattachment: files.map((file, i) => ({
            mimetype: file.contentType,
            attachmentdescription: cleanText(file.name, { max: L.attachmentDescription, path: `attachments[${i}].name` }, enc, warn),
            filename: cleanText(file.filename, { max: L.attachmentFilename, path: `attachments[${i}].filename` }, enc, warn),
            documentdata: file.data.toString('base64'),
          })),
        }
      : undefined,
  });
  return serializeXml({ root: { salesinvoice } }, enc);
}

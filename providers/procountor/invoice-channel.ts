import type { FieldProblem } from '../errors/provider-error.js';
import type { InvoiceCustomer } from '../../src/domain/invoice-document.js';
import type { InvoiceChannel, ProcountorSettings } from './settings.js';

/**
 * How the invoice reaches the customer. The connection's `invoiceChannel`
 * wins when set; otherwise the one a finance team would pick from what it
 * knows of the customer: an e-invoice address means e-invoice, else an e-mail
 * address means e-mail, else paper mail.
 */
export function chooseChannel(settings: Pick<ProcountorSettings, 'invoiceChannel'>, customer: InvoiceCustomer): InvoiceChannel {
  if (settings.invoiceChannel) return settings.invoiceChannel;
  if (customer.einvoice?.address && customer.einvoice.operator) return 'ELECTRONIC_INVOICE';
  if (customer.email) return 'EMAIL';
  return 'MAIL';
}

/**
 * What Procountor will refuse for this channel (openapi.yaml: address fields
 * "Required ... if invoicing channel is MAIL / ELECTRONIC_INVOICE";
 * `EInvoiceAddress.address` required for ELECTRONIC_INVOICE; NOTES: EMAIL needs
 * `counterParty.email`), found before anything is created.
 */
export function channelProblems(channel: InvoiceChannel, customer: InvoiceCustomer): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const address = customer.address ?? {};
  const needsAddress = (why: string) => {
    for (const [field, label] of [
      ['street', 'street'],
      ['postalCode', 'postal code'],
      ['city', 'city'],
    ] as const) {
      if (!address[field]?.trim()) problems.push({ path: `customer.address.${field}`, message: `is required: ${why} need the customer's ${label}.` });
    }
  };
  if (channel === 'EMAIL' && !customer.email) {
    problems.push({
      path: 'customer.email',
      message: 'is required: the Procountor connection sends invoices by e-mail (invoiceChannel EMAIL). Add the e-mail address, or choose another channel.',
    });
  }
  if (channel === 'MAIL') needsAddress('invoices sent by mail');
  if (channel === 'ELECTRONIC_INVOICE') {
    if (!customer.einvoice?.address) {
      problems.push({ path: 'customer.einvoice.address', message: "is required: e-invoices need the customer's e-invoice address." });
    }
    if (!customer.einvoice?.operator) {
      problems.push({ path: 'customer.einvoice.operator', message: "is required: e-invoices need the customer's e-invoice operator." });
    }
    needsAddress('e-invoices');
  }
  return problems;
}

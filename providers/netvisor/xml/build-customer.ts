import type { InvoiceCustomer } from '../../../src/domain/invoice-document.js';
import type { SyncWarning } from '../../types.js';
import { cleanText, NETVISOR_LIMITS as L, type NetvisorEncoding } from '../text.js';
import { compact, optional, serializeXml, type XmlBody, type XmlElement } from './serialize.js';

const LANGUAGE: Record<string, string> = { fi: 'FI', sv: 'SE', en: 'EN' };

/**
 * The `customer.nv?method=add` body, in customer.dtd's order. The customer
 * code (`internalidentifier`) is what invoices name the customer by; the
 * business ID (or, for a foreign company, its VAT number) goes to
 * `externalidentifier`, which is what the customer search matches on.
 */
export function buildCustomerXml(input: {
  customer: InvoiceCustomer;
  code: string;
  encoding: NetvisorEncoding;
  warn: (warning: SyncWarning) => void;
}): XmlBody {
  const { customer, code, encoding, warn } = input;
  const text = (value: string | null | undefined, max: number, path: string) => optional(cleanText(value, { max, path }, encoding, warn));
  const organisation = customer.businessId ?? customer.vatNumber ?? null;
  const address = customer.address ?? null;

  const base: XmlElement = compact({
    internalidentifier: code,
    externalidentifier: text(organisation, 30, customer.businessId ? 'customer.businessId' : 'customer.vatNumber'),
    name: text(customer.name, L.customerName, 'customer.name'),
    streetaddress: text(address?.street, L.addressLine, 'customer.address.street'),
    city: text(address?.city, L.town, 'customer.address.city'),
    postnumber: text(address?.postalCode, L.postNumber, 'customer.address.postalCode'),
    country: address?.country ? { _: address.country, $: { type: 'ISO-3166' } } : undefined,
    email: text(customer.email, L.email, 'customer.email'),
    isactive: '1',
    isprivatecustomer: organisation ? '0' : '1',
  });
  const customerElement: XmlElement = { customerbaseinformation: base };
  if (customer.einvoice) {
    customerElement.customerfinvoicedetails = compact({
      finvoiceaddress: text(customer.einvoice.address, L.finvoice, 'customer.einvoice.address'),
      finvoiceroutercode: text(customer.einvoice.operator, L.finvoice, 'customer.einvoice.operator'),
    });
  }
  if (customer.contactPerson) {
    customerElement.customercontactdetails = compact({
      contactperson: text(customer.contactPerson, L.contactPerson, 'customer.contactPerson'),
      contactpersonemail: text(customer.email, L.email, 'customer.email'),
    });
  }
  const language = customer.language ? LANGUAGE[customer.language] : undefined;
  if (language) customerElement.customeradditionalinformation = { invoicinglanguage: { _: language, $: { type: 'ISO-3166' } } };
  return serializeXml({ root: { customer: customerElement } }, encoding);
}

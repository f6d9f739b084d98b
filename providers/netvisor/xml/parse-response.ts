import { parseCommaDecimal } from '../decimal-format.js';
import { childOf, childrenOf, findDescendant, parseXmlTree, textOf, type XmlNode } from './tree.js';

/** Netvisor's verdict on a request: OK, or FAILED with its code and words. */
export type NetvisorStatus = { ok: true } | { ok: false; code: string; message: string };

export interface NetvisorResponse {
  status: NetvisorStatus;
  root: XmlNode;
}

/** The body is not a Netvisor answer at all (an HTML error page, a proxy's text, nothing). */
export class NotNetvisorXmlError extends Error {}

/**
 * Reads any Netvisor answer: `<Root><ResponseStatus><Status>OK</Status>…`, or
 * the failure form with two `<Status>` elements, the second "CODE :: message".
 */
export async function parseNetvisorResponse(text: string): Promise<NetvisorResponse> {
  let root: XmlNode;
  try {
    root = await parseXmlTree(text);
  } catch (error) {
    throw new NotNetvisorXmlError(`not XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const statusBlock = childOf(root, 'ResponseStatus');
  const statuses = childrenOf(statusBlock, 'Status').map((s) => s.text.trim());
  if (!statusBlock || statuses.length === 0) throw new NotNetvisorXmlError('the answer has no <ResponseStatus>');
  if (statuses[0]!.toUpperCase() === 'OK') return { status: { ok: true }, root };
  return { status: failure(statuses.slice(1).join(' ') || statuses[0]!), root };
}

function failure(text: string): NetvisorStatus {
  const at = text.indexOf('::');
  if (at >= 0) {
    return { ok: false, code: text.slice(0, at).trim().toUpperCase() || 'UNKNOWN', message: text.slice(at + 2).trim() };
  }
  const code = /^([A-Z][A-Z_]+)\b/.exec(text.trim())?.[1];
  return { ok: false, code: code ?? 'UNKNOWN', message: text.trim() };
}

/** `<Replies><InsertedDataIdentifier>8</InsertedDataIdentifier></Replies>`: the NetvisorKey of what was added. */
export function insertedIdentifier(response: NetvisorResponse): string | null {
  const id = textOf(childOf(response.root, 'Replies'), 'InsertedDataIdentifier') ?? textOf(findDescendant(response.root, 'Replies'), 'InsertedDataIdentifier');
  return id && /^\d+$/.test(id) ? id : null;
}

export interface CustomerListEntry {
  netvisorKey: string;
  name: string | null;
  code: string | null;
  /** Business ID, or null when Netvisor has none (consumer) — undefined when the answer did not say. */
  organisationIdentifier: string | null | undefined;
}

/** customerlist.nv: `<Customerlist><Customer><Netvisorkey>…<Code>…<OrganisationIdentifier>…`. */
export function parseCustomerList(response: NetvisorResponse): CustomerListEntry[] {
  const list = childOf(response.root, 'Customerlist');
  return childrenOf(list, 'Customer')
    .map((c) => ({
      netvisorKey: textOf(c, 'Netvisorkey') ?? '',
      name: textOf(c, 'Name'),
      code: textOf(c, 'Code'),
      organisationIdentifier: childOf(c, 'OrganisationIdentifier') ? textOf(c, 'OrganisationIdentifier') : undefined,
    }))
    .filter((c) => c.netvisorKey !== '');
}

export interface CustomerDetails {
  /** Older answers carry no <NetvisorKey> (public clients' fixtures show both forms). */
  netvisorKey: string | null;
  code: string | null;
  /** The business ID; null when Netvisor holds none (an empty element), undefined when the answer did not say. */
  businessId: string | null | undefined;
  name: string | null;
}

/**
 * getcustomer.nv: `<Customer><CustomerBaseInformation>` with `<NetvisorKey>` (not
 * in every answer), `<InternalIdentifier>` (the customer code) and
 * `<ExternalIdentifier>` (the business ID, empty when there is none). Null only
 * when the answer shows no customer at all.
 */
export function parseCustomer(response: NetvisorResponse): CustomerDetails | null {
  const base = childOf(childOf(response.root, 'Customer'), 'CustomerBaseInformation');
  if (!base || base.children.length === 0) return null;
  return {
    netvisorKey: textOf(base, 'NetvisorKey'),
    code: textOf(base, 'InternalIdentifier'),
    businessId: childOf(base, 'ExternalIdentifier') ? textOf(base, 'ExternalIdentifier') : undefined,
    name: textOf(base, 'Name'),
  };
}

export interface ProductDetails {
  netvisorKey: string;
  code: string | null;
  name: string | null;
}

/** getproduct.nv: `<Product><ProductBaseInformation><NetvisorKey>…<ProductCode>…`; none when Netvisor has no such product. */
export function parseProducts(response: NetvisorResponse): ProductDetails[] {
  return childrenOf(response.root, 'Product').flatMap((product) =>
    childrenOf(product, 'ProductBaseInformation')
      .map((base) => ({ netvisorKey: textOf(base, 'NetvisorKey') ?? '', code: textOf(base, 'ProductCode'), name: textOf(base, 'Name') }))
      .filter((p) => p.netvisorKey !== ''),
  );
}

export interface SalesInvoiceListEntry {
  netvisorKey: string;
  number: string | null;
  date: string | null;
  status: string | null;
  customerCode: string | null;
  referenceNumber: string | null;
  /** Invoice sum with a dot, when Netvisor gave one. */
  sum: string | null;
  /** What is still unpaid, with a dot, when Netvisor gave it (`OpenSum`). */
  openSum?: string | null;
  /** The private comment, when asked for with replyoption=1 and Netvisor answered it. */
  privateComment: string | null | undefined;
}

/** salesinvoicelist.nv: `<SalesInvoiceList><SalesInvoice><NetvisorKey>…<InvoiceNumber>…<ReferenceNumber>…`. */
export function parseSalesInvoiceList(response: NetvisorResponse): SalesInvoiceListEntry[] {
  const list = childOf(response.root, 'SalesInvoiceList');
  return childrenOf(list, 'SalesInvoice')
    .map((s) => {
      const comment = findDescendant(s, 'PrivateComment');
      return {
        netvisorKey: textOf(s, 'NetvisorKey') ?? '',
        number: textOf(s, 'InvoiceNumber'),
        date: textOf(s, 'InvoiceDate'),
        status: textOf(s, 'InvoiceStatus'),
        customerCode: textOf(s, 'CustomerCode'),
        referenceNumber: textOf(s, 'ReferenceNumber'),
        sum: parseCommaDecimal(textOf(s, 'InvoiceSum')),
        // Only when Netvisor gave it: a list without OpenSum says nothing about payments.
        ...(textOf(s, 'OpenSum') === null ? {} : { openSum: parseCommaDecimal(textOf(s, 'OpenSum')) }),
        privateComment: comment ? comment.text.trim() : undefined,
      };
    })
    .filter((s) => s.netvisorKey !== '');
}

export interface SalesPaymentEntry {
  netvisorKey: string;
  /** YYYY-MM-DD, or null when Netvisor's date could not be read. */
  date: string | null;
  /** With a dot, or null when unreadable. */
  sum: string | null;
}

/** salespaymentlist.nv: `<SalesPaymentList><SalesPayment><NetvisorKey>…<Date>…<Sum>…`. Dates as YYYY-MM-DD or d.M.yyyy. */
export function parseSalesPaymentList(response: NetvisorResponse): SalesPaymentEntry[] {
  return childrenOf(childOf(response.root, 'SalesPaymentList'), 'SalesPayment').map((p) => ({
    netvisorKey: textOf(p, 'NetvisorKey') ?? '',
    date: isoDate(textOf(p, 'Date')),
    sum: parseCommaDecimal(textOf(p, 'Sum')),
  }));
}

/** Netvisor writes dates as ansi (2026-11-30) or Finnish (30.11.2026); anything else is unreadable. */
function isoDate(value: string | null): string | null {
  if (!value) return null;
  const ansi = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (ansi) return `${ansi[1]}-${ansi[2]}-${ansi[3]}`;
  const fi = /^(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(value);
  return fi ? `${fi[3]}-${fi[2]!.padStart(2, '0')}-${fi[1]!.padStart(2, '0')}` : null;
}

export interface SalesInvoiceDetails {
  netvisorKey: string | null;
  number: string | null;
  referenceNumber: string | null;
  amount: string | null;
  status: string | null;
  privateComment: string | null;
}

/**
 * getsalesinvoice.nv. Netvisor answers an unknown key with OK and an empty
 * `<SalesInvoice />`: that is "not found", returned as null.
 */
export function parseSalesInvoice(response: NetvisorResponse): SalesInvoiceDetails | null {
  const invoice = childOf(response.root, 'SalesInvoice');
  if (!invoice || (invoice.children.length === 0 && !invoice.text.trim())) return null;
  const status = childOf(invoice, 'InvoiceStatus');
  return {
    netvisorKey: textOf(invoice, 'SalesInvoiceNetvisorKey'),
    number: textOf(invoice, 'SalesInvoiceNumber'),
    referenceNumber: textOf(invoice, 'SalesInvoiceReferenceNumber'),
    amount: parseCommaDecimal(textOf(invoice, 'SalesInvoiceAmount')),
    status: status?.attrs.status ?? (status?.text.trim() || null),
    privateComment: textOf(invoice, 'SalesInvoicePrivateComment'),
  };
}

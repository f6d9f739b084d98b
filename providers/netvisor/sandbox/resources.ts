import { dec, money, roundCents, sum } from '../../../src/domain/money.js';
import { isCalendarDate } from '../../../src/domain/invoice-document.js';
import { ZERO_RATE_VAT_CODES } from '../vat-codes.js';
import { CUSTOMER_STRUCTURE, PRODUCT_STRUCTURE, SALES_INVOICE_STRUCTURE, type Structure } from '../xml/structure.js';
import { childOf, childrenOf, type XmlNode } from '../xml/tree.js';
import { validateStructure } from '../xml/validate-structure.js';
import { failedAnswer, insertedAnswer, okAnswer, type Answer, type FailureCode, type Xml } from './responses.js';
import type { OrganisationData, StoredAttachment, StoredCustomer, StoredInvoice, StoredInvoiceLine, StoredProduct } from './store.js';

/** What a resource handler needs besides the organisation's data. */
export interface ResourceContext {
  now: Date;
  /** The sandbox's own base URL, for the `Uri` elements of list answers. */
  baseUrl: string;
  /** Query parameters, names lowercased (Netvisor reads them case-insensitively). */
  query: Map<string, string>;
  method: string;
  body: { tree: XmlNode; xml: string; encoding: 'utf-8' | 'iso-8859-15' } | null;
  useHttpStatus: boolean;
  /** Invoices dated before this day are in a locked accounting period. */
  periodLockedBefore: string | null;
  /** salesinvoicelist.nv answers at most this many invoices (Netvisor: 500), lowest NetvisorKey first. */
  listPageSize?: number;
}

/** Paid so far on a stored invoice, with a dot. */
export function paidOf(i: StoredInvoice): string {
  return money(sum((i.payments ?? []).map((p) => dec(p.amount))));
}

export interface ResourceResult {
  answer: Answer;
  /** Set when this request stored an invoice (the "after store" faults apply to it). */
  storedInvoice?: StoredInvoice;
}

/** A refusal carried out of the checks, answered as Netvisor's failure form. */
class Refusal extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new Refusal('INVALID_DATA', message);

/** The text of a child element (the body passed the structure, so names are exact). */
const text = (node: XmlNode | null | undefined, name: string): string | null => {
  const t = childOf(node, name)?.text.trim();
  return t ? t : null;
};

/** Netvisor numbers: digits with an optional decimal comma, optionally negative. */
function commaNumber(value: string | null, element: string, options: { integer?: boolean } = {}): string {
  if (value === null) throw invalid(`<${element}> is empty; it must be a number`);
  const pattern = options.integer ? /^-?\d+$/ : /^-?\d+(,\d+)?$/;
  if (!pattern.test(value)) {
    throw invalid(
      options.integer
        ? `<${element}> must be a whole number, got "${value}"`
        : `<${element}> must be a number written with a decimal comma (e.g. 1506,00), got "${value}"`,
    );
  }
  return value.replace(',', '.');
}

function ansiDate(node: XmlNode | null, element: string): string | null {
  if (!node) return null;
  const format = node.attrs.format ?? 'ansi';
  if (format !== 'ansi') throw invalid(`<${element} format="${format}"> is not supported; use format="ansi"`);
  const value = node.text.trim();
  if (!isCalendarDate(value)) throw invalid(`<${element}> must be a date written YYYY-MM-DD, got "${value}"`);
  return value;
}

function checkStructure(tree: XmlNode, structure: Structure, what: string): void {
  const problems = validateStructure(tree, structure);
  if (problems.length) {
    throw invalid(`the ${what} does not follow Netvisor's DTD: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

function needBody(ctx: ResourceContext, resource: string): { tree: XmlNode; xml: string; encoding: 'utf-8' | 'iso-8859-15' } {
  if (ctx.method !== 'POST') throw invalid(`${resource} takes POST with an XML body`);
  if (!ctx.body) throw invalid(`${resource} needs an XML body starting with <root>`);
  return ctx.body;
}

function needMethodAdd(ctx: ResourceContext, resource: string): void {
  const method = ctx.query.get('method');
  if (method === 'edit') throw invalid(`${resource}?method=edit is not supported by the sandbox`);
  if (method !== 'add') throw invalid(`${resource} needs the query parameter method=add or method=edit`);
}

// ---------------------------------------------------------------- customers

function customerEntry(c: StoredCustomer, baseUrl: string): Xml {
  return {
    Netvisorkey: String(c.netvisorKey),
    Name: c.name ?? '',
    Code: c.code ?? '',
    OrganisationIdentifier: c.businessId ?? '',
    CustomerGroupID: '',
    CustomerGroupName: '',
    Uri: `${baseUrl}/getcustomer.nv?id=${c.netvisorKey}`,
  };
}

function customerList(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const keyword = ctx.query.get('keyword')?.trim().toLowerCase();
  const codes = ctx.query
    .get('customercodelist')
    ?.split(',')
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  const found = org.customers.filter((c) => {
    if (codes && !codes.includes((c.code ?? '').toUpperCase())) return false;
    if (!keyword) return true;
    return [c.name, c.code, c.businessId, c.nameExtension].some((f) => f?.toLowerCase().includes(keyword));
  });
  return { answer: okAnswer({ Customerlist: { Customer: found.map((c) => customerEntry(c, ctx.baseUrl)) } }, ctx.now) };
}

function getCustomer(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const id = ctx.query.get('id') ?? '';
  const c = org.customers.find((x) => String(x.netvisorKey) === id);
  if (!c) throw invalid(`Data form incorrect:. Customer not found with Netvisor identifier: ${id}`);
  return {
    answer: okAnswer(
      {
        Customer: {
          CustomerBaseInformation: {
            NetvisorKey: String(c.netvisorKey),
            InternalIdentifier: c.code ?? '',
            ExternalIdentifier: c.businessId ?? '',
            Name: c.name ?? '',
            NameExtension: c.nameExtension ?? '',
            StreetAddress: c.streetAddress ?? '',
            City: c.city ?? '',
            PostNumber: c.postNumber ?? '',
            Country: { $: { type: 'ISO-3166' }, _: c.country ?? '' },
            Email: c.email ?? '',
          },
        },
      },
      ctx.now,
    ),
  };
}

function addCustomer(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  needMethodAdd(ctx, 'customer.nv');
  const body = needBody(ctx, 'customer.nv');
  checkStructure(body.tree, CUSTOMER_STRUCTURE, 'customer');
  const base = childOf(childOf(body.tree, 'customer'), 'customerbaseinformation');
  const name = text(base, 'name');
  if (!name) throw invalid('<name> is required when adding a customer');
  const code = text(base, 'internalidentifier');
  if (code && org.customerByCode(code)) throw new Refusal('DUPLICATE_DATA', `Customer code ${code} is already in use`);
  const stored: StoredCustomer = {
    netvisorKey: org.nextKey(),
    code,
    name,
    nameExtension: text(base, 'nameextension'),
    businessId: text(base, 'externalidentifier'),
    streetAddress: text(base, 'streetaddress'),
    postNumber: text(base, 'postnumber'),
    city: text(base, 'city'),
    country: text(base, 'country'),
    email: text(base, 'email'),
    xml: body.xml,
  };
  org.customers.push(stored);
  return { answer: insertedAnswer(stored.netvisorKey, ctx.now, body.encoding) };
}

// ---------------------------------------------------------------- products

function getProduct(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const id = ctx.query.get('id');
  const code = ctx.query.get('code');
  if (!id && !code) throw invalid('getproduct.nv needs id or code');
  const p = id ? org.products.find((x) => String(x.netvisorKey) === id) : org.productByCode(code!);
  // An unknown product: OK with an empty <Product/> (ProductBaseInformation occurs 0..n).
  if (!p) return { answer: okAnswer({ Product: '' }, ctx.now) };
  return {
    answer: okAnswer(
      {
        Product: {
          ProductBaseInformation: {
            NetvisorKey: String(p.netvisorKey),
            ProductCode: p.code ?? '',
            ProductGroup: p.group,
            Name: p.name,
            UnitPrice: { $: { type: 'net' }, _: p.unitPrice.replace('.', ',') },
            Unit: p.unit ?? '',
            IsActive: '1',
            IsSalesProduct: '1',
          },
          ProductBookkeepingDetails: { DefaultVatPercent: (p.defaultVatPercentage ?? '').replace('.', ',') },
        },
      },
      ctx.now,
    ),
  };
}

function addProduct(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  needMethodAdd(ctx, 'product.nv');
  const body = needBody(ctx, 'product.nv');
  checkStructure(body.tree, PRODUCT_STRUCTURE, 'product');
  const product = childOf(body.tree, 'product');
  const base = childOf(product, 'productbaseinformation');
  const code = text(base, 'productcode');
  if (code && org.productByCode(code)) throw new Refusal('DUPLICATE_DATA', `Product code ${code} is already in use`);
  const name = text(base, 'name');
  if (!name) throw invalid('<name> of the product is empty');
  for (const flag of ['isactive', 'issalesproduct'] as const) {
    const v = text(base, flag);
    if (v !== '0' && v !== '1') throw invalid(`<${flag}> must be 0 or 1, got "${v ?? ''}"`);
  }
  const vat = text(childOf(product, 'productbookkeepingdetails'), 'defaultvatpercentage');
  const stored: StoredProduct = {
    netvisorKey: org.nextKey(),
    code,
    name,
    group: text(base, 'productgroup') ?? '',
    unitPrice: commaNumber(text(base, 'unitprice'), 'unitprice'),
    unit: text(base, 'unit'),
    defaultVatPercentage: vat === null ? null : commaNumber(vat, 'defaultvatpercentage'),
    xml: body.xml,
  };
  org.products.push(stored);
  return { answer: insertedAnswer(stored.netvisorKey, ctx.now, body.encoding) };
}

// ---------------------------------------------------------------- sales invoices

function lineOf(org: OrganisationData, node: XmlNode, index: number): StoredInvoiceLine {
  const where = `invoice line ${index + 1}`;
  const identifier = childOf(node, 'productidentifier')!;
  const id = identifier.text.trim();
  const product = identifier.attrs.type === 'netvisor' ? org.products.find((p) => String(p.netvisorKey) === id) : org.productByCode(id);
  if (!product) throw invalid(`${where}: product not found with ${identifier.attrs.type === 'netvisor' ? 'Netvisor identifier' : 'code'} ${id}`);
  const priceNode = childOf(node, 'productunitprice')!;
  const unitPrice = commaNumber(priceNode.text.trim(), 'productunitprice');
  const vatNode = childOf(node, 'productvatpercentage')!;
  const vatPercent = commaNumber(vatNode.text.trim(), 'productvatpercentage');
  const vatCode = vatNode.attrs.vatcode ?? null;
  if (vatCode && ZERO_RATE_VAT_CODES.has(vatCode) && !dec(vatPercent).isZero()) {
    throw invalid(`${where}: VAT code ${vatCode} takes 0 %, not ${vatPercent.replace('.', ',')} %`);
  }
  const quantity = commaNumber(text(node, 'salesinvoiceproductlinequantity'), 'salesinvoiceproductlinequantity');
  const discount = text(node, 'salesinvoiceproductlinediscountpercentage');
  const factor = discount === null ? dec(1) : dec(1).minus(dec(commaNumber(discount, 'salesinvoiceproductlinediscountpercentage')).dividedBy(100));
  // Netvisor rounds each line to cents; a gross unit price holds the VAT already.
  const lineAmount = roundCents(dec(quantity).times(dec(unitPrice)).times(factor));
  const rate = dec(vatPercent).dividedBy(100);
  let net = lineAmount;
  let vat = roundCents(net.times(rate));
  if (priceNode.attrs.type === 'gross') {
    net = roundCents(lineAmount.dividedBy(rate.plus(1)));
    vat = lineAmount.minus(net);
  }
  return {
    productCode: product.code,
    productKey: product.netvisorKey,
    productName: text(node, 'productname') ?? product.name,
    unitPrice,
    unitPriceType: priceNode.attrs.type === 'gross' ? 'gross' : 'net',
    vatPercent,
    vatCode,
    quantity,
    freeText: text(node, 'salesinvoiceproductlinefreetext'),
    net: net.toFixed(2),
    vat: vat.toFixed(2),
    gross: net.plus(vat).toFixed(2),
  };
}

/** Netvisor takes sales invoice attachments as PDFs (and images); the data is base64. */
const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'];
/** The sandbox's cap on one attachment (decoded), like the real API's message size limits. */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

function attachmentsOf(inv: XmlNode): StoredAttachment[] {
  return childrenOf(childOf(inv, 'salesinvoiceattachments'), 'salesinvoiceattachment').map((a, i) => {
    const where = `salesinvoiceattachment ${i + 1}`;
    const mimeType = text(a, 'mimetype') ?? '';
    if (!ATTACHMENT_TYPES.includes(mimeType)) throw invalid(`${where}: <mimetype> must be one of ${ATTACHMENT_TYPES.join(', ')}, got "${mimeType}"`);
    const filename = text(a, 'filename');
    if (!filename) throw invalid(`${where}: <filename> is empty`);
    if (filename.length > 255) throw invalid(`${where}: <filename> is longer than 255 characters`);
    const description = text(a, 'attachmentdescription') ?? '';
    if (description.length > 100) throw invalid(`${where}: <attachmentdescription> is longer than 100 characters`);
    const data = (childOf(a, 'documentdata')?.text ?? '').replace(/\s+/g, '');
    if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) throw invalid(`${where}: <documentdata> must be the file in base64`);
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > MAX_ATTACHMENT_BYTES) throw invalid(`${where}: the file is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
    if (mimeType === 'application/pdf' && !bytes.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw invalid(`${where}: <documentdata> is not a PDF`);
    return { mimeType, description, filename, size: bytes.length };
  });
}

/**
 * salesinvoice.nv: `method=add` stores a new invoice; `method=edit&id=` rewrites
 * an existing one in place (same NetvisorKey and number). Like Netvisor, only an
 * unsent invoice can be edited: once sent it has a voucher and reached the customer.
 */
function salesInvoice(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const method = ctx.query.get('method');
  if (method !== 'add' && method !== 'edit') throw invalid('salesinvoice.nv needs the query parameter method=add or method=edit');
  let editing: StoredInvoice | undefined;
  if (method === 'edit') {
    const id = ctx.query.get('id') ?? '';
    editing = org.invoices.find((i) => String(i.netvisorKey) === id);
    if (!editing) throw invalid(`Sales invoice not found with id ${id} (salesinvoice.nv?method=edit)`);
    if (editing.status !== 'unsent') throw invalid(`Sales invoice ${editing.number} (id ${id}) is ${editing.status} and cannot be edited; only unsent invoices can be edited`);
  }
  const body = needBody(ctx, 'salesinvoice.nv');
  checkStructure(body.tree, SALES_INVOICE_STRUCTURE, 'sales invoice');
  const inv = childOf(body.tree, 'salesinvoice')!;

  const date = ansiDate(childOf(inv, 'salesinvoicedate'), 'salesinvoicedate')!;
  const deliveryDate = ansiDate(childOf(inv, 'salesinvoicedeliverydate'), 'salesinvoicedeliverydate');
  const amountNode = childOf(inv, 'salesinvoiceamount')!;
  const amount = commaNumber(amountNode.text.trim(), 'salesinvoiceamount');
  const status = text(inv, 'salesinvoicestatus');
  const statusType = childOf(inv, 'salesinvoicestatus')!.attrs.type ?? 'netvisor';
  if (statusType !== 'netvisor' || !['unsent', 'open'].includes(status ?? '')) {
    throw invalid(`<salesinvoicestatus type="netvisor"> of an invoice must be unsent or open, got "${status ?? ''}"`);
  }
  const customerNode = childOf(inv, 'invoicingcustomeridentifier')!;
  const customerId = customerNode.text.trim();
  const customer =
    customerNode.attrs.type === 'netvisor' ? org.customers.find((c) => String(c.netvisorKey) === customerId) : org.customerByCode(customerId);
  if (!customer) {
    throw invalid(`Customer not found with ${customerNode.attrs.type === 'netvisor' ? 'Netvisor identifier' : 'customer code'} ${customerId} (invoicingcustomeridentifier)`);
  }
  const term = Number(commaNumber(text(inv, 'paymenttermnetdays'), 'paymenttermnetdays', { integer: true }));
  const lines = childrenOf(childOf(inv, 'invoicelines'), 'invoiceline')
    .map((l) => childOf(l, 'salesinvoiceproductline'))
    .filter((l): l is XmlNode => l !== null)
    .map((l, i) => lineOf(org, l, i));
  if (lines.length === 0) throw invalid('an invoice needs at least one product line');
  const attachments = attachmentsOf(inv);

  if (ctx.periodLockedBefore && date < ctx.periodLockedBefore) {
    throw new Refusal('PERIOD_LOCK', `Accounting period is locked for the date ${date}; periods before ${ctx.periodLockedBefore} are closed`);
  }
  const given = text(inv, 'salesinvoicenumber');
  if (given && org.invoices.some((i) => i.number === given && i !== editing)) throw new Refusal('DUPLICATE_DATA', `Invoice number ${given} is already in use`);

  const stored: StoredInvoice = {
    netvisorKey: editing?.netvisorKey ?? org.nextKey(),
    number: given ?? editing?.number ?? org.nextInvoiceNumber(),
    date,
    deliveryDate,
    referenceNumber: text(inv, 'salesinvoicereferencenumber'),
    amount: money(amount),
    currency: amountNode.attrs.iso4217currencycode ?? 'EUR',
    status: status!,
    customerKey: customer.netvisorKey,
    customerCode: customer.code,
    customerName: text(inv, 'invoicingcustomername') ?? customer.name,
    paymentTermNetDays: term,
    ourReference: text(inv, 'salesinvoiceourreference'),
    privateComment: text(inv, 'salesinvoiceprivatecomment'),
    freeTextBefore: text(inv, 'salesinvoicefreetextbeforelines'),
    freeTextAfter: text(inv, 'salesinvoicefreetextafterlines'),
    lines,
    linesTotal: {
      net: money(sum(lines.map((l) => dec(l.net)))),
      vat: money(sum(lines.map((l) => dec(l.vat)))),
      gross: money(sum(lines.map((l) => dec(l.gross)))),
    },
    xml: body.xml,
    receivedAt: ctx.now.toISOString(),
    // An edit without attachments leaves the invoice's own in place (ledgerlink's edits send none).
    attachments: editing && attachments.length === 0 ? editing.attachments : attachments,
  };
  if (given) org.takeInvoiceNumber(given);
  if (editing) org.invoices[org.invoices.indexOf(editing)] = stored;
  else org.invoices.push(stored);
  return { answer: insertedAnswer(stored.netvisorKey, ctx.now, body.encoding), storedInvoice: stored };
}

function salesInvoiceList(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const q = ctx.query;
  for (const p of ['begininvoicedate', 'endinvoicedate']) {
    const v = q.get(p);
    if (v !== undefined && !isCalendarDate(v)) throw invalid(`${p} must be a date written YYYY-MM-DD, got "${v}"`);
  }
  const found = [...org.invoices].sort((a, b) => a.netvisorKey - b.netvisorKey).filter((i) => {
    if (q.get('begininvoicedate') && i.date < q.get('begininvoicedate')!) return false;
    if (q.get('endinvoicedate') && i.date > q.get('endinvoicedate')!) return false;
    if (q.get('invoicenumber') && i.number !== q.get('invoicenumber')) return false;
    if (q.get('invoicesabovenetvisorkey') && i.netvisorKey <= Number(q.get('invoicesabovenetvisorkey'))) return false;
    if (q.get('customercode') && (i.customerCode ?? '').toUpperCase() !== q.get('customercode')!.toUpperCase()) return false;
    if (q.get('customernetvisorkey') && String(i.customerKey) !== q.get('customernetvisorkey')) return false;
    if (q.get('invoicestatus') && i.status !== q.get('invoicestatus')) return false;
    return true;
  });
  const withComment = (Number(q.get('replyoption') ?? '0') & 1) === 1;
  const entries = found.slice(0, ctx.listPageSize ?? 500).map((i) => ({
    NetvisorKey: String(i.netvisorKey),
    InvoiceNumber: i.number,
    Invoicedate: { $: { format: 'ansi' }, _: i.date },
    InvoiceStatus: i.status,
    CustomerCode: i.customerCode ?? '',
    CustomerName: i.customerName ?? '',
    ReferenceNumber: i.referenceNumber ?? '',
    InvoiceSum: i.amount.replace('.', ','),
    OpenSum: money(dec(i.amount).minus(dec(paidOf(i)))).replace('.', ','),
    Uri: `${ctx.baseUrl}/getsalesinvoice.nv?netvisorkey=${i.netvisorKey}`,
    ...(withComment ? { AdditionalInformation: { PrivateComment: i.privateComment ?? '' } } : {}),
  }));
  return { answer: okAnswer({ SalesInvoiceList: { SalesInvoice: entries } }, ctx.now) };
}

function getSalesInvoice(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const key = ctx.query.get('netvisorkey') ?? '';
  const i = org.invoices.find((x) => String(x.netvisorKey) === key);
  // Netvisor answers an unknown key with OK and an empty <SalesInvoice />.
  if (!i) return { answer: okAnswer({ SalesInvoice: '' }, ctx.now) };
  return {
    answer: okAnswer(
      {
        SalesInvoice: {
          SalesInvoiceNetvisorKey: String(i.netvisorKey),
          SalesInvoiceNumber: i.number,
          SalesInvoiceDate: { $: { format: 'ansi' }, _: i.date },
          SalesInvoiceReferencenumber: i.referenceNumber ?? '',
          SalesInvoiceAmount: { $: { iso4217currencycode: i.currency }, _: i.amount.replace('.', ',') },
          InvoiceStatus: { $: { status: i.status }, _: i.status },
          SalesInvoicePrivateComment: i.privateComment ?? '',
          InvoicingCustomerName: i.customerName ?? '',
          InvoicingCustomerNetvisorKey: String(i.customerKey),
          InvoicingCustomerCode: i.customerCode ?? '',
          PaymentTermNetDays: String(i.paymentTermNetDays),
          InvoiceLines: {
            InvoiceLine: {
              SalesInvoiceProductLine: i.lines.map((l) => ({
                ProductIdentifier: { $: { type: 'customer' }, _: l.productCode ?? '' },
                ProductName: l.productName,
                ProductNetvisorKey: String(l.productKey),
                ProductUnitPrice: l.unitPrice.replace('.', ','),
                ProductVatPercentage: { $: { vatcode: l.vatCode ?? '' }, _: l.vatPercent.replace('.', ',') },
                SalesInvoiceProductLineQuantity: l.quantity.replace('.', ','),
                SalesInvoiceProductLineFreeText: l.freeText ?? '',
                SalesInvoiceProductLineVatSum: l.vat.replace('.', ','),
                SalesInvoiceProductLineSum: l.gross.replace('.', ','),
              })),
            },
          },
        },
      },
      ctx.now,
    ),
  };
}

/**
 * salespaymentlist.nv: the payments of the organisation, filtered by the
 * invoice they are targeted to (`invoicenetvisorkey`, `invoicenumber`) and by
 * date (`begindate`, `enddate`), oldest first.
 */
function salesPaymentList(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const q = ctx.query;
  for (const p of ['begindate', 'enddate']) {
    const v = q.get(p);
    if (v !== undefined && !isCalendarDate(v)) throw invalid(`${p} must be a date written YYYY-MM-DD, got "${v}"`);
  }
  const payments = org.invoices
    .filter((i) => (!q.get('invoicenetvisorkey') || String(i.netvisorKey) === q.get('invoicenetvisorkey')) && (!q.get('invoicenumber') || i.number === q.get('invoicenumber')))
    .flatMap((i) => (i.payments ?? []).map((p) => ({ invoice: i, payment: p })))
    .filter(({ payment }) => (!q.get('begindate') || payment.date >= q.get('begindate')!) && (!q.get('enddate') || payment.date <= q.get('enddate')!))
    .sort((a, b) => a.payment.key - b.payment.key);
  const entries = payments.map(({ invoice, payment }) => ({
    NetvisorKey: String(payment.key),
    Name: invoice.customerName ?? '',
    Date: { $: { format: 'ansi' }, _: payment.date },
    Sum: payment.amount.replace('.', ','),
    ReferenceNumber: invoice.referenceNumber ?? '',
    ForeignCurrencyAmount: '',
    InvoiceNumber: invoice.number,
    PaymentAccountName: 'sandbox bank',
  }));
  return { answer: okAnswer({ SalesPaymentList: { SalesPayment: entries } }, ctx.now) };
}

/**
 * matchcreditnote.nv: `<root><matchcreditnote><creditnotenetvisorkey>…<invoicenetvisorkey>…`.
 * Both must exist, the first be a credit note (negative) and the second an
 * invoice of the same customer; the same match again is answered OK, a credit
 * note already matched to another invoice is refused.
 */
function matchCreditNote(org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const body = needBody(ctx, 'matchcreditnote.nv');
  const match = childOf(body.tree, 'matchcreditnote');
  const cnKey = text(match, 'creditnotenetvisorkey');
  const invKey = text(match, 'invoicenetvisorkey');
  if (!match || !cnKey || !invKey) throw invalid('matchcreditnote.nv needs <matchcreditnote> with <creditnotenetvisorkey> and <invoicenetvisorkey>');
  const creditNote = org.invoices.find((i) => String(i.netvisorKey) === cnKey);
  const invoice = org.invoices.find((i) => String(i.netvisorKey) === invKey);
  if (!creditNote) throw invalid(`Credit note not found with NetvisorKey ${cnKey}`);
  if (!invoice) throw invalid(`Sales invoice not found with NetvisorKey ${invKey}`);
  if (!dec(creditNote.amount).isNegative()) throw invalid(`Sales invoice ${creditNote.number} is not a credit note`);
  if (dec(invoice.amount).isNegative()) throw invalid(`Sales invoice ${invoice.number} is a credit note`);
  if (creditNote.customerKey !== invoice.customerKey) throw invalid(`Credit note ${creditNote.number} and invoice ${invoice.number} have different customers`);
  if (creditNote.matchedInvoiceKey !== undefined && creditNote.matchedInvoiceKey !== invoice.netvisorKey) {
    throw invalid(`Credit note ${creditNote.number} is already matched to another invoice`);
  }
  creditNote.matchedInvoiceKey = invoice.netvisorKey;
  return { answer: okAnswer({}, ctx.now) };
}

type Handler = (org: OrganisationData, ctx: ResourceContext) => ResourceResult;

const RESOURCES: Record<string, { method: 'GET' | 'POST'; handle: Handler }> = {
  'customerlist.nv': { method: 'GET', handle: customerList },
  'getcustomer.nv': { method: 'GET', handle: getCustomer },
  'customer.nv': { method: 'POST', handle: addCustomer },
  'getproduct.nv': { method: 'GET', handle: getProduct },
  'product.nv': { method: 'POST', handle: addProduct },
  'salesinvoice.nv': { method: 'POST', handle: salesInvoice },
  'salesinvoicelist.nv': { method: 'GET', handle: salesInvoiceList },
  'getsalesinvoice.nv': { method: 'GET', handle: getSalesInvoice },
  'salespaymentlist.nv': { method: 'GET', handle: salesPaymentList },
  'matchcreditnote.nv': { method: 'POST', handle: matchCreditNote },
};

/** True for the resource that creates invoices (where "create" faults apply). */
export const isInvoiceAdd = (resource: string, query: Map<string, string>) => resource === 'salesinvoice.nv' && query.get('method') === 'add';

/** Answers one authenticated request to a resource of one organisation. */
export function handleResource(resource: string, org: OrganisationData, ctx: ResourceContext): ResourceResult {
  const entry = RESOURCES[resource];
  if (!entry) {
    return { answer: failedAnswer('INVALID_DATA', `Unknown resource ${resource}; the sandbox answers ${Object.keys(RESOURCES).join(', ')}`, ctx.now, ctx.useHttpStatus) };
  }
  if (entry.method !== ctx.method) {
    return { answer: failedAnswer('INVALID_DATA', `${resource} takes ${entry.method}, not ${ctx.method}`, ctx.now, ctx.useHttpStatus) };
  }
  try {
    return entry.handle(org, ctx);
  } catch (error) {
    if (error instanceof Refusal) return { answer: failedAnswer(error.code, error.message, ctx.now, ctx.useHttpStatus) };
    throw error;
  }
}

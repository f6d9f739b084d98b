import { Dec, dec, roundCents } from '../../../src/domain/money.js';
import type { Decimal } from 'decimal.js';
import { ibanProblem, normaliseIban } from '../iban.js';
import { finnishCheckDigit, isValidReference } from './reference-number.js';
import { invalidWindows1252Chars } from '../windows-1252.js';
import type { SandboxInvoiceBody, SandboxPartnerBody } from './schemas.js';

/** One entry of the sandbox's `{"errors":[...]}` answer. */
export interface RuleError {
  field?: string;
  message: string;
}

/** The company the sandbox pretends to be. */
export interface SandboxCompany {
  currency: string;
  /** VAT percentages enabled for sales (GET /vats/default). */
  vatPercentages: number[];
  /** VAT status numbers enabled for sales. */
  vatStatuses: Array<{ vatStatus: number; description: string }>;
  /** Bank accounts (IBAN) set up in the environment. */
  bankAccounts: string[];
  /** Invoice dates before this (YYYY-MM-DD) fall in closed fiscal periods. */
  closedBefore: string;
}

/** Every string in a body must be Windows-1252 (dev.procountor.com "API requests"). */
export function textErrors(value: unknown, path = ''): RuleError[] {
  if (typeof value === 'string') {
    const bad = invalidWindows1252Chars(value.replace(/[\n\r\t]/g, ''));
    return bad.length ? [{ field: path, message: `INVALID_CHARACTERS: ${bad.map((c) => JSON.stringify(c)).join(', ')} cannot be stored (Windows-1252 only)` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => textErrors(item, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => textErrors(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** A Finnish reference number for a base, as Procountor generates one for `bankReferenceCode: ""`. */
export function finnishReference(base: number): string {
  return `${base}${finnishCheckDigit(String(base))}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Procountor's rules for a new sales invoice beyond its schema, with the
 * codes Procountor puts in `message`: fiscal periods, dates, VAT rates and
 * statuses enabled for the company, bank account and reference number,
 * and what each invoice channel needs.
 */
export function invoiceRuleErrors(
  body: SandboxInvoiceBody,
  company: SandboxCompany,
  exists: { partner(id: number): boolean; product(id: number): boolean },
): RuleError[] {
  const errors: RuleError[] = [];
  if (body.type !== 'SALES_INVOICE') errors.push({ field: 'type', message: 'UNSUPPORTED_TYPE: the sandbox takes SALES_INVOICE only' });
  if (body.invoiceChannel === 'EDIFACT' || body.invoiceChannel === 'PAPER_INVOICE') {
    errors.push({ field: 'invoiceChannel', message: 'INVALID_VALUE: EDIFACT and PAPER_INVOICE are not allowed in POST /invoices' });
  }
  if (!body.language) errors.push({ field: 'language', message: 'FIELD_REQUIRED: sales invoices need a language' });
  if (body.vatStatus === undefined) errors.push({ field: 'vatStatus', message: 'FIELD_REQUIRED: the invoice VAT status is required' });
  const statuses = new Set(company.vatStatuses.map((s) => s.vatStatus));
  if (body.vatStatus !== undefined && !statuses.has(body.vatStatus)) {
    errors.push({ field: 'vatStatus', message: `VAT_STATUS_NOT_IN_USE: VAT status ${body.vatStatus} is not enabled for sales` });
  }
  if (body.partnerId !== undefined && body.partnerId !== null && !exists.partner(body.partnerId)) {
    errors.push({ field: 'partnerId', message: `PARTNER_NOT_FOUND: no business partner ${body.partnerId}` });
  }
  if (body.date < company.closedBefore) {
    errors.push({ field: 'date', message: 'CLOSED_FISCAL_PERIOD' });
  }
  const pay = body.paymentInfo;
  if (pay.dueDate < body.date) errors.push({ field: 'paymentInfo.dueDate', message: 'DUE_DATE_BEFORE_BILL_DATE' });
  else if (daysBetween(body.date, pay.dueDate) > 999) {
    errors.push({ field: 'paymentInfo.dueDate', message: 'PAYMENT_TERM_TOO_LONG: the payment term can be 0-999 days' });
  }
  if (!/^[A-Z]{3}$/.test(pay.currency)) errors.push({ field: 'paymentInfo.currency', message: 'INVALID_VALUE: an ISO 4217 currency code' });
  if (pay.currency === company.currency && pay.currencyRate !== 1) {
    errors.push({ field: 'paymentInfo.currencyRate', message: `INVALID_CURRENCY_RATE: must be 1 for ${company.currency}` });
  }
  if (pay.paymentMethod === 'BANK_TRANSFER') {
    const account = pay.bankAccount?.accountNumber;
    if (!account) errors.push({ field: 'paymentInfo.bankAccount.accountNumber', message: 'FIELD_REQUIRED: bank transfers need the bank account' });
    else if (/\s/.test(account) || ibanProblem(normaliseIban(account))) {
      errors.push({ field: 'paymentInfo.bankAccount.accountNumber', message: 'INVALID_BANK_ACCOUNT: not a valid IBAN (country code included, no spaces)' });
    } else if (!company.bankAccounts.includes(account)) {
      errors.push({ field: 'paymentInfo.bankAccount.accountNumber', message: 'INVALID_BANK_ACCOUNT: not a bank account of the company' });
    }
  }
  if (pay.bankReferenceCode && !isValidReference(pay.bankReferenceCode)) {
    errors.push({ field: 'paymentInfo.bankReferenceCode', message: 'INVALID_REFERENCE_CODE' });
  }
  if (body.invoiceRows.length === 0) errors.push({ field: 'invoiceRows', message: 'FIELD_REQUIRED: an invoice needs at least one row' });
  body.invoiceRows.forEach((row, i) => {
    if (!company.vatPercentages.some((p) => dec(p).equals(dec(row.vatPercent)))) {
      errors.push({ field: `invoiceRows[${i}].vatPercent`, message: `VAT_PERCENT_NOT_IN_USE: ${row.vatPercent} % is not a VAT percentage in use for the company` });
    }
    if (row.vatStatus !== undefined && !statuses.has(row.vatStatus)) {
      errors.push({ field: `invoiceRows[${i}].vatStatus`, message: `VAT_STATUS_NOT_IN_USE: VAT status ${row.vatStatus} is not enabled for sales` });
    }
    if (row.productId !== undefined && row.productId !== null && !exists.product(row.productId)) {
      errors.push({ field: `invoiceRows[${i}].productId`, message: `PRODUCT_NOT_FOUND: no product ${row.productId}` });
    }
    if (dec(row.quantity).times(dec(row.unitPrice)).abs().greaterThan(1e11)) {
      errors.push({ field: `invoiceRows[${i}]`, message: 'ROW_SUM_OUT_OF_RANGE: quantity × unit price is out of range' });
    }
  });
  const cp = body.counterParty;
  const cpa = cp.counterPartyAddress;
  const billing = body.billingAddress;
  if (cp.email && !EMAIL.test(cp.email)) errors.push({ field: 'counterParty.email', message: 'INVALID_EMAIL' });
  if (body.invoiceChannel === 'EMAIL' && !cp.email) {
    errors.push({ field: 'counterParty.email', message: 'EMAIL_REQUIRED: invoices sent by e-mail need the buyer e-mail' });
  }
  const addressFields = ['street', 'zip', 'city'] as const;
  if (body.invoiceChannel === 'MAIL') {
    for (const f of addressFields) {
      if (!billing?.[f] && !cpa[f]) errors.push({ field: `counterParty.counterPartyAddress.${f}`, message: 'ADDRESS_REQUIRED: mailed invoices need street, zip and city' });
    }
  }
  if (body.invoiceChannel === 'ELECTRONIC_INVOICE') {
    if (!cp.einvoiceAddress?.address) errors.push({ field: 'counterParty.einvoiceAddress.address', message: 'EINVOICE_ADDRESS_REQUIRED' });
    if ((cpa.country ?? 'FINLAND') === 'FINLAND' && !cp.einvoiceAddress?.operator) {
      errors.push({ field: 'counterParty.einvoiceAddress.operator', message: 'EINVOICE_ADDRESS_REQUIRED: the operator is required in Finland' });
    }
    for (const f of addressFields) {
      if (!cpa[f]) errors.push({ field: `counterParty.counterPartyAddress.${f}`, message: 'ADDRESS_REQUIRED: e-invoices need street, zip and city' });
      if (!billing?.[f]) errors.push({ field: `billingAddress.${f}`, message: 'ADDRESS_REQUIRED: e-invoices need street, zip and city' });
    }
  }
  return errors;
}

/** Rules for a new business partner (NOTES: customers need an address). */
export function partnerRuleErrors(body: SandboxPartnerBody, customerNumberTaken: (n: string) => boolean): RuleError[] {
  const errors: RuleError[] = [];
  if (body.type === 'CUSTOMER' && !body.address) errors.push({ field: 'address', message: 'FIELD_REQUIRED: customers need an address' });
  const number = body.invoicingInfo?.customerNumber;
  if (number && customerNumberTaken(number)) {
    errors.push({ field: 'invoicingInfo.customerNumber', message: `CUSTOMER_NUMBER_IN_USE: customer number ${number} belongs to another partner` });
  }
  const email = body.invoicingInfo?.email;
  if (email && !EMAIL.test(email)) errors.push({ field: 'invoicingInfo.email', message: 'INVALID_EMAIL' });
  return errors;
}

export interface InvoiceSums {
  net: Decimal;
  vat: Decimal;
  gross: Decimal;
}

/** Row sums as Procountor computes them: each row rounded to cents, VAT on the net (or taken out of a VAT-inclusive price). */
export function invoiceSums(body: SandboxInvoiceBody): InvoiceSums {
  let net = new Dec(0);
  let vat = new Dec(0);
  const invoiceDiscount = new Dec(1).minus(dec(body.discountPercent).dividedBy(100));
  for (const row of body.invoiceRows) {
    const discount = new Dec(1).minus(dec(row.discountPercent).dividedBy(100)).times(invoiceDiscount);
    const amount = roundCents(dec(row.quantity).times(dec(row.unitPrice)).times(discount));
    const pct = dec(row.vatPercent);
    if (body.extraInfo.unitPricesIncludeVat) {
      const rowVat = roundCents(amount.times(pct).dividedBy(pct.plus(100)));
      vat = vat.plus(rowVat);
      net = net.plus(amount.minus(rowVat));
    } else {
      const rowVat = roundCents(amount.times(pct).dividedBy(100));
      vat = vat.plus(rowVat);
      net = net.plus(amount);
    }
  }
  return { net, vat, gross: net.plus(vat) };
}

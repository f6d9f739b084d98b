import { ProviderAuthError } from '../errors/auth-error.js';
import type { FieldProblem, ProviderError } from '../errors/provider-error.js';
import { ProviderRateLimitError } from '../errors/rate-limit-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import { retryAfterMs, type OutboundRequest, type OutboundResponse } from '../http/outbound-http.js';

/** One entry of Procountor's `{"errors":[{status, field, message}]}`. */
export interface ProcountorApiError {
  status?: number;
  field?: string;
  message?: string;
}

/**
 * Reads Procountor's error answer in the forms it takes: `{errors: [...]}`
 * (dev.procountor.com), `{message: {errors: [...]}}` or `{message: "..."}`
 * (openapi.yaml `ErrorResponse`), or an OAuth `{error, error_description}`.
 */
export function readProcountorErrors(data: unknown): ProcountorApiError[] {
  if (!data || typeof data !== 'object') {
    return typeof data === 'string' && data.trim() ? [{ message: data.trim().slice(0, 500) }] : [];
  }
  const body = data as Record<string, unknown>;
  const list = Array.isArray(body.errors)
    ? body.errors
    : body.message && typeof body.message === 'object' && Array.isArray((body.message as { errors?: unknown }).errors)
      ? ((body.message as { errors: unknown[] }).errors)
      : null;
  if (list) {
    return list
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => ({
        status: typeof e.status === 'number' ? e.status : undefined,
        field: typeof e.field === 'string' && e.field ? e.field : undefined,
        message: typeof e.message === 'string' ? e.message : undefined,
      }));
  }
  if (typeof body.message === 'string') return [{ message: body.message }];
  if (typeof body.error === 'string') {
    return [{ message: typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error }];
  }
  return [];
}

/** Procountor field names → paths in our invoice document, so a finance person sees their own field names. */
const FIELD_PATHS: Array<[RegExp, string | ((m: RegExpExecArray) => string)]> = [
  [/^invoiceRows\[(\d+)\]\.vatPercent$/, (m) => `lines[${m[1]}].vatRate`],
  [/^invoiceRows\[(\d+)\]\.vatStatus$/, (m) => `lines[${m[1]}].vatTreatment`],
  [/^invoiceRows\[(\d+)\]\.unitPrice$/, (m) => `lines[${m[1]}].unitPrice`],
  [/^invoiceRows\[(\d+)\]\.quantity$/, (m) => `lines[${m[1]}].quantity`],
  [/^invoiceRows\[(\d+)\]\.unit$/, (m) => `lines[${m[1]}].unit`],
  [/^invoiceRows\[(\d+)\]\.(product|productCode)$/, (m) => `lines[${m[1]}].product.name`],
  [/^invoiceRows\[(\d+)\]\.productId$/, (m) => `lines[${m[1]}].product`],
  [/^invoiceRows\[(\d+)\]\.comment$/, (m) => `lines[${m[1]}].description`],
  [/^invoiceRows\[(\d+)\]/, (m) => `lines[${m[1]}]`],
  [/^invoiceRows$/, 'lines'],
  [/^date$/, 'invoiceDate'],
  [/^paymentInfo\.dueDate$/, 'dueDate'],
  [/^paymentInfo\.currency$/, 'currency'],
  [/^paymentInfo\.currencyRate$/, 'currencyRate'],
  [/^paymentInfo\.bankReferenceCode(Type)?$/, 'referenceNumber'],
  [/^paymentInfo\.bankAccount/, 'connection.bankAccount'],
  [/^invoiceChannel$/, 'connection.invoiceChannel'],
  [/^language$/, 'customer.language'],
  [/^partnerId$/, 'customer'],
  [/^vatStatus$/, 'vatTreatment'],
  [/^originalInvoiceNumber$/, 'reference'],
  [/^(notes|additionalInformation)$/, 'notes'],
  [/^deliveryStartDate$/, 'period.from'],
  [/^deliveryEndDate$/, 'period.to'],
  [/^counterParty\.email$/, 'customer.email'],
  [/^counterParty\.identifier$/, 'customer.businessId'],
  [/^counterParty\.taxCode$/, 'customer.vatNumber'],
  [/^counterParty\.customerNumber$/, 'customer.customerNumber'],
  [/^counterParty\.contactPersonName$/, 'customer.contactPerson'],
  [/^counterParty\.einvoiceAddress\.address$/, 'customer.einvoice.address'],
  [/^counterParty\.einvoiceAddress\.operator$/, 'customer.einvoice.operator'],
  [/^(counterParty\.counterPartyAddress|billingAddress|address)\.name$/, 'customer.name'],
  [/^(counterParty\.counterPartyAddress|billingAddress|address)\.street$/, 'customer.address.street'],
  [/^(counterParty\.counterPartyAddress|billingAddress|address)\.zip$/, 'customer.address.postalCode'],
  [/^(counterParty\.counterPartyAddress|billingAddress|address)\.city$/, 'customer.address.city'],
  [/^(counterParty\.counterPartyAddress|billingAddress|address)\.country$/, 'customer.address.country'],
  [/^name$/, 'customer.name'],
  [/^invoicingInfo\.email$/, 'customer.email'],
  [/^invoicingInfo\.identifier$/, 'customer.businessId'],
  [/^invoicingInfo\.customerNumber$/, 'customer.customerNumber'],
];

/** Our document path for a Procountor field, or the Procountor field itself when we cannot place it. */
export function documentPath(field: string | undefined): string {
  if (!field) return '(invoice)';
  const clean = field.replace(/^(invoice|body|businessPartner)\./, '');
  for (const [pattern, to] of FIELD_PATHS) {
    const match = pattern.exec(clean);
    if (match) return typeof to === 'string' ? to : to(match);
  }
  return `procountor.${clean}`;
}

/** Plain words for the validation codes Procountor puts in `message`. */
const EXPLANATIONS: Record<string, string> = {
  CLOSED_FISCAL_PERIOD:
    'The invoice date is in a fiscal period that is closed in Procountor. Open the period in Procountor, or give the invoice a date in an open period.',
  DUE_DATE_BEFORE_BILL_DATE: 'The due date is before the invoice date. The due date must be on or after the invoice date.',
  VAT_PERCENT_NOT_IN_USE:
    "This VAT rate is not enabled for the company in Procountor. Enable it in Procountor's VAT settings, or use a rate the company has.",
  INVALID_VAT_PERCENT:
    "This VAT rate is not enabled for the company in Procountor. Enable it in Procountor's VAT settings, or use a rate the company has.",
  VAT_STATUS_NOT_IN_USE:
    "This VAT treatment (Procountor VAT status) is not enabled for sales in the company's Procountor VAT defaults. Enable it in Procountor, or set the right number under vatStatuses in the connection.",
  INVALID_REFERENCE_CODE: 'The payment reference number is not valid: its check digit does not match.',
  INVALID_BANK_ACCOUNT: "The company's bank account (IBAN) is not valid or not set up in Procountor. Check bankAccount in the Procountor connection.",
  INVALID_EMAIL: "The customer's e-mail address is not valid.",
  EMAIL_REQUIRED: 'Invoices sent by e-mail need the customer’s e-mail address. Add it to the customer, or use another invoice channel.',
  ADDRESS_REQUIRED: 'This invoice channel needs the customer’s full address (street, postal code and city).',
  EINVOICE_ADDRESS_REQUIRED: 'E-invoices need the customer’s e-invoice address and operator.',
  INVALID_CHARACTERS: 'The text has characters Procountor cannot store (it accepts only Windows-1252 characters).',
  PARTNER_NOT_FOUND:
    'The Procountor business partner linked to this customer does not exist (any more). Fix the link with PUT /v1/customer-links/{customerExternalId}, or remove it so ledgerlink finds or creates the customer again.',
  PRODUCT_NOT_FOUND: 'The Procountor product named by the product mapping does not exist. Fix the mapping’s Procountor product id or code.',
  PAYMENT_TERM_TOO_LONG: 'The payment term is longer than the 999 days Procountor allows.',
  INVALID_CURRENCY_RATE: 'The currency rate is not valid: it must be 1 for the company’s own currency and between 0 and 1000000 otherwise.',
  FIELD_REQUIRED: 'Procountor needs this value.',
  VALUE_TOO_LONG: 'The text is longer than Procountor allows.',
  INVALID_STATUS: 'The invoice is not in a state that allows this in Procountor (for example it was already approved or sent).',
};

/** Turns one Procountor error into a problem a finance person can act on. */
export function explainProblem(error: ProcountorApiError): FieldProblem {
  const path = documentPath(error.field);
  const message = error.message?.trim() ?? '';
  const code = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/.exec(message)?.[1];
  let explanation = code ? EXPLANATIONS[code] : undefined;
  if (!explanation && /vat/i.test(message) && /(percent|rate)/i.test(message)) explanation = EXPLANATIONS.VAT_PERCENT_NOT_IN_USE;
  const detail = code && message !== code ? ` (Procountor: ${message})` : '';
  const text = explanation
    ? `${explanation}${detail}`
    : message
      ? `Procountor says: ${message}`
      : 'Procountor refused this value without saying why.';
  return { path, message: text, ...(code ? { providerCode: code } : {}) };
}

/** The error for a non-2xx Procountor answer (401s are handled by the client first). */
export function errorFromResponse(
  response: OutboundResponse<unknown>,
  request: OutboundRequest,
  connectionLabel: string,
  now: Date = new Date(),
): ProviderError {
  const status = response.status;
  const errors = readProcountorErrors(response.data);
  const problems = errors.map(explainProblem);
  const what = request.label;
  if (status === 429) {
    return new ProviderRateLimitError({
      code: 'procountor_rate_limited',
      message: `Procountor asked ledgerlink to slow down while trying to ${what}; it will try again shortly.`,
      retryAfterMs: retryAfterMs(response.headers['retry-after'], now, 2000),
      status,
    });
  }
  if (status >= 500) {
    const options = {
      code: status === 503 ? 'procountor_unavailable' : 'procountor_server_error',
      message: request.write
        ? `Procountor answered with an error (${status}) while trying to ${what}; it may have been done anyway. ledgerlink will check before trying again.`
        : `Procountor answered with an error (${status}) while trying to ${what}; ledgerlink will try again.`,
      status,
      details: problems,
    };
    return request.write ? new ProviderUnknownOutcomeError(options) : new ProviderTransientError(options);
  }
  if (status === 401) {
    return new ProviderAuthError({
      code: 'procountor_auth',
      message: `Procountor refused the access of ${connectionLabel} while trying to ${what}, even with a fresh access token. The API key may have been revoked, or its user may have lost rights in Procountor. Check the credentials of the connection.`,
      status,
      details: problems,
    });
  }
  if (status === 403) {
    const first = problems[0]?.message;
    return new ProviderValidationError({
      code: 'procountor_forbidden',
      message: `Procountor did not allow ledgerlink to ${what}: the API user lacks the rights for it, or the invoice is in a state that does not allow it (for example already approved).${
        first ? ` ${first}` : ''
      }`,
      status,
      details: problems,
    });
  }
  if (status === 404) {
    return new ProviderValidationError({
      code: 'procountor_not_found',
      message: `Procountor could not find what ledgerlink asked for while trying to ${what}.${problems[0] ? ` ${problems[0].message}` : ''}`,
      status,
      details: problems,
    });
  }
  const first = problems[0];
  const summary = first
    ? `${first.path === '(invoice)' ? '' : `${first.path}: `}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`
    : `it answered ${status} without saying why`;
  return new ProviderValidationError({
    code: 'procountor_validation',
    message: `Procountor refused to ${what}: ${summary}`,
    status,
    details: problems,
  });
}

import { z } from 'zod';
import { isCalendarDate } from '../../../src/domain/invoice-document.js';
import { PROCOUNTOR_COUNTRIES } from '../countries.js';
import { PROCOUNTOR_UNITS } from '../units.js';

/**
 * Request bodies the sandbox accepts, written from Procountor's openapi.yaml
 * (v25.12): every property of each schema with its type, enum and maxLength,
 * and the schema's required list. Properties the spec does not have are
 * refused (UNKNOWN_FIELD) so a misspelt field fails here rather than being
 * silently ignored. Business rules (dates, VAT, channels) live in rules.ts.
 */

const date = z.string().refine(isCalendarDate, { message: 'INVALID_DATE: must be a date written YYYY-MM-DD' });
const dateTime = z.string();
const text = (max?: number) => (max === undefined ? z.string() : z.string().max(max, { message: `VALUE_TOO_LONG: at most ${max} characters` }));
const countries = [...PROCOUNTOR_COUNTRIES] as [string, ...string[]];

const INVOICE_TYPES = ['SALES_INVOICE', 'SALES_ORDER', 'PURCHASE_INVOICE', 'PURCHASE_ORDER', 'TRAVEL_INVOICE', 'BILL_OF_CHARGES', 'PERIODIC_TAX_RETURN'] as const;
const CHANNELS = ['EMAIL', 'MAIL', 'ELECTRONIC_INVOICE', 'EDIFACT', 'PAPER_INVOICE', 'NO_SENDING'] as const;
const LANGUAGES = ['DANISH', 'ENGLISH', 'ESTONIAN', 'FINNISH', 'NORWEGIAN', 'SWEDISH'] as const;
const PAYMENT_METHODS = [
  'BANK_TRANSFER', 'DIRECT_PAYMENT', 'CLEARING', 'CREDIT_CARD_CHARGE', 'FOREIGN_PAYMENT', 'OTHER', 'CASH',
  'DOMESTIC_PAYMENT_PLUSGIRO', 'DOMESTIC_PAYMENT_BANKGIRO', 'DOMESTIC_PAYMENT_CREDITOR', 'DKLMPKRE', 'NETS',
] as const;
const PARTNER_PAYMENT_METHODS = [...PAYMENT_METHODS, 'DIRECT_DEBIT'] as const;
const REFERENCE_TYPES = ['RF', 'FI', 'OCR', 'KID', 'GIK01', 'GIK04', 'GIK15', 'FIK71', 'FIK73', 'FIK75'] as const;
const PARTNER_TYPES = ['CUSTOMER', 'SUPPLIER', 'PERSON'] as const;
const DELIVERY_METHODS = ['MAILING', 'ONLINE', 'COURIER', 'VRCARGO', 'BUS', 'FREIGHT', 'RETRIEVABLE', 'OTHER'] as const;

/** `InvoiceCounterpartyAddress`, `InvoiceBillingAddress`, `InvoiceDeliveryAddress`, `BusinessPartnerAddress` (name required). */
const addressFields = {
  specifier: text(80).optional(),
  street: text(80).optional(),
  zip: text(20).optional(),
  city: text(40).optional(),
  country: z.enum(countries, { message: 'INVALID_VALUE: not a Procountor country (e.g. FINLAND)' }).optional(),
  subdivision: text(35).optional(),
};
const namedAddress = z.strictObject({ name: text(80), ...addressFields });
/** Billing and delivery addresses may be `{}` for "not needed" (openapi.yaml). */
const optionalAddress = z.strictObject({ name: text(80).optional(), ...addressFields });

/** `BankAccount`. */
const bankAccount = z.strictObject({ accountNumber: z.string().optional(), bic: z.string().optional() });

/** `CounterParty`. */
const counterParty = z.strictObject({
  contactPersonName: text(70).optional(),
  identifier: z.string().optional(),
  taxCode: z.string().optional(),
  customerNumber: z.string().optional(),
  email: z.string().optional(),
  counterPartyAddress: namedAddress,
  bankAccount: bankAccount.optional(),
  einvoiceAddress: z.strictObject({ operator: z.string().optional(), address: z.string().optional(), ediId: z.string().optional() }).optional(),
});

/** `PaymentInfo`. */
const paymentInfo = z.strictObject({
  paymentMethod: z.enum(PAYMENT_METHODS, { message: `INVALID_VALUE: must be one of ${PAYMENT_METHODS.join(', ')}` }),
  currency: z.string(),
  bankAccount: bankAccount.optional(),
  dueDate: date,
  newDueDate: date.optional(),
  currencyRate: z.number().min(0).max(1_000_000, { message: 'INVALID_CURRENCY_RATE: at most 1000000' }),
  paymentTermPercentage: z.number().optional(),
  cashDiscount: z.object({}).passthrough().optional(),
  bankReferenceCode: z.string().optional(),
  bankReferenceCodeType: z.enum(REFERENCE_TYPES).optional(),
  clearingCode: text(50).optional(),
});

/** `InvoiceRow`. */
const invoiceRow = z.strictObject({
  id: z.number().int().optional(),
  productId: z.number().int().nullable().optional(),
  product: z.string().min(1, { message: 'FIELD_REQUIRED: the product name must not be empty' }),
  productCode: z.string().optional(),
  quantity: z.number(),
  unit: z.enum(PROCOUNTOR_UNITS, { message: 'INVALID_VALUE: not a Procountor unit (e.g. HOUR, PIECE, KILOMETER)' }),
  unitPrice: z.number(),
  discountPercent: z.number().min(0).max(100),
  vatPercent: z.number(),
  vatStatus: z.number().int().optional(),
  comment: text(512).optional(),
  startDate: date.optional(),
  endDate: date.optional(),
  headerText: text(512).optional(),
  explanationText: text(512).optional(),
});

/** `Invoice` (POST /invoices). Read-only properties are allowed and ignored, as Procountor does. */
export const invoiceSchema = z.strictObject({
  id: z.number().int().optional(),
  partnerId: z.number().int().nullable().optional(),
  type: z.enum(INVOICE_TYPES),
  status: z.string().optional(),
  date,
  paymentDate: date.optional(),
  counterParty,
  billingAddress: optionalAddress.optional(),
  deliveryAddress: optionalAddress.optional(),
  paymentInfo,
  deliveryTermsInfo: z.strictObject({ name: z.string().optional(), municipality: z.string().optional() }).optional(),
  extraInfo: z.strictObject({ accountingByRow: z.boolean(), unitPricesIncludeVat: z.boolean() }),
  discountPercent: z.number().max(100),
  orderReference: text(70).optional(),
  invoiceRows: z.array(invoiceRow),
  invoiceNumber: z.number().int().optional(),
  vatStatus: z.number().int().optional(),
  originalInvoiceNumber: text(40).optional(),
  deliveryStartDate: date.optional(),
  deliveryEndDate: date.optional(),
  deliveryMethod: z.enum(DELIVERY_METHODS).optional(),
  deliveryInstructions: text(255).optional(),
  invoiceChannel: z.enum(CHANNELS),
  invoiceOperatorInfo: z.object({}).passthrough().optional(),
  penaltyPercent: z.number().optional(),
  language: z.enum(LANGUAGES).optional(),
  invoiceTemplateId: z.number().int().optional(),
  additionalInformation: text(10_000).optional(),
  vatCountry: z.string().optional(),
  ledgerReceiptId: z.number().int().nullable().optional(),
  notes: text(10_000).optional(),
  factoringContractId: z.number().int().nullable().optional(),
  factoringText: z.string().optional(),
  sum: z.number().optional(),
  travelInformationItems: z.array(z.object({}).passthrough()).optional(),
  invoiceApprovalInformation: z.object({}).passthrough().optional(),
  attachments: z.array(z.unknown()).optional(),
  orderNumber: z.string().optional(),
  agreementNumber: z.string().optional(),
  accountingCode: z.string().optional(),
  deliverySite: z.string().optional(),
  tenderReference: z.string().optional(),
  buyerReferenceIdentifier: text(70).optional(),
  sellerReferenceIdentifier: text(70).optional(),
  version: dateTime.optional(),
  invoiceSumInfo: z.array(z.unknown()).optional(),
  creatorId: z.number().int().optional(),
  isOffer: z.boolean().optional(),
});
export type SandboxInvoiceBody = z.output<typeof invoiceSchema>;

/** `InvoicingInfo`. */
const invoicingInfo = z.strictObject({
  customerNumber: z.string().optional(),
  identifier: z.string().optional(),
  identifierType: z.string().optional(),
  ovt: z.string().optional(),
  invoiceChannel: z.enum(CHANNELS).optional(),
  contactPerson: z.string().optional(),
  language: z.enum(LANGUAGES).optional(),
  email: z.string().optional(),
  denyEinvoiceReminders: z.boolean().optional(),
  orderReference: z.string().optional(),
  sellerReferenceIdentifier: z.string().optional(),
  buyerReferenceIdentifier: z.string().optional(),
  orderNumber: z.string().optional(),
  agreementNumber: z.string().optional(),
  accountingCode: z.string().optional(),
  deliverySite: z.string().optional(),
  tenderReference: z.string().optional(),
  einvoiceAddress: z.string().optional(),
  einvoiceOperator: z.string().optional(),
});

/** `BusinessPartner` (POST /businesspartners). */
export const businessPartnerSchema = z.strictObject({
  id: z.number().int().optional(),
  name: z.string().min(1, { message: 'FIELD_REQUIRED: the name must not be empty' }).max(80, { message: 'VALUE_TOO_LONG: at most 80 characters' }),
  type: z.enum(PARTNER_TYPES),
  address: namedAddress.optional(),
  billingAddress: namedAddress.optional(),
  deliveryAddress: optionalAddress.optional(),
  invoicingInfo: invoicingInfo.optional(),
  attachments: z.array(z.unknown()).optional(),
  contactPersons: z
    .array(
      z.strictObject({
        id: z.number().int().optional(),
        name: text(80).optional(),
        email: text(80).optional(),
        phone: text(40).optional(),
      }),
    )
    .optional(),
  additionalInfo: z.object({}).passthrough().optional(),
  paymentInfo: z.strictObject({
    factoringContractId: z.number().int().nullable().optional(),
    paymentMethod: z.enum(PARTNER_PAYMENT_METHODS),
    bankAccount: z.string().optional(),
    paymentTermDays: z.string().optional(),
    paymentTermPercentage: z.number().optional(),
    penalInterestRate: z.number().optional(),
    discountPercentage: z.number().optional(),
    cashDiscount: z.object({}).passthrough().optional(),
    currency: z.string().optional(),
    deliveryMethod: z.string().optional(),
    clearingCode: z.string().optional(),
    bic: z.string().optional(),
    customerAccountNumber: z.string().optional(),
  }),
  registryInfo: z.object({}).passthrough().optional(),
  version: dateTime.optional(),
});
export type SandboxPartnerBody = z.output<typeof businessPartnerSchema>;

/** `CheckingEvent` (PUT /invoices/{id}/approve). */
export const checkingEventSchema = z.strictObject({ comment: text(100).optional() });

/** Faults the control route accepts (same shape as `SandboxFault`). */
export const sandboxFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ms: z.number().int().min(0).max(600_000), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional(), on: z.enum(['create', 'any']).optional() }),
  z.strictObject({
    kind: z.literal('server_error'),
    status: z.number().int().min(500).max(599).optional(),
    times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional(),
    on: z.enum(['create', 'any']).optional(),
  }),
  z.strictObject({ kind: z.literal('unauthorized'), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional() }),
  z.strictObject({ kind: z.literal('rate_limit'), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional(), retryAfterSeconds: z.number().int().min(0).optional() }),
  z.strictObject({ kind: z.literal('maintenance'), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional() }),
  z.strictObject({ kind: z.literal('timeout_after_store'), ms: z.number().int().min(0).max(600_000).optional(), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional() }),
  z.strictObject({ kind: z.literal('reset_after_store'), times: z.number().int().min(1).optional(), share: z.number().min(0).max(1).optional() }),
]);

/** Zod issue path → Procountor field name: `invoiceRows[0].vatPercent`. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

/** Zod issues as Procountor errors. */
export function schemaErrors(error: z.ZodError): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: fieldName([...issue.path, key]), message: `UNKNOWN_FIELD: Procountor's schema has no property "${key}" here` });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message = issue.input === undefined ? 'FIELD_REQUIRED' : `INVALID_VALUE: expected ${issue.expected}`;
    } else if (issue.code === 'invalid_value') {
      message = /^[A-Z_]+:/.test(issue.message) ? issue.message : `INVALID_VALUE: must be one of ${issue.values.map(String).join(', ')}`;
    } else if (!/^[A-Z][A-Z_]+(:|$)/.test(message)) {
      message = `INVALID_VALUE: ${message}`;
    }
    out.push({ field: fieldName(issue.path), message });
  }
  return out;
}

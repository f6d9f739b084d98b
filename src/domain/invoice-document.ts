import { z } from 'zod';
import { calendarDateSchema, isCalendarDate } from './dates.js';
import { boundedDecimalText, dec, decimalBoundsProblem, decimalText, isBoundedDecimal, isDecimalString } from './money.js';

/**
 * The invoice document a host posts (CONTRACT.md "The invoice document").
 * Objects are loose on purpose: hosts may send fields of their own, which are
 * kept with the record and passed through to the generic provider; every field
 * we act on is validated here.
 */

export const LINE_KINDS = ['task_entry', 'goods', 'expense', 'transport_distance', 'transport_time'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export const PROVIDER_IDS = ['procountor', 'netvisor', 'generic'] as const;

export const VAT_TREATMENTS = ['domestic', 'eu_sale', 'reverse_charge_construction', 'outside_eu'] as const;
export type VatTreatment = (typeof VAT_TREATMENTS)[number];

/**
 * Cross-field rules run even when another field of the same object already
 * failed (zod 4 skips refinements after an aborting issue such as a bad enum
 * unless told otherwise), so a 400 names every problem at once. The rules guard
 * every read, so they only need an object to look at.
 */
const everyProblem = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) };

/** A decimal given as a string ("12.50") or a JSON number (12.5), normalised to canonical text. */
export function decimalField(what = 'a decimal number') {
  return z
    .union([z.string(), z.number()], { error: `must be ${what} such as "12.50"` })
    .superRefine((value, ctx) => {
      if (typeof value === 'string' && boundedDecimalText(value) !== null) return;
      // Bounds first: the value is only looked at as text until it is known to be small.
      const tooLong = decimalBoundsProblem(value);
      if (tooLong) {
        ctx.addIssue({ code: 'custom', message: `must be ${what} with ${tooLong}` });
      } else if (typeof value === 'number' ? !Number.isFinite(value) : !isDecimalString(value.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be ${what} such as "12.50", got ${echo(value)}` });
      }
    })
    .transform((value) => (typeof value === 'string' ? boundedDecimalText(value) : null) ?? decimalText(dec(value)));
}

/** A value as a message may quote it: short, whatever was sent. */
export function echo(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

const isoDate = calendarDateSchema;

export { isCalendarDate };

const optionalText = (max: number) => z.string().max(max, `must be at most ${max} characters`).nullish();

export const addressSchema = z.looseObject({
  street: optionalText(200),
  postalCode: optionalText(20),
  city: optionalText(100),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 country code such as "FI"')
    .nullish(),
});

export const customerSchema = z.looseObject({
  externalId: z.string({ error: 'is required: the host\'s own id for this customer' }).min(1, 'must not be empty').max(100),
  name: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(250, 'must be at most 250 characters'),
  businessId: optionalText(30),
  vatNumber: optionalText(30),
  customerNumber: optionalText(40),
  email: z.email('must be an e-mail address').nullish(),
  contactPerson: optionalText(100),
  language: z.enum(['fi', 'sv', 'en'], { error: 'must be "fi", "sv" or "en"' }).nullish(),
  address: addressSchema.nullish(),
  einvoice: z
    .looseObject({
      address: z.string().min(1).max(100),
      operator: z.string().min(1).max(100),
    })
    .nullish(),
});

/** Hosts' ids: text, or whole numbers (kept as text, so 1296 and "1296" are the same task). */
const hostId = z
  .union([z.string().max(100, 'must be at most 100 characters'), z.number().int()], { error: 'must be an id: text or a whole number' })
  .transform((v) => String(v));

export const lineContextSchema = z.looseObject({
  taskId: hostId.nullish(),
  contactId: hostId.nullish(),
  membershipId: hostId.nullish(),
  teamId: hostId.nullish(),
  taskUnitPrice: decimalField('a unit price').nullish(),
});

export const lineProductSchema = z.looseObject({
  code: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  unit: z.string().trim().min(1).max(20).nullish(),
});

export const lineSchema = z
  .looseObject({
    kind: z.enum(LINE_KINDS, { error: `must be one of ${LINE_KINDS.join(', ')}` }),
    description: z.string({ error: 'is required' }).max(1000, 'must be at most 1000 characters'),
    quantity: decimalField('a quantity'),
    /** Hours actually booked and the billing adjustment, when the host reports them. */
    bookedQuantity: decimalField('a quantity').nullish(),
    adjustment: decimalField('a quantity').nullish(),
    unit: z.string().trim().min(1).max(20).nullish(),
    unitPrice: decimalField('a unit price').nullish(),
    vatRate: decimalField('a VAT percentage').nullish(),
    vatTreatment: z.enum(VAT_TREATMENTS).nullish(),
    product: lineProductSchema.nullish(),
    context: lineContextSchema.nullish(),
  })
  .superRefine((line, ctx) => {
    // Runs even when a field failed above: only look at values that parsed.
    const ok = isBoundedDecimal;
    if (ok(line.vatRate) && (dec(line.vatRate).isNegative() || dec(line.vatRate).greaterThan(100))) {
      ctx.addIssue({ code: 'custom', path: ['vatRate'], message: 'must be a percentage between 0 and 100' });
    }
    if (ok(line.unitPrice) && dec(line.unitPrice).isNegative()) {
      ctx.addIssue({ code: 'custom', path: ['unitPrice'], message: 'must not be negative: put the sign in quantity' });
    }
    if (ok(line.bookedQuantity) && ok(line.adjustment) && ok(line.quantity)) {
      const expected = dec(line.bookedQuantity).plus(dec(line.adjustment));
      if (!expected.equals(dec(line.quantity))) {
        ctx.addIssue({
          code: 'custom',
          path: ['quantity'],
          message: `must equal bookedQuantity + adjustment (${decimalText(expected)}), got ${line.quantity}`,
        });
      }
    }
  }, everyProblem);

export const invoiceDocumentSchema = z
  .looseObject({
    externalId: z
      .string({ error: 'is required: the host\'s own invoice id' })
      .trim()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters'),
    revision: z
      .number({ error: 'must be a whole number of 1 or more' })
      .int('must be a whole number')
      .min(1)
      // Stored as a PostgreSQL integer: a larger number would be a 500, not a 400.
      .max(2_147_483_647, 'must be at most 2147483647')
      .default(1),
    type: z.enum(['invoice', 'credit_note'], { error: 'must be "invoice" or "credit_note"' }).default('invoice'),
    creditedExternalId: z.string().min(1).max(100).nullish(),
    provider: z.enum(PROVIDER_IDS, { error: `must be one of ${PROVIDER_IDS.join(', ')}` }).nullish(),
    invoiceDate: isoDate,
    dueDate: isoDate.nullish(),
    deliveryDate: isoDate.nullish(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as "EUR"')
      .default('EUR'),
    currencyRate: decimalField('an exchange rate').nullish(),
    referenceNumber: z.string().trim().min(1).max(35).nullish(),
    vatTreatment: z.enum(VAT_TREATMENTS).nullish(),
    customer: customerSchema,
    project: z.looseObject({ externalId: z.string().nullish(), name: z.string().max(200).nullish() }).nullish(),
    period: z.looseObject({ from: isoDate, to: isoDate }).nullish(),
    lines: z.array(lineSchema, { error: 'must be a list of invoice lines' }).min(1, 'must have at least one line').max(1000, 'must have at most 1000 lines'),
    notes: z.string().max(2000, 'must be at most 2000 characters').nullish(),
  })
  .superRefine((doc, ctx) => {
    // Runs even when fields failed above (zod keeps going): guard every read.
    if (doc.type === 'credit_note' && !doc.creditedExternalId) {
      ctx.addIssue({ code: 'custom', path: ['creditedExternalId'], message: 'is required for a credit note: name the invoice it credits' });
    }
    if (doc.type === 'invoice' && doc.creditedExternalId) {
      ctx.addIssue({ code: 'custom', path: ['creditedExternalId'], message: 'is only allowed when type is "credit_note"' });
    }
    const day = (v: unknown): v is string => typeof v === 'string' && isCalendarDate(v);
    if (day(doc.dueDate) && day(doc.invoiceDate) && doc.dueDate < doc.invoiceDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be before invoiceDate (${doc.invoiceDate})` });
    }
    if (day(doc.period?.to) && day(doc.period?.from) && doc.period.to < doc.period.from) {
      ctx.addIssue({ code: 'custom', path: ['period', 'to'], message: 'must not be before period.from' });
    }
  }, everyProblem);

export type InvoiceDocument = z.output<typeof invoiceDocumentSchema>;
export type InvoiceLine = InvoiceDocument['lines'][number];
export type InvoiceCustomer = InvoiceDocument['customer'];

/** One problem with a document, named by its path ("lines[0].unitPrice"). */
export interface Problem {
  path: string;
  code: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(document)';
}

/** Turns zod issues into problems, every one naming its field. */
export function problemsFromZod(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): Problem[] {
  return error.issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/i.test(message)) message = 'is required';
    return { path, code: issue.code === 'custom' ? 'invalid_value' : issue.code, message };
  });
}

export type ParseResult = { ok: true; document: InvoiceDocument } | { ok: false; problems: Problem[] };

export function parseInvoiceDocument(input: unknown): ParseResult {
  const result = invoiceDocumentSchema.safeParse(input);
  if (result.success) return { ok: true, document: result.data };
  return { ok: false, problems: problemsFromZod(result.error) };
}

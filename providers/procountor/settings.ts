import { z } from 'zod';
import { revisionPolicySetting } from '../revision-policy.js';
import type { GoodsOrServices, ProcountorVatStatusOverrides } from '../../src/domain/finnish/provider-vat-codes.js';
import { VAT_TREATMENTS, type VatTreatment } from '../../src/domain/invoice-document.js';
import { parseOutboundUrl } from '../../src/http/url-guard.js';
import { ibanProblem, normaliseIban } from './iban.js';

export const INVOICE_CHANNELS = ['EMAIL', 'ELECTRONIC_INVOICE', 'MAIL', 'NO_SENDING'] as const;
export type InvoiceChannel = (typeof INVOICE_CHANNELS)[number];

export const AFTER_CREATE = ['none', 'approve', 'approve_and_send'] as const;
export type AfterCreate = (typeof AFTER_CREATE)[number];

/**
 * Procountor suspends API clients that send too much: 20 requests a second in
 * its older documentation (60 in newer). We never allow configuring more than
 * the stricter figure.
 */
export const MAX_REQUESTS_PER_SECOND = 20;

const requiredText = (what: string) =>
  z
    .string({ error: `is required: ${what}` })
    .trim()
    .min(1, `must not be empty: ${what}`)
    .max(500, 'must be at most 500 characters');

const vatStatusCode = z
  .number({ error: 'must be the number of a Procountor VAT status, e.g. 6 for "vat_6"' })
  .int('must be a whole number')
  .min(1)
  .max(999);

/**
 * Procountor VAT status numbers (Procountor: Management > Accounting info >
 * VAT defaults; status "vat_6" is 6) per VAT treatment and goods/services,
 * keyed like ledgerlink's table (src/domain/finnish/provider-vat-codes.ts):
 * "eu_sale.services". They override the table; the table knows only what
 * Procountor documents (1 domestic, 3 outside the EU, 5 EU sales of goods), so
 * EU sales of services and construction reverse charge need these first.
 */
export const vatStatusesSchema = z.strictObject(
  Object.fromEntries(
    VAT_TREATMENTS.flatMap((t) => (['goods', 'services'] as const).map((w) => [`${t}.${w}`, vatStatusCode.optional()])),
  ) as Record<`${VatTreatment}.${GoodsOrServices}`, z.ZodOptional<typeof vatStatusCode>>,
);
export type VatStatusSettings = ProcountorVatStatusOverrides;

/** `PUT /v1/connections/procountor` body. Unknown fields are refused. */
export const procountorSettingsSchema = z.strictObject({
  baseUrl: z
    .string({ error: 'is required: the Procountor API address, e.g. https://pts-api.procountor.com/api (test) or https://api.procountor.com/api' })
    .trim()
    .superRefine((value, ctx) => {
      const check = parseOutboundUrl(value);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
    })
    .transform((value) => value.replace(/\/+$/, '')),
  clientId: requiredText("your integration's Procountor client id"),
  clientSecret: requiredText("your integration's Procountor client secret"),
  apiKey: requiredText('the API key a Procountor user created for this client id (Procountor: Basics → API client keys)'),
  bankAccount: z
    .string({ error: "is required: the company's bank account (IBAN) that invoices ask customers to pay to" })
    .transform(normaliseIban)
    .superRefine((value, ctx) => {
      const problem = ibanProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * How invoices reach customers. When absent it is chosen per invoice:
   * ELECTRONIC_INVOICE when the customer has an e-invoice address, else EMAIL
   * when it has an e-mail address, else MAIL.
   */
  invoiceChannel: z.enum(INVOICE_CHANNELS, { error: `must be one of ${INVOICE_CHANNELS.join(', ')}` }).optional(),
  /** Invoice language when the customer has none: fi, sv or en. */
  language: z.enum(['fi', 'sv', 'en'], { error: 'must be "fi", "sv" or "en"' }).optional(),
  /** Payment term given to customers ledgerlink creates in Procountor. */
  paymentTermDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0).max(999, 'must be at most 999 (Procountor’s limit)').default(14),
  afterCreate: z.enum(AFTER_CREATE, { error: `must be one of ${AFTER_CREATE.join(', ')}` }).default('none'),
  createCustomers: z.boolean({ error: 'must be true or false' }).default(true),
  /** Requests per second for this Procountor client, shared by every worker. */
  requestsPerSecond: z
    .number({ error: 'must be a number of requests per second' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_REQUESTS_PER_SECOND, `must be at most ${MAX_REQUESTS_PER_SECOND}: Procountor may suspend clients that send more`)
    .default(10),
  timeoutMs: z.number().int().min(1000, 'must be at least 1000').max(120_000, 'must be at most 120000').default(30_000),
  vatStatuses: vatStatusesSchema.optional(),
  revisionPolicy: revisionPolicySetting,
});

export type ProcountorSettings = z.output<typeof procountorSettingsSchema>;
export type ProcountorSettingsInput = z.input<typeof procountorSettingsSchema>;

/** Procountor's language words for ours. */
export const LANGUAGES = { fi: 'FINNISH', sv: 'SWEDISH', en: 'ENGLISH' } as const;
export type ProcountorLanguage = (typeof LANGUAGES)[keyof typeof LANGUAGES];

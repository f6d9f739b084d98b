import { z } from 'zod';
import { revisionPolicySetting } from '../revision-policy.js';
import { validateBusinessId } from '../../src/domain/finnish/business-id.js';
import { parseOutboundUrl } from '../../src/http/url-guard.js';
import { NETVISOR_VAT_CODES } from './vat-codes.js';

/** Netvisor asks integrations to wait at least 120 s for an answer (support.netvisor.fi, "one call at a time"). */
export const NETVISOR_DEFAULT_TIMEOUT_MS = 120_000;

const vatCode = z.enum(NETVISOR_VAT_CODES, { error: `must be one of Netvisor's VAT codes: ${NETVISOR_VAT_CODES.join(', ')}` });

const required = (what: string) => z.string({ error: `is required: ${what}` }).trim().min(1, `must not be empty: ${what}`);

/** Values that travel in an HTTP header must be plain printable ASCII. */
const headerValue = (what: string) =>
  required(what).pipe(
    z
      .string()
      .max(100, 'must be at most 100 characters')
      .regex(/^[\x20-\x7e]+$/, 'must use plain ASCII letters, digits and punctuation (it is sent in an HTTP header)'),
  );

/**
 * `PUT /v1/connections/netvisor` body. Unknown fields are refused, and every
 * message names what is wrong. Secrets: `customerKey`, `partnerKey`.
 */
export const netvisorSettingsSchema = z.strictObject({
  baseUrl: z
    .string({ error: 'is required: the Netvisor API address, e.g. https://integration.netvisor.fi' })
    .superRefine((value, ctx) => {
      const check = parseOutboundUrl(value);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
    })
    // As URL parsers print it (lowercase host, no default port): the MAC covers the URL exactly as sent.
    .transform((value) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      return url ? `${url.origin}${url.pathname}`.replace(/\/+$/, '') : value;
    }),
  /** Free-form name of the integration, sent as X-Netvisor-Authentication-Sender. */
  sender: headerValue('a name for this integration, e.g. "ledgerlink"'),
  customerId: headerValue('the API user id from Netvisor (Company menu > API identifiers)'),
  partnerId: headerValue('the software partner id Netvisor gave the integrator'),
  customerKey: required('the API user key from Netvisor'),
  partnerKey: required('the software partner key'),
  /** The business ID (Y-tunnus) of the company whose Netvisor this is. */
  organisationId: z
    .string({ error: 'is required: the business ID (Y-tunnus) of the company, e.g. 1234567-1' })
    .transform((value, ctx) => {
      const result = validateBusinessId(value);
      if (!result.ok) {
        ctx.addIssue({ code: 'custom', message: result.message });
        return z.NEVER;
      }
      return result.value;
    }),
  /** Language of Netvisor's answers. "sv" and "se" both mean Swedish (Netvisor calls it SE). */
  language: z
    .string()
    .transform((value, ctx) => {
      const v = value.trim().toUpperCase();
      if (v === 'FI' || v === 'EN' || v === 'SE') return v;
      if (v === 'SV') return 'SE' as const;
      ctx.addIssue({ code: 'custom', message: `must be "FI", "EN" or "SE" (or "fi", "en", "sv"), got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .default('FI'),
  /** Used when an invoice's own payment term is missing or unusable. */
  paymentTermDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0).max(365).default(14),
  /** Character set of the XML sent to Netvisor. */
  encoding: z
    .string()
    .transform((value, ctx) => {
      const v = value.trim().toLowerCase().replace(/^utf8$/, 'utf-8').replace(/^iso8859-15$/, 'iso-8859-15');
      if (v === 'utf-8' || v === 'iso-8859-15') return v;
      ctx.addIssue({ code: 'custom', message: `must be "utf-8" or "iso-8859-15", got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .default('utf-8'),
  createCustomers: z.boolean({ error: 'must be true or false' }).default(true),
  /** VAT code per treatment, when the company's Netvisor uses other codes than the defaults (see vat-codes.ts). */
  vatCodes: z
    .strictObject({
      domestic: vatCode.optional(),
      eu_sale: vatCode.optional(),
      eu_sale_goods: vatCode.optional(),
      reverse_charge_construction: vatCode.optional(),
      outside_eu: vatCode.optional(),
    })
    .optional(),
  revisionPolicy: revisionPolicySetting,
  /** Product group new products are added to (Netvisor requires one; it is created when missing). */
  productGroup: z.string().trim().min(1).max(100).default('ledgerlink'),
  /** How long to wait for Netvisor's answer; Netvisor asks for at least 120 s. */
  timeoutMs: z
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(1000, 'must be at least 1000')
    .max(600_000, 'must be at most 600000')
    .default(NETVISOR_DEFAULT_TIMEOUT_MS),
});

export type NetvisorSettings = z.output<typeof netvisorSettingsSchema>;
export type NetvisorSettingsInput = z.input<typeof netvisorSettingsSchema>;

/**
 * Settings as stored may predate a default (or come from a test written by
 * hand): fill what is missing without re-validating secrets.
 */
export function withDefaults(settings: NetvisorSettings): NetvisorSettings {
  return {
    ...settings,
    language: settings.language ?? 'FI',
    paymentTermDays: settings.paymentTermDays ?? 14,
    encoding: settings.encoding ?? 'utf-8',
    createCustomers: settings.createCustomers ?? true,
    productGroup: settings.productGroup ?? 'ledgerlink',
    timeoutMs: settings.timeoutMs ?? NETVISOR_DEFAULT_TIMEOUT_MS,
  };
}

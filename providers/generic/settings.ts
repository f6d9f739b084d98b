import { z } from 'zod';
import { revisionPolicySetting } from '../revision-policy.js';
import { parseOutboundUrl } from '../../src/http/url-guard.js';
import { isWebhookSecret } from '../../src/events/signing.js';

/** `PUT /v1/connections/generic` body. Unknown fields are refused. */
export const genericSettingsSchema = z.strictObject({
  baseUrl: z
    .string({ error: 'is required: the address of your accounting endpoint, e.g. https://books.example.com/api' })
    .superRefine((value, ctx) => {
      const check = parseOutboundUrl(value);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason });
    })
    .transform((value) => value.replace(/\/+$/, '')),
  /** Signs requests (Standard Webhooks). Generated and shown once when absent. */
  secret: z
    .string()
    .refine(isWebhookSecret, { message: 'must be "whsec_" followed by at least 16 base64-encoded bytes' })
    .optional(),
  timeoutMs: z.number().int().min(1000, 'must be at least 1000').max(120_000, 'must be at most 120000').default(30_000),
  createCustomers: z.boolean().default(true),
  revisionPolicy: revisionPolicySetting,
});

export type GenericSettings = z.output<typeof genericSettingsSchema>;

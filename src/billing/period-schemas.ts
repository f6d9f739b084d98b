import { z } from 'zod';
import { isoDate, hostId } from './domain/work-schemas.js';
import { lineBody } from './draft-schemas.js';

const everyProblem = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) };

export const GROUP_BY = ['project', 'customer'] as const;

const range = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ from: isoDate, to: isoDate, ...shape }).superRefine((r: { from?: unknown; to?: unknown }, ctx) => {
    if (typeof r.from === 'string' && typeof r.to === 'string' && r.to < r.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${r.from})` });
    if (typeof r.from === 'string' && typeof r.to === 'string' && Date.parse(r.to) - Date.parse(r.from) > 400 * 86_400_000) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be at most 400 days after from' });
    }
  }, everyProblem);

export const candidatesQuery = range({
  groupBy: z.enum(GROUP_BY, { error: 'must be "project" or "customer"' }).default('project'),
  q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
});

export const candidateDraftBody = range({
  groupBy: z.enum(GROUP_BY, { error: 'must be "project" or "customer"' }).default('project'),
  key: hostId,
});

export const freeformDraftBody = z
  .strictObject({
    freeform: z.literal(true, { error: 'must be true for a freeform draft' }),
    type: z.enum(['invoice', 'credit_note'], { error: 'must be "invoice" or "credit_note"' }).default('invoice'),
    customerExternalId: hostId,
    projectExternalId: hostId.nullish(),
    creditedExternalId: z.string().trim().min(1).max(100, 'must be at most 100 characters').nullish(),
    lines: z.array(lineBody, { error: 'must be a list of lines' }).max(200, 'must have at most 200 lines').default([]),
    invoiceDate: isoDate.nullish(),
    dueDate: isoDate.nullish(),
    paymentTermDays: z.number().int().min(0).max(365).nullish(),
    contactPerson: z.string().trim().max(100).nullish(),
    email: z.email('must be an e-mail address').nullish(),
    notes: z.string().max(2000).nullish(),
  })
  .superRefine((b, ctx) => {
    if (b.type === 'credit_note' && !b.creditedExternalId) {
      ctx.addIssue({
        code: 'custom',
        path: ['creditedExternalId'],
        message: 'is required for a credit note: the id of the released invoice it credits, or the number of the invoice in the accounting system',
      });
    }
    if (b.type === 'invoice' && b.creditedExternalId) ctx.addIssue({ code: 'custom', path: ['creditedExternalId'], message: 'is only for a credit note' });
    if (b.type === 'invoice' && Array.isArray(b.lines) && b.lines.length === 0) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'must have at least one line' });
  }, everyProblem);

export const cycleQuery = z.strictObject({
  period: z.string({ error: 'is required: a month written YYYY-MM' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM'),
});

export const lockBody = z.strictObject({ lockedUntil: isoDate.nullable() });
export const approvalBody = range({ userId: hostId });

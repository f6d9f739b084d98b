import { z } from 'zod';
import { decimalField, LINE_KINDS } from '../domain/invoice-document.js';
import { dec } from '../domain/money.js';
import { hostId, isoDate } from './domain/work-schemas.js';

/** Finance's edits of a draft: strict bodies (a misspelt field is a 400, not silently ignored). */

const everyProblem = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) };

export const patchTaskBody = z
  .strictObject({
    billedHours: decimalField('a number of hours')
      .refine((v) => !dec(v).isNegative() && dec(v).lte(100_000), { message: 'must be between 0 and 100000 hours' })
      .optional(),
    adjustHours: decimalField('a number of hours (negative to reduce)')
      .refine((v) => dec(v).abs().lte(100_000), { message: 'must be between -100000 and 100000 hours' })
      .optional(),
    title: z.string({ error: 'must be text, or null to use the task title' }).trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters').nullable().optional(),
    excluded: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.billedHours !== undefined && b.adjustHours !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['adjustHours'], message: 'cannot be given with billedHours: set the billed hours, or adjust them, not both' });
    }
    if (b.billedHours === undefined && b.adjustHours === undefined && b.title === undefined && b.excluded === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must change something: billedHours, adjustHours, title or excluded' });
    }
  }, everyProblem);

export const lineBody = z.strictObject({
  kind: z.enum(LINE_KINDS, { error: `must be one of ${LINE_KINDS.join(', ')}` }).default('goods'),
  description: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  quantity: decimalField('a quantity'),
  unit: z.string().trim().min(1).max(20, 'must be at most 20 characters').nullish(),
  unitPrice: decimalField('a unit price')
    .refine((v) => !dec(v).isNegative(), { message: 'must not be negative: put the sign in quantity' })
    .nullish(),
  vatRate: decimalField('a VAT percentage')
    .refine((v) => !dec(v).isNegative() && dec(v).lte(100), { message: 'must be a percentage between 0 and 100' })
    .nullish(),
  product: z
    .strictObject({
      code: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
      name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
      unit: z.string().trim().min(1).max(20).nullish(),
    })
    .nullish(),
});
export type LineBody = z.output<typeof lineBody>;

export const patchDraftBody = z
  .strictObject({
    invoiceDate: isoDate.nullable().optional(),
    dueDate: isoDate.nullable().optional(),
    paymentTermDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must not be negative').max(365, 'must be at most 365').nullable().optional(),
    contactPerson: z.string().trim().max(100, 'must be at most 100 characters').nullable().optional(),
    email: z.email('must be an e-mail address').nullable().optional(),
    notes: z.string().max(2000, 'must be at most 2000 characters').nullable().optional(),
    addLines: z.array(lineBody, { error: 'must be a list of lines' }).max(200, 'must have at most 200 lines').optional(),
    removeLines: z.array(z.string().min(1).max(100), { error: 'must be a list of line ids' }).max(1000).optional(),
    restoreLines: z.array(z.string().min(1).max(100), { error: 'must be a list of line ids' }).max(1000).optional(),
  })
  .superRefine((b, ctx) => {
    if (typeof b.dueDate === 'string' && typeof b.paymentTermDays === 'number') {
      ctx.addIssue({ code: 'custom', path: ['paymentTermDays'], message: 'cannot be given with dueDate: give the due date or the payment term, not both' });
    }
    if (typeof b.dueDate === 'string' && typeof b.invoiceDate === 'string' && b.dueDate < b.invoiceDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `must not be before invoiceDate (${b.invoiceDate})` });
    }
  }, everyProblem);

export const draftListQuery = z.strictObject({
  projectExternalId: hostId.optional(),
  status: z.enum(['open', 'released'], { error: 'must be "open" or "released"' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const itemsQuery = z.strictObject({
  status: z.enum(['pending', 'invoiced', 'excluded'], { error: 'must be one of pending, invoiced, excluded' }).optional(),
  projectExternalId: hostId.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

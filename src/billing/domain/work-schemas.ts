import { z } from 'zod';
import { validateBusinessId } from '../../domain/finnish/business-id.js';
import { addressSchema, customerSchema, decimalField, isCalendarDate, PROVIDER_IDS } from '../../domain/invoice-document.js';
import { dec, isDecimalString } from '../../domain/money.js';
import { isIban } from './iban.js';
import { isTimeZone } from './local-date.js';

/**
 * What hosts push (customers, projects, tasks, entries) and what admins
 * configure (billing settings), validated with every problem at once. Host
 * bodies are loose objects like the invoice document (hosts may send fields of
 * their own); every field ledgerlink acts on is checked here.
 */

/** Hosts' ids: text, or whole numbers (kept as text, so 1296 and "1296" are the same task). */
export const hostId = z
  .union([z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'), z.number().int()], {
    error: 'must be an id: text or a whole number',
  })
  .transform((v) => String(v));

export const isoDate = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine((s) => isCalendarDate(s), { message: 'must be a real calendar date written YYYY-MM-DD' });

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A day (YYYY-MM-DD), or an instant with its offset (the day is then taken in the tenant's time zone). */
export const workDate = z
  .string({ error: 'must be a date (YYYY-MM-DD) or a time with its offset (2026-11-30T22:30:00Z)' })
  .refine((s) => isCalendarDate(s) || (ISO_INSTANT.test(s) && isCalendarDate(s.slice(0, 10)) && !Number.isNaN(Date.parse(s))), {
    message: 'must be a date (YYYY-MM-DD) or a time with its offset (2026-11-30T22:30:00Z)',
  });

const text = (max: number) => z.string({ error: 'must be text' }).trim().max(max, `must be at most ${max} characters`);

/** A non-negative decimal ("10.75"); numbers are accepted and converted exactly. */
const amount = (what: string) =>
  decimalField(what).refine((v) => !dec(v).isNegative(), { message: 'must not be negative' });

const hours = (max: number) =>
  decimalField('a number of hours').refine((v) => !dec(v).isNegative() && dec(v).lte(max), { message: `must be between 0 and ${max} hours` });

/** Runs object-level rules even when a field failed, so every problem is named at once. */
const everyProblem = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) };

export const billingCustomerSchema = customerSchema.extend({
  externalId: hostId.optional(),
});
export type BillingCustomerInput = z.output<typeof billingCustomerSchema>;

export const PROJECT_KINDS = ['ongoing', 'one_time'] as const;
export const BILL_ON = ['closed_tasks', 'stopped_entries'] as const;
export const CADENCES = ['monthly', 'biweekly', 'custom'] as const;
export const ROUNDING_MODES = ['up', 'nearest', 'down'] as const;

export const scheduleSchema = z
  .strictObject({
    cadence: z.enum(CADENCES, { error: `must be one of ${CADENCES.join(', ')}` }),
    anchorDate: isoDate,
    everyDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(1, 'must be at least 1').max(366, 'must be at most 366').nullish(),
  })
  .superRefine((s, ctx) => {
    if (s.cadence === 'custom' && (s.everyDays === undefined || s.everyDays === null)) {
      ctx.addIssue({ code: 'custom', path: ['everyDays'], message: 'is required when cadence is "custom": the length of each period in days' });
    }
    if (s.cadence !== 'custom' && s.everyDays != null) {
      ctx.addIssue({ code: 'custom', path: ['everyDays'], message: 'is only used with cadence "custom"' });
    }
  }, everyProblem);
export type Schedule = z.output<typeof scheduleSchema>;

export const roundingSchema = z.strictObject({
  incrementMinutes: z.number({ error: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(1, 'must be at least 1').max(1440, 'must be at most 1440'),
  mode: z.enum(ROUNDING_MODES, { error: `must be one of ${ROUNDING_MODES.join(', ')}` }),
});
export type Rounding = z.output<typeof roundingSchema>;

export const billingProjectSchema = z.looseObject({
  externalId: hostId.optional(),
  name: text(200).min(1, 'must not be empty'),
  customerExternalId: hostId,
  kind: z.enum(PROJECT_KINDS, { error: `must be one of ${PROJECT_KINDS.join(', ')}` }).default('ongoing'),
  managerName: text(200).nullish(),
  hourlyRate: amount('an hourly rate').nullish(),
  provider: z.enum(PROVIDER_IDS, { error: `must be one of ${PROVIDER_IDS.join(', ')}` }).nullish(),
  billOn: z.enum(BILL_ON, { error: `must be one of ${BILL_ON.join(', ')}` }).nullish(),
  schedule: scheduleSchema.nullish(),
  rounding: roundingSchema.nullish(),
  email: z.email('must be an e-mail address').nullish(),
});
export type BillingProjectInput = z.output<typeof billingProjectSchema>;

export const TASK_STATUSES = ['new', 'in_progress', 'done', 'closed'] as const;

export const taskProductSchema = z.looseObject({
  code: text(40).min(1, 'must not be empty'),
  name: text(200).min(1, 'must not be empty'),
  unit: text(20).min(1).nullish(),
  unitPrice: amount('a unit price').nullish(),
});

export const taskContextSchema = z.looseObject({
  contactId: hostId.nullish(),
  membershipId: hostId.nullish(),
  teamId: hostId.nullish(),
});

export const billingTaskSchema = z.looseObject({
  externalId: hostId.optional(),
  projectExternalId: hostId,
  title: text(1000).min(1, 'must not be empty'),
  status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }),
  billable: z.boolean({ error: 'must be true or false' }).default(true),
  estimateHours: hours(100_000).nullish(),
  unitPrice: amount('a unit price').nullish(),
  unit: text(20).min(1).nullish(),
  product: taskProductSchema.nullish(),
  context: taskContextSchema.nullish(),
});
export type BillingTaskInput = z.output<typeof billingTaskSchema>;

export const ENTRY_KINDS = ['time', 'mileage', 'goods', 'expense'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const entrySchema = z
  .looseObject({
    externalId: hostId,
    taskExternalId: hostId,
    userId: hostId,
    userName: text(200).nullish(),
    activity: text(100).nullish(),
    kind: z.enum(ENTRY_KINDS, { error: `must be one of ${ENTRY_KINDS.join(', ')}` }),
    date: workDate,
    hours: hours(24).nullish(),
    km: amount('a distance in km').nullish(),
    transportMinutes: z.number({ error: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(0, 'must not be negative').max(1440, 'must be at most 1440').nullish(),
    quantity: amount('a quantity').nullish(),
    unitPrice: amount('a unit price').nullish(),
    description: text(1000).nullish(),
    stopped: z.boolean({ error: 'is required: true once the entry is finished (running entries are never billed)' }),
  })
  .superRefine((e, ctx) => {
    const has = (v: unknown) => typeof v === 'string' && isDecimalString(v);
    if (e.kind === 'time' && !has(e.hours)) {
      ctx.addIssue({ code: 'custom', path: ['hours'], message: 'is required for a time entry' });
    }
    if (e.kind === 'mileage') {
      const km = has(e.km) ? dec(e.km as string) : null;
      const minutes = typeof e.transportMinutes === 'number' ? e.transportMinutes : null;
      if ((km === null || km.isZero()) && !minutes) {
        ctx.addIssue({ code: 'custom', path: ['km'], message: 'is required for a mileage entry (or transportMinutes): at least one must be more than 0' });
      }
    }
    if (e.kind === 'goods' && !has(e.quantity)) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'is required for a goods entry' });
    }
  }, everyProblem);
export type EntryInput = z.output<typeof entrySchema>;

export const MAX_ENTRIES_PER_CALL = 1000;

export const entriesBodySchema = z
  .looseObject({
    entries: z
      .array(entrySchema, { error: 'must be a list of entries' })
      .min(1, 'must have at least one entry')
      .max(MAX_ENTRIES_PER_CALL, `must have at most ${MAX_ENTRIES_PER_CALL} entries per call`),
  })
  .superRefine((body, ctx) => {
    if (!Array.isArray(body.entries)) return;
    const seen = new Map<string, number>();
    body.entries.forEach((entry, index) => {
      const id = (entry as { externalId?: unknown })?.externalId;
      if (typeof id !== 'string') return;
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['entries', index, 'externalId'], message: `"${id}" is also entries[${first}]: send each entry once per call` });
      } else seen.set(id, index);
    });
  }, everyProblem);

export const sellerSchema = z.strictObject({
  name: text(250).min(1, 'must not be empty'),
  businessId: text(30).nullish(),
  vatNumber: text(30).nullish(),
  iban: text(40).nullish(),
  bic: z.string().trim().regex(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'must be a BIC (8 or 11 letters and digits, such as "NDEAFIHH")').nullish(),
  address: addressSchema.nullish(),
  email: z.email('must be an e-mail address').nullish(),
  phone: text(50).nullish(),
}).superRefine((s, ctx) => {
  if (typeof s.businessId === 'string' && s.businessId) {
    const r = validateBusinessId(s.businessId);
    if (!r.ok) ctx.addIssue({ code: 'custom', path: ['businessId'], message: r.message });
  }
  if (typeof s.iban === 'string' && s.iban && !isIban(s.iban)) {
    ctx.addIssue({ code: 'custom', path: ['iban'], message: 'must be an IBAN with a valid check (such as "FI49 5000 9420 0287 30")' });
  }
}, everyProblem);
export type Seller = z.output<typeof sellerSchema>;

export const billingSettingsSchema = z.strictObject({
  approvalFlow: z.boolean({ error: 'must be true or false' }).default(false),
  timeZone: z
    .string({ error: 'must be an IANA time zone such as "Europe/Helsinki"' })
    .refine((tz) => isTimeZone(tz), { message: 'must be an IANA time zone such as "Europe/Helsinki"' })
    .default('Europe/Helsinki'),
  seller: sellerSchema.nullish(),
  invoiceNumberStart: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(2 ** 50, 'is too large').nullish(),
});
export type BillingSettingsInput = z.output<typeof billingSettingsSchema>;

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderRateLimitError } from '../../../providers/errors/rate-limit-error.js';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../../../providers/errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { documentPath, explainProblem, readProcountorErrors } from '../../../providers/procountor/errors.js';
import { startProcountorSandbox } from '../../../providers/procountor/sandbox/start.js';
import type { RunningSandbox } from '../../../providers/types.js';
import { useProcountorSandbox } from './fixture.js';
import { example, procountorContext, sandboxSettings, syncOnce } from './helpers.js';

describe('Procountor errors reach the record as field-level messages in plain words', () => {
  const fixture = useProcountorSandbox('procountor-errors');
  /** A second sandbox, whose books are closed before 2027. */
  let closedSandbox: RunningSandbox;

  beforeAll(async () => {
    closedSandbox = await startProcountorSandbox({ port: 0, closedBefore: '2027-01-01' });
  });
  afterAll(async () => {
    await closedSandbox.close();
  });

  const context = (on: RunningSandbox = fixture.sandbox, overrides = {}) =>
    procountorContext({ settings: sandboxSettings(on, overrides), redis: fixture.redis, prefix: fixture.prefix });
  const failure = async (promise: Promise<unknown>) => (await promise.then(() => null, (e: unknown) => e)) as ProviderError;

  it('a due date before the invoice date names our dueDate field', async () => {
    const error = await failure(syncOnce(context(), example({ dueDate: '2026-11-01' })));
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect(error.code).toBe('procountor_validation');
    expect(error.status).toBe(400);
    expect(error.details).toEqual([
      { path: 'dueDate', providerCode: 'DUE_DATE_BEFORE_BILL_DATE', message: 'The due date is before the invoice date. The due date must be on or after the invoice date.' },
    ]);
    expect(error.message).toBe(
      'Procountor refused to create invoice: dueDate: The due date is before the invoice date. The due date must be on or after the invoice date.',
    );
  });

  it('an invoice date in a closed fiscal period says what to do', async () => {
    const error = await failure(syncOnce(context(closedSandbox), example()));
    expect(error.details).toEqual([expect.objectContaining({ path: 'invoiceDate', providerCode: 'CLOSED_FISCAL_PERIOD', message: expect.stringMatching(/closed in Procountor/) })]);
  });

  it('a VAT rate the company has not enabled names the line, and several problems are counted', async () => {
    const invoice = example({ dueDate: '2026-11-01', lineSpecs: [{ description: 'Old rate', quantity: '1', unitPrice: '10.00', vatRate: '24' }] });
    const error = await failure(syncOnce(context(), invoice));
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'lines[0].vatRate', providerCode: 'VAT_PERCENT_NOT_IN_USE', message: expect.stringMatching(/not enabled for the company/) }),
        expect.objectContaining({ path: 'dueDate' }),
      ]),
    );
    expect(error.message).toMatch(/\(and 1 more problem\)$/);
  });

  it('a 429 from Procountor becomes a rate-limit error carrying Retry-After', async () => {
    const ctx = context();
    await procountorProvider.verifyConnection(ctx);
    fixture.sandbox.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 7 });
    const error = await failure(procountorProvider.findByReference(ctx, example(), { since: new Date() }));
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('a 5xx on a read is transient, on a write an unknown outcome', async () => {
    const ctx = context();
    await procountorProvider.verifyConnection(ctx);
    fixture.sandbox.injectFault({ kind: 'server_error', status: 500, times: 1 });
    expect(await failure(procountorProvider.findByReference(ctx, example(), { since: new Date() }))).toBeInstanceOf(ProviderTransientError);

    const invoice = example();
    const prepared = await procountorProvider.prepare(ctx, invoice);
    const request = procountorProvider.buildCreateRequest(ctx, invoice, prepared);
    fixture.sandbox.injectFault({ kind: 'maintenance', times: 1 });
    const error = await failure(procountorProvider.create(ctx, request, invoice));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.code).toBe('procountor_unavailable');
    expect(error.message).toMatch(/may have been done anyway/);
  });

  it('a read that Procountor does not answer in time is transient (latency fault)', async () => {
    const ctx = fixture.context({}, { timeoutMs: 200 });
    await procountorProvider.verifyConnection(ctx);
    fixture.sandbox.injectFault({ kind: 'latency', ms: 1000, times: 1 });
    const error = await failure(procountorProvider.findByReference(ctx, example(), { since: new Date() }));
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect(error.code).toBe('provider_timeout');
  });

  it('stops before contacting Procountor when the channel lacks what it needs', async () => {
    const base = example();
    const invoice = { ...base, customer: { ...base.customer, address: null } };
    const error = await failure(syncOnce(context(fixture.sandbox, { invoiceChannel: 'MAIL' }), invoice));
    expect(error.code).toBe('procountor_channel_incomplete');
    expect(error.details.map((d) => d.path)).toEqual(['customer.address.street', 'customer.address.postalCode', 'customer.address.city']);
    expect(fixture.sandbox.requests()).toEqual([]);
  });

  it('stops before contacting Procountor when the reference number has a wrong check digit', async () => {
    const error = await failure(syncOnce(context(), example({ referenceNumber: '12345' /* wrong check digit on purpose; 12344 is right */ })));
    expect(error.details).toEqual([expect.objectContaining({ path: 'referenceNumber', providerCode: 'INVALID_REFERENCE_CODE' })]);
    expect(fixture.sandbox.requests()).toEqual([]);
  });

  it('text Procountor cannot store is cleaned, so the invoice is accepted and the record says what changed', async () => {
    const base = example();
    const invoice = { ...base, customer: { ...base.customer, name: 'Kahvila ☕ Oy' } };
    const ctx = context();
    await syncOnce(ctx, invoice);
    expect((fixture.sandbox.invoices()[0]!.raw as { counterParty: { counterPartyAddress: { name: string } } }).counterParty.counterPartyAddress.name).toBe('Kahvila Oy');
    expect(ctx.warnings).toEqual([expect.objectContaining({ code: 'text_cleaned', path: 'customer.name' })]);
  });
});

describe('reading Procountor error answers', () => {
  it('reads the documented form, the OpenAPI ErrorResponse form and OAuth errors', () => {
    expect(readProcountorErrors({ errors: [{ status: 400, field: 'date', message: 'CLOSED_FISCAL_PERIOD' }] })).toEqual([
      { status: 400, field: 'date', message: 'CLOSED_FISCAL_PERIOD' },
    ]);
    expect(readProcountorErrors({ requestId: 'r', timestamp: 't', message: { errors: [{ status: 400, message: 'Bad thing' }] } })).toEqual([
      { status: 400, field: undefined, message: 'Bad thing' },
    ]);
    expect(readProcountorErrors({ requestId: 'r', timestamp: 't', message: 'Plain' })).toEqual([{ message: 'Plain' }]);
    expect(readProcountorErrors({ error: 'invalid_client', error_description: 'Client authentication failed.' })).toEqual([
      { message: 'invalid_client: Client authentication failed.' },
    ]);
  });

  it('maps Procountor fields to our document paths and keeps unknown ones recognisable', () => {
    expect(documentPath('invoiceRows[2].vatPercent')).toBe('lines[2].vatRate');
    expect(documentPath('counterParty.counterPartyAddress.zip')).toBe('customer.address.postalCode');
    expect(documentPath('paymentInfo.bankAccount.accountNumber')).toBe('connection.bankAccount');
    expect(documentPath('factoringContractId')).toBe('procountor.factoringContractId');
  });

  it('finds the code inside a longer message and keeps Procountor’s words', () => {
    expect(explainProblem({ field: 'date', message: 'Date is in CLOSED_FISCAL_PERIOD' })).toEqual({
      path: 'invoiceDate',
      providerCode: 'CLOSED_FISCAL_PERIOD',
      message: expect.stringMatching(/closed in Procountor.*\(Procountor: Date is in CLOSED_FISCAL_PERIOD\)/),
    });
    expect(explainProblem({ field: 'invoiceRows[0].vatPercent', message: 'Vat percent 24 is not allowed' }).message).toMatch(/not enabled for the company/);
    expect(explainProblem({ message: 'Something new' }).message).toBe('Procountor says: Something new');
  });
});

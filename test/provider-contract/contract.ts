import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { dec } from '../../src/domain/money.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { ProviderAuthError } from '../../providers/errors/auth-error.js';
import { ProviderNotEditableError } from '../../providers/errors/not-editable-error.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import { ProviderUnknownOutcomeError } from '../../providers/errors/unknown-outcome-error.js';
import type { BaseConnectionSettings, Provider, ProviderContext, RunningSandbox } from '../../providers/types.js';
import { exampleResolvedInvoice } from '../support/example-invoice.js';
import { MemoryLinkBook, testProviderContext, type TestContext } from '../support/provider-context.js';
import { dropPrefix, freshPrefix, testRedis } from '../support/redis.js';

/**
 * The one suite every provider adapter must pass, run against that provider's
 * local sandbox. It checks what users rely on whatever the accounting system:
 * credentials are checked clearly, the example invoice arrives once with the
 * right total, a lookup by our reference finds it, a timeout after the provider
 * stored the invoice never leads to a second copy, credit notes are accepted and
 * a known customer is reused without a lookup.
 */
export interface ContractSpec<S extends BaseConnectionSettings> {
  name: string;
  provider: Provider<S, any>;
  startSandbox(): Promise<RunningSandbox>;
  /** Valid settings for the running sandbox. */
  settings(sandbox: RunningSandbox): S;
  /** The same settings with a wrong secret. */
  wrongCredentials(sandbox: RunningSandbox): S;
  /** Client timeout to use, short enough for a held response to trip it. */
  timeoutMs?: number;
  /**
   * Whether the provider keeps customers of its own that ledgerlink links to
   * (false for the generic endpoint, which receives the customer inline).
   */
  managesCustomers?: boolean;
}

export function describeProviderContract<S extends BaseConnectionSettings>(spec: ContractSpec<S>): void {
  describe(`provider contract: ${spec.name}`, () => {
    let sandbox: RunningSandbox;
    let redis: Redis;
    let prefix: string;
    let sequence = 0;

    beforeAll(async () => {
      sandbox = await spec.startSandbox();
      redis = testRedis();
    });
    afterAll(async () => {
      await sandbox?.close();
      redis?.disconnect();
    });
    beforeEach(() => {
      prefix = freshPrefix(`contract-${spec.name}`);
      sandbox.reset();
    });
    afterEach(async () => {
      sandbox.clearFaults();
      await dropPrefix(redis, prefix);
    });

    function context(settings: S = spec.settings(sandbox), links = new MemoryLinkBook()): TestContext<S> {
      return testProviderContext({
        settings,
        redis,
        redisPrefix: prefix,
        providerName: spec.provider.displayName,
        timeoutMs: spec.timeoutMs ?? 1500,
        links,
        secretValues: spec.provider.secretFields
          .map((f) => (settings as Record<string, unknown>)[f])
          .filter((v): v is string => typeof v === 'string'),
      });
    }

    /** A fresh record of the example (unique id, reference and reference number per call). */
    function invoice(overrides: Partial<ResolvedInvoice> = {}): ResolvedInvoice {
      sequence += 1;
      const id = `01JCONTRACT${String(Date.now()).slice(-8)}${String(sequence).padStart(7, '0')}`;
      return exampleResolvedInvoice({ id, reference: `LL-${id}`, referenceNumber: finnishRef(1000 + sequence), ...overrides });
    }

    async function createOnce(ctx: ProviderContext<S>, inv: ResolvedInvoice) {
      const prepared = await spec.provider.prepare(ctx, inv);
      const request = spec.provider.buildCreateRequest(ctx, inv, prepared);
      return spec.provider.create(ctx, request, inv);
    }

    it('accepts the sandbox credentials and refuses wrong ones with a clear auth error', async () => {
      await expect(spec.provider.verifyConnection(context())).resolves.toBeUndefined();
      const error = await spec.provider.verifyConnection(context(spec.wrongCredentials(sandbox))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderAuthError);
      expect((error as ProviderError).message).toMatch(new RegExp(spec.provider.displayName, 'i'));
    });

    it('creates the example invoice once, with the right total, and finds it by our reference', async () => {
      const ctx = context();
      const inv = invoice();
      const created = await createOnce(ctx, inv);
      expect(created.id).toBeTruthy();

      const stored = sandbox.invoices();
      expect(stored).toHaveLength(1);
      expect(stored[0]!.id).toBe(created.id);
      expect(dec(stored[0]!.total ?? 'NaN').equals(dec('1506.00'))).toBe(true);

      const found = await spec.provider.findByReference(ctx, inv, { since: new Date(Date.now() - 60_000) });
      expect(found?.id).toBe(created.id);
      const other = await spec.provider.findByReference(ctx, invoice(), { since: new Date(Date.now() - 60_000) });
      expect(other).toBeNull();
    });

    it('records the exchanges of a sync without leaking any secret', async () => {
      const settings = spec.settings(sandbox);
      const ctx = context(settings);
      await createOnce(ctx, invoice());
      expect(ctx.exchanges.length).toBeGreaterThan(0);
      const text = JSON.stringify(ctx.exchanges);
      for (const field of spec.provider.secretFields) {
        const secret = (settings as Record<string, unknown>)[field];
        if (typeof secret === 'string' && secret.length >= 4) expect(text).not.toContain(secret);
      }
    });

    it('after a timeout once the provider stored the invoice, lookup adopts it: exactly one copy', async () => {
      const ctx = context();
      const inv = invoice();
      const since = new Date(Date.now() - 1000);
      sandbox.injectFault({ kind: 'timeout_after_store', ms: 20_000, times: 1 });
      const error = await createOnce(ctx, inv).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
      expect(sandbox.invoices()).toHaveLength(1);

      const found = await spec.provider.findByReference(ctx, inv, { since });
      expect(found?.id).toBe(sandbox.invoices()[0]!.id);
      expect(sandbox.invoices()).toHaveLength(1);
    });

    it('a server error on create is never taken as "not created"', async () => {
      const ctx = context();
      sandbox.injectFault({ kind: 'server_error', status: 500, times: 1, on: 'create' });
      const error = await createOnce(ctx, invoice()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).category).toBe('unknown_outcome');
    });

    it('accepts a credit note for a synced invoice, with a negative total', async () => {
      const ctx = context();
      const original = invoice();
      const created = await createOnce(ctx, original);
      const credit = invoice({
        externalId: 'CN-2026-0042',
        type: 'credit_note',
        credited: { externalId: original.externalId, providerInvoiceId: created.id, providerInvoiceNumber: created.number ?? null },
      });
      const creditLines = exampleResolvedInvoice({
        lineSpecs: [{ description: '#1296 Integration of BIM tools (credit)', quantity: '-12', unitPrice: '100.00' }],
      });
      credit.lines = creditLines.lines;
      credit.totals = creditLines.totals;
      await createOnce(ctx, credit);
      const stored = sandbox.invoices();
      expect(stored).toHaveLength(2);
      expect(dec(stored[1]!.total ?? 'NaN').equals(dec('-1506.00'))).toBe(true);
    });

    it('a newer revision edits an unsent invoice in place: same id and number, the new lines, found by the new reference', async () => {
      const ctx = context();
      const first = invoice();
      const created = await createOnce(ctx, first);
      const second = invoice({ externalId: first.externalId, revision: 2 });
      const corrected = exampleResolvedInvoice({ lineSpecs: [{ description: '#1296 Integration of BIM tools', quantity: '10.75', unitPrice: '100.00' }] });
      second.lines = corrected.lines;
      second.totals = corrected.totals;

      const current = await spec.provider.readInvoice(ctx, created);
      expect(current?.id).toBe(created.id);
      const prepared = await spec.provider.prepare(ctx, second);
      expect(spec.provider.planRevision(current!, prepared.customer)).toBe('edit');
      const edited = await spec.provider.edit(ctx, current!, second, prepared);
      expect(edited.id).toBe(created.id);

      const stored = sandbox.invoices();
      expect(stored).toHaveLength(1);
      expect(stored[0]!.id).toBe(created.id);
      expect(stored[0]!.number).toBe(created.number ?? stored[0]!.number);
      expect(dec(stored[0]!.total ?? 'NaN').equals(dec('1349.13'))).toBe(true);
      expect((await spec.provider.findByReference(ctx, second, { since: new Date(Date.now() - 60_000) }))?.id).toBe(created.id);
    });

    it('a sent invoice is not edited: the plan says issued, or the provider refuses the edit as not editable, and nothing changes', async () => {
      const ctx = context();
      const first = invoice();
      const created = await createOnce(ctx, first);
      sandbox.sendInvoice(created.id);
      const second = invoice({ externalId: first.externalId, revision: 2 });
      second.lines = second.lines.map((l) => ({ ...l, description: 'changed after sending' }));
      const current = await spec.provider.readInvoice(ctx, created);
      const prepared = await spec.provider.prepare(ctx, second);
      const plan = spec.provider.planRevision(current!, prepared.customer);
      if (plan === 'edit') {
        await expect(spec.provider.edit(ctx, current!, second, prepared)).rejects.toBeInstanceOf(ProviderNotEditableError);
      } else {
        expect(plan).toBe('issued');
      }
      const stored = sandbox.invoices();
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored[0]!.raw)).not.toContain('changed after sending');
    });

    it('reads back sent and payments: nothing, then sent, then part paid, then paid in full (amount and date)', async () => {
      const ctx = context();
      const created = await createOnce(ctx, invoice());
      const fresh = await spec.provider.readStatus(ctx, created);
      expect(fresh).toMatchObject({ sent: false, paidAmount: '0.00', void: false });

      sandbox.sendInvoice(created.id);
      expect(await spec.provider.readStatus(ctx, created)).toMatchObject({ sent: true, paidAmount: '0.00' });

      sandbox.registerPayment(created.id, { amount: '500.00', date: '2026-11-20' });
      const part = await spec.provider.readStatus(ctx, created);
      expect(part).toMatchObject({ sent: true, paidAmount: '500.00', total: '1506.00' });
      expect([null, '2026-11-20']).toContain(part!.paidAt);

      sandbox.registerPayment(created.id, { amount: '1006.00', date: '2026-11-25' });
      const full = await spec.provider.readStatus(ctx, created);
      expect(full).toMatchObject({ sent: true, paidAmount: '1506.00', total: '1506.00' });
      expect([null, '2026-11-25']).toContain(full!.paidAt);
    });

    it('a status read that fails is an error, never a smaller truth; a deleted invoice reads as null', async () => {
      const ctx = context();
      const created = await createOnce(ctx, invoice());
      sandbox.sendInvoice(created.id);
      sandbox.registerPayment(created.id, { amount: '100.00', date: '2026-11-20' });
      sandbox.injectFault({ kind: 'server_error', status: 503, times: 1, on: 'any' });
      await expect(spec.provider.readStatus(ctx, created)).rejects.toBeInstanceOf(ProviderError);
      expect(await spec.provider.readStatus(ctx, created)).toMatchObject({ paidAmount: '100.00' });
      sandbox.deleteInvoice(created.id);
      expect(await spec.provider.readStatus(ctx, created)).toBeNull();
    });

    it('lists the invoices of a period, each with our reference and its total', async () => {
      const ctx = context();
      const inv = invoice();
      const created = await createOnce(ctx, inv);
      const listed = await spec.provider.listInvoices(ctx, { from: inv.invoiceDate, to: inv.invoiceDate });
      expect(listed.map((l) => l.id)).toEqual([created.id]);
      expect(listed[0]).toMatchObject({ reference: inv.reference, total: '1506.00', void: false });
      expect(await spec.provider.listInvoices(ctx, { from: '2001-01-01', to: '2001-01-31' })).toEqual([]);
    });

    it.skipIf(spec.managesCustomers === false)('links a new customer on the first invoice and makes no customer lookup on the second', async () => {
      const links = new MemoryLinkBook();
      const ctx = context(spec.settings(sandbox), links);
      const first = invoice();
      expect((await spec.provider.resolveCustomer(ctx, first, { dryRun: true })).action).toBe('create');
      await createOnce(ctx, first);
      expect(links.saved.filter((s) => s.kind === 'customer')).toHaveLength(1);

      const before = sandbox.requests().length;
      const second = invoice();
      expect((await spec.provider.resolveCustomer(ctx, second, { dryRun: true })).action).toBe('linked');
      await createOnce(ctx, second);
      const customerCalls = sandbox
        .requests()
        .slice(before)
        .filter((r) => /customer|businesspartner/i.test(r.path));
      expect(customerCalls).toEqual([]);
      expect(sandbox.invoices()).toHaveLength(2);
    });

    it('refuses to create a customer when the connection does not allow it, saying how to link one', async () => {
      const settings = { ...spec.settings(sandbox), createCustomers: false };
      const ctx = context(settings);
      const error = await createOnce(ctx, invoice()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe('customer_not_linked');
      expect((error as ProviderError).message).toMatch(/customer-links/);
      expect(sandbox.invoices()).toHaveLength(0);
    });
  });
}

/** Finnish reference number with its 7-3-1 check digit (kept local so the suite has no other dependency). */
function finnishRef(base: number): string {
  const digits = String(base).split('').reverse();
  const weights = [7, 3, 1];
  const total = digits.reduce((acc, d, i) => acc + Number(d) * weights[i % 3]!, 0);
  return `${base}${(10 - (total % 10)) % 10}`;
}

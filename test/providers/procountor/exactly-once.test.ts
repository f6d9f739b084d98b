import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderUnknownOutcomeError } from '../../../providers/errors/unknown-outcome-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { MemoryLinkBook } from '../../support/provider-context.js';
import { useNockedProcountor, useProcountorSandbox } from './fixture.js';
import { example, procountorContext, syncOnce } from './helpers.js';

describe('Procountor exactly once', () => {
  const fixture = useProcountorSandbox('procountor-once');

  const creates = () => fixture.sandbox.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/invoices'));

  /**
   * What the sync engine does with one record: create; when the outcome is
   * unknown, look up by our reference and adopt what is there, creating again
   * only when nothing is found.
   */
  async function syncLikeTheEngine(invoice: ResolvedInvoice, links: MemoryLinkBook, attempts = 3) {
    let lastError: unknown = null;
    let mayExist = false;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const ctx = fixture.context({}, { links, timeoutMs: 1000 });
      if (mayExist) {
        const found = await procountorProvider.findByReference(ctx, invoice, { since: new Date(Date.now() - 60_000) });
        if (found) return { invoice: found, adopted: true, lastError };
      }
      try {
        const { created } = await syncOnce(ctx, invoice);
        return { invoice: created, adopted: false, lastError };
      } catch (error) {
        lastError = error;
        if (!(error instanceof ProviderUnknownOutcomeError)) throw error;
        mayExist = true;
      }
    }
    throw lastError;
  }

  it('a timeout after Procountor stored the invoice ends with exactly one invoice, adopted by reference', async () => {
    const invoice = example();
    fixture.sandbox.injectFault({ kind: 'timeout_after_store', ms: 20_000, times: 1 });
    const result = await syncLikeTheEngine(invoice, new MemoryLinkBook());
    expect((result.lastError as ProviderError).code).toBe('provider_timeout');
    expect(result.adopted).toBe(true);
    expect(fixture.sandbox.invoices()).toHaveLength(1);
    expect(fixture.sandbox.invoices()[0]).toMatchObject({ id: result.invoice.id, reference: invoice.reference, total: '1506.00' });
    expect(result.invoice).toMatchObject({ number: fixture.sandbox.invoices()[0]!.number, state: 'UNFINISHED' });
    expect(creates()).toHaveLength(1);
  });

  it('a connection dropped after storing is an unknown outcome too, and is adopted', async () => {
    const invoice = example();
    fixture.sandbox.injectFault({ kind: 'reset_after_store', times: 1 });
    const result = await syncLikeTheEngine(invoice, new MemoryLinkBook());
    expect(result.lastError).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(result.adopted).toBe(true);
    expect(fixture.sandbox.invoices()).toHaveLength(1);
    expect(creates()).toHaveLength(1);
  });

  it('a 5xx on create that did not store anything leads to one invoice after the lookup finds none', async () => {
    const invoice = example();
    fixture.sandbox.injectFault({ kind: 'server_error', status: 502, times: 1, on: 'create' });
    const result = await syncLikeTheEngine(invoice, new MemoryLinkBook());
    expect((result.lastError as ProviderError).category).toBe('unknown_outcome');
    expect(result.adopted).toBe(false);
    expect(fixture.sandbox.invoices()).toHaveLength(1);
    expect(creates()).toHaveLength(2);
  });

  it('when a copy slipped through twice, adopts the oldest and says so', async () => {
    const invoice = example();
    const links = new MemoryLinkBook();
    await syncOnce(fixture.context({}, { links }), invoice);
    await syncOnce(fixture.context({}, { links }), invoice);
    const ctx = fixture.context({}, { links });
    const found = await procountorProvider.findByReference(ctx, invoice, { since: new Date(0) });
    expect(found?.id).toBe(fixture.sandbox.invoices()[0]!.id);
    expect(ctx.warnings).toEqual([expect.objectContaining({ code: 'duplicate_at_provider', message: expect.stringMatching(/2 invoices/) })]);
  });

  it('finds nothing for a reference Procountor never saw', async () => {
    await syncOnce(fixture.context(), example());
    const ctx = fixture.context();
    expect(await procountorProvider.findByReference(ctx, example(), { since: new Date(0) })).toBeNull();
  });
});

describe('Procountor lookup by reference: exact matches only (nock at the edge)', () => {
  const BASE = 'https://procountor.nock.test/api';
  const nocked = useNockedProcountor(BASE, 'procountor-nock');

  const settings = procountorSettingsSchema.parse({
    baseUrl: BASE,
    clientId: 'client',
    clientSecret: 'secret-value',
    apiKey: 'api-key-value',
    bankAccount: 'FI2112345600000785',
  });

  it('ignores search results whose reference only starts like ours, and reads results that do not show it', async () => {
    const invoice = example({ reference: 'LL-ABC' });
    nock(BASE)
      .get('/invoices')
      .query((q) => q.originalInvoiceNumber === 'LL-ABC')
      .reply(200, {
        results: [
          { id: 7, status: 'UNFINISHED', invoiceNumber: 1007, originalInvoiceNumber: 'LL-ABC-2', counterParty: {} },
          { id: 8, status: 'NOT_SENT', invoiceNumber: 1008, counterParty: {} },
        ],
      });
    nock(BASE).get('/invoices/8').reply(200, { id: 8, status: 'NOT_SENT', invoiceNumber: 1008, originalInvoiceNumber: 'LL-ABCD' });
    const ctx = procountorContext({ settings, redis: nocked.redis, prefix: nocked.prefix });
    expect(await procountorProvider.findByReference(ctx, invoice, { since: new Date() })).toBeNull();
    expect(nock.isDone()).toBe(true);
  });

  it('prefers a live copy over an invalidated one', async () => {
    const invoice = example({ reference: 'LL-XYZ' });
    nock(BASE)
      .get('/invoices')
      .query(true)
      .reply(200, {
        results: [
          { id: 3, status: 'INVALIDATED', invoiceNumber: 1003, originalInvoiceNumber: 'LL-XYZ', counterParty: {} },
          { id: 4, status: 'SENT', invoiceNumber: 1004, originalInvoiceNumber: 'LL-XYZ', counterParty: {} },
        ],
      });
    const ctx = procountorContext({ settings, redis: nocked.redis, prefix: nocked.prefix });
    expect(await procountorProvider.findByReference(ctx, invoice, { since: new Date() })).toEqual({ id: '4', number: '1004', state: 'SENT' });
    expect(ctx.warnings.map((w) => w.code)).toEqual(['duplicate_at_provider']);
  });
});

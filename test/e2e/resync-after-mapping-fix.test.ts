import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * What finance does with an invoice that failed on a product mapping: read the
 * error, fix the mapping, resync — and the resync uses the fixed mapping. An
 * invoice that never reached the provider is resolved again on resync; one
 * that did is never touched.
 */
describe('resync after fixing the product mapping', () => {
  let h: Harness;
  let books: RunningSandbox;
  let key: string;

  const mapping = (procountorId: number) => ({
    scope: 'tenant',
    lineKind: 'task_entry',
    product: { code: 'WORK', name: 'Support hours', unit: 'hour' },
    providerProducts: { procountor: { id: procountorId } },
  });

  beforeAll(async () => {
    h = await startHarness();
    books = await startProcountorSandbox({ port: 0 });
    key = await h.tenant('fix-the-mapping', ['host', 'finance', 'admin']);
    await h.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: books.url, ...books.credentials } });
  });
  afterAll(async () => {
    await h?.close();
    await books?.close();
  });

  it('fails naming the mapping, then syncs with the fixed mapping after a resync: one invoice, with the right product', { timeout: 60_000 }, async () => {
    expect((await h.api('PUT', '/v1/product-mappings', { key, body: mapping(999) })).status).toBe(201);
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'MAP-FIX-1', provider: 'procountor' } as never) });
    expect(posted.status).toBe(202);
    const failed = await h.waitForStatus(key, posted.body.id, ['failed', 'synced'], 30_000);
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.lastError)).toMatch(/product mapping/i);
    expect(books.invoices()).toHaveLength(0);

    expect((await h.api('PUT', '/v1/product-mappings', { key, body: mapping(104) })).status).toBe(200);
    const resynced = await h.api('POST', `/v1/invoices/${posted.body.id}/resync`, { key });
    expect(resynced.status).toBeLessThan(300);
    const synced = await h.waitForStatus(key, posted.body.id, ['failed', 'synced'], 30_000);
    expect(synced.status, JSON.stringify(synced.lastError)).toBe('synced');
    expect(books.invoices()).toHaveLength(1);
    const rows = (books.invoices()[0]!.raw as { invoiceRows: Array<{ productId?: number }> }).invoiceRows;
    expect(rows.every((r) => r.productId === 104)).toBe(true);
    expect(synced.history.map((e: { message: string }) => e.message).join(' | ')).toContain('products resolved again with the current product mappings');
  });
});

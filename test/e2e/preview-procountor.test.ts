import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../providers/generic/index.js';
import { procountorProvider, startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Preview against a provider that keeps customers (Procountor's sandbox):
 * "linked", "matched" and "create", found without creating or linking
 * anything, and the resolved product and price reach Procountor too.
 */
describe('preview with Procountor: customer linked, matched or to be created, and nothing posted', () => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;

  const doc = (externalId: string, customer: Record<string, unknown> = {}) => ({
    ...exampleDocument(),
    externalId,
    provider: 'procountor',
    customer: { ...(exampleDocument().customer as object), ...customer },
    lines: [
      { kind: 'task_entry', description: '#1296 Integration of BIM tools', quantity: '12', context: { taskId: '1296' } },
      { kind: 'transport_distance', description: 'Drive to site', quantity: '42', context: { taskId: '1296' } },
    ],
  });

  const writes = () => sandbox.requests().filter((r) => r.method !== 'GET' && !r.path.includes('oauth'));

  beforeAll(async () => {
    h = await startHarness({ registry: { generic: genericProvider, procountor: procountorProvider } });
    sandbox = await startProcountorSandbox({ port: 0 });
    key = await h.tenant('acme');
    const conn = await h.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials } });
    expect(conn.status, JSON.stringify(conn.body)).toBe(200);
    const mapped = await h.api('PUT', '/v1/product-mappings', {
      key,
      body: { scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { code: 'CONSULT', name: 'Consulting', unit: 'hour', unitPrice: '120' } },
    });
    expect(mapped.status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('a new customer is "create"; the preview creates no customer, no invoice and no link', async () => {
    const before = writes().length;
    const r = await h.api('POST', '/v1/invoices/preview', { key, body: doc('PC-0') });
    expect(r.status).toBe(200);
    expect(r.body.valid, JSON.stringify(r.body.problems)).toBe(true);
    expect(r.body.customer).toMatchObject({ action: 'create' });
    expect(r.body.customer.providerCustomerId).toBeUndefined();
    expect(r.body.lines.map((l: any) => [l.product.code, l.resolvedFrom, l.priceSource, l.netAmount])).toEqual([
      ['CONSULT', 'task', 'product', '1440.00'],
      ['TRANSPORT', 'default', 'product', '210.00'],
    ]);
    expect(writes().slice(before)).toEqual([]);
    expect(sandbox.invoices()).toEqual([]);
    expect((await h.api('GET', '/v1/customer-links/cust-17', { key })).status).toBe(404);
  });

  it('after a sync created the customer and the admin removed the link, preview finds it by customer number ("matched") without linking it', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: doc('PC-1') });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
    const link = await h.api('GET', '/v1/customer-links/cust-17', { key });
    expect(link.status).toBe(200);
    const partnerId = link.body.links[0].providerCustomerId;
    expect(link.body.links[0].how).toBe('created');

    const linked = await h.api('POST', '/v1/invoices/preview', { key, body: doc('PC-2') });
    expect(linked.body.customer).toMatchObject({ action: 'linked', providerCustomerId: partnerId });

    expect((await h.api('DELETE', '/v1/customer-links/cust-17', { key })).status).toBe(204);
    const before = writes().length;
    const matched = await h.api('POST', '/v1/invoices/preview', { key, body: doc('PC-3') });
    expect(matched.body.customer).toMatchObject({ action: 'matched', providerCustomerId: partnerId });
    // Then by business ID, when the customer number is not known to Procountor.
    const byBusinessId = await h.api('POST', '/v1/invoices/preview', { key, body: doc('PC-4', { customerNumber: null }) });
    expect(byBusinessId.body.customer).toMatchObject({ action: 'matched', providerCustomerId: partnerId });
    expect(writes().slice(before)).toEqual([]);
    expect((await h.api('GET', '/v1/customer-links/cust-17', { key })).status).toBe(404);
    expect(sandbox.invoices()).toHaveLength(1);
  });

  it('the resolved product and price reach Procountor', async () => {
    const [stored] = sandbox.invoices() as any[];
    const rows = (stored.raw ?? stored).invoiceRows ?? (stored.raw ?? stored).rows;
    expect(Array.isArray(rows), JSON.stringify(stored).slice(0, 400)).toBe(true);
    // Procountor rows name the product; a code is only sent for a product Procountor knows.
    expect(rows.map((r: any) => [r.product, Number(r.unitPrice), Number(r.quantity)])).toEqual([
      ['Consulting', 120, 12],
      ['Transport', 5, 42],
    ]);
    for (const [i, code] of ['CONSULT', 'TRANSPORT'].entries()) if (rows[i].productCode !== undefined) expect(rows[i].productCode).toBe(code);
  });
});

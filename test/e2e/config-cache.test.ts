import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 10: intake caches the configuration it reads on every request (API
 * keys, connections, product mappings, the webhook) — and a change made
 * through one API process takes effect at once in another: the very next
 * request there sees it, with no waiting.
 */
describe('configuration cached per process, changed through another', () => {
  let a: Harness;
  let b: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    a = await startHarness({ database: 'postgres', role: 'api' });
    b = await startHarness({ role: 'api', shareWith: a });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await a.tenant('cached');
    await a.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await sandbox?.close();
  });

  const linePrice = async (h: Harness) => {
    const doc = exampleDocument() as Record<string, any>;
    delete doc.lines[0].unitPrice;
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body: doc });
    expect(preview.status).toBe(200);
    return preview.body.lines[0].unitPrice as string;
  };

  it('a revoked key is refused by the other process on its very next request', async () => {
    const issued = await a.api('POST', '/v1/tenants/cached/api-keys', { key: a.adminToken, body: { roles: ['host', 'finance'] } });
    // Both processes know (and cache) the key.
    for (let i = 0; i < 3; i++) {
      expect((await a.api('GET', '/v1/invoices', { key: issued.body.key })).status).toBe(200);
      expect((await b.api('GET', '/v1/invoices', { key: issued.body.key })).status).toBe(200);
    }
    expect((await a.api('DELETE', `/v1/tenants/cached/api-keys/${issued.body.id}`, { key: a.adminToken })).status).toBe(204);
    const refused = await b.api('GET', '/v1/invoices', { key: issued.body.key });
    expect(refused.status).toBe(401);
    expect((await a.api('GET', '/v1/invoices', { key: issued.body.key })).status).toBe(401);
    expect((await a.api('DELETE', `/v1/tenants/cached/api-keys/${issued.body.id}`, { key: a.adminToken })).status).toBe(404);
  });

  it('a product mapping changed in one process prices the next invoice in the other', async () => {
    const put = (price: string) =>
      a.api('PUT', '/v1/product-mappings', { key, body: { scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { code: 'BIM', name: 'BIM work', unit: 'hour', unitPrice: price } } });
    expect((await put('90.00')).status).toBeLessThan(300);
    expect(await linePrice(b)).toBe('90');
    expect(await linePrice(b)).toBe('90');
    expect((await put('95.00')).status).toBeLessThan(300);
    expect(await linePrice(b)).toBe('95');
    // And intake (not only the preview) uses it.
    const doc = exampleDocument({ externalId: 'CACHED-1' } as never) as Record<string, any>;
    delete doc.lines[0].unitPrice;
    const posted = await b.api('POST', '/v1/invoices', { key, body: doc });
    expect(posted.status).toBe(202);
    expect(posted.body.totals.net).toBe('1140.00');
  });

  // Intake trusts a key and configuration the process already holds, and confirms them in its
  // write (acceptUnconfirmed): these use intake alone in the other process, so nothing else
  // there confirms anything first.
  const intake = (h: Harness, k: string, externalId: string, edit: (d: Record<string, any>) => void = () => {}) => {
    const d = exampleDocument({ externalId } as never) as Record<string, any>;
    edit(d);
    return h.api('POST', '/v1/invoices', { key: k, body: d });
  };
  const received = async (h: Harness) => {
    const text = (await h.api('GET', '/metrics')).body as string;
    const count = (result: string) => Number(new RegExp(`ledgerlink_invoices_received_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { accepted: count('accepted'), rejected: count('rejected') };
  };
  const records = async (externalId: string) => (await a.api('GET', `/v1/invoices?externalId=${externalId}`, { key })).body.items as unknown[];

  it('a key revoked in one process is refused by intake in the other on its very next invoice, and nothing is written', async () => {
    const issued = await a.api('POST', '/v1/tenants/cached/api-keys', { key: a.adminToken, body: { roles: ['host'] } });
    for (let i = 0; i < 3; i++) expect((await intake(b, issued.body.key, `REVOKED-WARM-${i}`)).status).toBe(202);
    expect((await a.api('DELETE', `/v1/tenants/cached/api-keys/${issued.body.id}`, { key: a.adminToken })).status).toBe(204);
    const refused = await intake(b, issued.body.key, 'REVOKED-AFTER');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    expect(await records('REVOKED-AFTER')).toEqual([]);
    // An invalid invoice with the revoked key: the key is what is wrong (401), not the invoice.
    expect((await intake(b, issued.body.key, 'REVOKED-BAD', (d) => delete d.customer)).status).toBe(401);
    // And a repeat of an invoice accepted before the revocation is not answered either, nor a conflicting one (409).
    expect((await intake(b, issued.body.key, 'REVOKED-WARM-0')).status).toBe(401);
    expect((await intake(b, key, 'REVOKED-WARM-1', (d) => (d.notes = 'changed'))).status).toBe(409);
    expect((await intake(b, issued.body.key, 'REVOKED-WARM-1', (d) => (d.notes = 'changed'))).status).toBe(401);
  });

  it('a key revoked in one process changes nothing through the other: not even the default product a first line of a kind creates', async () => {
    const kinds = async () => ((await a.api('GET', '/v1/product-mappings', { key })).body.mappings as Array<{ lineKind: string }>).map((m) => m.lineKind);
    const issued = await a.api('POST', '/v1/tenants/cached/api-keys', { key: a.adminToken, body: { roles: ['host'] } });
    for (let i = 0; i < 2; i++) expect((await intake(b, issued.body.key, `DEFAULTS-WARM-${i}`)).status).toBe(202);
    expect(await kinds()).not.toContain('transport_distance');
    expect((await a.api('DELETE', `/v1/tenants/cached/api-keys/${issued.body.id}`, { key: a.adminToken })).status).toBe(204);
    const mileage = await intake(b, issued.body.key, 'DEFAULTS-MILEAGE', (d) => {
      d.lines[0] = { kind: 'transport_distance', description: 'Site visit', quantity: '42', unit: 'km', unitPrice: '0.59', vatRate: '25.5' };
    });
    expect(mileage.status).toBe(401);
    expect(await kinds()).not.toContain('transport_distance');
    // With a valid key the same invoice is accepted, and creates the default.
    const accepted = await intake(b, key, 'DEFAULTS-MILEAGE', (d) => {
      d.lines[0] = { kind: 'transport_distance', description: 'Site visit', quantity: '42', unit: 'km', unitPrice: '0.59', vatRate: '25.5' };
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(await kinds()).toContain('transport_distance');
  });

  it('intake in one process prices with a mapping changed in the other, on its very next invoice', async () => {
    const put = (price: string) =>
      a.api('PUT', '/v1/product-mappings', { key, body: { scope: 'task', scopeId: '7001', lineKind: 'task_entry', product: { code: 'CAD', name: 'CAD work', unit: 'hour', unitPrice: price } } });
    const onTask7001 = (d: Record<string, any>) => {
      delete d.lines[0].unitPrice;
      d.lines[0].context.taskId = '7001';
    };
    expect((await put('80.00')).status).toBeLessThan(300);
    for (let i = 0; i < 2; i++) expect((await intake(b, key, `PRICED-80-${i}`, onTask7001)).body.totals.net).toBe('960.00');
    expect((await put('85.00')).status).toBeLessThan(300);
    const repriced = await intake(b, key, 'PRICED-85', onTask7001);
    expect(repriced.status).toBe(202);
    expect(repriced.body.totals.net).toBe('1020.00');
  });

  it('a connection added in one process is seen by the other at once', async () => {
    const doc = () => {
      const d = exampleDocument({ externalId: `CACHED-CONN-${Math.random()}` } as never) as Record<string, any>;
      delete d.provider;
      return d;
    };
    // One connection: intake picks it without being told.
    expect((await b.api('POST', '/v1/invoices', { key, body: doc() })).status).toBe(202);
    const procountor = await startProcountorSandbox({ port: 0 });
    try {
      const saved = await a.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: procountor.url, ...procountor.credentials } });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      // Two now: the other process asks which one, on its very next request.
      const refused = await b.api('POST', '/v1/invoices', { key, body: doc() });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0]).toMatchObject({ path: 'provider', code: 'provider_required' });
    } finally {
      await procountor.close();
    }
  });

  it('a refusal decided on what the process held is confirmed first: fixed in the other process, the invoice is accepted', async () => {
    const toNetvisor = (d: Record<string, any>) => (d.provider = 'netvisor');
    expect((await intake(b, key, 'WARM-NETVISOR', (d) => (d.provider = 'generic'))).status).toBe(202);
    const refused = await intake(b, key, 'TO-NETVISOR', toNetvisor);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toMatchObject({ path: 'provider', code: 'no_connection' });
    const netvisor = await startNetvisorSandbox({ port: 0 });
    try {
      expect((await a.api('PUT', '/v1/connections/netvisor', { key, body: { baseUrl: netvisor.url, ...netvisor.credentials } })).status).toBe(200);
      const before = await received(b);
      const accepted = await intake(b, key, 'TO-NETVISOR', toNetvisor);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      expect(accepted.body.provider).toBe('netvisor');
      // Counted once, as what was answered: the refusal decided on the old configuration never was.
      const after = await received(b);
      expect({ accepted: after.accepted - before.accepted, rejected: after.rejected - before.rejected }).toEqual({ accepted: 1, rejected: 0 });
    } finally {
      await netvisor.close();
    }
  });
});

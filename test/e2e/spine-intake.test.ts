import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { saveConnection } from '../../src/sync/connection-store.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { genericProvider } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/** What a host and a finance person see at the API: intake, idempotency, auth, lists, operations. */
describe('intake and the API', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  let hostKey: string;
  let financeKey: string;
  let otherKey: string;

  const creates = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
  const post = (body: unknown, headers: Record<string, string> = {}, k = key) => h.api('POST', '/v1/invoices', { key: k, body, headers });
  const queuedJobs = async () => (await h.runtime.scheduler.depth()).reduce((n, d) => n + (d.state === 'failed' ? 0 : d.count), 0);

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('acme');
    const keyFor = async (roles: string[]) => (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles } })).body.key as string;
    hostKey = await keyFor(['host']);
    financeKey = await keyFor(['finance']);
    otherKey = await h.tenant('globex');
    const conn = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    expect(conn.status).toBe(200);
    await h.api('PUT', '/v1/connections/generic', { key: otherKey, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  describe('posting an invoice', () => {
    it('accepts the example (202), syncs it once, and a repeat changes nothing (200, same record, nothing queued)', async () => {
      const first = await post(exampleDocument({ externalId: 'INV-REPEAT' }));
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ status: 'queued', externalId: 'INV-REPEAT', revision: 1, provider: 'generic', totals: { net: '1200.00', vat: '306.00', gross: '1506.00' } });
      expect(first.headers.location).toBe(`/v1/invoices/${first.body.id}`);
      const synced = await h.waitForStatus(key, first.body.id, ['synced', 'failed']);
      expect(synced.status).toBe('synced');
      expect(creates()).toBe(1);

      // The same document again, keys in another order and numbers instead of strings: the same invoice.
      const doc = exampleDocument({ externalId: 'INV-REPEAT' }) as Record<string, any>;
      const reordered = Object.fromEntries(Object.entries(doc).reverse());
      reordered.lines = [{ ...doc.lines[0], quantity: 12, bookedQuantity: 10.75, adjustment: 1.25, unitPrice: '100.00' }];
      const again = await post(reordered);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, status: 'synced' });

      const record = await h.runtime.store.repos.records.getById(first.body.id);
      expect(record!.scheduleSeq).toBe(1);
      expect(await queuedJobs()).toBe(0);
      const detail = await h.api('GET', `/v1/invoices/${first.body.id}`, { key });
      expect(detail.body.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'synced']);
      expect(creates()).toBe(1);
    });

    it('makes one record and one provider call when the same invoice is posted many times at once', async () => {
      const posts = creates();
      const responses = await Promise.all(Array.from({ length: 6 }, () => post(exampleDocument({ externalId: 'INV-RACE' }))));
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      const record = await h.waitForStatus(key, responses[0]!.body.id, ['synced', 'failed']);
      expect(record.status).toBe('synced');
      expect(await h.runtime.store.repos.records.list('acme', {}, { limit: 1000 }).then((rows) => rows.filter((r) => r.externalId === 'INV-RACE'))).toHaveLength(1);
      expect(creates() - posts).toBe(1);

      const keyed = await Promise.all(
        ['INV-RACE-A', 'INV-RACE-B', 'INV-RACE-C'].map((externalId) => post(exampleDocument({ externalId }), { 'idempotency-key': 'race-key' })),
      );
      expect(keyed.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    });

    it('refuses a changed body under the same externalId and revision: 409 revision_conflict', async () => {
      const original = await post(exampleDocument({ externalId: 'INV-CHANGED' }));
      expect(original.status).toBe(202);
      const changed = await post(exampleDocument({ externalId: 'INV-CHANGED', notes: 'a different note' }));
      expect(changed.status).toBe(409);
      expect(changed.body.error.code).toBe('revision_conflict');
      expect(changed.body.error.message).toMatch(/INV-CHANGED revision 1 was already accepted with different content.*higher revision/);
      expect(changed.body.error.details[0]).toMatchObject({ path: 'revision', id: original.body.id });
      // A higher revision is a new record.
      const next = await post(exampleDocument({ externalId: 'INV-CHANGED', revision: 2, notes: 'a different note' }));
      expect(next.status).toBe(202);
      expect(next.body.id).not.toBe(original.body.id);
    });

    it('honours Idempotency-Key: the same key and body answer the existing record, another body is a 409', async () => {
      const headers = { 'idempotency-key': 'erp-batch-7-item-1' };
      const first = await post(exampleDocument({ externalId: 'INV-IDEM' }), headers);
      expect(first.status).toBe(202);
      const repeat = await post(exampleDocument({ externalId: 'INV-IDEM' }), headers);
      expect(repeat.status).toBe(200);
      expect(repeat.body.id).toBe(first.body.id);
      const reused = await post(exampleDocument({ externalId: 'INV-OTHER' }), headers);
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('revision_conflict');
      expect(reused.body.error.message).toContain('Idempotency-Key "erp-batch-7-item-1" was already used for invoice INV-IDEM revision 1');
      expect(await h.runtime.store.repos.records.findByNaturalKey('acme', 'INV-OTHER', 1)).toBeNull();
      const badKey = await post(exampleDocument({ externalId: 'INV-BADKEY' }), { 'idempotency-key': 'has spaces in it' });
      expect(badKey.status).toBe(400);
      expect(badKey.body.error.details[0].path).toBe('Idempotency-Key');
    });

    it('answers 400 naming every bad field at once', async () => {
      const doc = exampleDocument() as Record<string, any>;
      delete doc.externalId;
      doc.invoiceDate = '2026-02-30';
      doc.currency = 'eur';
      doc.customer = { ...doc.customer, email: 'not-an-email', address: { ...doc.customer.address, country: 'Finland' } };
      doc.lines = [
        { ...doc.lines[0], quantity: 'twelve', bookedQuantity: null, adjustment: null },
        { kind: 'hours', description: 'Support', quantity: '1', unitPrice: '-5', vatRate: '12,5' },
      ];
      const before = await h.runtime.store.repos.records.list('acme', {}, { limit: 1000 });
      const response = await post(doc);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      const paths = response.body.error.details.map((d: any) => d.path);
      for (const path of ['externalId', 'invoiceDate', 'currency', 'customer.email', 'customer.address.country', 'lines[0].quantity', 'lines[1].kind', 'lines[1].unitPrice', 'lines[1].vatRate']) {
        expect(paths, path).toContain(path);
        expect(response.body.error.message).toContain(path);
      }
      for (const d of response.body.error.details) expect(d.message.length).toBeGreaterThan(5);
      expect(await h.runtime.store.repos.records.list('acme', {}, { limit: 1000 })).toHaveLength(before.length);
    });

    it('takes numbers as exact decimals and computes totals per line', async () => {
      const doc = exampleDocument({ externalId: 'INV-NUMBERS' }) as Record<string, any>;
      doc.lines = [
        { ...doc.lines[0], quantity: 12, bookedQuantity: 10.75, adjustment: 1.25, unitPrice: 100.1, vatRate: 25.5 },
        { kind: 'goods', description: 'Cable', quantity: 3, unit: 'pcs', unitPrice: 0.1, vatRate: 25.5, product: { code: 'CABLE', name: 'Cable' } },
      ];
      const response = await post(doc);
      expect(response.status).toBe(202);
      // 12 × 100.1 = 1201.20 (VAT 306.306 → 306.31); 3 × 0.1 = 0.30 (VAT 0.0765 → 0.08).
      expect(response.body.totals).toEqual({ net: '1201.50', vat: '306.39', gross: '1507.89' });
      const record = await h.waitForStatus(key, response.body.id, ['synced', 'failed']);
      expect(record.status).toBe('synced');
      expect(record.lines.map((l: any) => [l.quantity, l.unitPrice, l.netAmount, l.vatAmount])).toEqual([
        ['12', '100.1', '1201.20', '306.31'],
        ['3', '0.1', '0.30', '0.08'],
      ]);
      const stored = sandbox.invoices().find((i) => i.id === record.providerInvoiceId)!;
      expect((stored.raw as any).totals).toEqual({ net: '1201.50', vat: '306.39', gross: '1507.89' });
    });

    it('answers 400, not 500, to a body that is not JSON or not an object', async () => {
      const broken = await h.api('POST', '/v1/invoices', { key, body: '{"externalId": "INV-1", ', headers: { 'content-type': 'application/json' } });
      expect(broken.status).toBe(400);
      expect(broken.body.error.code).toBe('invalid_json');
      const empty = await h.api('POST', '/v1/invoices', { key, body: '', headers: { 'content-type': 'application/json' } });
      expect(empty.status).toBe(400);
      const list = await post([1, 2, 3]);
      expect(list.status).toBe(400);
      const nothing = await post(null);
      expect(nothing.status).toBe(400);
    });

    it('is committed before the 202: an API without workers still has the record', async () => {
      const apiOnly = await startHarness({ role: 'api', shareWith: h });
      try {
        const response = await apiOnly.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'INV-COMMITTED' }) });
        expect(response.status).toBe(202);
        const row = await h.runtime.store.repos.records.getById(response.body.id);
        expect(row).toMatchObject({ status: 'queued', externalId: 'INV-COMMITTED', tenantId: 'acme' });
        expect((await h.runtime.store.repos.history.list(response.body.id)).map((e) => e.status)).toEqual(['queued']);
        await h.waitForStatus(key, response.body.id, ['synced']);
      } finally {
        await apiOnly.close();
      }
    });
  });

  describe('auth', () => {
    it('asks for a key (401), refuses a wrong role (403), and hides other tenants\' records (404)', async () => {
      const mine = await post(exampleDocument({ externalId: 'INV-AUTH' }));
      expect((await h.api('GET', '/v1/invoices')).status).toBe(401);
      expect((await h.api('POST', '/v1/invoices', { body: exampleDocument() })).status).toBe(401);
      expect((await h.api('GET', '/v1/invoices', { key: 'llk_not-a-key' })).status).toBe(401);
      expect((await h.api('GET', '/v1/invoices', { key: h.adminToken })).status).toBe(403);

      const hostOnConnections = await h.api('GET', '/v1/connections', { key: hostKey });
      expect(hostOnConnections.status).toBe(403);
      expect(hostOnConnections.body.error.message).toContain('admin');
      expect((await post(exampleDocument({ externalId: 'INV-BY-FINANCE' }), {}, financeKey)).status).toBe(403);
      expect((await h.api('POST', `/v1/invoices/${mine.body.id}/resync`, { key: hostKey })).status).toBe(403);
      expect((await h.api('POST', '/v1/tenants', { key, body: { id: 'evil', name: 'Evil' } })).status).toBe(403);
      expect((await h.api('GET', `/v1/invoices/${mine.body.id}`, { key: hostKey })).status).toBe(200);
      expect((await h.api('GET', `/v1/invoices/${mine.body.id}`, { key: financeKey })).status).toBe(200);

      const foreign = await h.api('GET', `/v1/invoices/${mine.body.id}`, { key: otherKey });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('not_found');
      expect((await h.api('POST', `/v1/invoices/${mine.body.id}/resync`, { key: otherKey })).status).toBe(404);
      expect((await h.api('GET', '/v1/invoices', { key: otherKey })).body.items.map((i: any) => i.id)).not.toContain(mine.body.id);
      // The same externalId at another tenant is that tenant's own invoice.
      expect((await post(exampleDocument({ externalId: 'INV-AUTH' }), {}, otherKey)).status).toBe(202);
    });
  });

  describe('the list', () => {
    it('filters by status, provider and time, newest first, page by page', async () => {
      await h.tenant('lister');
      const listerKey = (await h.api('POST', '/v1/tenants/lister/api-keys', { key: h.adminToken, body: { roles: ['host', 'finance', 'admin'] } })).body.key;
      await h.api('PUT', '/v1/connections/generic', { key: listerKey, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await post(exampleDocument({ externalId: `LIST-${i}` }), {}, listerKey);
        ids.push(r.body.id);
        await h.waitForStatus(listerKey, r.body.id, ['synced']);
      }
      sandbox.injectFault({ kind: 'unauthorized', times: 1 });
      const failing = await post(exampleDocument({ externalId: 'LIST-FAILS' }), {}, listerKey);
      ids.push(failing.body.id);
      await h.waitForStatus(listerKey, failing.body.id, ['failed']);
      const newestFirst = [...ids].reverse();

      const list = (query: string) => h.api('GET', `/v1/invoices${query}`, { key: listerKey });
      const all = await list('');
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: any) => i.id)).toEqual(newestFirst);
      expect(all.body.nextCursor).toBeNull();

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i: any) => i.id));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual(newestFirst);
      expect(pages).toBe(3);

      expect((await list('?status=failed')).body.items.map((i: any) => i.id)).toEqual([failing.body.id]);
      expect((await list('?status=synced,failed')).body.items).toHaveLength(6);
      expect((await list('?status=synced&limit=2')).body.items.map((i: any) => i.id)).toEqual(newestFirst.slice(1, 3));
      expect((await list('?provider=generic')).body.items).toHaveLength(6);
      expect((await list('?provider=procountor')).body.items).toEqual([]);

      const created = all.body.items.map((i: any) => i.createdAt as string).reverse();
      const window = await list(`?from=${encodeURIComponent(created[1]!)}&to=${encodeURIComponent(created[3]!)}`);
      expect(window.body.items.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
      expect((await list('?from=2999-01-01')).body.items).toEqual([]);
      // A day given as YYYY-MM-DD is included whole in `to`.
      const today = created[0]!.slice(0, 10);
      expect((await list(`?from=${today}&to=${today}`)).body.items).toHaveLength(all.body.items.length);

      const bad = await list('?status=done&provider=sap&limit=0');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: any) => d.path)).toEqual(expect.arrayContaining(['status[0]', 'provider', 'limit']));
    });
  });

  describe('operations', () => {
    it('answers /healthz and /readyz, and tags every answer with a request id', async () => {
      const health = await h.api('GET', '/healthz');
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(health.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
      expect((await h.api('GET', '/healthz', { headers: { 'x-request-id': 'host-trace-42' } })).headers['x-request-id']).toBe('host-trace-42');
      const failed = await h.api('GET', '/v1/invoices/nope', { key });
      expect(failed.status).toBe(404);
      expect(failed.headers['x-request-id']).toMatch(/^req_/);
      expect(await h.api('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', redis: { ok: true }, database: { ok: true } } });
    });

    it('says "not ready" when Redis cannot be reached', async () => {
      const noRedis = await startHarness({ role: 'api', shareWith: h, redisUrl: 'redis://127.0.0.1:1' });
      try {
        const ready = await noRedis.api('GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ status: 'not ready', redis: { ok: false }, database: { ok: true } });
      } finally {
        await noRedis.close();
      }
    });

    it('exports Prometheus metrics for intake, outcomes, queue depth and durations', async () => {
      const metrics = await h.api('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(String(metrics.headers['content-type'])).toContain('text/plain');
      const text = metrics.body as string;
      expect(text).toMatch(/ledgerlink_invoices_received_total\{result="accepted"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_invoices_received_total\{result="duplicate"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_invoices_received_total\{result="conflict"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_invoices_received_total\{result="rejected"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_sync_outcomes_total\{provider="generic",status="synced"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_queue_depth\{queue="sync",state="waiting"\} \d/);
      expect(text).toMatch(/ledgerlink_sync_duration_seconds_count\{provider="generic"\} [1-9]/);
      expect(text).toMatch(/ledgerlink_sync_records\{provider="generic",status="synced"\} [1-9]/);
    });

    it('publishes the OpenAPI document with every route', async () => {
      const docs = await h.api('GET', '/docs/json');
      expect(docs.status).toBe(200);
      expect(docs.body.openapi).toBe('3.1.0');
      const paths = Object.keys(docs.body.paths);
      for (const path of ['/v1/tenants', '/v1/tenants/{tenantId}/api-keys', '/v1/connections/{provider}', '/v1/connections', '/v1/webhook', '/v1/invoices', '/v1/invoices/preview', '/v1/invoices/{id}', '/v1/invoices/{id}/resync', '/v1/invoices/resync', '/healthz', '/readyz', '/metrics']) {
        expect(paths, path).toContain(path);
      }
      const body = docs.body.paths['/v1/invoices'].post.requestBody.content['application/json'].schema;
      expect(body.properties).toHaveProperty('externalId');
      expect(body.properties).toHaveProperty('lines');
      expect((await h.api('GET', '/docs')).status).toBeLessThan(400);
    });
  });
});

describe('outbound URLs when private addresses are not allowed', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ urlPolicy: { allowPrivateUrls: false } });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('acme');
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('refuses a connection to a loopback or private address, naming the field and the way out', async () => {
    for (const baseUrl of [sandbox.url, 'http://localhost:4010', 'http://10.1.2.3/api', 'http://[::1]:4010', 'http://169.254.169.254']) {
      const response = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl } });
      expect(response.status, baseUrl).toBe(400);
      expect(response.body.error.details[0]).toMatchObject({ path: 'baseUrl', code: 'url_not_allowed' });
      expect(response.body.error.details[0].message).toContain('ALLOW_PRIVATE_URLS=true');
    }
    expect((await h.api('GET', '/v1/connections', { key })).body.connections).toEqual([]);
    expect(sandbox.requests()).toEqual([]);
  });

  it('refuses a webhook to a private address and accepts a public one', async () => {
    const refused = await h.api('PUT', '/v1/webhook', { key, body: { url: 'http://127.0.0.1:9/hook' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toMatchObject({ path: 'url', code: 'url_not_allowed' });
    const accepted = await h.api('PUT', '/v1/webhook', { key, body: { url: 'https://93.184.216.34/hook' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.secret).toMatch(/^whsec_/);
  });

  it('checks again at sync time: a stored private address fails the sync with a message, and nothing is sent', async () => {
    await h.api('PUT', '/v1/webhook', { key, body: { url: 'https://93.184.216.34/hook' } }).catch(() => undefined);
    // As if saved while allowed (or the DNS answer changed since).
    await saveConnection(h.runtime.store.repos, new SecretBox(h.masterKey), 'acme', genericProvider, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000, createCustomers: true });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['failed', 'synced']);
    expect(record.status).toBe('failed');
    expect(record.lastError).toMatchObject({ code: 'url_not_allowed', category: 'validation' });
    expect(record.lastError.message).toContain(sandbox.url);
    expect(record.lastError.message).toContain('ALLOW_PRIVATE_URLS=true');
    expect(sandbox.requests()).toEqual([]);
  });
});

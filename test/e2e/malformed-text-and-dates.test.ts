import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate, which PostgreSQL
 * refuses in jsonb and which UTF-8 cannot carry into a text column), dates
 * outside what the database stores, and calendar dates that do not exist are
 * 400s naming the field — never a 500, never a silent roll-over to March.
 */
describe.each(['pglite', 'postgres'] as const)('malformed text and dates on %s', (database) => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ database, role: 'api' });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('bad-text');
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const expect400 = (r: { status: number; body: any }, ...paths: string[]) => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details.map((d: any) => d.path).sort()).toEqual([...paths].sort());
  };

  it('refuses a lone surrogate in any string of an invoice, naming every field, and stores nothing', async () => {
    const doc = exampleDocument({ externalId: 'SURROGATE-1', notes: 'before \ud800 after' }) as Record<string, any>;
    doc.customer.name = 'Esimerkki \udc00Oy';
    doc.lines[0].description = 'ok \ud83d\ude00 emoji, then a lone one \ud83d';
    doc.hostField = { nested: ['fine', 'x\udfff'] };
    const r = await h.api('POST', '/v1/invoices', { key, body: doc });
    expect400(r, 'notes', 'customer.name', 'lines[0].description', 'hostField.nested[1]');
    expect(r.body.error.details.every((d: any) => d.code === 'invalid_character')).toBe(true);
    expect(r.body.error.details[0].message).toMatch(/surrogate/);

    const preview = await h.api('POST', '/v1/invoices/preview', { key, body: doc });
    expect400(preview, 'notes', 'customer.name', 'lines[0].description', 'hostField.nested[1]');

    expect((await h.api('GET', '/v1/invoices', { key })).body.items).toEqual([]);
  });

  it('accepts well-formed text outside the Basic Multilingual Plane (a surrogate pair)', async () => {
    const r = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'SURROGATE-OK', notes: 'Kiitos \ud83d\ude00' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
  });

  it('refuses a lone surrogate in a key, a query, and the other routes\' bodies', async () => {
    expect400(await h.api('POST', '/v1/invoices', { key, body: { ...exampleDocument({ externalId: 'SURROGATE-2' }), ['k\ud800']: 1 } }), 'k\ufffd');
    expect400(
      await h.api('PUT', '/v1/product-mappings', { key, body: { scope: 'task', scopeId: 't\ud800', lineKind: 'goods', product: { code: 'X', name: 'Y', unit: 'pcs' } } }),
      'scopeId',
    );
    expect400(await h.api('PUT', '/v1/customer-links/cust-1', { key, body: { provider: 'generic', providerCustomerId: 'a\udbff' } }), 'providerCustomerId');
    expect400(await h.api('POST', '/v1/tenants', { key: h.adminToken, body: { id: 'surrogate', name: 'x\ud800' } }), 'name');
    expect400(await h.api('POST', '/v1/invoices/resync', { key, body: { status: 'failed\ud800' } }), 'status');
  });

  it('answers a path that is not percent-encoded UTF-8 (a lone surrogate\'s bytes) in the API\'s error shape, naming the URL', async () => {
    // Found by the fuzz suite: the router answered {"error":"Bad Request","code":"FST_ERR_BAD_URL"}, a shape of its own.
    const r = await h.api('GET', '/v1/invoices/%ED%A0%80', { key });
    expect400(r, 'url');
    expect(r.body.error.details[0].code).toBe('invalid_url');
  });

  it('refuses list filters outside the dates the database stores, naming the field', async () => {
    for (const value of ['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '0000-01-01', '10000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z']) {
      expect400(await h.api('GET', `/v1/invoices?from=${encodeURIComponent(value)}`, { key }), 'from');
      expect400(await h.api('GET', `/v1/invoices?to=${encodeURIComponent(value)}`, { key }), 'to');
      expect400(await h.api('POST', '/v1/invoices/resync', { key, body: { from: value, to: value } }), 'from', 'to');
    }
  });

  it('refuses days that do not exist instead of rolling them over', async () => {
    for (const value of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-02-30T10:00:00Z', '2026-01-01T24:30:00Z', '2026-01-01T10:61:00Z']) {
      expect400(await h.api('GET', `/v1/invoices?from=${encodeURIComponent(value)}`, { key }), 'from');
      expect400(await h.api('POST', '/v1/invoices/resync', { key, body: { to: value } }), 'to');
    }
    // Dates and times that exist still filter.
    for (const value of ['2024-02-29', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00.123+02:00', '2026-03-01T10:00Z']) {
      const r = await h.api('GET', `/v1/invoices?from=${encodeURIComponent(value)}`, { key });
      expect(r.status, `${value}: ${JSON.stringify(r.body)}`).toBe(200);
    }
  });

  it('refuses anything but an ISO 8601 date or time, which Date.parse would have guessed at', async () => {
    for (const value of ['March 3, 2026', '2026', '1', 'Tue Mar 03 2026', '2026-3-1']) {
      expect400(await h.api('GET', `/v1/invoices?from=${encodeURIComponent(value)}`, { key }), 'from');
    }
  });

  it('refuses invoice dates that do not exist or lie outside four-digit years', async () => {
    const r = await h.api('POST', '/v1/invoices', {
      key,
      body: exampleDocument({ externalId: 'DATES-1', invoiceDate: '2026-02-30', dueDate: '0000-12-31', period: { from: '2026-04-31', to: '2026-05-01' } as never }),
    });
    expect400(r, 'invoiceDate', 'dueDate', 'period.from');
  });
});

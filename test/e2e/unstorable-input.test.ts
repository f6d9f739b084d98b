import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Input the database cannot store (NUL characters, a revision beyond a
 * PostgreSQL integer) or the service cannot serialise (absurd nesting) is a
 * 400 naming the field on every route — never a 500, never a half-written row.
 */
describe.each(['pglite', 'postgres'] as const)('unstorable input on %s', (database) => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ database });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('bad-input');
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const expect400 = (r: { status: number; body: any }, path: string, code: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual([expect.objectContaining({ path, code })]);
  };

  it('refuses a NUL character in any field of an invoice, naming it, and stores nothing', async () => {
    expect400(await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'NUL\u0000ID' }) }), 'externalId', 'invalid_character');
    expect400(await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'NUL-2', notes: 'a\u0000b' }) }), 'notes', 'invalid_character');
    expect400(
      await h.api('POST', '/v1/invoices', { key, body: { ...exampleDocument({ externalId: 'NUL-3' }), hostField: { deep: ['ok', 'x\u0000'] } } }),
      'hostField.deep[1]',
      'invalid_character',
    );
    expect400(await h.api('POST', '/v1/invoices/preview', { key, body: exampleDocument({ externalId: 'NUL\u0000ID' }) }), 'externalId', 'invalid_character');
    const list = await h.api('GET', '/v1/invoices', { key });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  it('refuses a NUL character in path and query parameters and in the other routes\' bodies', async () => {
    expect400(await h.api('GET', '/v1/invoices?cursor=%00', { key }), 'cursor', 'invalid_character');
    expect400(await h.api('GET', '/v1/invoices/%00', { key }), 'id', 'invalid_character');
    expect400(await h.api('GET', '/v1/customer-links/a%00', { key }), 'customerExternalId', 'invalid_character');
    expect400(await h.api('PUT', '/v1/webhook', { key, body: { url: 'http://127.0.0.1:1/x\u0000' } }), 'url', 'invalid_character');
    expect400(
      await h.api('PUT', '/v1/product-mappings', { key, body: { scope: 'task', scopeId: 'a\u0000', lineKind: 'goods', product: { code: 'X', name: 'Y', unit: 'pcs' } } }),
      'scopeId',
      'invalid_character',
    );
    expect400(await h.api('POST', '/v1/tenants', { key: h.adminToken, body: { id: 'nul-tenant', name: 'a\u0000' } }), 'name', 'invalid_character');
  });

  it('refuses absurdly nested host fields with a 400 instead of overflowing the stack', async () => {
    const depth = 20_000;
    const payload = `${JSON.stringify(exampleDocument({ externalId: 'DEEP-1' })).slice(0, -1)},"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const r = await h.runtime.app!.inject({
      method: 'POST',
      url: '/v1/invoices',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload,
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(JSON.parse(r.body).error.details[0]).toMatchObject({ code: 'too_deep' });
    // Ordinary nesting of a host's own fields is still accepted.
    const ok = await h.api('POST', '/v1/invoices', { key, body: { ...exampleDocument({ externalId: 'DEEP-2' }), extra: { a: { b: { c: [1, [2, [3]]] } } } } });
    expect(ok.status).toBe(202);
  });

  it('refuses a revision beyond what the database stores with a 400 on the field', async () => {
    const r = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'BIG-REV', revision: 3_000_000_000 }) });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details).toEqual([expect.objectContaining({ path: 'revision' })]);
  });
});

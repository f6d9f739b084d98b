import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Found by the fuzz suite: a path parameter named like an Object.prototype
 * member (`PUT /v1/connections/toString`) was looked up in the provider
 * registry as if it were a provider, and answered 500. Such names are ids like
 * any other: a 404 for a provider that does not exist, never a 500.
 */
describe('names of Object.prototype members in paths, queries and bodies', () => {
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ role: 'api' });
    key = await h.tenant('proto');
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'])('PUT /v1/connections/%s is an unknown provider (404)', async (name) => {
    const r = await h.api('PUT', `/v1/connections/${name}`, { key, body: { baseUrl: 'http://10.0.0.1:9' } });
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    expect(r.body.error.code).toBe('unknown_provider');
  });

  it('prototype names elsewhere are plain values', async () => {
    expect((await h.api('GET', '/v1/customer-links/__proto__', { key })).status).toBe(404);
    expect((await h.api('GET', '/v1/invoices/constructor', { key })).status).toBe(404);
    const listed = await h.api('GET', '/v1/invoices?provider=toString', { key });
    expect(listed.status).toBe(400);
    expect(listed.body.error.details.map((d: any) => d.path)).toEqual(['provider']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/** CONTRACT.md writes the list route as `GET /v1/invoices?status=&provider=&from=&to=&cursor=`. */
describe('the list route with the contract\'s empty filters', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ role: 'api' });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('list-query');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('reads an empty filter as no filter, and still refuses a bad one', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'LIST-EMPTY' }) });
    expect(posted.status).toBe(202);
    const r = await h.api('GET', '/v1/invoices?status=&provider=&from=&to=&cursor=', { key });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.map((i: any) => i.id)).toEqual([posted.body.id]);
    const limited = await h.api('GET', '/v1/invoices?limit=&provider=generic', { key });
    expect(limited.status).toBe(200);
    expect(limited.body.items).toHaveLength(1);
    const bad = await h.api('GET', '/v1/invoices?provider=nope', { key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('provider');
  });
});

import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine } from '../support/generic-spine.js';
import type { Harness } from '../support/harness.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Fault drills against the generic sandbox: whatever the provider does, each
 * invoice ends with exactly one copy there, and the record tells a finance
 * person what happened.
 */
describe('drills: the provider misbehaves', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  let webhookSecret: string;

  const createPosts = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
  const lookups = () => sandbox.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/invoices?reference=')).length;
  const copiesOf = (record: { reference: string }) => sandbox.invoices().filter((i) => i.reference === record.reference);
  const post = async (externalId: string) => {
    const response = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId }) });
    expect(response.status).toBe(202);
    return response.body.id as string;
  };
  const steps = (record: any) => record.attempts.map((a: any) => [a.outcome, ...a.steps.map((s: any) => s.step)]);
  const eventsFor = (id: string) => receiver.verified(webhookSecret).filter((e) => e.json.data.id === id).map((e) => e.json.type);

  beforeAll(async () => {
    const spine = await startGenericSpine();
    ({ h, sandbox, receiver, key, webhookSecret } = spine);
    expect(spine.connection.status).toBe(200);
  });
  afterEach(() => {
    sandbox.clearFaults();
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.restore();
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  it('a timeout after the provider stored the invoice: in doubt, looked up, adopted — one copy', async () => {
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 10_000, times: 1 });
    const posts = createPosts();
    const id = await post('DRILL-TIMEOUT');
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(copiesOf(record)).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(copiesOf(record)[0]!.id);
    expect(record.providerInvoiceNumber).toBe(copiesOf(record)[0]!.number);
    expect(createPosts() - posts).toBe(1);
    expect(record.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'in_doubt', 'synced']);
    const doubt = record.history.find((e: any) => e.status === 'in_doubt');
    expect(doubt.error).toMatchObject({ code: 'provider_timeout', category: 'unknown_outcome' });
    expect(doubt.error.message).toMatch(/did not answer in time.*check before trying again/);
    expect(steps(record)).toEqual([
      ['in_doubt', 'prepare', 'create sent', 'in_doubt'],
      ['adopted', 'lookup', 'adopted'],
    ]);
    expect(record.history.at(-1).message).toBe('found at the provider and adopted');
    // Each attempt keeps its exchanges, with the signature and the connection's secret redacted.
    const [create] = record.attempts[0].exchanges;
    expect(create).toMatchObject({ method: 'POST', label: 'create the invoice', status: null });
    expect(create.error).toMatch(/ETIMEDOUT|ECONNABORTED/);
    expect(create.requestHeaders['webhook-signature']).toBe('[redacted]');
    expect(create.requestHeaders['idempotency-key']).toBe(record.reference);
    expect(JSON.parse(create.requestBody).totals).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
    expect(record.attempts[1].exchanges.map((e: any) => [e.method, e.status])).toEqual([['GET', 200]]);
    expect(JSON.stringify(record)).not.toContain(String(sandbox.credentials.secret).slice(6));
    expect(record.lastError).toBeNull();
    await receiver.waitFor(() => eventsFor(id).includes('invoice.synced'));
    expect(eventsFor(id)).toEqual(['invoice.queued', 'invoice.in_doubt', 'invoice.synced']);
  });

  it('a connection reset after the provider stored the invoice: the same, one copy', async () => {
    sandbox.injectFault({ kind: 'reset_after_store', times: 1 });
    const posts = createPosts();
    const id = await post('DRILL-RESET');
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(copiesOf(record)).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(copiesOf(record)[0]!.id);
    expect(createPosts() - posts).toBe(1);
    const doubt = record.history.find((e: any) => e.status === 'in_doubt');
    expect(doubt.error).toMatchObject({ code: 'provider_connection_lost', category: 'unknown_outcome' });
    expect(steps(record).at(-1)).toEqual(['adopted', 'lookup', 'adopted']);
  });

  it('a 5xx on create that stored nothing: in doubt, lookup finds nothing, created once', async () => {
    sandbox.injectFault({ kind: 'server_error', status: 500, times: 1 });
    const posts = createPosts();
    const looked = lookups();
    const id = await post('DRILL-5XX');
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(copiesOf(record)).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(copiesOf(record)[0]!.id);
    expect(createPosts() - posts).toBe(2);
    expect(lookups() - looked).toBe(1);
    expect(record.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'in_doubt', 'syncing', 'synced']);
    expect(record.history[2].error).toMatchObject({ code: 'generic_server_error', status: 500 });
    expect(steps(record), JSON.stringify(record.attempts, null, 1)).toEqual([
      ['in_doubt', 'prepare', 'create sent', 'in_doubt'],
      ['created', 'lookup', 'not found', 'prepare', 'create sent', 'created'],
    ]);
  });

  it('a rate limit: retrying at the time the provider gave, then synced, with no lookup needed', async () => {
    sandbox.injectFault({ kind: 'rate_limit', retryAfterSeconds: 2, times: 1 });
    const looked = lookups();
    const posted = Date.now();
    const id = await post('DRILL-429');
    const waiting = await h.waitForStatus(key, id, ['retrying', 'synced', 'failed']);
    expect(waiting.status).toBe('retrying');
    expect(waiting.lastError).toMatchObject({ code: 'generic_rate_limited', category: 'rate_limit', status: 429 });
    expect(waiting.lastError.message).toContain('try again in 2 s');
    const next = Date.parse(waiting.nextAttemptAt);
    expect(next).toBeGreaterThanOrEqual(posted + 2000);
    expect(next).toBeLessThanOrEqual(Date.now() + 2000);
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(Date.parse(record.syncedAt)).toBeGreaterThanOrEqual(next - 50);
    expect(copiesOf(record)).toHaveLength(1);
    // The provider answered "not now": nothing was created, so nothing is in doubt.
    expect(record.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'retrying', 'syncing', 'synced']);
    expect(lookups() - looked).toBe(0);
    await receiver.waitFor(() => eventsFor(id).includes('invoice.synced'));
    expect(eventsFor(id)).toEqual(['invoice.queued', 'invoice.retrying', 'invoice.synced']);
  });

  it('a validation refusal (422): failed with the provider\'s words; resynced after the fix, created once', async () => {
    // One refusal; every other request goes through to the sandbox.
    nock(sandbox.url, { allowUnmocked: true })
      .post('/invoices')
      .reply(422, { error: { code: 'invalid_invoice', message: 'customer.businessId 1234567-1 is not registered in this ledger', details: [{ path: 'customer.businessId', message: 'is not registered in this ledger' }] } });
    const id = await post('DRILL-422');
    const failed = await h.waitForStatus(key, id, ['failed', 'synced']);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatchObject({ code: 'generic_rejected', category: 'validation', status: 422, details: [{ path: 'customer.businessId', message: 'is not registered in this ledger' }] });
    expect(failed.lastError.message).toBe('The accounting endpoint refused the invoice (HTTP 422): customer.businessId 1234567-1 is not registered in this ledger. Fix the invoice and resync it.');
    expect(failed.nextAttemptAt).toBeNull();
    expect(sandbox.invoices().filter((i) => i.reference === failed.reference)).toHaveLength(0);
    expect(nock.isDone()).toBe(true);

    // The ledger is fixed; finance resyncs.
    const looked = lookups();
    const resync = await h.api('POST', `/v1/invoices/${id}/resync`, { key });
    expect(resync.status).toBe(202);
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(copiesOf(record)).toHaveLength(1);
    expect(record.lastError).toBeNull();
    // A refusal settled that nothing was created: no lookup, no "in doubt" along the way.
    expect(lookups() - looked).toBe(0);
    expect(record.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'failed', 'queued', 'syncing', 'synced']);
    await receiver.waitFor(() => eventsFor(id).includes('invoice.synced'));
    expect(eventsFor(id)).toEqual(['invoice.queued', 'invoice.failed', 'invoice.queued', 'invoice.synced']);
  });

  it('wrong credentials: failed, and the connection shows as unhealthy until it works again', async () => {
    sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    const id = await post('DRILL-401');
    const failed = await h.waitForStatus(key, id, ['failed', 'synced']);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatchObject({ code: 'generic_auth', category: 'auth', status: 401 });
    expect(failed.lastError.message).toMatch(/refused the Accounting endpoint connection of tenant "acme" \(HTTP 401\).*signing secret/);
    const connections = await h.api('GET', '/v1/connections', { key });
    expect(connections.body.connections[0].settings).toMatchObject({ baseUrl: sandbox.url, secret: '[set]', timeoutMs: 1000 });
    expect(JSON.stringify(connections.body)).not.toContain(String(sandbox.credentials.secret).slice(6));
    const health = connections.body.connections[0].health;
    expect(health).toMatchObject({ healthy: false, lastError: { code: 'generic_auth' } });
    expect(health.lastErrorAt).not.toBeNull();
    expect(copiesOf(failed)).toHaveLength(0);

    // The admin fixes the secret (saving checks it), finance resyncs.
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    expect(saved.body.health.healthy).toBe(true);
    await h.api('POST', `/v1/invoices/${id}/resync`, { key });
    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(copiesOf(record)).toHaveLength(1);
  });

  it('a secret changed at the endpoint after saving: the signature is refused, failed, unhealthy', async () => {
    const other = await startGenericSandbox({ port: 0, secret: 'whsec_' + Buffer.from('a-different-secret-for-the-sandbox').toString('base64') });
    try {
      await h.tenant('rotated');
      const rotatedKey = (await h.api('POST', '/v1/tenants/rotated/api-keys', { key: h.adminToken, body: { roles: ['host', 'admin', 'finance'] } })).body.key;
      // Saved while the endpoint still knew our secret ...
      const saved = await h.api('PUT', '/v1/connections/generic', { key: rotatedKey, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
      expect(saved.status).toBe(200);
      // ... then the endpoint moved to another secret (same connection row, new address to the rotated endpoint).
      await h.runtime.store.db.query(`update connections set settings = jsonb_set(settings, '{baseUrl}', to_jsonb($1::text)) where tenant_id = 'rotated'`, [other.url]);
      const posted = await h.api('POST', '/v1/invoices', { key: rotatedKey, body: exampleDocument({ externalId: 'DRILL-ROTATED' }) });
      const record = await h.waitForStatus(rotatedKey, posted.body.id, ['failed', 'synced']);
      expect(record.status).toBe('failed');
      expect(record.lastError).toMatchObject({ category: 'auth', status: 401 });
      expect(record.lastError.message).toContain('webhook-signature does not verify');
      expect((await h.api('GET', '/v1/connections', { key: rotatedKey })).body.connections[0].health.healthy).toBe(false);
      expect(other.invoices()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

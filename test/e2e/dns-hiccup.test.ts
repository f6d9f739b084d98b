import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider, startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { saveConnection } from '../../src/sync/connection-store.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 9 item 8 end to end: with private addresses refused (production's
 * policy), a connection whose host name does not resolve at the moment used
 * to fail the invoice with url_not_allowed — even one in doubt, whose lookup
 * then never happened. Now it retries, and syncs once the name resolves again.
 */
describe('a DNS hiccup is retried, never a failure', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  const unresolvable = 'http://books.ledgerlink-dns-test.invalid:4010';

  const connectTo = (baseUrl: string) =>
    saveConnection(h.runtime.store.repos, new SecretBox(h.masterKey), 'dns', genericProvider, { baseUrl, secret: sandbox.credentials.secret, timeoutMs: 1000, createCustomers: true });

  beforeAll(async () => {
    sandbox = await startGenericSandbox({ port: 0 });
    h = await startHarness({ urlPolicy: { allowPrivateUrls: false, allowedOrigins: [new URL(sandbox.url).origin] } });
    key = await h.tenant('dns');
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('an invoice whose provider host does not resolve right now is retrying (transient), not failed', async () => {
    await connectTo(unresolvable);
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'DNS-1' }) });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['retrying', 'failed', 'synced']);
    expect(record.status, JSON.stringify(record.lastError)).toBe('retrying');
    expect(record.lastError).toMatchObject({ code: 'provider_dns_unresolved', category: 'transient' });
    expect(record.lastError.message).toContain('books.ledgerlink-dns-test.invalid');

    // The name resolves again: a resync (or the next retry) syncs it.
    await connectTo(sandbox.url);
    expect((await h.api('POST', `/v1/invoices/${posted.body.id}/resync`, { key })).status).toBe(202);
    expect((await h.waitForStatus(key, posted.body.id, ['synced', 'failed'])).status).toBe('synced');
  });

  it('an in-doubt invoice whose lookup meets a DNS failure stays in doubt, then is found — never created twice', async () => {
    await connectTo(sandbox.url);
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 3000, times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'DNS-2' }) });
    expect(posted.status).toBe(202);
    await h.waitForStatus(key, posted.body.id, ['in_doubt']);
    const stored = sandbox.invoices().length;

    await connectTo(unresolvable);
    // The lookup runs (after the settle time) and meets the DNS failure.
    const deadline = Date.now() + 20_000;
    let record: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      record = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body;
    } while (record.lastError?.code !== 'provider_dns_unresolved' && record.status !== 'failed' && Date.now() < deadline);
    expect(record.status, JSON.stringify(record.lastError)).toBe('in_doubt');
    expect(record.lastError).toMatchObject({ code: 'provider_dns_unresolved', category: 'transient' });

    await connectTo(sandbox.url);
    expect((await h.api('POST', `/v1/invoices/${posted.body.id}/resync`, { key })).status).toBe(202);
    const synced = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(synced.status).toBe('synced');
    expect(sandbox.invoices().length).toBe(stored);
  });
});

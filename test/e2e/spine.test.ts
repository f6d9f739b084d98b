import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

describe('the spine, end to end with the generic sandbox', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  let webhookSecret: string;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    receiver = await new WebhookReceiver().start();
    key = await h.tenant('acme');
    const conn = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    expect(conn.status).toBe(200);
    const hook = await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } });
    expect(hook.status).toBe(200);
    webhookSecret = hook.body.secret;
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  it('syncs the example with exactly one provider call and reports queued then synced, signed', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
    expect(posted.status).toBe(202);
    expect(posted.body.status).toBe('queued');
    expect(posted.body.totals).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(record.providerInvoiceId).toBe(sandbox.invoices()[0]!.id);
    expect(sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices')).toHaveLength(1);
    await receiver.waitFor((events) => events.some((e) => e.json?.type === 'invoice.synced'));
    const verified = receiver.verified(webhookSecret);
    expect(verified.map((e) => e.json.type)).toEqual(expect.arrayContaining(['invoice.queued', 'invoice.synced']));
    expect(verified).toHaveLength(receiver.received.length);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { createOutboundHttp } from '../../providers/http/outbound-http.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 9 item 9: axios honours HTTP_PROXY / HTTPS_PROXY, so with one set the
 * connect-time address guard checked the proxy, not the provider or webhook
 * actually called — and the proxy saw every credential. Outbound calls now
 * never use a proxy, whatever the environment says.
 */
describe('outbound calls ignore HTTP(S)_PROXY', () => {
  let proxy: Server;
  const proxied: string[] = [];
  const saved: Record<string, string | undefined> = {};
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let key: string;

  beforeAll(async () => {
    // A "proxy" that answers everything itself: a request that went through it is visible here.
    proxy = createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"from-the-proxy"}');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy']) saved[name] = process.env[name];
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) process.env[name] = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;

    sandbox = await startGenericSandbox({ port: 0 });
    receiver = await new WebhookReceiver().start();
    h = await startHarness();
    key = await h.tenant('proxy');
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('a provider call goes straight to the provider', async () => {
    const http = createOutboundHttp({ providerName: 'Accounting endpoint', urlPolicy: { allowPrivateUrls: true }, timeoutMs: 2000 });
    const response = await http.send({ method: 'GET', url: `${sandbox.url}/invoices?reference=nothing`, write: false, label: 'find invoice' });
    // The sandbox answered (it wants a signed request: 401), not the proxy.
    expect(response.status).toBe(401);
    expect(sandbox.requests().map((r) => `${r.method} ${r.path}`)).toContain('GET /invoices?reference=nothing');
    expect(proxied).toEqual([]);
  });

  it('an invoice syncs and its status events are delivered without touching the proxy', async () => {
    expect((await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } })).status).toBe(200);
    expect((await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } })).status).toBe(200);
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'PROXY-1' }) });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
    expect(record.providerInvoiceId).not.toBe('from-the-proxy');
    expect(sandbox.invoices()).toHaveLength(1);
    const deadline = Date.now() + 15_000;
    while (receiver.received.filter((e) => e.json?.type === 'invoice.synced').length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(receiver.received.map((e) => e.json?.type)).toContain('invoice.synced');
    expect(proxied).toEqual([]);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** Status events reach the host: signed, the same id on every try, retried until 2xx, every try logged. */
describe('status events to the host', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  // The catalog's delays (2 s doubling) shortened, the shape unchanged.
  const retry = { baseMs: 100, maxMs: 1000, maxAttempts: 4 };

  beforeAll(async () => {
    h = await startHarness({ webhookRetry: retry, webhookTimeoutMs: 800 });
    sandbox = await startGenericSandbox({ port: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const tenantWithHook = async (id: string, url: string) => {
    const key = await h.tenant(id);
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    const hook = await h.api('PUT', '/v1/webhook', { key, body: { url } });
    expect(hook.status).toBe(200);
    return { key, secret: hook.body.secret as string };
  };

  it('retries until 2xx: delivered on the 3rd try, the same webhook-id each time, every try signed and logged', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      receiver.failEachEvent(2, 500);
      const { key, secret } = await tenantWithHook('retrying', receiver.url);
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
      await h.waitForStatus(key, posted.body.id, ['synced']);
      await receiver.waitFor((events) => events.filter((e) => e.json?.type === 'invoice.synced').length === 3);
      await receiver.waitFor((events) => events.filter((e) => e.json?.type === 'invoice.queued').length === 3);

      // The receiver answered the third try; the worker records it right after: wait for that.
      let record: any;
      const deadline = Date.now() + 10_000;
      do {
        record = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body;
        if (record.events.every((e: any) => e.status !== 'pending')) break;
        await new Promise((r) => setTimeout(r, 25));
      } while (Date.now() < deadline);
      expect(record.events.map((e: any) => [e.type, e.status, e.attempts, e.lastStatus])).toEqual([
        ['invoice.queued', 'delivered', 3, 204],
        ['invoice.synced', 'delivered', 3, 204],
      ]);
      for (const event of record.events) {
        expect(event.deliveredAt).not.toBeNull();
        const tries = receiver.tries(event.id);
        expect(tries).toHaveLength(3);
        expect(new Set(tries.map((t) => t.body)).size).toBe(1);
        expect(receiver.verified(secret).filter((t) => t.headers['webhook-id'] === event.id)).toHaveLength(3);
        // Backoff between tries: about 100 ms, then about 200 ms (±20 %).
        expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(75);
        expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(155);
        const log = await h.runtime.store.repos.webhooks.attempts(event.id);
        expect(log.map((a) => [a.status, a.error])).toEqual([
          [500, 'HTTP 500'],
          [500, 'HTTP 500'],
          [204, null],
        ]);
        expect(log.every((a) => a.url === receiver.url)).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  });

  it('sends the body CONTRACT.md describes, with headers a Standard Webhooks receiver checks', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const { key, secret } = await tenantWithHook('contract', receiver.url);
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
      const record = await h.waitForStatus(key, posted.body.id, ['synced']);
      await receiver.waitFor((events) => events.some((e) => e.json?.type === 'invoice.synced'));
      const synced = receiver.verified(secret).find((e) => e.json.type === 'invoice.synced')!;
      expect(synced.headers['content-type']).toBe('application/json');
      expect(synced.headers['webhook-id']).toMatch(/^msg_[0-9A-Z]{26}$/);
      expect(Math.abs(Number(synced.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(synced.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(synced.json.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(synced.json).toMatchObject({
        type: 'invoice.synced',
        data: {
          id: record.id,
          externalId: 'INV-2026-0042',
          revision: 1,
          status: 'synced',
          provider: 'generic',
          providerInvoiceId: record.providerInvoiceId,
          providerInvoiceNumber: record.providerInvoiceNumber,
          lastError: null,
        },
      });
      const queued = receiver.verified(secret).find((e) => e.json.type === 'invoice.queued')!;
      expect(queued.json.data).toMatchObject({ status: 'queued', providerInvoiceId: null });
      expect(queued.headers['webhook-id']).not.toBe(synced.headers['webhook-id']);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the retry budget when the host never answers, and says why', async () => {
    const gone = await new WebhookReceiver().start();
    const url = gone.url;
    await gone.close();
    const { key } = await tenantWithHook('unreachable', url);
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
    await h.waitForStatus(key, posted.body.id, ['synced']);
    const deadline = Date.now() + 10_000;
    let events: any[] = [];
    while (Date.now() < deadline) {
      events = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.events;
      if (events.length === 2 && events.every((e) => e.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const event of events) {
      expect(event).toMatchObject({ status: 'failed', attempts: retry.maxAttempts, lastStatus: null, deliveredAt: null });
      expect(event.lastError).toMatch(/ECONNREFUSED/);
    }
    // Nothing more is tried, not even by the sweep.
    await h.runtime.sweepNow();
    await new Promise((r) => setTimeout(r, 300));
    const after = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.events;
    expect(after.map((e: any) => e.attempts)).toEqual([retry.maxAttempts, retry.maxAttempts]);
  });

  it('a receiver that answers one byte at a time: each try ends at its deadline, is logged, and is tried again', { timeout: 30_000 }, async () => {
    // Headers at once, then the body trickles in forever: the socket timeout never fires on its own.
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    try {
      const { key } = await tenantWithHook('trickling', `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/hook`);
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument() });
      await h.waitForStatus(key, posted.body.id, ['synced']);
      const deadline = Date.now() + 20_000;
      let events: any[] = [];
      while (Date.now() < deadline) {
        events = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.events;
        if (events.length === 2 && events.every((e) => e.attempts >= 2)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const event of events) {
        expect(event.attempts).toBeGreaterThanOrEqual(2);
        expect(event.status).not.toBe('delivered');
        expect(event.lastError).toMatch(/no complete answer within 800 ms/);
      }
    } finally {
      trickle.closeAllConnections();
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });
});

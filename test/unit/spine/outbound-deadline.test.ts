import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../../../providers/errors/unknown-outcome-error.js';
import { createOutboundHttp } from '../../../providers/http/outbound-http.js';

/**
 * Issue 9.2: every outbound call has a hard overall deadline that covers the
 * body, and a cap on the response size. A provider that sends its headers and
 * then trickles the body one byte at a time used to hold a worker (and the
 * record in `syncing`) for as long as it liked: the socket timeout restarts
 * with every byte.
 */
describe('outbound calls: a hard deadline and a size cap', () => {
  let server: Server;
  let base = '';
  const open = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/trickle')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const timer = setInterval(() => res.write(' '), 100);
        open.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (req.url?.startsWith('/huge')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < 64 && res.write(chunk)) sent += 1;
          if (sent < 64) res.once('drain', pump);
          else res.end('1');
        };
        pump();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const t of open) clearInterval(t);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const http = (timeoutMs: number, maxResponseBytes?: number) =>
    createOutboundHttp({ providerName: 'Test', urlPolicy: { allowPrivateUrls: true }, timeoutMs, ...(maxResponseBytes ? { maxResponseBytes } : {}) });

  it('a read whose body trickles in ends at its deadline, as a transient error', { timeout: 10_000 }, async () => {
    const started = Date.now();
    const error = await http(800)
      .send({ method: 'GET', url: `${base}/trickle`, write: false, label: 'read' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderError).code).toBe('provider_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a write whose answer trickles in ends at its deadline, as an unknown outcome (it may have been done)', { timeout: 10_000 }, async () => {
    const error = await http(800)
      .send({ method: 'POST', url: `${base}/trickle`, body: { a: 1 }, write: true, label: 'create the invoice' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect((error as ProviderError).message).toMatch(/did not answer in time/);
  });

  it('an answer larger than the cap is refused instead of filling the memory', { timeout: 20_000 }, async () => {
    const error = await http(15_000, 4 * 1024 * 1024)
      .send({ method: 'GET', url: `${base}/huge`, write: false, label: 'read' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('provider_answer_too_large');
    expect((error as ProviderError).message).toMatch(/larger than 4 MiB/);
  });

  it('a run that was told to stop (its lease is gone) aborts the call in flight with that reason', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const send = createOutboundHttp({ providerName: 'Test', urlPolicy: { allowPrivateUrls: true }, timeoutMs: 30_000, signal: controller.signal }).send({
      method: 'GET',
      url: `${base}/trickle`,
      write: false,
      label: 'read',
    });
    const reason = new Error('lost the lease');
    setTimeout(() => controller.abort(reason), 200);
    await expect(send).rejects.toBe(reason);
  });

  it('an ordinary answer is unaffected', async () => {
    const response = await http(2000).send<{ ok: boolean }>({ method: 'GET', url: `${base}/ok`, write: false, label: 'read' });
    expect(response.data).toEqual({ ok: true });
  });
});

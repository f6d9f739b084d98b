import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_SANDBOX_SECRET, genericProvider, startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import type { Provider } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Races that must never give the provider a second copy: several runs of one
 * record in the same worker process (BullMQ concurrency > 1 shares a process).
 */
describe('exactly once under concurrent runs of one record', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  // The lookup waits here, so a second run can start while the first is looking up.
  let gate: Promise<void> = Promise.resolve();
  let openGate: () => void = () => undefined;
  let lookupsStarted = 0;

  const slowLookup: Provider<any, any> = {
    ...genericProvider,
    async findByReference(ctx, invoice, hints) {
      lookupsStarted += 1;
      await gate;
      return genericProvider.findByReference(ctx, invoice, hints);
    },
  };

  const createPosts = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
  const waitUntil = async (what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await predicate()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting until ${what}`);
  };

  beforeAll(async () => {
    // Several jobs at once in one process, as `npm start` runs them (concurrency 8).
    h = await startHarness({ concurrency: 4, sweepIntervalMs: 600_000, registry: { generic: slowLookup } });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('race');
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    openGate();
    await h?.close();
    await sandbox?.close();
  });

  it('a resync while the in-doubt lookup runs does not start a second run: one copy, one create after the lookup', async () => {
    // The first create fails with a 5xx that stored nothing: in doubt, then a lookup.
    sandbox.injectFault({ kind: 'server_error', status: 500, times: 1 });
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const posts = createPosts();
    const started = lookupsStarted;
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'RACE-RESYNC' }) });
    expect(posted.status).toBe(202);
    const id = posted.body.id as string;

    await waitUntil('the lookup is under way', () => lookupsStarted > started);
    const resync = await h.api('POST', `/v1/invoices/${id}/resync`, { key });
    expect(resync.status).toBe(202);
    // A worker holds the record: the resync leaves it alone (no restart in its history).
    expect(resync.body.status).toBe('in_doubt');
    const during = await h.api('GET', `/v1/invoices/${id}`, { key });
    expect(during.body.history.map((e: { message: string | null }) => e.message)).not.toContain('resync requested');
    // Give any job the resync might have queued time to be picked up by the same process's worker.
    await new Promise((r) => setTimeout(r, 500));
    openGate();

    const record = await h.waitForStatus(key, id, ['synced', 'failed']);
    await new Promise((r) => setTimeout(r, 500));
    expect(record.status).toBe('synced');
    const copies = sandbox.invoices().filter((i) => i.reference === record.reference);
    expect(copies).toHaveLength(1);
    // The 5xx create, then exactly one create after the lookup found nothing.
    expect(createPosts() - posts).toBe(2);
    expect(lookupsStarted - started).toBe(1);
  });
});

/**
 * A provider that is still working when ledgerlink stops waiting: it stores the
 * invoice only after the client timed out and after the first lookup. "Not
 * found" must not be believed until the provider had time to finish (twice the
 * request timeout after the create was sent), or the invoice is posted twice.
 */
describe('exactly once when the provider stores the invoice late', () => {
  let h: Harness;
  let key: string;
  let url: string;
  const stored: Array<{ id: string; reference: string }> = [];
  let posts = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://endpoint');
      if (req.method === 'GET' && u.pathname === '/invoices') {
        const hit = stored.find((s) => s.reference === u.searchParams.get('reference'));
        res.writeHead(hit ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(hit ?? { message: 'not found' }));
        return;
      }
      posts += 1;
      const reference = String(req.headers['idempotency-key']);
      const save = () => {
        const id = `S-${stored.length + 1}`;
        stored.push({ id, reference });
        return id;
      };
      // The first create is stored 9.5 s after it arrived: after the 5 s client timeout and
      // after the first lookup (about 3 s later), but before 2 × 5 s + 1 s have passed.
      if (posts === 1) {
        setTimeout(() => {
          const id = save();
          if (!res.destroyed) res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        }, 9500);
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: save() }));
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startHarness();
    key = await h.tenant('late');
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: url, secret: GENERIC_SANDBOX_SECRET, timeoutMs: 5000 } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    server.closeAllConnections();
    server.close();
  });

  it('keeps looking until the provider had time to finish, then adopts: one copy', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'LATE-1' }) });
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed'], 30_000);
    expect(record.status).toBe('synced');
    expect(posts).toBe(1);
    expect(stored).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(stored[0]!.id);
    const steps = record.attempts.flatMap((a: { steps: Array<{ step: string }> }) => a.steps.map((s) => s.step));
    expect(steps).toContain('not found yet');
    expect(steps).toContain('adopted');
  }, 60_000);
});

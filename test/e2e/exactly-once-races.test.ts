import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider, startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
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
    // Give the resync's job time to be picked up by the same process's worker.
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 10: one tenant's backlog never holds up another tenant. Work is served
 * connection by connection in turns, and a sync that must wait for its
 * connection's request budget leaves the worker instead of sleeping in it.
 */
describe('fair scheduling across tenants', () => {
  let h: Harness;
  let slowBooks: RunningSandbox;
  let fastBooks: RunningGenericSandbox;
  let backlogKey: string;
  let otherKey: string;

  beforeAll(async () => {
    // Few worker slots, so a tenant that took them all would be seen.
    h = await startHarness({ concurrency: 2 });
    slowBooks = await startProcountorSandbox({ port: 0 });
    fastBooks = await startGenericSandbox({ port: 0 });
    backlogKey = await h.tenant('month-end');
    otherKey = await h.tenant('small-shop');
    // Two requests a second: the backlog tenant's budget, not the workers, is what limits it.
    const saved = await h.api('PUT', '/v1/connections/procountor', { key: backlogKey, body: { baseUrl: slowBooks.url, ...slowBooks.credentials, requestsPerSecond: 2 } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await h.api('PUT', '/v1/connections/generic', { key: otherKey, body: { baseUrl: fastBooks.url, secret: fastBooks.credentials.secret } });
  });
  afterAll(async () => {
    await h?.close();
    await slowBooks?.close();
    await fastBooks?.close();
  });

  it("a tenant's single invoice is synced while another tenant's budget-bound backlog waits; the budget is kept", { timeout: 120_000 }, async () => {
    const backlog: string[] = [];
    for (let i = 0; i < 16; i++) {
      const r = await h.api('POST', '/v1/invoices', { key: backlogKey, body: exampleDocument({ externalId: `BACKLOG-${i}`, provider: 'procountor' } as never) });
      expect(r.status).toBe(202);
      backlog.push(r.body.id);
    }
    // The backlog is under way.
    const deadline = Date.now() + 20_000;
    while (slowBooks.invoices().length < 1) {
      if (Date.now() > deadline) throw new Error('the backlog never started');
      await new Promise((r) => setTimeout(r, 50));
    }

    const single = await h.api('POST', '/v1/invoices', { key: otherKey, body: exampleDocument({ externalId: 'JUST-ONE' } as never) });
    const synced = await h.waitForStatus(otherKey, single.body.id, ['synced', 'failed'], 20_000);
    expect(synced.status).toBe('synced');
    // It did not wait for the backlog: most of it is still to come.
    const doneBefore = slowBooks.invoices().length;
    expect(doneBefore).toBeLessThan(backlog.length / 2);

    for (const id of backlog) expect((await h.waitForStatus(backlogKey, id, ['synced', 'failed'], 90_000)).status).toBe('synced');
    expect(slowBooks.invoices()).toHaveLength(backlog.length);
    // Never over the budget: the sandbox (like Procountor) answers 429 above its limit, and we kept to ours.
    const tooMany = (await Promise.all(backlog.map(async (id) => (await h.api('GET', `/v1/invoices/${id}`, { key: backlogKey })).body)))
      .flatMap((r) => r.attempts.flatMap((a: { exchanges: Array<{ status: number | null }> }) => a.exchanges))
      .filter((e) => e.status === 429);
    expect(tooMany).toEqual([]);
    // Waiting for the budget is not a failure the host hears about.
    const record = (await h.api('GET', `/v1/invoices/${backlog.at(-1)}`, { key: backlogKey })).body;
    expect(record.history.map((e: { status: string }) => e.status)).not.toContain('retrying');
  });

  it("a slow provider's backlog shares the workers: another tenant's invoice goes in between", { timeout: 120_000 }, async () => {
    const slowEndpoint = await startGenericSandbox({ port: 0 });
    try {
      const slowKey = await h.tenant('slow-endpoint');
      await h.api('PUT', '/v1/connections/generic', { key: slowKey, body: { baseUrl: slowEndpoint.url, secret: slowEndpoint.credentials.secret, timeoutMs: 10_000 } });
      // Every create takes a second and a half; twelve of them, two workers.
      slowEndpoint.injectFault({ kind: 'latency', ms: 1500, on: 'create' });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await h.api('POST', '/v1/invoices', { key: slowKey, body: exampleDocument({ externalId: `SLOW-${i}` } as never) })).body.id);
      const deadline = Date.now() + 20_000;
      while (slowEndpoint.requests().filter((r) => r.method === 'POST').length < 2) {
        if (Date.now() > deadline) throw new Error('the slow backlog never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      const single = await h.api('POST', '/v1/invoices', { key: otherKey, body: exampleDocument({ externalId: 'BETWEEN' } as never) });
      expect((await h.waitForStatus(otherKey, single.body.id, ['synced', 'failed'], 20_000)).status).toBe('synced');
      expect(slowEndpoint.invoices().length).toBeLessThan(ids.length / 2);
      for (const id of ids) expect((await h.waitForStatus(slowKey, id, ['synced', 'failed'], 90_000)).status).toBe('synced');
    } finally {
      await slowEndpoint.close();
    }
  });
});

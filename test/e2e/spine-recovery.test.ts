import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider, type RunningGenericSandbox } from '../../providers/generic/index.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { loadConnection } from '../../src/sync/connection-store.js';
import { buildProviderContext } from '../../src/sync/provider-context-factory.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine } from '../support/generic-spine.js';
import { startHarness, type Harness } from '../support/harness.js';
import { dropPrefix } from '../support/redis.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Redis is only a scheduler and workers can die: the database keeps every
 * accepted invoice, the sweep puts unfinished work back, and a create that may
 * have reached the provider is always looked up before anything else.
 */
describe('drills: Redis and workers fail', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  let webhookSecret: string;

  const createPosts = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
  const lookups = () => sandbox.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/invoices?reference=')).length;
  const copiesOf = (record: { reference: string }) => sandbox.invoices().filter((i) => i.reference === record.reference);
  const record = (id: string) => h.runtime.store.repos.records.getById(id);
  const syncedEvents = () => new Set(receiver.verified(webhookSecret).filter((e) => e.json.type === 'invoice.synced').map((e) => e.json.data.id as string));
  const redisKeys = async () => (await h.redis.keys(`${h.prefix}:*`)).length;
  const waitUntil = async (what: string, predicate: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await predicate()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting until ${what}`);
  };

  /**
   * Holds the workers still (they finish what they are on first), so a record
   * made now is touched by nothing until `go()`: a runner already looking at a
   * connection would otherwise take any record of it that is due.
   */
  const hold = () => h.runtime.workers!.sync.pause();
  const go = () => h.runtime.workers!.sync.resume();

  /** An API process whose Redis is down (same database, same queues). */
  const apiWithoutRedis = () => startHarness({ role: 'api', shareWith: h, redisUrl: 'redis://127.0.0.1:1' });

  /** Posts an invoice through an API whose Redis is down: committed as queued, but no worker hears of it. Returns its id. */
  const postWhileRedisDown = async (externalId: string): Promise<string> => {
    const down = await apiWithoutRedis();
    try {
      return (await down.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId }) })).body.id;
    } finally {
      await down.close();
    }
  };

  /**
   * Plays a worker that sent the create and died before recording the answer:
   * the record is `syncing`, `create_sent` is set, the provider has the invoice,
   * and the worker's lease has run out.
   */
  const crashMidCreate = async (id: string, leaseMs = 60_000) => {
    const repos = h.runtime.store.repos;
    const claimed = await repos.records.claim(id, 'worker-that-dies', leaseMs);
    if (!claimed) throw new Error('could not claim');
    const attempt = await repos.records.bumpAttempt(id);
    await repos.attempts.start(id, attempt, 'worker-that-dies');
    await repos.records.setStatus(id, 'syncing');
    await repos.history.add(id, 'syncing', `attempt ${attempt}`, null);
    expect(await repos.records.markCreateSent(id, 'worker-that-dies', new Date())).toBe(true);
    expect(await repos.records.markCreateOnWire(id, 'worker-that-dies', new Date())).toBe(true);
    const connection = (await loadConnection(repos, new SecretBox(h.masterKey), claimed.tenantId, 'generic'))!;
    const { ctx } = buildProviderContext(
      { repos, redis: h.redis, redisPrefix: `${h.prefix}:`, urlPolicy: { allowPrivateUrls: true }, clock: () => new Date(), log: pino({ level: 'silent' }) },
      connection,
      { providerName: genericProvider.displayName },
    );
    const invoice = claimed.resolved as ResolvedInvoice;
    await genericProvider.create(ctx, genericProvider.buildCreateRequest(ctx, invoice, await genericProvider.prepare(ctx, invoice)), invoice);
    // ... and here the process dies: nothing recorded; the lease runs out.
    await h.runtime.store.db.query(`update sync_records set lease_until = now() - interval '1 second' where id = $1`, [id]);
  };

  beforeAll(async () => {
    // One job at a time, so a slowed sync keeps the others waiting in Redis; no timed sweeps.
    ({ h, sandbox, receiver, key, webhookSecret } = await startGenericSpine({ concurrency: 1, sweepIntervalMs: 600_000 }));
  });
  afterEach(() => sandbox.clearFaults());
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  it('Redis flushed mid-run loses nothing: the sweep re-enqueues, each invoice is synced once, events still arrive', async () => {
    const posts = createPosts();
    const ids: string[] = [];
    // Accepted and queued in Redis while the workers are held; then Redis loses everything.
    await hold();
    for (let i = 0; i < 4; i++) {
      const r = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `FLUSH-${i}` }) });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    await waitUntil('the work is queued in Redis', async () => (await redisKeys()) > 0);
    await dropPrefix(h.redis, `${h.prefix}:`);
    go();

    // Without a sweep they would wait forever: nothing in Redis says they are due.
    await new Promise((r) => setTimeout(r, 500));
    for (const id of ids) expect((await record(id))!.status).toBe('queued');

    await h.runtime.sweepNow();
    for (const id of ids) {
      const r = await h.waitForStatus(key, id, ['synced', 'failed']);
      expect(r.status).toBe('synced');
      expect(copiesOf(r)).toHaveLength(1);
    }
    expect(createPosts() - posts).toBe(4);
    await receiver.waitFor(() => ids.every((id) => syncedEvents().has(id)));
    const queuedEvents = new Set(receiver.verified(webhookSecret).filter((e) => e.json.type === 'invoice.queued').map((e) => e.json.data.id));
    for (const id of ids) expect(queuedEvents.has(id)).toBe(true);
  });

  it('Redis flushed while a runner works through a connection: it finishes what the database says is due, each once', async () => {
    sandbox.injectFault({ kind: 'latency', ms: 800, times: 1 });
    const posts = createPosts();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `FLUSH-RUN-${i}` }) });
      ids.push(r.body.id);
    }
    await waitUntil('the first create is in flight', async () => createPosts() > posts);
    await dropPrefix(h.redis, `${h.prefix}:`);
    for (const id of ids) {
      const r = await h.waitForStatus(key, id, ['synced', 'failed']);
      expect(r.status).toBe('synced');
      expect(copiesOf(r)).toHaveLength(1);
    }
    expect(createPosts() - posts).toBe(4);
  });

  it('Redis flushed while an invoice waits to be looked up: the sweep brings the delayed lookup back', async () => {
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 10_000, times: 1 });
    const posts = createPosts();
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'FLUSH-IN-DOUBT' }) });
    const id = posted.body.id;
    await h.waitForStatus(key, id, ['in_doubt']);
    await waitUntil('the lease is released', async () => (await record(id))!.leaseOwner === null);
    await dropPrefix(h.redis, `${h.prefix}:`);
    await h.runtime.sweepNow();
    const r = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(r.status).toBe('synced');
    expect(copiesOf(r)).toHaveLength(1);
    expect(r.providerInvoiceId).toBe(copiesOf(r)[0]!.id);
    expect(createPosts() - posts).toBe(1);
  });

  it('Redis down at intake: still 202, committed, and synced once a worker sweeps', async () => {
    const down = await apiWithoutRedis();
    await hold();
    try {
      const started = Date.now();
      const posted = await down.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'REDIS-DOWN' }) });
      const took = Date.now() - started;
      expect(posted.status).toBe(202);
      expect(took).toBeLessThan(3000);
      const row = await record(posted.body.id);
      expect(row).toMatchObject({ status: 'queued', externalId: 'REDIS-DOWN' });
      // Readable at once through the API that accepted it.
      expect((await down.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.status).toBe('queued');
      // The working side never heard of it ...
      go();
      await new Promise((r) => setTimeout(r, 300));
      expect((await record(posted.body.id))!.status).toBe('queued');
      // ... until its sweep.
      await h.runtime.sweepNow();
      const synced = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
      expect(synced.status).toBe('synced');
      expect(copiesOf(synced)).toHaveLength(1);
      await receiver.waitFor(() => syncedEvents().has(posted.body.id));
      expect(receiver.verified(webhookSecret).some((e) => e.json.type === 'invoice.queued' && e.json.data.id === posted.body.id)).toBe(true);
    } finally {
      await down.close();
    }
  });

  it('Redis down at resync: the resync is recorded and answered promptly; the sweep carries it out', async () => {
    sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'RESYNC-REDIS-DOWN' }) });
    await h.waitForStatus(key, posted.body.id, ['failed']);
    const down = await apiWithoutRedis();
    try {
      const started = Date.now();
      const resync = await down.api('POST', `/v1/invoices/${posted.body.id}/resync`, { key });
      expect(resync.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await record(posted.body.id))!.status).toBe('queued');
    } finally {
      await down.close();
    }
    await h.runtime.sweepNow();
    const synced = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(synced.status).toBe('synced');
    expect(copiesOf(synced)).toHaveLength(1);
  });

  it('a worker that died mid-create: the sweep re-enqueues, the engine looks up first and adopts — one copy', async () => {
    await hold();
    const id = await postWhileRedisDown('CRASH-MID-CREATE');
    const posts = createPosts();
    await crashMidCreate(id);
    go();
    expect(createPosts() - posts).toBe(1);
    expect(await record(id)).toMatchObject({ status: 'syncing', createSent: true, providerInvoiceId: null });

    await h.runtime.sweepNow();
    const r = await h.waitForStatus(key, id, ['synced', 'failed']);
    expect(r.status).toBe('synced');
    expect(copiesOf(r)).toHaveLength(1);
    expect(r.providerInvoiceId).toBe(copiesOf(r)[0]!.id);
    expect(createPosts() - posts).toBe(1);
    expect(r.history.map((e: any) => e.status)).toEqual(['queued', 'syncing', 'in_doubt', 'synced']);
    expect(r.history[2].message).toContain('may have reached the provider');
    // The dead worker's attempt stays visible as unfinished; the next one adopted.
    expect(r.attempts.map((a: any) => [a.number, a.outcome])).toEqual([
      [1, 'pending'],
      [2, 'adopted'],
    ]);
    expect(r.attempts[1].steps.map((s: any) => s.step)).toEqual(['lookup', 'adopted']);
  });

  it('a worker that died mid-create is taken over as soon as its lease runs out, without waiting for the sweep', async () => {
    await hold();
    const id = await postWhileRedisDown('CRASH-LEASE-RUNS-OUT');
    const posts = createPosts();
    await crashMidCreate(id, 1500);
    go();
    const died = Date.now();
    // No sweep runs in this file (every 10 minutes): only the scan for expired leases can find it.
    const r = await h.waitForStatus(key, id, ['synced', 'failed'], 15_000);
    expect(r.status).toBe('synced');
    expect(Date.now() - died).toBeLessThan(12_000);
    expect(copiesOf(r)).toHaveLength(1);
    expect(createPosts() - posts).toBe(1);
  });

  it('a live lease is respected: the sweep leaves a record another worker is syncing alone', async () => {
    await hold();
    const id = await postWhileRedisDown('LEASED');
    await h.runtime.store.repos.records.claim(id, 'busy-worker', 60_000);
    go();
    await h.runtime.sweepNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(await record(id)).toMatchObject({ status: 'queued', leaseOwner: 'busy-worker', attemptCount: 0 });
    // Running it directly (a duplicate job) does nothing while the lease lives.
    expect(await h.runtime.engine.run(id)).toEqual({ ran: false, reason: 'finished, or being synced by another worker' });
    await h.runtime.store.repos.records.release(id, 'busy-worker');
    await h.runtime.sweepNow();
    expect((await h.waitForStatus(key, id, ['synced', 'failed'])).status).toBe('synced');
  });

  describe('resync', () => {
    it('of a failed record whose create may have reached the provider: looked up first, no second copy', async () => {
      await hold();
      const id = await postWhileRedisDown('RESYNC-AFTER-GIVE-UP');
      await crashMidCreate(id);
      // As the engine leaves a record whose lookups kept failing until it gave up.
      await h.runtime.store.repos.records.setStatus(id, 'failed', {
        lastError: { code: 'gave_up', category: 'unknown_outcome', message: 'ledgerlink gave up after 12 attempts (the outcome stayed unknown); resync the invoice to try again — it will first check whether the provider already has it.' },
      });
      await h.runtime.store.repos.records.release(id, 'worker-that-dies');
      go();
      const posts = createPosts();
      const looked = lookups();

      const resync = await h.api('POST', `/v1/invoices/${id}/resync`, { key });
      expect(resync.status).toBe(202);
      const r = await h.waitForStatus(key, id, ['synced']);
      expect(copiesOf(r)).toHaveLength(1);
      expect(r.providerInvoiceId).toBe(copiesOf(r)[0]!.id);
      expect(createPosts() - posts).toBe(0);
      expect(lookups() - looked).toBe(1);
      expect(r.history.map((e: any) => e.status).slice(-3)).toEqual(['queued', 'in_doubt', 'synced']);
    });

    it('of a synced record: 409 already_synced, nothing sent', async () => {
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'RESYNC-SYNCED' }) });
      const synced = await h.waitForStatus(key, posted.body.id, ['synced']);
      const posts = createPosts();
      const resync = await h.api('POST', `/v1/invoices/${posted.body.id}/resync`, { key });
      expect(resync.status).toBe(409);
      expect(resync.body.error.code).toBe('already_synced');
      expect(resync.body.error.message).toContain(`id ${synced.providerInvoiceId}`);
      expect(resync.body.error.message).toContain('post a new revision');
      expect(createPosts()).toBe(posts);
    });

    it('in bulk by filter: counts what it restarts and syncs each once, leaving the rest alone', async () => {
      await h.tenant('bulk');
      const bulkKey = (await h.api('POST', '/v1/tenants/bulk/api-keys', { key: h.adminToken, body: { roles: ['host', 'finance', 'admin'] } })).body.key;
      await h.api('PUT', '/v1/connections/generic', { key: bulkKey, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
      const ok = await h.api('POST', '/v1/invoices', { key: bulkKey, body: exampleDocument({ externalId: 'BULK-OK' }) });
      await h.waitForStatus(bulkKey, ok.body.id, ['synced']);
      sandbox.injectFault({ kind: 'unauthorized', times: 3 });
      const failed: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await h.api('POST', '/v1/invoices', { key: bulkKey, body: exampleDocument({ externalId: `BULK-${i}` }) });
        failed.push(r.body.id);
        await h.waitForStatus(bulkKey, r.body.id, ['failed']);
      }
      const posts = createPosts();

      expect((await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: { status: 'synced' } })).body).toEqual({ count: 0, skipped: [], more: false });
      expect((await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: { provider: 'procountor' } })).body).toEqual({ count: 0, skipped: [], more: false });
      const bulk = await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: { status: 'failed', provider: 'generic' } });
      expect(bulk.status).toBe(202);
      expect(bulk.body).toEqual({ count: 3, skipped: [], more: false });
      for (const id of failed) {
        const r = await h.waitForStatus(bulkKey, id, ['synced', 'failed']);
        expect(r.status).toBe('synced');
        expect(copiesOf(r)).toHaveLength(1);
      }
      expect(createPosts() - posts).toBe(3);
      expect((await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: {} })).body).toEqual({ count: 0, skipped: [], more: false });
      expect(copiesOf((await record(ok.body.id))!)).toHaveLength(1);
      // Another tenant's failed records are not touched.
      expect((await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: { status: ['failed', 'in_doubt'] } })).body.count).toBe(0);
      const bad = await h.api('POST', '/v1/invoices/resync', { key: bulkKey, body: { status: 'done', what: 1 } });
      expect(bad.status).toBe(400);
    });
  });
});

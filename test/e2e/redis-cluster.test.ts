import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { loadConfig } from '../../src/config.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { hasRedisServer, startRedisCluster } from '../support/redis-cluster.js';

/**
 * Scale-out on a Redis Cluster: with a hash-tagged QUEUE_PREFIX every key
 * (BullMQ's, the runners', the Procountor rate limit's) is in one slot, so an
 * API and a worker process sync through a real three-node cluster.
 */
describe.skipIf(!hasRedisServer())('on a Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let api: Harness;
  let worker: Harness;
  let endpoint: RunningGenericSandbox;
  let books: RunningSandbox;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    api = await startHarness({ database: 'postgres', role: 'api', redisUrl: cluster.url, redisCluster: true });
    worker = await startHarness({ role: 'worker', redisUrl: cluster.url, redisCluster: true, shareWith: api });
    endpoint = await startGenericSandbox({ port: 0 });
    books = await startProcountorSandbox({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await endpoint?.close();
    await books?.close();
    await cluster?.stop();
  });

  it('refuses a prefix that is not a hash tag', () => {
    expect(() => loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'ledgerlink' })).toThrow(/QUEUE_PREFIX must be in braces/);
    expect(loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: '{ledgerlink}' }).QUEUE_PREFIX).toBe('{ledgerlink}');
  });

  it('syncs invoices of two providers exactly once through an API and a worker process', { timeout: 60_000 }, async () => {
    const generic = await api.tenant('cluster-generic');
    await api.api('PUT', '/v1/connections/generic', { key: generic, body: { baseUrl: endpoint.url, secret: endpoint.credentials.secret } });
    const procountor = await api.tenant('cluster-procountor');
    await api.api('PUT', '/v1/connections/procountor', { key: procountor, body: { baseUrl: books.url, ...books.credentials } });
    const ids: Array<[string, string]> = [];
    for (let i = 0; i < 5; i++) {
      ids.push([generic, (await api.api('POST', '/v1/invoices', { key: generic, body: exampleDocument({ externalId: `CL-G-${i}` } as never) })).body.id]);
      ids.push([procountor, (await api.api('POST', '/v1/invoices', { key: procountor, body: exampleDocument({ externalId: `CL-P-${i}`, provider: 'procountor' } as never) })).body.id]);
    }
    for (const [key, id] of ids) {
      const r = await api.waitForStatus(key, id, ['synced', 'failed'], 30_000);
      expect(r.status, JSON.stringify(r.lastError)).toBe('synced');
    }
    expect(endpoint.invoices()).toHaveLength(5);
    expect(books.invoices()).toHaveLength(5);
    // The queues really are in the cluster, all in the prefix's one slot.
    const client = new Cluster([{ host: '127.0.0.1', port: Number(new URL(cluster.url).port) }]);
    try {
      await new Promise((ready) => client.once('ready', ready));
      const keys = (await Promise.all(client.nodes('master').map((n) => n.keys(`${api.prefix}:*`)))).map((k) => k.length);
      expect(keys.filter((n) => n > 0)).toHaveLength(1);
      expect(Math.max(...keys)).toBeGreaterThan(3);
    } finally {
      client.disconnect();
    }
  });
});

import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Redis } from 'ioredis';
import type { UrlPolicy } from '../../src/http/url-guard.js';
import type { RetryPolicy } from '../../src/queue/catalog.js';
import { createRuntime, type Role, type Runtime } from '../../src/runtime.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { openPglite } from '../../src/store/pglite-database.js';
import { openPostgres } from '../../src/store/postgres-database.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { dropPrefix, TEST_REDIS_URL, testRedis } from './redis.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated database: in-memory PGlite, or a new schema in the real PostgreSQL. */
export async function freshDatabase(kind: 'pglite' | 'postgres'): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`create schema ${schema}`);
  const db = await openPostgres(TEST_DATABASE_URL, { schema, max: 10 });
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}

export interface Harness {
  runtime: Runtime;
  db: Database;
  adminToken: string;
  masterKey: string;
  prefix: string;
  /** A plain Redis client on the test Redis (for inspecting or deleting the harness's keys). */
  redis: Redis;
  /** Calls the API in-process (Fastify inject). */
  api(method: string, url: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** Creates a tenant and a key with the given roles; returns the key. */
  tenant(id: string, roles?: string[]): Promise<string>;
  /** Polls until the record reaches one of the statuses (or throws with its last state). */
  waitForStatus(key: string, id: string, statuses: string[], timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/**
 * The whole service as users run it (real Redis, a real database, BullMQ
 * workers, the HTTP app), with a fresh queue prefix and database per harness.
 */
export async function startHarness(options: {
  database?: 'pglite' | 'postgres';
  role?: Role;
  registry?: ProviderRegistry;
  leaseMs?: number;
  /** The most records one bulk resync restarts (default 10,000); tests lower it instead of posting 10,001 invoices. */
  bulkResyncLimit?: number;
  sweepIntervalMs?: number;
  concurrency?: number;
  /** Outbound URL policy (default: private URLs allowed, since the sandboxes are local). */
  urlPolicy?: UrlPolicy;
  /** Webhook delivery retry policy (tests shorten the delays instead of sleeping). */
  webhookRetry?: RetryPolicy;
  /** Hard deadline of one webhook delivery (default: the job catalog's). */
  webhookTimeoutMs?: number;
  /** Redis for queues and caches (default: the test Redis); a dead address simulates Redis being down. */
  redisUrl?: string;
  /** `redisUrl` is a node of a Redis Cluster: the queue prefix is then a hash tag. */
  redisCluster?: boolean;
  /**
   * Another runtime on the same database, queue prefix, operator token and
   * master key, as a second process would be (e.g. a worker next to an API).
   * Closing this harness leaves the shared database and keys to the first.
   */
  shareWith?: Harness;
} = {}): Promise<Harness> {
  const shared = options.shareWith;
  const fresh = shared ? { db: shared.db, drop: async () => undefined } : await freshDatabase(options.database ?? 'pglite');
  const prefix = shared?.prefix ?? (options.redisCluster ? `{lltest-${randomBytes(5).toString('hex')}}` : `lltest-${randomBytes(5).toString('hex')}`);
  const adminToken = shared?.adminToken ?? `test-operator-${randomBytes(12).toString('hex')}`;
  const masterKey = shared?.masterKey ?? randomBytes(32).toString('base64');
  const runtime = await createRuntime({
    role: options.role ?? 'all',
    db: fresh.db,
    redisUrl: options.redisUrl ?? TEST_REDIS_URL,
    ...(options.redisCluster ? { redisCluster: true } : {}),
    queuePrefix: prefix,
    adminToken,
    masterKey,
    urlPolicy: options.urlPolicy ?? { allowPrivateUrls: true },
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    concurrency: options.concurrency ?? 4,
    sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.bulkResyncLimit ? { bulkResyncLimit: options.bulkResyncLimit } : {}),
    ...(options.webhookRetry ? { webhookRetry: options.webhookRetry } : {}),
    ...(options.webhookTimeoutMs ? { webhookTimeoutMs: options.webhookTimeoutMs } : {}),
  });
  const redis = testRedis();

  const api: Harness['api'] = async (method, url, opts = {}) => {
    if (!runtime.app) throw new Error('this harness has no API');
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    const isRaw = typeof opts.body === 'string' || Buffer.isBuffer(opts.body);
    if (opts.body !== undefined && !headers['content-type']) headers['content-type'] = isRaw ? 'text/csv' : 'application/json';
    const response = await runtime.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(opts.body === undefined ? {} : { payload: isRaw ? (opts.body as string | Buffer) : JSON.stringify(opts.body) }),
    });
    let body: unknown = response.body;
    try {
      body = JSON.parse(response.body);
    } catch {
      // not JSON (CSV, metrics)
    }
    return { status: response.statusCode, body, headers: response.headers as Record<string, unknown> };
  };

  const harness: Harness = {
    runtime,
    db: fresh.db,
    adminToken,
    masterKey,
    prefix,
    redis,
    api,
    async tenant(id, roles = ['host', 'finance', 'admin']) {
      const created = await api('POST', '/v1/tenants', { key: adminToken, body: { id, name: `Tenant ${id}` } });
      if (created.status !== 201) throw new Error(`tenant: ${created.status} ${JSON.stringify(created.body)}`);
      const key = await api('POST', `/v1/tenants/${id}/api-keys`, { key: adminToken, body: { roles } });
      if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
      return key.body.key as string;
    },
    async waitForStatus(key, id, statuses, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any = null;
      while (Date.now() < deadline) {
        const r = await api('GET', `/v1/invoices/${id}`, { key });
        last = r.body;
        if (statuses.includes(last?.status)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`record ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(last, null, 2)}`);
    },
    async close() {
      await runtime.close();
      await fresh.drop();
      if (!shared) await dropPrefix(redis, `${prefix}:`);
      redis.disconnect();
    },
  };
  return harness;
}

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startGenericSandbox } from '../providers/generic/index.js';
import { createRuntime } from '../src/runtime.js';
import { migrate } from '../src/store/migrations.js';
import { openPglite } from '../src/store/pglite-database.js';
import { openPostgres } from '../src/store/postgres-database.js';

/**
 * `npm run bench`: the whole service in one process (HTTP API, BullMQ workers,
 * the database, the generic sandbox as provider), fed N invoices over HTTP.
 * Reports intake latency and throughput, time until every invoice is synced,
 * provider calls per invoice (must be 1), and memory. Options (env):
 * BENCH_INVOICES (default 500), BENCH_CONCURRENCY (default 20),
 * BENCH_DATABASE_URL (a PostgreSQL URL; default: embedded PGlite),
 * REDIS_URL (default redis://127.0.0.1:6379).
 */
const invoices = Number(process.env.BENCH_INVOICES ?? 500);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  let db;
  let dropSchema = async () => undefined as unknown;
  if (process.env.BENCH_DATABASE_URL) {
    const admin = await openPostgres(process.env.BENCH_DATABASE_URL, { max: 1 });
    await admin.query(`create schema ${schema}`);
    db = await openPostgres(process.env.BENCH_DATABASE_URL, { schema, max: 20 });
    dropSchema = async () => {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    };
  } else {
    db = await openPglite();
  }
  await migrate(db);
  const prefix = `llbench-${randomBytes(4).toString('hex')}`;
  const adminToken = randomBytes(16).toString('hex');
  const sandbox = await startGenericSandbox({ port: 0 });
  const runtime = await createRuntime({
    role: 'all',
    db,
    redisUrl,
    queuePrefix: prefix,
    adminToken,
    masterKey: randomBytes(32).toString('base64'),
    urlPolicy: { allowPrivateUrls: true },
    log: pino({ level: 'silent' }),
    concurrency: 16,
    sweepIntervalMs: 60_000,
  });
  const address = await runtime.app!.listen({ port: 0, host: '127.0.0.1' });
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await fetch(`${address}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  await call('POST', '/v1/tenants', adminToken, { id: 'bench', name: 'Bench' });
  const key = (await call('POST', '/v1/tenants/bench/api-keys', adminToken, { roles: ['host', 'finance', 'admin'] })).body.key as string;
  await call('PUT', '/v1/connections/generic', key, { baseUrl: sandbox.url, secret: sandbox.credentials.secret });

  const doc = (i: number) => ({
    externalId: `BENCH-${i}`,
    invoiceDate: '2026-11-30',
    customer: { externalId: `cust-${i % 50}`, name: `Customer ${i % 50} Oy`, address: { country: 'FI' } },
    lines: Array.from({ length: 5 }, (_, j) => ({
      kind: 'task_entry',
      description: `#${1000 + j} work`,
      quantity: '1.25',
      unit: 'hour',
      unitPrice: '100.00',
      vatRate: '25.5',
    })),
  });

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const latencies: number[] = [];
  const ids: string[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < invoices) {
        const i = next++;
        const t0 = performance.now();
        const r = await call('POST', '/v1/invoices', key, doc(i));
        latencies.push(performance.now() - t0);
        if (r.status !== 202) throw new Error(`intake answered ${r.status}: ${JSON.stringify(r.body)}`);
        ids.push(r.body.id);
      }
    }),
  );
  const intakeSeconds = (performance.now() - started) / 1000;
  let synced = 0;
  while (synced < invoices) {
    const rows = await db.query<{ n: number }>(`select count(*)::int as n from sync_records where status = 'synced'`);
    synced = Number(rows[0]!.n);
    if (performance.now() - started > 600_000) throw new Error(`only ${synced}/${invoices} synced after 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const creates = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
  latencies.sort((a, b) => a - b);
  const result = {
    database: db.kind,
    invoices,
    linesPerInvoice: 5,
    httpConcurrency: concurrency,
    intake: {
      perSecond: Math.round(invoices / intakeSeconds),
      p50ms: Number(percentile(latencies, 50).toFixed(1)),
      p95ms: Number(percentile(latencies, 95).toFixed(1)),
      p99ms: Number(percentile(latencies, 99).toFixed(1)),
    },
    endToEnd: { seconds: Number(totalSeconds.toFixed(2)), syncedPerSecond: Math.round(invoices / totalSeconds) },
    providerCreatesPerInvoice: Number((creates / invoices).toFixed(3)),
    memory: { rssStartMiB: Math.round(rssBefore / 2 ** 20), rssPeakMiB: Math.round(peakRss / 2 ** 20) },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

  await runtime.close();
  await sandbox.close();
  await db.close();
  await dropSchema();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  if (creates !== invoices) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { exampleInvoiceDocument } from '../../src/domain/example-invoice.js';
import { apiClient, freePort, freshPostgresDatabase, startService, waitReady, waitStarted, type ServiceProcess } from './service-process.js';

/**
 * ledgerlink's crash drill: the API and the workers as separate processes on
 * PostgreSQL, a generic endpoint that stores invoices and then never answers
 * (a share of creates) or answers 5xx without storing (another share), workers
 * SIGKILLed every few seconds, the API killed once, Redis flushed once (the
 * drill's own Redis database) — while invoices are posted. Then it checks what users rely on:
 * every accepted invoice at the provider exactly once, nothing lost, nothing
 * stuck, and how long invoices took (accepted → synced, and a killed worker's
 * record → synced by another).
 */
export interface DrillOptions {
  /** Invoices posted. */
  invoices: number;
  /** Posting rate (invoices per second). */
  ratePerSecond: number;
  /** Worker processes alive at once. */
  workers: number;
  /** A worker is SIGKILLed (and replaced) this often. */
  killEveryMs: number;
  /** Share of creates the endpoint stores and then never answers. */
  timeoutShare: number;
  /** Share of creates the endpoint answers 503 without storing. */
  errorShare: number;
  /** How long to wait, once posting is done, for every record to finish. */
  settleTimeoutMs: number;
  /** PostgreSQL the drill makes its own database on. */
  adminDatabaseUrl: string;
  redisUrl: string;
  /**
   * The Redis database (0–15) the drill's processes use; the drill flushes it
   * (FLUSHDB, atomic like a real flush), so it must be one nothing else uses.
   */
  redisDb?: number;
  /** Worker lease (default: the service's default). */
  leaseMs?: number;
  log?: (line: string) => void;
}

export interface DrillReport {
  accepted: number;
  synced: number;
  failed: number;
  /** Invoices the provider holds more than once. */
  duplicates: number;
  /** Accepted but without a record, or synced with no invoice at the provider. */
  lost: number;
  /** Not finished when the drill's patience ran out. */
  stuck: number;
  workerKills: number;
  apiKills: number;
  redisFlushes: number;
  /** Accepted → synced, every invoice. */
  latencyMs: { p50: number; p95: number; max: number };
  /** A killed worker's death (it held the record) → synced by another worker. */
  takeoverMs: { count: number; p50: number; p95: number; max: number };
  durationMs: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const prefix = `lldrill-${randomBytes(4).toString('hex')}`;
  const adminToken = `drill-operator-${randomBytes(12).toString('hex')}`;
  const database = await freshPostgresDatabase(options.adminDatabaseUrl);
  const sandbox = await startGenericSandbox({ port: 0 });
  const redisUrl = new URL(options.redisUrl);
  redisUrl.pathname = `/${options.redisDb ?? 9}`;
  const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: null });
  const processes: ServiceProcess[] = [];
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl.toString(),
    QUEUE_PREFIX: prefix,
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'info',
    SWEEP_INTERVAL_MS: '10000',
    ...(options.leaseMs ? { SYNC_LEASE_MS: String(options.leaseMs) } : {}),
  };
  const spawnService = (role: 'api' | 'worker') => {
    const service = startService(env, [`--role=${role}`]);
    processes.push(service);
    return service;
  };
  const call = apiClient(port);
  let workerKills = 0;
  /** When each killed worker process (by pid) died. */
  const killedAt = new Map<number, number>();
  let apiKills = 0;
  let redisFlushes = 0;

  try {
    let api = spawnService('api');
    await waitReady(api, port, 60_000);
    let workers = Array.from({ length: options.workers }, () => spawnService('worker'));
    await Promise.all(workers.map((w) => waitStarted(w, 60_000)));
    log(`${options.workers} workers and the API are up`);

    if ((await call('POST', '/v1/tenants', adminToken, { id: 'drill', name: 'Drill' })).status !== 201) throw new Error('could not create the tenant');
    const key = (await call('POST', '/v1/tenants/drill/api-keys', adminToken, { roles: ['host', 'finance', 'admin'] })).body.key as string;
    const saved = await call('PUT', '/v1/connections/generic', key, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1500 });
    if (saved.status !== 200) throw new Error(`could not save the connection: ${JSON.stringify(saved.body)}`);
    // Creates take a while (so a kill often lands on a sync in flight), some are stored and never answered, some fail.
    sandbox.injectFault({ kind: 'latency', ms: 800, on: 'create', share: 0.5 });
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 4000, share: options.timeoutShare });
    sandbox.injectFault({ kind: 'server_error', status: 503, on: 'create', share: options.errorShare });

    // Chaos while posting: a worker killed every few seconds, the API once, Redis once.
    let posting = true;
    const accepted = new Set<string>();
    let apiDown = false;
    const chaos = (async () => {
      let flushed = false;
      let apiKilled = false;
      while (posting) {
        await sleep(options.killEveryMs);
        if (!posting) break;
        const victim = workers[Math.floor(Math.random() * workers.length)]!;
        victim.child.kill('SIGKILL');
        killedAt.set(victim.child.pid!, Date.now());
        workerKills += 1;
        workers = workers.filter((w) => w !== victim);
        const replacement = spawnService('worker');
        workers.push(replacement);
        log(`killed a worker (${workerKills})`);
        const progress = accepted.size / options.invoices;
        if (!apiKilled && progress >= 0.35) {
          apiKilled = true;
          apiDown = true;
          api.child.kill('SIGKILL');
          apiKills += 1;
          await api.exited;
          log('killed the API');
          await sleep(500);
          api = spawnService('api');
          await waitReady(api, port, 60_000);
          apiDown = false;
          log('the API is back');
        }
        if (!flushed && progress >= 0.6) {
          flushed = true;
          await redis.flushdb();
          redisFlushes += 1;
          log(`flushed Redis (database ${options.redisDb ?? 9})`);
        }
      }
    })();

    // Posting at a steady rate; a post that gets no answer (the API is down) is posted again: idempotent.
    const interval = 1000 / options.ratePerSecond;
    const posts: Array<Promise<void>> = [];
    for (let i = 0; i < options.invoices; i += 1) {
      const externalId = `DRILL-${i}`;
      posts.push(
        (async () => {
          for (let tries = 0; tries < 200; tries += 1) {
            if (!apiDown) {
              const answer = await call('POST', '/v1/invoices', key, exampleInvoiceDocument({ externalId } as never)).catch(() => null);
              if (answer && (answer.status === 202 || answer.status === 200)) {
                accepted.add(externalId);
                return;
              }
            }
            await sleep(250);
          }
        })(),
      );
      await sleep(interval);
    }
    await Promise.all(posts);
    posting = false;
    await chaos;
    log(`posted ${accepted.size} of ${options.invoices}; waiting for every record to finish`);

    // Every record finished (synced or failed), or out of patience.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const deadline = Date.now() + options.settleTimeoutMs;
      for (;;) {
        const open = Number((await db.query(`select count(*) from sync_records where status not in ('synced', 'failed')`)).rows[0].count);
        if (open === 0 || Date.now() > deadline) break;
        await sleep(500);
      }
      const records = (
        await db.query(
          `select r.id, r.external_id, r.status, r.reference, r.provider_invoice_id, r.created_at, r.synced_at,
                  (select array_agg(a.worker) from sync_attempts a where a.record_id = r.id and a.finished_at is null) as dead_workers
             from sync_records r`,
        )
      ).rows as Array<{ id: string; external_id: string; status: string; reference: string; provider_invoice_id: string | null; created_at: Date; synced_at: Date | null; dead_workers: string[] | null }>;
      await sleep(4500); // let the endpoint finish creates it is still holding
      const stored = sandbox.invoices();
      const byReference = new Map<string, number>();
      for (const invoice of stored) byReference.set(invoice.reference ?? '', (byReference.get(invoice.reference ?? '') ?? 0) + 1);
      const storedIds = new Set(stored.map((i) => i.id));
      const byExternalId = new Map(records.map((r) => [r.external_id, r]));

      const duplicates = [...byReference.values()].filter((n) => n > 1).length;
      let lost = 0;
      for (const externalId of accepted) {
        const record = byExternalId.get(externalId);
        if (!record) lost += 1;
        else if (record.status === 'synced' && !storedIds.has(record.provider_invoice_id ?? '')) lost += 1;
      }
      const synced = records.filter((r) => r.status === 'synced');
      const failed = records.filter((r) => r.status === 'failed').length;
      const stuckRecords = records.filter((r) => r.status !== 'synced' && r.status !== 'failed');
      const stuck = stuckRecords.length;
      for (const r of [...stuckRecords, ...records.filter((r) => r.status === 'failed')]) {
        const detail = (
          await db.query(
            `select r.status, r.last_error, r.create_sent, r.last_sent_at, r.next_attempt_at, r.lease_owner, r.lease_until, r.schedule_seq, r.attempt_count, now() as now,
                    (select json_agg(json_build_object('n', a.number, 'outcome', a.outcome, 'worker', a.worker, 'started', a.started_at, 'finished', a.finished_at, 'steps', a.steps) order by a.number) from sync_attempts a where a.record_id = r.id) as attempts,
                    (select json_agg(json_build_object('status', h.status, 'message', h.message, 'at', h.at) order by h.id) from status_history h where h.record_id = r.id) as history
               from sync_records r where r.id = $1`,
            [r.id],
          )
        ).rows[0];
        log(`${r.status === 'failed' ? 'failed' : 'stuck'} ${r.external_id} (${r.id}): ${JSON.stringify(detail)}`);
      }
      const latencies = synced.map((r) => r.synced_at!.getTime() - r.created_at.getTime());
      // A killed worker left its attempt unfinished; the worker id names its process ("host:pid:…").
      const diedAt = (worker: string) => killedAt.get(Number(worker.split(':')[1]));
      const takeovers = synced.flatMap((r) => {
        const deaths = (r.dead_workers ?? []).map(diedAt).filter((t): t is number => t !== undefined);
        return deaths.length ? [r.synced_at!.getTime() - Math.max(...deaths)] : [];
      });
      const report: DrillReport = {
        accepted: accepted.size,
        synced: synced.length,
        failed,
        duplicates,
        lost,
        stuck,
        workerKills,
        apiKills,
        redisFlushes,
        latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(0, ...latencies) },
        takeoverMs: { count: takeovers.length, p50: percentile(takeovers, 50), p95: percentile(takeovers, 95), max: Math.max(0, ...takeovers) },
        durationMs: Date.now() - started,
        ok: duplicates === 0 && lost === 0 && stuck === 0 && failed === 0 && accepted.size === options.invoices,
      };
      return report;
    } finally {
      await db.end();
    }
  } finally {
    if (process.env.DRILL_LOGS) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.DRILL_LOGS, processes.map((p, i) => `=== process ${i} (pid ${p.child.pid})\n${p.stdout()}\n${p.stderr()}`).join('\n'));
    }
    for (const p of processes) if (p.alive()) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await sandbox.close();
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
    await database.drop().catch(() => undefined);
  }
}

export function formatDrillReport(report: DrillReport): string {
  const rows: Array<[string, string]> = [
    ['invoices accepted', String(report.accepted)],
    ['synced', String(report.synced)],
    ['failed', String(report.failed)],
    ['duplicates at the provider', String(report.duplicates)],
    ['lost', String(report.lost)],
    ['stuck', String(report.stuck)],
    ['workers killed / API killed / Redis flushed', `${report.workerKills} / ${report.apiKills} / ${report.redisFlushes}`],
    ['accepted → synced p50 / p95 / max', `${report.latencyMs.p50} / ${report.latencyMs.p95} / ${report.latencyMs.max} ms`],
    ['killed worker → synced by another (n) p50 / p95 / max', `(${report.takeoverMs.count}) ${report.takeoverMs.p50} / ${report.takeoverMs.p95} / ${report.takeoverMs.max} ms`],
    ['drill took', `${Math.round(report.durationMs / 1000)} s`],
    ['result', report.ok ? 'OK' : 'FAILED'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

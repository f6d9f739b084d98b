import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { connectRedis, type RedisClient } from './queue/redis-client.js';
import type { Logger } from 'pino';
import { startBillingSweeper } from '../jobs/billing-sweep.js';
import { startSweeper } from '../jobs/sweep.js';
import { startStatusPoller } from '../jobs/read-statuses.js';
import { startDailyReconciliation } from '../jobs/reconcile-daily.js';
import { StatusReader } from './sync/status-reader.js';
import { Reconciliation } from './sync/reconciliation.js';
import { AttachmentSender } from './sync/attachment-sender.js';
import { startAttachmentSender } from '../jobs/send-attachments.js';
import { defaultRegistry, type ProviderRegistry } from '../providers/registry.js';
import { buildApp } from './app.js';
import { Billing } from './billing/billing.js';
import { docSchema, type AppDeps } from './app-deps.js';
import type { UrlPolicy } from './http/url-guard.js';
import { Metrics } from './ops/metrics.js';
import type { RetryPolicy } from './queue/catalog.js';
import { BullScheduler } from './queue/scheduler.js';
import { startWorkers, type Workers } from '../jobs/workers.js';
import { ConnectionRuns, type ConnectionKey } from './queue/connection-runs.js';
import { ConnectionBudgets } from './sync/connection-budgets.js';
import type { Database } from './store/database.js';
import { SecretBox } from './store/secret-box.js';
import { Store } from './store/store.js';
import { InvoiceService } from './sync/invoice-service.js';
import { ConfigCache } from './store/config-cache.js';
import { ReferenceNumbers } from './sync/reference-numbers.js';
import { SyncEngine } from './sync/sync-engine.js';
import { newId } from './domain/ids.js';

export type Role = 'all' | 'api' | 'worker';

export interface RuntimeOptions {
  role: Role;
  db: Database;
  redisUrl: string;
  /** `redisUrl` names a node of a Redis Cluster (then `queuePrefix` must be a hash tag, `{ledgerlink}`). */
  redisCluster?: boolean;
  /** BullMQ prefix and the prefix of every other Redis key. */
  queuePrefix: string;
  adminToken: string;
  masterKey: string;
  urlPolicy: UrlPolicy;
  log: Logger;
  concurrency?: number;
  sweepIntervalMs?: number;
  registry?: ProviderRegistry;
  clock?: () => Date;
  metrics?: Metrics;
  /** Sync lease (ms); tests shorten it to simulate crashed workers. */
  leaseMs?: number;
  /** The most records one bulk resync restarts (default 10,000). */
  bulkResyncLimit?: number;
  /** Webhook delivery retry policy (default: the job catalog's); tests shorten the delays. */
  webhookRetry?: RetryPolicy;
  /** Hard deadline of one webhook delivery (default: the job catalog's requestTimeoutMs). */
  webhookTimeoutMs?: number;
  /** How often workers read back synced invoices' sent and paid status (default 60 s). */
  statusPollIntervalMs?: number;
}

export interface Runtime {
  app: FastifyInstance | null;
  store: Store;
  scheduler: BullScheduler;
  engine: SyncEngine;
  invoices: InvoiceService;
  billing: Billing;
  metrics: Metrics;
  redis: RedisClient;
  workers: Workers | null;
  sweepNow(): Promise<void>;
  /** Reads back sent and paid statuses (the poller's round; also run on its own schedule by workers). */
  statuses: StatusReader;
  reconciliation: Reconciliation;
  /** Sends invoice attachments (also run on its own schedule by workers). */
  attachments: AttachmentSender;
  /** Graceful: stop taking work, finish what is active, close connections. */
  close(): Promise<void>;
}

/**
 * Wires ledgerlink together: store, Redis, queues, engine, HTTP app and
 * workers, as the role asks. main.ts and the end-to-end tests both use it,
 * so what the tests run is what users run.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const clock = options.clock ?? (() => new Date());
  const log = options.log;
  const store = new Store(options.db);
  const registry = options.registry ?? defaultRegistry;
  const secretBox = new SecretBox(options.masterKey);
  const metrics = options.metrics ?? new Metrics();
  const redisPrefix = `${options.queuePrefix}:`;
  // Caches, rate limits and locks shared by all workers.
  const target = { url: options.redisUrl, cluster: options.redisCluster ?? false };
  const redis = connectRedis(target, { maxRetriesPerRequest: 3, lazyConnect: false });
  redis.on('error', (err) => log.debug({ err }, 'redis connection error'));
  // Producer connection: fail fast when Redis is away (the sweep catches up), never hang a request.
  const queueRedis = connectRedis(target, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queueRedis.on('error', (err) => log.debug({ err }, 'redis (queue) connection error'));
  // A connection's runners: slots and wake-ups in Redis (see ConnectionRuns); how many per provider.
  const runs = new ConnectionRuns(redis, redisPrefix);
  const budgets = new ConnectionBudgets({ store, secretBox, registry, redis, redisPrefix, urlPolicy: options.urlPolicy, clock, log });
  // No connection may take more than half of a worker process's slots: a slow endpoint's backlog
  // (or a generous budget) still leaves room for other tenants' invoices to go in between.
  const perConnectionCap = Math.max(1, Math.floor((options.concurrency ?? 8) / 2));
  const runnersFor = async (c: ConnectionKey) => Math.min(perConnectionCap, await budgets.runners(c));
  const scheduler = new BullScheduler(queueRedis, options.queuePrefix, runs, runnersFor, { onError: (err: Error) => log.debug({ err }, 'redis (queue) error') });

  // Configuration read on every request, cached in this process and checked against the tenant's version.
  const cache = new ConfigCache(store.repos);
  const references = new ReferenceNumbers(() => store.repos.tenants);
  const invoices = new InvoiceService({ store, cache, references, scheduler, registry, secretBox, redis, redisPrefix, urlPolicy: options.urlPolicy, clock, log, metrics, ...(options.bulkResyncLimit ? { bulkResyncLimit: options.bulkResyncLimit } : {}) });
  const billing = new Billing({ db: options.db, invoices, scheduler, clock, log });
  // Names this process in leases and attempts ("host:pid:…"): a drill can tell whose work a killed worker left.
  const workerId = `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  const engine = new SyncEngine({
    store,
    scheduler,
    registry,
    resolver: invoices,
    secretBox,
    redis,
    redisPrefix,
    urlPolicy: options.urlPolicy,
    clock,
    log,
    workerId,
    metrics: metrics.sync,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
  });

  const statuses = new StatusReader({
    store,
    registry,
    secretBox,
    redis,
    redisPrefix,
    urlPolicy: options.urlPolicy,
    scheduler,
    budgetWaitMs: (c) => budgets.waitMs(c),
    clock,
    log,
  });

  const attachments = new AttachmentSender({ store, registry, secretBox, redis, redisPrefix, urlPolicy: options.urlPolicy, clock, log });
  const reconciliation = new Reconciliation({ store, registry, secretBox, redis, redisPrefix, urlPolicy: options.urlPolicy, scheduler, clock, log });

  let app: FastifyInstance | null = null;
  if (options.role !== 'worker') {
    const deps: AppDeps = {
      store,
      scheduler,
      queueDepth: () => scheduler.depth(),
      redis,
      redisPrefix,
      registry,
      secretBox,
      invoices,
      billing,
      metrics,
      adminToken: options.adminToken,
      auth: { adminToken: options.adminToken, apiKeys: { findByHash: (hash) => cache.apiKey(hash), peek: (hash) => cache.peekKey(hash) } },
      urlPolicy: options.urlPolicy,
      clock,
      log,
      docs: { schema: docSchema },
      reconciliation,
    };
    app = await buildApp(deps);
  }

  let workers: Workers | null = null;
  let sweeper: ReturnType<typeof startSweeper> | null = null;
  let billingSweeper: ReturnType<typeof startBillingSweeper> | null = null;
  let statusPoller: ReturnType<typeof startStatusPoller> | null = null;
  let dailyReconciliation: ReturnType<typeof startDailyReconciliation> | null = null;
  let attachmentSender: ReturnType<typeof startAttachmentSender> | null = null;
  let workerRedis: RedisClient | null = null;
  if (options.role !== 'api') {
    workerRedis = connectRedis(target, { maxRetriesPerRequest: null });
    workerRedis.on('error', (err) => log.debug({ err }, 'redis (worker) connection error'));
    workers = startWorkers({
      connection: workerRedis,
      prefix: options.queuePrefix,
      concurrency: options.concurrency ?? 8,
      runners: { engine, store, scheduler, runs, runnersFor, budgetWaitMs: (c) => budgets.waitMs(c), log, workerId },
      deliver: {
        store,
        secretBox,
        scheduler,
        urlPolicy: options.urlPolicy,
        clock,
        log,
        onResult: (result) => metrics.webhookDeliveries.inc({ result }),
        ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
        ...(options.webhookTimeoutMs ? { requestTimeoutMs: options.webhookTimeoutMs } : {}),
      },
      billing,
      log,
    });
    sweeper = startSweeper({ store, scheduler, clock, log }, options.sweepIntervalMs ?? 30_000);
    billingSweeper = startBillingSweeper({ billing, scheduler, clock, log }, options.sweepIntervalMs ?? 30_000);
    statusPoller = startStatusPoller(statuses, log, options.statusPollIntervalMs ?? 60_000);
    dailyReconciliation = startDailyReconciliation({ reconciliation, redis, redisPrefix, clock, log });
    attachmentSender = startAttachmentSender(attachments, log, 10_000);
  }

  return {
    app,
    store,
    scheduler,
    engine,
    invoices,
    billing,
    metrics,
    redis,
    workers,
    statuses,
    reconciliation,
    attachments,
    sweepNow: async () => {
      if (sweeper) await sweeper.runNow();
      if (billingSweeper) await billingSweeper.runNow();
    },
    async close() {
      if (app) await app.close();
      await sweeper?.stop();
      await billingSweeper?.stop();
      await statusPoller?.stop();
      await dailyReconciliation?.stop();
      await attachmentSender?.stop();
      await workers?.close();
      if (queueRedis.status !== 'ready') {
        // BullMQ drops its error listeners when a queue closes, and a shared connection
        // that never became ready (Redis away) would then fail unobserved: an unhandled
        // rejection that kills the process. End that connection first, let BullMQ see it.
        const ended = new Promise<void>((resolve) => {
          queueRedis.once('end', () => resolve());
          setTimeout(resolve, 1000).unref();
        });
        queueRedis.disconnect();
        await ended;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await scheduler.close().catch(() => undefined);
      for (const r of [redis, queueRedis, workerRedis]) r?.disconnect();
    },
  };
}

import { connectRedis } from './queue/redis-client.js';
import { bootstrapSecrets } from './bootstrap-secrets.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime, type Role } from './runtime.js';
import { openDatabase } from './store/open-database.js';

/**
 * `npm start` (API + workers in one process), `npm run start:api`,
 * `npm run start:worker`. Every failure to start is one line that says what
 * and how to fix it, and a non-zero exit — never a hang.
 */
function fail(message: string): never {
  process.stderr.write(`ledgerlink: ${message}\n`);
  process.exit(1);
}

/** A URL fit for a message: a password in it (redis://:secret@host) is never printed. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@]*@/, '//***@');
}

function roleFromArgs(argv: string[]): Role {
  const arg = argv.find((a) => a.startsWith('--role='));
  const role = arg?.slice('--role='.length) ?? 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker') fail(`unknown --role=${role}; use all, api or worker`);
  return role;
}

async function checkRedis(url: string, cluster: boolean): Promise<void> {
  const redis = connectRedis({ url, cluster }, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    const policy = await redis.config('GET', 'maxmemory-policy').catch(() => null);
    const value = Array.isArray(policy) ? policy[1] : null;
    if (value && value !== 'noeviction') {
      process.stderr.write(`ledgerlink: warning: Redis maxmemory-policy is ${value}; use noeviction so queued jobs are never evicted\n`);
    }
  } catch {
    fail(`cannot reach Redis at ${withoutCredentials(url)}; start one with  redis-server --daemonize yes --port 6379 --save ""  (or set REDIS_URL)`);
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`bad environment: ${error.message}`);
    throw error;
  }
  const role = roleFromArgs(process.argv.slice(2));
  if (role !== 'all' && !config.DATABASE_URL) {
    fail(`--role=${role} needs DATABASE_URL: the embedded database belongs to one process, so split API and workers only with a PostgreSQL server`);
  }
  if (role !== 'all' && (!config.MASTER_KEY || !config.ADMIN_TOKEN)) {
    fail(`--role=${role} needs MASTER_KEY and ADMIN_TOKEN set: every API and worker process must share them (openssl rand -base64 32)`);
  }
  const log = createLogger({ level: config.LOG_LEVEL });
  await checkRedis(config.REDIS_URL, config.REDIS_CLUSTER);

  const secrets = bootstrapSecrets({
    dataDir: config.DATA_DIR,
    ...(config.ADMIN_TOKEN ? { adminToken: config.ADMIN_TOKEN } : {}),
    ...(config.MASTER_KEY ? { masterKey: config.MASTER_KEY } : {}),
  });
  for (const note of secrets.notes) (note.startsWith('WARNING') ? log.warn.bind(log) : log.info.bind(log))(note);

  let db;
  try {
    db = await openDatabase({ ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}), dataDir: config.DATA_DIR });
  } catch (error) {
    const where = config.DATABASE_URL ? `PostgreSQL at ${withoutCredentials(config.DATABASE_URL)}` : `the embedded database in ${config.DATA_DIR}`;
    fail(`cannot open ${where}: ${(error as Error).message}${config.DATABASE_URL ? ' (is PostgreSQL running? pg_ctlcluster <version> main start)' : ' (is another ledgerlink process using it?)'}`);
  }

  const runtime = await createRuntime({
    role,
    db,
    redisUrl: config.REDIS_URL,
    redisCluster: config.REDIS_CLUSTER,
    queuePrefix: config.QUEUE_PREFIX,
    adminToken: secrets.adminToken,
    masterKey: secrets.masterKey,
    urlPolicy: { allowPrivateUrls: config.ALLOW_PRIVATE_URLS, allowedOrigins: config.allowedOrigins },
    log,
    concurrency: config.WORKER_CONCURRENCY,
    sweepIntervalMs: config.SWEEP_INTERVAL_MS,
    leaseMs: config.SYNC_LEASE_MS,
  });

  if (runtime.app) {
    try {
      await runtime.app.listen({ port: config.PORT, host: config.HOST });
    } catch (error) {
      fail(`cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
    }
  }
  log.info({ role, port: runtime.app ? config.PORT : undefined, database: db.kind }, 'ledgerlink started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new work; finishing what is active');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await runtime.close();
      await db.close();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => fail(`could not start: ${(error as Error)?.stack ?? String(error)}`));

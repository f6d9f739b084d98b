import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Tests use the real Redis and PostgreSQL of the machine. Fail early, with the
 * command that starts each one, instead of timing out test by test.
 */
export default async function setup(): Promise<void> {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis is not reachable at ${redisUrl}: start it with  redis-server --daemonize yes --port 6379 --save ""`);
  } finally {
    redis.disconnect();
  }
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch {
    throw new Error(
      `PostgreSQL is not reachable at ${pgUrl}: start it with  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  try {
    execSync('xmllint --version', { stdio: 'ignore' });
    process.env.LEDGERLINK_HAVE_XMLLINT = '1';
  } catch {
    process.env.LEDGERLINK_HAVE_XMLLINT = '0';
  }
}

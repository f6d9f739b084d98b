import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  apiClient,
  freePort,
  freshPostgresDatabase,
  repoRoot,
  startService,
  waitReady,
  waitStarted,
  type ApiCall,
  type ServiceProcess,
} from '../lib/service-process.js';

/**
 * ledgerlink as the benchmark runs it: the compiled JavaScript (`npm run
 * build`), as production does, in separate processes — an API and N worker
 * processes on one PostgreSQL database, or `npm start`'s single process on the
 * embedded database with the Node.js options `npm start` uses.
 */
export interface Stack {
  port: number;
  url: string;
  api: ApiCall;
  adminToken: string;
  prefix: string;
  api_process: ServiceProcess;
  workers: ServiceProcess[];
  databaseUrl: string | null;
  /** Starts another worker process (PostgreSQL stacks). */
  addWorker(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface StackOptions {
  database: 'postgres' | 'pglite';
  /** Worker processes next to the API (PostgreSQL only; the embedded database runs everything in one). */
  workers?: number;
  concurrency?: number;
  postgresAdminUrl?: string;
  redisUrl?: string;
}

/** The environment and Node.js options of an npm script (read from package.json, so the benchmark measures what users run). */
export function npmScript(name: 'start' | 'start:api' | 'start:worker'): { env: Record<string, string>; nodeArgs: string[] } {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts[name]!.split(/\s+/);
  const node = words.indexOf('node');
  const script = words.findIndex((w, i) => i > node && !w.startsWith('--'));
  const env = Object.fromEntries(words.slice(0, node).map((w) => w.split('=') as [string, string]));
  return { env, nodeArgs: words.slice(node + 1, script) };
}

/** `npm start`'s environment and Node.js options. */
export const npmStart = () => npmScript('start');

export async function startStack(options: StackOptions): Promise<Stack> {
  const port = await freePort();
  const adminToken = randomBytes(16).toString('hex');
  const prefix = `llbench-${randomBytes(4).toString('hex')}`;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const common = {
    PORT: String(port),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ADMIN_TOKEN: adminToken,
    MASTER_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: String(options.concurrency ?? 8),
  };
  if (options.database === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'llbench-data-'));
    const start = npmStart();
    const all = startService({ ...common, ...start.env, DATA_DIR: dataDir }, [], start.nodeArgs, 'compiled');
    await waitReady(all, port, 120_000);
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      api: apiClient(port),
      adminToken,
      prefix,
      api_process: all,
      workers: [],
      databaseUrl: null,
      addWorker: () => Promise.reject(new Error('the embedded database runs API and workers in one process')),
      async stop() {
        await stopProcess(all);
        rmSync(dataDir, { recursive: true, force: true });
        await dropRedisKeys(redisUrl, prefix);
      },
    };
  }
  const database = await freshPostgresDatabase(options.postgresAdminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const env = { ...common, DATABASE_URL: database.url };
  const apiScript = npmScript('start:api');
  const api = startService({ ...env, ...apiScript.env }, ['--role=api'], apiScript.nodeArgs, 'compiled');
  await waitReady(api, port, 60_000);
  const workers: ServiceProcess[] = [];
  const addWorker = async () => {
    const workerScript = npmScript('start:worker');
    const worker = startService({ ...env, ...workerScript.env, PORT: String(await freePort()) }, ['--role=worker'], workerScript.nodeArgs, 'compiled');
    await waitStarted(worker, 60_000);
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < (options.workers ?? 1); i++) await addWorker();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    api: apiClient(port),
    adminToken,
    prefix,
    api_process: api,
    workers,
    databaseUrl: database.url,
    addWorker,
    async stop() {
      await Promise.all([api, ...workers].map(stopProcess));
      await database.drop();
      await dropRedisKeys(redisUrl, prefix);
    },
  };
}

async function stopProcess(p: ServiceProcess): Promise<void> {
  if (!p.alive()) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

async function dropRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Bytes Redis holds under the stack's prefix (MEMORY USAGE of every key). */
export async function redisBytes(redisUrl: string, prefix: string): Promise<{ keys: number; bytes: number }> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    let keys = 0;
    let bytes = 0;
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        keys += 1;
        bytes += Number((await redis.memory('USAGE', key)) ?? 0);
      }
    } while (cursor !== '0');
    return { keys, bytes };
  } finally {
    redis.disconnect();
  }
}

/** A tenant with a key for every role and one connection. */
export async function benchTenant(stack: Stack, id: string, provider: string, connection: Record<string, unknown>): Promise<string> {
  const created = await stack.api('POST', '/v1/tenants', stack.adminToken, { id, name: `${id} Oy` });
  if (created.status !== 201) throw new Error(`tenant ${id}: ${created.status} ${JSON.stringify(created.body)}`);
  const key = (await stack.api('POST', `/v1/tenants/${id}/api-keys`, stack.adminToken, { roles: ['host', 'finance', 'admin'] })).body.key as string;
  const saved = await stack.api('PUT', `/v1/connections/${provider}`, key, connection);
  if (saved.status !== 200) throw new Error(`connection of ${id}: ${saved.status} ${JSON.stringify(saved.body)}`);
  return key;
}

/** A small invoice (3 lines) with a unique externalId; customers repeat every `customers`. */
export function benchInvoice(externalId: string, n: number, customers = 50): Record<string, unknown> {
  return {
    externalId,
    revision: 1,
    invoiceDate: '2026-11-30',
    customer: { externalId: `cust-${n % customers}`, name: `Customer ${n % customers} Oy`, address: { street: 'Mannerheimintie 1', postalCode: '00100', city: 'Helsinki', country: 'FI' } },
    lines: Array.from({ length: 3 }, (_, j) => ({
      kind: 'task_entry',
      description: `#${1000 + j} work`,
      quantity: '1.25',
      unit: 'hour',
      unitPrice: '100.00',
      vatRate: '25.5',
    })),
  };
}

/** Posts invoices `count` at a time; throws on anything but 202. */
export async function postInvoices(stack: Stack, key: string, docs: Array<Record<string, unknown>>, parallel = 20): Promise<string[]> {
  const ids: string[] = new Array(docs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < docs.length) {
        const i = next++;
        const r = await stack.api('POST', '/v1/invoices', key, docs[i]);
        if (r.status !== 202) throw new Error(`intake answered ${r.status}: ${JSON.stringify(r.body)}`);
        ids[i] = r.body.id as string;
      }
    }),
  );
  return ids;
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { dropPrefix, testRedis } from '../support/redis.js';

/** The real service, started the way a user starts it (`npm start` runs `tsx src/main.ts`). */
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function start(env: Record<string, string>, args: string[] = []): Running {
  let out = '';
  let err = '';
  const child = spawn(tsx, ['src/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the service as a process', () => {
  const started: Running[] = [];
  const dirs: string[] = [];
  const prefix = `lltest-proc-${randomBytes(4).toString('hex')}`;
  let sandbox: RunningGenericSandbox;

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-'));
    dirs.push(dir);
    return dir;
  };
  const run = (env: Record<string, string>, args: string[] = []) => {
    const r = start(env, args);
    started.push(r);
    return r;
  };
  const waitReady = async (running: Running, port: number) => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (running.child.exitCode !== null) throw new Error(`exited early: ${running.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not ready: ${running.stderr()} ${running.stdout()}`);
  };

  beforeAll(async () => {
    sandbox = await startGenericSandbox({ port: 0 });
  });
  afterAll(async () => {
    for (const r of started) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await sandbox?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const redis = testRedis();
    await dropPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  it('on SIGTERM finishes the sync in flight, exits 0, and after a restart the invoice is synced once', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const adminToken = `operator-${randomBytes(12).toString('hex')}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, ALLOW_PRIVATE_URLS: 'true', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
    const first = run(env);
    await waitReady(first, port);

    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    expect((await call('POST', '/v1/tenants', adminToken, { id: 'acme', name: 'Acme' })).status).toBe(201);
    const key = (await call('POST', '/v1/tenants/acme/api-keys', adminToken, { roles: ['host', 'finance', 'admin'] })).body.key;
    expect((await call('PUT', '/v1/connections/generic', key, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 10_000 })).status).toBe(200);

    sandbox.injectFault({ kind: 'latency', ms: 2500, times: 1 });
    const posted = await call('POST', '/v1/invoices', key, exampleDocument());
    expect(posted.status).toBe(202);
    const deadline = Date.now() + 10_000;
    while (!sandbox.requests().some((r) => r.method === 'POST' && r.path === '/invoices')) {
      if (Date.now() > deadline) throw new Error('the create never reached the sandbox');
      await new Promise((r) => setTimeout(r, 20));
    }
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // It waited for the provider's answer (held 2.5 s) rather than dropping the work.
    expect(exit.at - signalled).toBeGreaterThan(1500);
    expect(first.stdout()).toContain('shutting down');
    expect(first.stdout()).toContain('stopped cleanly');
    expect(first.stderr()).toBe('');

    const second = run(env);
    await waitReady(second, port);
    const record = (await call('GET', `/v1/invoices/${posted.body.id}`, key)).body;
    expect(record.status).toBe('synced');
    expect(sandbox.invoices()).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(sandbox.invoices()[0]!.id);
    expect(sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices')).toHaveLength(1);
    // The operator token was never written to the logs.
    expect(first.stdout() + second.stdout()).not.toContain(adminToken);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it.each<{ name: string; env: Record<string, string>; args: string[]; says: RegExp }>([
    { name: 'Redis unreachable', env: { REDIS_URL: 'redis://127.0.0.1:1' }, args: [], says: /^ledgerlink: cannot reach Redis at redis:\/\/127\.0\.0\.1:1; start one with .*redis-server/ },
    { name: 'a bad PORT', env: { PORT: 'abc' }, args: [], says: /^ledgerlink: bad environment: PORT must be a port number$/ },
    { name: 'a bad MASTER_KEY', env: { MASTER_KEY: 'too-short' }, args: [], says: /^ledgerlink: bad environment: MASTER_KEY must be 32 bytes, base64-encoded/ },
    { name: 'a split role without DATABASE_URL', env: {}, args: ['--role=worker'], says: /^ledgerlink: --role=worker needs DATABASE_URL/ },
  ])('with $name it says so in one line and exits non-zero at once', async ({ env, args, says }) => {
    const began = Date.now();
    const failing = run({ DATA_DIR: tempDir(), QUEUE_PREFIX: prefix, PORT: String(await freePort()), ...env }, args);
    const exit = await failing.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.at - began).toBeLessThan(10_000);
    const lines = failing.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(says);
  });
});

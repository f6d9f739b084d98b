import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { apiClient, freePort, startService, waitReady, type ServiceProcess } from '../../scripts/lib/service-process.js';
import { exampleDocument } from '../support/example-invoice.js';
import { dropPrefix, testRedis } from '../support/redis.js';

describe('the service as a process', () => {
  const started: ServiceProcess[] = [];
  const dirs: string[] = [];
  const prefix = `lltest-proc-${randomBytes(4).toString('hex')}`;
  let sandbox: RunningGenericSandbox;

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-'));
    dirs.push(dir);
    return dir;
  };
  const run = (env: Record<string, string>, args: string[] = []) => {
    const r = startService(env, args);
    started.push(r);
    return r;
  };

  beforeAll(async () => {
    sandbox = await startGenericSandbox({ port: 0 });
  });
  afterAll(async () => {
    for (const r of started) if (r.alive()) r.child.kill('SIGKILL');
    await sandbox?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const redis = testRedis();
    await dropPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  it('on SIGTERM finishes the sync in flight, exits 0, and after a restart the invoice is synced once', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const adminToken = `operator-${randomBytes(12).toString('hex')}`;
    const env = { PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN: adminToken, ALLOW_PRIVATE_URLS: 'true', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
    const first = run(env);
    await waitReady(first, port);

    const call = apiClient(port);
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

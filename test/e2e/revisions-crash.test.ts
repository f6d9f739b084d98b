import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { dec } from '../../src/domain/money.js';
import {
  apiClient,
  freePort,
  freshPostgresDatabase,
  startService,
  waitReady,
  waitStarted,
  type ApiCall,
  type ServiceProcess,
} from '../../scripts/lib/service-process.js';
import { exampleRevision } from '../support/example-invoice.js';
import { TEST_DATABASE_URL } from '../support/harness.js';
import { liveInvoices } from '../support/live-invoices.js';
import { dropPrefix, TEST_REDIS_URL, testRedis } from '../support/redis.js';

/**
 * Crash drill for Procountor's two-step replace (invalidate the approved
 * revision 1, then create revision 2): the API and the worker run as separate
 * processes on PostgreSQL, and the worker is SIGKILLed in the middle. A new
 * worker must finish the job with exactly one live invoice holding revision 2
 * — never two, and never none.
 */

describe('crash drill: a worker killed between the two steps of a replace', () => {
  const prefix = `lltest-crash-${randomBytes(4).toString('hex')}`;
  const adminToken = `operator-${randomBytes(12).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  const processes: ServiceProcess[] = [];
  let database: { url: string; drop(): Promise<void> };
  let sandbox: RunningSandbox;
  let env: Record<string, string>;
  let call: ApiCall;
  let key: string;

  const worker = async () => {
    const started = startService(env, ['--role=worker']);
    processes.push(started);
    await waitStarted(started);
    return started;
  };
  const kill = async (service: ServiceProcess) => {
    service.child.kill('SIGKILL');
    await service.exited;
  };
  const waitStatus = async (id: string, statuses: string[], timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      last = (await call('GET', `/v1/invoices/${id}`, key)).body;
      if (statuses.includes(last.status)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`record ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(last)}`);
  };
  const until = async (what: string, condition: () => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  beforeAll(async () => {
    database = await freshPostgresDatabase(TEST_DATABASE_URL);
    sandbox = await startProcountorSandbox({ port: 0 });
    const port = await freePort();
    env = {
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ADMIN_TOKEN: adminToken,
      MASTER_KEY: masterKey,
      ALLOW_PRIVATE_URLS: 'true',
      SYNC_LEASE_MS: '3000',
      SWEEP_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
    };
    const api = startService(env, ['--role=api']);
    processes.push(api);
    await waitReady(api, port);
    call = apiClient(port);
    expect((await call('POST', '/v1/tenants', adminToken, { id: 'acme', name: 'Acme' })).status).toBe(201);
    key = (await call('POST', '/v1/tenants/acme/api-keys', adminToken, { roles: ['host', 'finance', 'admin'] })).body.key;
    const saved = await call('PUT', '/v1/connections/procountor', key, { baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1500, afterCreate: 'approve' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }, 90_000);

  afterAll(async () => {
    for (const p of processes) if (p.alive()) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await sandbox?.close();
    await database?.drop();
    const redis = testRedis();
    await dropPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  it.each([
    { when: 'while the create of revision 2 is on its way (the provider stores it after the worker died)', holdCreate: true },
    { when: 'right after revision 1 was invalidated', holdCreate: false },
  ])('killed $when: one live invoice, holding revision 2', { timeout: 120_000 }, async ({ holdCreate }) => {
    const externalId = `INV-crash-${randomBytes(3).toString('hex')}`;
    let first = await worker();
    const r1 = await call('POST', '/v1/invoices', key, exampleRevision(externalId, 1, '12'));
    expect(r1.status).toBe(202);
    const one = await waitStatus(r1.body.id, ['synced']);
    expect(one.providerState).toBe('NOT_SENT');

    if (holdCreate) sandbox.injectFault({ kind: 'latency', ms: 4000, on: 'create', times: 1 });
    const creates = () => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/invoices').length;
    const createsBefore = creates();
    const r2 = await call('POST', '/v1/invoices', key, exampleRevision(externalId, 2, '10.75'));
    expect(r2.status).toBe(202);
    if (holdCreate) {
      await until('the create of revision 2 to reach Procountor', () => creates() > createsBefore);
    } else {
      await until('revision 1 to be invalidated', () => sandbox.invoices().some((i) => i.id === one.providerInvoiceId && i.state === 'INVALIDATED'));
    }
    await kill(first);

    first = await worker();
    const two = await waitStatus(r2.body.id, ['synced', 'failed']);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    // This invoice's copies at Procountor: the ones carrying either revision's reference.
    const mine = sandbox.invoices().filter((i) => i.reference === one.reference || i.reference === two.reference);
    const live = liveInvoices(mine);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe(two.providerInvoiceId);
    expect(dec(live[0]!.total!).toFixed(2)).toBe('1349.13');
    expect(sandbox.invoices().find((i) => i.id === one.providerInvoiceId)?.state).toBe('INVALIDATED');
    expect((await call('GET', `/v1/invoices/${r1.body.id}`, key)).body.status).toBe('superseded');
    await kill(first);
  });
});

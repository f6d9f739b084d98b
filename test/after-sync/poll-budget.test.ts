import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { defaultRegistry } from '../../providers/registry.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { StatusReader, type StatusReaderDeps } from '../../src/sync/status-reader.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * The poller only takes what the connection's budget leaves: no read while the
 * budget says wait, one read per round while syncs are waiting, and an old
 * invoice is read less often than a new one.
 */
describe('status poller: a bounded share of the budget', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  const ids: string[] = [];

  beforeAll(async () => {
    // On the real PostgreSQL (the poller's claims use FOR UPDATE SKIP LOCKED).
    h = await startHarness({ database: 'postgres' });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('budget');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    for (let i = 0; i < 4; i += 1) {
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `B-${i}` } as never) });
      ids.push(posted.body.id);
    }
    for (const id of ids) await h.waitForStatus(key, id, ['synced']);
    // Let the sync workers let go of the records.
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  function reader(overrides: Partial<StatusReaderDeps> = {}) {
    return new StatusReader({
      store: h.runtime.store,
      registry: defaultRegistry,
      secretBox: new SecretBox(h.masterKey),
      redis: h.redis,
      redisPrefix: `${h.prefix}:`,
      urlPolicy: { allowPrivateUrls: true },
      scheduler: { scheduleDelivery: async () => undefined },
      budgetWaitMs: async () => 0,
      clock: () => new Date(),
      log: pino({ level: 'silent' }),
      ...overrides,
    });
  }
  const statusReads = () => sandbox.requests().filter((r) => r.method === 'GET' && /^\/invoices\/[^?]+$/.test(r.path)).length;
  const makeDue = () => h.db.query(`update sync_records set next_status_check_at = now() - interval '1 second' where tenant_id = 'budget'`);

  it('reads nothing while the budget says wait; the invoices stay due for later, nothing changes', async () => {
    await makeDue();
    const counts = await reader({ budgetWaitMs: async () => 5_000 }).pollOnce();
    expect(counts.deferred).toBe(4);
    expect(statusReads()).toBe(0);
    const rows = await h.db.query<any>(`select status, next_status_check_at from sync_records where tenant_id = 'budget'`);
    for (const row of rows) {
      expect(row.status).toBe('synced');
      expect(new Date(row.next_status_check_at).getTime()).toBeGreaterThan(Date.now() + 3_000);
    }
  });

  it('with syncs waiting on the connection, one read per round; without, the round reads them all', async () => {
    await makeDue();
    // A sync due on the connection (held by a worker that will come back to it).
    await h.db.query(
      `update sync_records set status = 'retrying', next_attempt_at = now(), lease_owner = 'elsewhere', lease_until = now() + interval '1 hour' where id = $1`,
      [ids[3]],
    );
    const before = statusReads();
    const first = await reader().pollOnce();
    expect(first.unchanged + first.changed).toBe(1);
    expect(statusReads() - before).toBe(1);

    await h.db.query(`update sync_records set status = 'synced', next_attempt_at = null, lease_owner = null, lease_until = null where id = $1`, [ids[3]]);
    await makeDue();
    const second = await reader().pollOnce();
    expect(second.unchanged + second.changed).toBe(4);
  });

  it('backoff by age: a new invoice is read again within minutes, one a month old within a day', async () => {
    await makeDue();
    await h.db.query(`update sync_records set synced_at = now() - interval '40 days' where id = $1`, [ids[0]]);
    await reader().pollOnce();
    const next = async (id: string) => new Date((await h.db.query<any>('select next_status_check_at from sync_records where id = $1', [id]))[0].next_status_check_at).getTime() - Date.now();
    expect(await next(ids[1]!)).toBeLessThanOrEqual(15 * 60_000 + 1000);
    expect(await next(ids[0]!)).toBeGreaterThan(12 * 3600_000);
    expect(await next(ids[0]!)).toBeLessThanOrEqual(24 * 3600_000 + 1000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { ConsoleClient, textOf } from '../console/console-client.js';
import { runCli } from '../../src/cli/main.js';

/** A tenant with a generic connection; its API key. */
async function genericTenant(h: Harness, sandbox: RunningGenericSandbox, id: string): Promise<string> {
  const key = await h.tenant(id);
  const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
  expect(saved.status).toBe(200);
  return key;
}

/** An accepted invoice made failed, held by a worker for `leaseMs` (null: given back); its record id. */
async function failedRecord(h: Harness, key: string, externalId: string, leaseMs: number | null): Promise<string> {
  const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId } as never) });
  expect(posted.status).toBe(202);
  await h.runtime.store.db.query(
    `update sync_records set status = 'failed', last_error = '{"code":"generic_rejected","message":"refused"}'::jsonb,
            lease_owner = case when $2::int is null then null else 'worker-finishing' end,
            lease_until = case when $2::int is null then null else now() + ($2::int || ' milliseconds')::interval end where id = $1`,
    [posted.body.id, leaseMs],
  );
  return posted.body.id as string;
}

/**
 * A worker writes an attempt's outcome (failed, retrying) and only then gives
 * its lease back. A finance person who resyncs in between — as soon as the
 * console shows "failed" — must get the resync, not a 202 that changed
 * nothing (seen as a flaky drill: the invoice stayed failed after its resync).
 */
describe('a resync in the moment a worker is finishing the attempt', () => {
  let h: Harness;
  let key: string;
  let sandbox: RunningGenericSandbox;

  beforeAll(async () => {
    // API only: nothing syncs, so what the resync did stays to be seen.
    h = await startHarness({ role: 'api' });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await genericTenant(h, sandbox, 'finishing');
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const failedButStillLeased = (externalId: string, leaseMs: number) => failedRecord(h, key, externalId, leaseMs);

  it('waits for the worker to give the record back, then restarts it', async () => {
    const id = await failedButStillLeased('INV-FINISHING-1', 60_000);
    // The worker gives the lease back a moment later, as its run's `finally` does.
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        void h.runtime.store.db.query(`update sync_records set lease_owner = null, lease_until = null where id = $1`, [id]).then(() => resolve());
      }, 300),
    );
    const resync = await h.api('POST', `/v1/invoices/${id}/resync`, { key });
    await released;
    expect(resync.status).toBe(202);
    expect(resync.body).toEqual({ id, status: 'queued' });
    const record = (await h.api('GET', `/v1/invoices/${id}`, { key })).body;
    expect(record.status).toBe('queued');
    expect(record.lastError).toBeNull();
    expect(record.history.at(-1)).toMatchObject({ status: 'queued', message: expect.stringMatching(/^resync requested/) });
  });

  it('says so when the record stays held: 409 record_busy, not a 202 that changed nothing', async () => {
    const id = await failedButStillLeased('INV-FINISHING-2', 60_000);
    const resync = await h.api('POST', `/v1/invoices/${id}/resync`, { key });
    expect(resync.status).toBe(409);
    expect(resync.body.error.code).toBe('record_busy');
    expect(resync.body.error.message).toMatch(/a worker is still finishing that attempt; resync it again in a moment/);
    expect((await h.api('GET', `/v1/invoices/${id}`, { key })).body.status).toBe('failed');
  });
});

/**
 * Bulk resync meets the same moment: a failed record whose worker has not yet
 * given it back. It used to be left out silently (`{count}` one short, nothing
 * said); now it is waited for like a single resync, and what is still not
 * restarted is listed, each with the reason a single resync would give.
 */
describe('a bulk resync with records a worker is finishing', () => {
  let h: Harness;
  let key: string;
  let sandbox: RunningGenericSandbox;

  beforeAll(async () => {
    h = await startHarness({ role: 'api' });
    sandbox = await startGenericSandbox({ port: 0 });
  });
  // A tenant per test: a bulk resync takes every failed record of its tenant.
  const tenant = async (id: string) => {
    key = await genericTenant(h, sandbox, id);
  };
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const failed = (externalId: string, leaseMs: number | null) => failedRecord(h, key, externalId, leaseMs);
  const statusOf = async (id: string) => (await h.api('GET', `/v1/invoices/${id}`, { key })).body.status;

  it('waits for a record given back within moments and restarts it with the rest', async () => {
    await tenant('bulk-finishing-1');
    const idle = await failed('INV-BULK-IDLE-1', null);
    const finishing = await failed('INV-BULK-FINISHING-1', 60_000);
    // The dry run counts it too: the resync will wait for it.
    const dry = await h.api('POST', '/v1/invoices/resync', { key, body: { status: 'failed', dryRun: true } });
    expect(dry.body).toEqual({ count: 2, dryRun: true });
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        void h.runtime.store.db.query(`update sync_records set lease_owner = null, lease_until = null where id = $1`, [finishing]).then(() => resolve());
      }, 300),
    );
    const bulk = await h.api('POST', '/v1/invoices/resync', { key, body: { status: 'failed' } });
    await released;
    expect(bulk.status).toBe(202);
    expect(bulk.body).toEqual({ count: 2, skipped: [], more: false });
    expect(await statusOf(idle)).toBe('queued');
    expect(await statusOf(finishing)).toBe('queued');
  });

  it('lists a record still held, saying why, instead of leaving it out silently', async () => {
    await tenant('bulk-finishing-2');
    const idle = await failed('INV-BULK-IDLE-2', null);
    const held = await failed('INV-BULK-HELD-2', 60_000);
    const bulk = await h.api('POST', '/v1/invoices/resync', { key, body: { status: 'failed' } });
    expect(bulk.status).toBe(202);
    expect(bulk.body.count).toBe(1);
    expect(bulk.body.skipped).toEqual([
      {
        id: held,
        externalId: 'INV-BULK-HELD-2',
        revision: 1,
        status: 'failed',
        code: 'record_busy',
        message: expect.stringMatching(/a worker is still finishing that attempt; resync it again in a moment/),
      },
    ]);
    expect(await statusOf(idle)).toBe('queued');
    expect(await statusOf(held)).toBe('failed');
    const audit = await h.runtime.store.db.query<{ details: { count: number; skipped: number } }>(
      `select details from audit_log where tenant_id = 'bulk-finishing-2' and action = 'invoice.bulk_resync' order by id desc limit 1`,
    );
    expect(audit[0]!.details).toMatchObject({ count: 1, skipped: 1, more: false });
  });

  it('the CLI lists what was not resynced and exits 4 (done in part), so a script can tell', async () => {
    await tenant('bulk-finishing-cli');
    await failed('INV-BULK-IDLE-CLI', null);
    const held = await failed('INV-BULK-HELD-CLI', 60_000);
    const url = (await h.runtime.app!.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: { LEDGERLINK_URL: url, LEDGERLINK_API_KEY: key }, confirm: async () => null };
    const code = await runCli(['resync', '--status', 'failed', '--yes'], io);
    expect(code, err.join('\n')).toBe(4);
    expect(out.join('\n')).toMatch(/1 of 2 resynced/);
    expect(out.join('\n')).toContain(`not resynced: INV-BULK-HELD-CLI rev 1 (${held}): Invoice INV-BULK-HELD-CLI revision 1 failed, and a worker is still finishing that attempt`);
  });

  it('a retrying record a worker is syncing right now is listed as on its way, not restarted under it', async () => {
    await tenant('bulk-finishing-4');
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'INV-BULK-RETRYING-4' } as never) });
    const id = posted.body.id as string;
    await h.runtime.store.db.query(
      `update sync_records set status = 'retrying', lease_owner = 'worker-syncing', lease_until = now() + interval '1 minute' where id = $1`,
      [id],
    );
    const bulk = await h.api('POST', '/v1/invoices/resync', { key, body: { status: ['failed', 'retrying'] } });
    expect(bulk.status).toBe(202);
    expect(bulk.body).toEqual({
      count: 0,
      more: false,
      skipped: [{ id, externalId: 'INV-BULK-RETRYING-4', revision: 1, status: 'retrying', code: 'already_queued', message: expect.stringMatching(/a worker is syncing it, already; nothing was changed/) }],
    });
    expect(await statusOf(id)).toBe('retrying');
  });

  it('the console says how many were not restarted, and why', async () => {
    await tenant('bulk-finishing-3');
    await failed('INV-BULK-IDLE-3', null);
    await failed('INV-BULK-HELD-3', 60_000);
    const c = new ConsoleClient(h);
    await c.signIn(key);
    const confirm = await c.get('/console/invoices/resync?status=failed');
    expect(confirm.statusCode).toBe(200);
    const done = await c.post('/console/invoices/resync', { status: 'failed' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/invoices?status=failed&done=bulk&count=1&skipped=1');
    const page = await c.get(done.headers.location as string);
    expect(page.body).toContain('role="alert"');
    expect(textOf(page.body)).toMatch(/1 invoices were put back on the queue\. 1 were not: a worker was still finishing them|1 laskua palautettiin jonoon\. 1 laskua jäi palauttamatta: työntekijä viimeisteli niitä vielä/);
  });
});

/** One bulk resync takes at most so many records; when more match, it says so and the next one takes the rest. */
describe('a bulk resync with more records than it takes at once', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;

  beforeAll(async () => {
    h = await startHarness({ role: 'api', bulkResyncLimit: 2 });
    sandbox = await startGenericSandbox({ port: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('restarts the limit, says more remain, and the next one restarts the rest', async () => {
    const key = await genericTenant(h, sandbox, 'bulk-more');
    const ids: string[] = [];
    for (const externalId of ['INV-MORE-1', 'INV-MORE-2', 'INV-MORE-3']) {
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId } as never) });
      ids.push(posted.body.id);
    }
    await h.runtime.store.db.query(`update sync_records set status = 'failed' where id = any($1)`, [ids]);
    const first = await h.api('POST', '/v1/invoices/resync', { key, body: {} });
    expect(first.body).toEqual({ count: 2, skipped: [], more: true });
    const second = await h.api('POST', '/v1/invoices/resync', { key, body: {} });
    expect(second.body).toEqual({ count: 1, skipped: [], more: false });
    for (const id of ids) expect((await h.api('GET', `/v1/invoices/${id}`, { key })).body.status).toBe('queued');

    // The console says it too.
    await h.runtime.store.db.query(`update sync_records set status = 'failed' where id = any($1)`, [ids]);
    const c = new ConsoleClient(h);
    await c.signIn(key);
    expect((await c.get('/console/invoices/resync?status=failed')).statusCode).toBe(200);
    const done = await c.post('/console/invoices/resync', { status: 'failed' });
    expect(done.headers.location).toBe('/console/invoices?status=failed&done=bulk&count=2&more=1');
    expect(textOf((await c.get(done.headers.location as string)).body)).toMatch(/resync again for the rest|synkronoi uudelleen loppujen osalta/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

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
    key = await h.tenant('finishing');
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const failedButStillLeased = async (externalId: string, leaseMs: number) => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId } as never) });
    expect(posted.status).toBe(202);
    await h.runtime.store.db.query(
      `update sync_records set status = 'failed', last_error = '{"code":"generic_rejected","message":"refused"}'::jsonb,
              lease_owner = 'worker-finishing', lease_until = now() + ($2::text || ' milliseconds')::interval where id = $1`,
      [posted.body.id, leaseMs],
    );
    return posted.body.id as string;
  };

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

import { afterEach, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { dropPrefix } from '../support/redis.js';
import { closeExampleTask, expectStatus, pushExampleWork, waitForOperation } from './support.js';

/**
 * Nothing accepted is lost: a compile whose job Redis lost is queued again by
 * the billing sweep, and a released invoice that never reached intake (a crash
 * between the two steps) is handed over — and still synced once.
 */
describe('billing recovery', () => {
  const open: Array<Harness | RunningGenericSandbox> = [];
  afterEach(async () => {
    for (const x of open.reverse()) await x.close();
    open.length = 0;
  });

  it('runs a compile whose queued job was lost', async () => {
    const api = await startHarness({ database: 'postgres', role: 'api' });
    open.push(api);
    const key = await api.tenant('lost');
    await pushExampleWork(api, key, { project: { kind: 'one_time' } });
    const started = await expectStatus(api, key, 'POST', '/v1/billing/compile', 202, {});
    await dropPrefix(api.redis, `${api.prefix}:`);
    expect((await expectStatus(api, key, 'GET', `/v1/billing/operations/${started.operationId}`, 200)).status).toBe('queued');
    // The sweep only re-queues an operation that has waited a few seconds (a fresh one is on its way).
    await api.db.query(`update billing_operations set created_at = now() - interval '1 minute'`);
    const worker = await startHarness({ shareWith: api, role: 'worker' });
    open.push(worker);
    await worker.runtime.sweepNow();
    const op = await waitForOperation(api, key, started.operationId);
    expect(op).toMatchObject({ status: 'done', counts: { entries: 3, items: 3 } });
  });

  it('hands a released invoice to intake when the hand-off never happened, and it syncs once', async () => {
    const sandbox = await startGenericSandbox({ port: 0 });
    open.push(sandbox);
    const api = await startHarness({ database: 'postgres', role: 'api' });
    open.push(api);
    const key = await api.tenant('crash');
    await expectStatus(api, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    await pushExampleWork(api, key);
    const closed = await closeExampleTask(api, key);
    const released = await expectStatus(api, key, 'POST', `/v1/billing/drafts/${closed.compiled.draftIds[0]}/release`, 201);
    // As if the process died after the release committed and before intake took the invoice.
    await api.db.query('delete from sync_records where id = $1', [released.syncRecordId]);
    await api.db.query(`update billing_invoices set sync_record_id = null, created_at = now() - interval '5 minutes'`);
    await dropPrefix(api.redis, `${api.prefix}:`);
    const lost = await expectStatus(api, key, 'GET', `/v1/billing/invoices/${released.invoiceId}`, 200);
    expect(lost.syncRecordId).toBeNull();

    const worker = await startHarness({ shareWith: api, role: 'worker' });
    open.push(worker);
    await worker.runtime.sweepNow();
    const handed = await expectStatus(api, key, 'GET', `/v1/billing/invoices/${released.invoiceId}`, 200);
    expect(handed.syncRecordId).toBeTruthy();
    const record = await api.waitForStatus(key, handed.syncRecordId, ['synced', 'failed'], 30_000);
    expect(record.status).toBe('synced');
    expect(record.externalId).toBe(released.invoiceId);
    await worker.runtime.sweepNow();
    expect(sandbox.invoices()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 9.3: a worker that lost its lease (its renewal failed, or another
 * worker took the record) stops: the call in flight is aborted, and nothing it
 * would write afterwards — a status, provider ids, an event — contradicts the
 * new owner.
 */
describe('a worker that lost its lease', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ leaseMs: 3000 });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('fenced');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 20_000 } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('stops the call in flight within a heartbeat and writes nothing after it', { timeout: 30_000 }, async () => {
    // The create is held 8 s by the endpoint, far longer than the heartbeat takes to notice.
    sandbox.injectFault({ kind: 'latency', ms: 8000, on: 'create', times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'INV-FENCE-1' } as never) });
    const deadline = Date.now() + 10_000;
    while (!sandbox.requests().some((r) => r.method === 'POST' && r.path === '/invoices')) {
      if (Date.now() > deadline) throw new Error('the create never reached the endpoint');
      await new Promise((r) => setTimeout(r, 20));
    }
    // Another worker takes the record over (as after a pause longer than the lease).
    const db = h.runtime.store.db;
    await db.query(`update sync_records set lease_owner = 'the-new-owner', lease_until = now() + interval '60 seconds', status = 'in_doubt' where id = $1`, [posted.body.id]);
    const historyBefore = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.history.length;
    const stolenAt = Date.now();

    // The old run notices at its next heartbeat (every second here) and gives up its attempt.
    let attempt: any;
    while (Date.now() < stolenAt + 6000) {
      attempt = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body.attempts[0];
      if (attempt.finishedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(attempt.finishedAt, 'the old run should have stopped well before the endpoint answered').not.toBeNull();
    expect(Date.parse(attempt.finishedAt) - stolenAt).toBeLessThan(5000);
    expect(attempt.outcome).toBe('skipped');
    expect(attempt.steps.map((s: { step: string }) => s.step)).toContain('lease lost');

    // Nothing the old run did contradicts the new owner.
    await new Promise((r) => setTimeout(r, 500));
    const after = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body;
    expect(after.status).toBe('in_doubt');
    expect(after.providerInvoiceId).toBeNull();
    expect(after.history).toHaveLength(historyBefore);
    const row = (await db.query<{ lease_owner: string }>('select lease_owner from sync_records where id = $1', [posted.body.id]))[0]!;
    expect(row.lease_owner).toBe('the-new-owner');
  });
});

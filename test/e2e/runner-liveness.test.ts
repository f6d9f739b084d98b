import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * A runner looks for due records with SKIP LOCKED, so a record that another
 * transaction is changing at that moment is passed over. The runner must come
 * back for it — a due invoice is never left without a runner until the next
 * sweep (seen: an attachment added while the runner looked left its invoice
 * queued for the sweep's whole interval).
 */
describe('a due record that was busy when the runner looked', () => {
  let h: Harness;
  let endpoint: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    // A sweep that would come too late to be what syncs it.
    h = await startHarness({ database: 'postgres', sweepIntervalMs: 600_000 });
    endpoint = await startGenericSandbox({ port: 0 });
    key = await h.tenant('runner-liveness');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: endpoint.url, secret: endpoint.credentials.secret } });
  });
  afterAll(async () => {
    await h?.close();
    await endpoint?.close();
  });

  it('is synced soon after the change lets go, without a sweep', { timeout: 60_000 }, async () => {
    await h.runtime.workers!.sync.pause();
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'BUSY-1' } as never) });
    expect(posted.status).toBe(202);
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another transaction changing the record (row locked) while the runner looks.
    const change = h.db.transaction(async (tx) => {
      await tx.query('select id from sync_records where id = $1 for update', [posted.body.id]);
      locked();
      await held;
    });
    await isLocked;
    h.runtime.workers!.sync.resume();
    await new Promise((r) => setTimeout(r, 1500));
    expect(endpoint.invoices()).toHaveLength(0);
    letGo();
    await change;
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed'], 10_000);
    expect(record.status).toBe('synced');
    expect(endpoint.invoices()).toHaveLength(1);
  });
});

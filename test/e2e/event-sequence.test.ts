import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { transition } from '../../src/sync/transitions.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 9 item 9: two status events of one invoice can carry the same
 * millisecond, and deliveries are retried independently, so a host could not
 * tell their order. Each status event now carries `data.sequence`: 1, 2, 3…
 * per record, assigned in the transaction that changes the status (so a change
 * that rolls back takes no number, and numbers follow commit order).
 */
describe.each(['pglite', 'postgres'] as const)('per-record event sequence (%s)', (database) => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ database });
    sandbox = await startGenericSandbox({ port: 0 });
    receiver = await new WebhookReceiver().start();
    key = await h.tenant('seq');
    expect((await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } })).status).toBe(200);
    expect((await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  const eventsOf = (recordId: string) =>
    receiver.received
      .filter((e) => e.json?.data?.id === recordId)
      .map((e) => ({ type: e.json.type as string, sequence: e.json.data.sequence as number }));

  it('numbers each status event of a record 1, 2, 3 in the order of its status changes, and stores it with the delivery', async () => {
    sandbox.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'SEQ-1' }) });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed'], 30_000);
    expect(record.status).toBe('synced');
    await receiver.waitFor(() => eventsOf(posted.body.id).some((e) => e.type === 'invoice.synced'));

    const received = eventsOf(posted.body.id).sort((a, b) => a.sequence - b.sequence);
    expect(received).toEqual([
      { type: 'invoice.queued', sequence: 1 },
      { type: 'invoice.retrying', sequence: 2 },
      { type: 'invoice.synced', sequence: 3 },
    ]);
    const deliveries = await h.runtime.store.repos.webhooks.deliveriesFor(posted.body.id);
    expect(deliveries.map((d) => [d.eventType, d.sequence, (d.payload as any).data.sequence])).toEqual([
      ['invoice.queued', 1, 1],
      ['invoice.retrying', 2, 2],
      ['invoice.synced', 3, 3],
    ]);
  }, 60_000);

  it('a status change that rolls back takes no number: the next event follows without a gap', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'SEQ-2' }) });
    await h.waitForStatus(key, posted.body.id, ['synced']);
    const deps = { store: h.runtime.store, scheduler: h.runtime.scheduler, clock: () => new Date() };
    await expect(
      transition(deps, posted.body.id, 'failed', {
        alsoInTransaction: async () => {
          throw new Error('rolled back');
        },
      }),
    ).rejects.toThrow('rolled back');
    await transition(deps, posted.body.id, 'failed', { message: 'for the test' });
    const deliveries = await h.runtime.store.repos.webhooks.deliveriesFor(posted.body.id);
    expect(deliveries.map((d) => [d.eventType, d.sequence])).toEqual([
      ['invoice.queued', 1],
      ['invoice.synced', 2],
      ['invoice.failed', 3],
    ]);
  });

  it('numbers concurrent status changes of one record uniquely', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'SEQ-3' }) });
    await h.waitForStatus(key, posted.body.id, ['synced']);
    const deps = { store: h.runtime.store, scheduler: h.runtime.scheduler, clock: () => new Date() };
    await Promise.all(Array.from({ length: 6 }, () => transition(deps, posted.body.id, 'failed', { message: 'concurrent' })));
    const sequences = (await h.runtime.store.repos.webhooks.deliveriesFor(posted.body.id)).map((d) => d.sequence).sort((a, b) => a! - b!);
    expect(sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

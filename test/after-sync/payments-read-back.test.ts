import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * After the sync: the status poller reads each synced invoice back from the
 * provider's sandbox and moves the record forward — sent, partially_paid, paid
 * (amount and date on the record) — with its status events in order. A read
 * that fails changes nothing.
 */
const providers: Array<{ id: 'generic' | 'netvisor' | 'procountor'; start: () => Promise<RunningSandbox>; extra: Record<string, unknown>}> = [
  { id: 'generic', start: () => startGenericSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
  { id: 'netvisor', start: () => startNetvisorSandbox({ port: 0 }), extra: { timeoutMs: 1500 } },
  { id: 'procountor', start: () => startProcountorSandbox({ port: 0 }), extra: { timeoutMs: 1500 } },
];

describe.each(providers)('$id: payments read back', ({ id, start, extra }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await start();
    receiver = await new WebhookReceiver().start();
    key = await h.tenant(`pay-${id}`);
    const saved = await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, ...extra } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  async function syncedInvoice() {
    n += 1;
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `PAY-${id}-${n}` } as never) });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    return record as { id: string; providerInvoiceId: string };
  }

  /**
   * One status read of the record, as the poller makes it. A read put off for the connection's
   * budget, or skipped because the sync worker has not let go of the record yet, is made again.
   */
  async function read(recordId: string) {
    for (let i = 0; ; i += 1) {
      const outcome = await h.runtime.statuses.readOne((await h.runtime.store.repos.records.getById(recordId))!);
      if ((outcome !== 'deferred' && outcome !== 'skipped') || i > 50) return outcome;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const get = async (recordId: string) => (await h.api('GET', `/v1/invoices/${recordId}`, { key })).body;
  const eventsOf = (recordId: string) =>
    receiver.received
      .map((r) => r.json)
      .filter((e) => e?.data?.id === recordId)
      .sort((a, b) => a.data.sequence - b.data.sequence);
  async function eventTypes(recordId: string, count: number) {
    const deadline = Date.now() + 10_000;
    while (new Set(eventsOf(recordId).map((e) => e.data.sequence)).size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return [...new Map(eventsOf(recordId).map((e) => [e.data.sequence, e])).values()].map((e) => e.type);
  }

  it('payments registered in parts: sent, partially_paid, partially_paid, paid — events in order, amount and date on the record', async () => {
    const record = await syncedInvoice();
    await h.runtime.statuses.pollOnce();
    expect((await get(record.id)).status).toBe('synced');

    sandbox.sendInvoice(record.providerInvoiceId);
    sandbox.registerPayment(record.providerInvoiceId, { amount: '500.00', date: '2026-11-20' });
    await read(record.id);
    let now = await get(record.id);
    expect(now.status).toBe('partially_paid');
    expect(now.paidAmount).toBe('500.00');
    expect(now.paidAt).toBe('2026-11-20');
    expect(now.sentAt).not.toBeNull();

    sandbox.registerPayment(record.providerInvoiceId, { amount: '6.00', date: '2026-11-21' });
    await read(record.id);
    expect((await get(record.id)).paidAmount).toBe('506.00');

    sandbox.registerPayment(record.providerInvoiceId, { amount: '1000.00', date: '2026-11-25' });
    await read(record.id);
    now = await get(record.id);
    expect(now.status).toBe('paid');
    expect(now.paidAmount).toBe('1506.00');
    expect(now.paidAt).toBe('2026-11-25');

    expect(await eventTypes(record.id, 6)).toEqual(['invoice.queued', 'invoice.synced', 'invoice.sent', 'invoice.partially_paid', 'invoice.partially_paid', 'invoice.paid']);
    const paidEvent = eventsOf(record.id).find((e) => e.type === 'invoice.paid');
    expect(paidEvent.data).toMatchObject({ status: 'paid', paidAmount: '1506.00' });
    expect(now.history.map((e: { status: string }) => e.status)).toEqual(['queued', 'syncing', 'synced', 'sent', 'partially_paid', 'partially_paid', 'paid']);

    // A paid invoice is not read again.
    const before = sandbox.requests().length;
    await h.runtime.statuses.pollOnce();
    expect(sandbox.requests().length).toBe(before);
  });

  it('a person sends the invoice at the provider: sent, and invoice.sent', async () => {
    const record = await syncedInvoice();
    sandbox.sendInvoice(record.providerInvoiceId);
    expect(await read(record.id)).toBe('changed');
    expect((await get(record.id)).status).toBe('sent');
    expect(await eventTypes(record.id, 3)).toEqual(['invoice.queued', 'invoice.synced', 'invoice.sent']);
  });

  it('a read that fails changes nothing: the known payment stays, no event, the error is kept for the next read', async () => {
    const record = await syncedInvoice();
    sandbox.sendInvoice(record.providerInvoiceId);
    sandbox.registerPayment(record.providerInvoiceId, { amount: '300.00', date: '2026-11-20' });
    await read(record.id);
    const known = await get(record.id);
    expect(known.status).toBe('partially_paid');
    const eventsBefore = (await eventTypes(record.id, 4)).length;

    sandbox.injectFault({ kind: 'server_error', status: 503, times: 5, on: 'any' });
    expect(await read(record.id)).toBe('failed');
    sandbox.clearFaults();
    const after = await get(record.id);
    expect(after.status).toBe('partially_paid');
    expect(after.paidAmount).toBe('300.00');
    expect(after.history).toEqual(known.history);
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(record.id).length >= eventsBefore && new Set(eventsOf(record.id).map((e) => e.data.sequence)).size).toBe(eventsBefore);
    const row = (await h.db.query<any>('select status_check_error, next_status_check_at from sync_records where id = $1', [record.id]))[0];
    expect(row.status_check_error.inRow).toBe(1);
    expect(new Date(row.next_status_check_at).getTime()).toBeGreaterThan(Date.now());

    // Deleted at the provider: not a payment fact either; the record keeps what it knew.
    sandbox.deleteInvoice(record.providerInvoiceId);
    expect(await read(record.id)).toBe('gone');
    expect((await get(record.id)).status).toBe('partially_paid');
  });
});

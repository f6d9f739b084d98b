import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { dec } from '../../src/domain/money.js';
import { exampleRevision } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { creditNotes, liveInvoices } from '../support/live-invoices.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 8 through the whole service, against each provider's sandbox: whatever
 * happens to revision 1 when revision 2 arrives, the tenant ends with exactly
 * one live invoice for the externalId at the provider, holding the newest
 * revision's lines (or, under revisionPolicy "refuse", revision 1's and a clear
 * already_issued), and the host hears about it.
 *
 * Revision 1 bills 12 h (1,506.00 gross); revision 2 bills 10.75 h (1,349.13).
 */
const providers: Array<{ id: 'generic' | 'netvisor' | 'procountor'; start: () => Promise<RunningSandbox>; extra: Record<string, unknown> }> = [
  { id: 'generic', start: () => startGenericSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
  { id: 'netvisor', start: () => startNetvisorSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
  { id: 'procountor', start: () => startProcountorSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
];

const R1_GROSS = '1506.00';
const R2_GROSS = '1349.13';
const R3_GROSS = '1255.00';


const HOURS: Record<number, string> = { 1: '12', 2: '10.75', 3: '10' };

describe.each(providers)('revisions and cancellation: $id', ({ id, start, extra }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  let n = 0;
  let externalId: string;

  const post = (revision: number, body?: Record<string, unknown>) => h.api('POST', '/v1/invoices', { key, body: body ?? exampleRevision(externalId, revision, HOURS[revision]!) });
  const detail = async (recordId: string) => (await h.api('GET', `/v1/invoices/${recordId}`, { key })).body;
  const connect = async (settings: Record<string, unknown> = {}) => {
    const saved = await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, ...extra, ...settings } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  };
  const events = (recordId: string) => receiver.received.filter((e) => e.json?.data?.id === recordId).map((e) => e.json.type as string);
  const gross = (total: string | null) => dec(total ?? 'NaN').toFixed(2);
  /** Waits until no sync job is waiting or running (a queued job has had its chance to act). */
  const queueDrained = async () => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const counts = await h.runtime.scheduler.queues.sync.getJobCounts('waiting', 'active', 'prioritized');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the sync queue did not drain');
  };

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await start();
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    // A fresh tenant and an empty sandbox per test: every invoice the sandbox holds is this test's.
    n += 1;
    sandbox.reset();
    key = await h.tenant(`rev-${id}-${n}`);
    externalId = `INV-${id}-${n}`;
    await connect();
    expect((await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } })).status).toBe(200);
  });

  it('(a) revision 2 while revision 1 is still queued: revision 1 is superseded and never created', async () => {
    await h.runtime.workers!.sync.pause();
    const r1 = await post(1);
    const r2 = await post(2);
    expect([r1.status, r2.status]).toEqual([202, 202]);
    h.runtime.workers!.sync.resume();

    const synced = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(synced.status, JSON.stringify(synced.lastError)).toBe('synced');
    const first = await h.waitForStatus(key, r1.body.id, ['superseded']);
    expect(first.supersededBy.id).toBe(r2.body.id);
    expect(first.providerInvoiceId).toBeNull();
    expect(synced.supersedes.map((s: { id: string }) => s.id)).toEqual([r1.body.id]);

    const stored = sandbox.invoices();
    expect(stored).toHaveLength(1);
    expect(gross(stored[0]!.total)).toBe(R2_GROSS);
    await receiver.waitFor(() => events(r1.body.id).includes('invoice.superseded') && events(r2.body.id).includes('invoice.synced'));
    expect(events(r1.body.id)).not.toContain('invoice.synced');
  });

  it('(b) revision 2 after revision 1 synced, before it was approved or sent: edited in place, one invoice, same number', async () => {
    const r1 = await post(1);
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    const r2 = await post(2);
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.providerInvoiceId).toBe(one.providerInvoiceId);
    expect(two.providerInvoiceNumber).toBe(one.providerInvoiceNumber);
    expect(two.actions.map((a: { kind: string }) => a.kind)).toEqual(['edited']);
    expect(two.actions[0].target).toBe(r1.body.id);

    const first = await detail(r1.body.id);
    expect(first.status).toBe('superseded');
    expect(first.supersededBy.id).toBe(r2.body.id);

    const stored = sandbox.invoices();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(one.providerInvoiceId);
    expect(gross(stored[0]!.total)).toBe(R2_GROSS);
    await receiver.waitFor(() => events(r1.body.id).includes('invoice.superseded') && events(r2.body.id).includes('invoice.synced'));
  });

  it('(c) revision 2 after revision 1 was sent, policy refuse: already_issued names the invoice; revision 1 stays the live one', async () => {
    const r1 = await post(1);
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    sandbox.sendInvoice(one.providerInvoiceId);

    // The generic protocol cannot read an invoice's state: its preview says "edit", and the endpoint's answer to the edit decides.
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body: exampleRevision(externalId, 2, HOURS[2]!) });
    expect(preview.body.revisionAction).toBe(id === 'generic' ? 'edit' : 'refuse');

    const r2 = await post(2);
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status).toBe('failed');
    expect(two.lastError.code).toBe('already_issued');
    expect(two.lastError.message).toContain(String(one.providerInvoiceNumber ?? one.providerInvoiceId));
    expect(two.lastError.message).toMatch(/credit note/);
    expect(two.lastError.message).toMatch(/revisionPolicy/);
    expect((await detail(r1.body.id)).status).toBe('synced');

    const live = liveInvoices(sandbox.invoices());
    expect(live).toHaveLength(1);
    expect(gross(live[0]!.total)).toBe(R1_GROSS);
    await receiver.waitFor(() => events(r2.body.id).includes('invoice.failed'));

    // Switching the policy and resyncing carries the revision out: credited and reissued.
    await connect({ revisionPolicy: 'credit_and_reissue' });
    expect((await h.api('POST', `/v1/invoices/${r2.body.id}/resync`, { key })).status).toBe(202);
    const again = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(again.status, JSON.stringify(again.lastError)).toBe('synced');
    const after = liveInvoices(sandbox.invoices());
    expect(after).toHaveLength(1);
    expect(gross(after[0]!.total)).toBe(R2_GROSS);
  });

  it('(c) revision 2 after revision 1 was sent, policy credit_and_reissue: credited in full, then created once; both on the record', async () => {
    await connect({ revisionPolicy: 'credit_and_reissue' });
    const r1 = await post(1);
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    sandbox.sendInvoice(one.providerInvoiceId);

    const r2 = await post(2);
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.providerInvoiceId).not.toBe(one.providerInvoiceId);
    const kinds = two.actions.map((a: { kind: string }) => a.kind);
    expect(kinds).toEqual(['credited', 'created']);
    const credit = two.actions[0];
    expect(credit.target).toBe(r1.body.id);
    expect(credit.status).toBe('done');

    const stored = sandbox.invoices();
    expect(stored).toHaveLength(3);
    const notes = creditNotes(stored);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.id).toBe(credit.providerInvoiceId);
    expect(gross(notes[0]!.total)).toBe(`-${R1_GROSS}`);
    const live = liveInvoices(stored);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe(two.providerInvoiceId);
    expect(gross(live[0]!.total)).toBe(R2_GROSS);
    const first = await detail(r1.body.id);
    expect(first.status).toBe('superseded');
    expect(first.supersededBy.id).toBe(r2.body.id);
  });

  it('(d) revisions 2 and 3 posted at the same moment: exactly one live invoice, holding revision 3', async () => {
    const r1 = await post(1);
    await h.waitForStatus(key, r1.body.id, ['synced']);
    const [r2, r3] = await Promise.all([post(2), post(3)]);
    expect(r3.status).toBe(202);
    // Revision 2 may lose the race at intake (then it is stale) or be accepted first.
    expect([202, 409]).toContain(r2.status);
    const three = await h.waitForStatus(key, r3.body.id, ['synced', 'failed'], 20_000);
    expect(three.status, JSON.stringify(three.lastError)).toBe('synced');
    if (r2.status === 202) await h.waitForStatus(key, r2.body.id, ['superseded']);
    const live = liveInvoices(sandbox.invoices());
    expect(live).toHaveLength(1);
    expect(gross(live[0]!.total)).toBe(R3_GROSS);
    expect(live[0]!.id).toBe(three.providerInvoiceId);
  });

  it('a lower revision is 409 stale_revision naming the newest; an equal one keeps the idempotency rules', async () => {
    let r2id = '';
    await h.runtime.workers!.sync.pause();
    try {
      const r2 = await post(2);
      expect(r2.status).toBe(202);
      r2id = r2.body.id;
      const stale = await post(1);
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe('stale_revision');
      expect(stale.body.error.message).toContain('revision 2');
      expect(stale.body.error.message).toContain(r2.body.id);
      expect((await post(2)).status).toBe(200);
      const changed = await post(2, exampleRevision(externalId, 2, '7'));
      expect(changed.status).toBe(409);
      expect(changed.body.error.code).toBe('revision_conflict');
    } finally {
      h.runtime.workers!.sync.resume();
    }
    // Revision 2 goes through before the next test resets the sandbox (a runner that waits for the
    // budget is a delayed job, which a drained queue does not show).
    await h.waitForStatus(key, r2id, ['synced']);
    await queueDrained();
  });

  it('a cancelled invoice is never created, even with its job already queued; cancelling again is a no-op', async () => {
    await h.runtime.workers!.sync.pause();
    const r1 = await post(1);
    const cancelled = await h.api('POST', `/v1/invoices/${r1.body.id}/cancel`, { key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await h.api('POST', `/v1/invoices/${r1.body.id}/cancel`, { key })).status).toBe(200);
    h.runtime.workers!.sync.resume();
    await h.runtime.sweepNow();
    await queueDrained();
    expect((await detail(r1.body.id)).status).toBe('cancelled');
    expect(sandbox.invoices()).toHaveLength(0);
    await receiver.waitFor(() => events(r1.body.id).includes('invoice.cancelled'));
    expect((await h.api('POST', `/v1/invoices/${r1.body.id}/resync`, { key })).body.error.code).toBe('already_cancelled');
  });

  it('a synced invoice cannot be cancelled: 409 already_at_provider says to credit it', async () => {
    const r1 = await post(1);
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    const refused = await h.api('POST', `/v1/invoices/${r1.body.id}/cancel`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('already_at_provider');
    expect(refused.body.error.message).toContain(String(one.providerInvoiceId));
    expect(refused.body.error.message).toMatch(/credit/);
  });

  it('the preview says what a revision will do: create, supersede, edit', async () => {
    const preview = (revision: number) => h.api('POST', '/v1/invoices/preview', { key, body: exampleRevision(externalId, revision, HOURS[revision]!) });
    expect((await preview(1)).body.revisionAction).toBe('create');
    await h.runtime.workers!.sync.pause();
    const r1 = await post(1);
    expect((await preview(2)).body.revisionAction).toBe('supersede');
    const stale = await preview(1);
    expect(stale.body.revisionAction).toBeNull();
    h.runtime.workers!.sync.resume();
    await h.waitForStatus(key, r1.body.id, ['synced']);
    const edit = await preview(2);
    expect(edit.body.revisionAction).toBe('edit');
    expect(edit.body.revision.target.id).toBe(r1.body.id);
    expect(sandbox.invoices()).toHaveLength(1);
  });
});

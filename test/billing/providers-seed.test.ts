import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { dec } from '../../src/domain/money.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closeExampleTask, expectStatus, pushExampleWork } from './support.js';

/**
 * Issue 11 point 6: ticket #1296, 10.75 h by three people, billed 12 h (+1:15)
 * at 100.00 EUR/h, released from a draft → 1,200.00 net, 25.5 % VAT,
 * 1,506.00 gross, landing exactly once in each provider's sandbox.
 */
const providers: Array<{ id: 'generic' | 'netvisor' | 'procountor'; start: () => Promise<RunningSandbox>; extra: Record<string, unknown> }> = [
  { id: 'generic', start: () => startGenericSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
  { id: 'netvisor', start: () => startNetvisorSandbox({ port: 0 }), extra: { timeoutMs: 1500 } },
  { id: 'procountor', start: () => startProcountorSandbox({ port: 0 }), extra: { timeoutMs: 1500 } },
];

describe.each(providers)('the seed example from work into $id', ({ id, start, extra }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await start();
    key = await h.tenant(`bill-${id}`);
    await expectStatus(h, key, 'PUT', `/v1/connections/${id}`, 200, { baseUrl: sandbox.url, ...sandbox.credentials, ...extra });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('lands once with 1,200.00 net, 25.5 % VAT and 1,506.00 gross', async () => {
    await pushExampleWork(h, key, { project: { provider: id } });
    const closed = await closeExampleTask(h, key);
    const draftId = closed.compiled.draftIds[0];
    await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${draftId}/tasks/1296`, 200, { adjustHours: '1.25' });
    const draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${draftId}`, 200);
    expect(draft.problems).toEqual([]);
    expect(draft.provider).toBe(id);
    expect(draft.tasks[0]).toMatchObject({ bookedHours: '10.75', billedHours: '12', additional: '+1:15', unitPrice: '100', net: '1200.00', vatRate: '25.5' });
    expect(draft.totals).toEqual({ hours: '12', net: '1200.00', vat: '306.00', gross: '1506.00' });

    const [first, second] = await Promise.all([
      h.api('POST', `/v1/billing/drafts/${draftId}/release`, { key }),
      h.api('POST', `/v1/billing/drafts/${draftId}/release`, { key }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.invoiceId).toBe(second.body.invoiceId);
    const record = await h.waitForStatus(key, first.body.syncRecordId, ['synced', 'failed'], 30_000);
    expect(record.lastError).toBeNull();
    expect(record.provider).toBe(id);
    expect(record.totals).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
    const stored = sandbox.invoices();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(record.providerInvoiceId);
    expect(dec(stored[0]!.total!).equals(dec('1506.00'))).toBe(true);

    // Asked again after the sync: the same invoice, nothing new at the provider.
    const again = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draftId}/release`, 200);
    expect(again.invoiceId).toBe(first.body.invoiceId);
    await h.runtime.sweepNow();
    expect(sandbox.invoices()).toHaveLength(1);
    const invoice = await expectStatus(h, key, 'GET', `/v1/billing/invoices/${first.body.invoiceId}`, 200);
    expect(invoice).toMatchObject({ status: 'ready_to_send', syncRecordId: record.id, providerInvoiceNumber: record.providerInvoiceNumber, totals: { net: '1200.00', gross: '1506.00' } });
  });
});

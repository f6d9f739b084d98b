import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { dec } from '../../src/domain/money.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closeExampleTask, expectStatus, pushExampleWork } from './support.js';

describe('the seed example through billing (generic)', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('acme');
    await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('closes the ticket onto a draft, bills 12 h (+1:15) and syncs 1,506.00 once', async () => {
    await pushExampleWork(h, key);
    const closed = await closeExampleTask(h, key);
    expect(closed.compiled.entries).toBe(3);
    const [draftId] = closed.compiled.draftIds;
    let draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${draftId}`, 200);
    expect(draft.tasks).toHaveLength(1);
    const task = draft.tasks[0];
    expect(task.bookedHours).toBe('10.75');
    expect(task.billedHours).toBe('10.75');
    expect(task.perActivity).toEqual([
      { activity: 'development', hours: '5' },
      { activity: 'management', hours: '2.5' },
      { activity: 'testing', hours: '3.25' },
    ]);
    expect(task.perUser.map((u: any) => [u.userId, u.hours])).toEqual([
      ['u-anna', '2.5'],
      ['u-bert', '3.25'],
      ['u-cara', '5'],
    ]);
    expect(task.unitPrice).toBe('100');
    expect(task.priceSource).toBe('project');

    draft = await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${draftId}/tasks/1296`, 200, { billedHours: '12' });
    expect(draft.tasks[0].additionalHours).toBe('1.25');
    expect(draft.tasks[0].additional).toBe('+1:15');
    draft = await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${draftId}`, 200, { invoiceDate: '2026-11-30', dueDate: '2026-12-14' });
    expect(draft.totals).toEqual({ hours: '12', net: '1200.00', vat: '306.00', gross: '1506.00' });
    expect(draft.tasks[0].vatRate).toBe('25.5');
    expect(draft.problems).toEqual([]);

    const released = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draftId}/release`, 201);
    expect(released.syncRecordId).toBeTruthy();
    const record = await h.waitForStatus(key, released.syncRecordId, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(record.externalId).toBe(released.invoiceId);
    expect(record.totals).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
    expect(record.lines).toHaveLength(1);
    expect(record.lines[0]).toMatchObject({ kind: 'task_entry', description: '#1296 Integration of BIM tools', quantity: '12', unitPrice: '100', vatRate: '25.5', netAmount: '1200.00' });
    const stored = sandbox.invoices();
    expect(stored).toHaveLength(1);
    expect(dec(stored[0]!.total!).equals(dec('1506.00'))).toBe(true);

    const again = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draftId}/release`, 200);
    expect(again.invoiceId).toBe(released.invoiceId);
    expect(again.syncRecordId).toBe(released.syncRecordId);
    expect(sandbox.invoices()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { compile, expectStatus } from './support.js';

/**
 * Compile: which entries become billable items (stopped, unbilled, of billable
 * tasks with a client contact, closed under closed_tasks), the line kinds and
 * prices they get, the problems it names, and that no entry is ever billed twice.
 */
describe.each(['pglite', 'postgres'] as const)('compile (%s)', (database) => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ database });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('acme');
    await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/c1', 201, { name: 'Asiakas Oy', businessId: '0112038-9' });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('turns stopped work into items with their line kinds and prices, and names what it could not take', async () => {
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/p-one', 201, { name: 'Site survey', customerExternalId: 'c1', kind: 'one_time', hourlyRate: '80' });
    // Task price beats the project rate; a mapping's product price beats both.
    await expectStatus(h, key, 'PUT', '/v1/billing/tasks/t-a', 201, { projectExternalId: 'p-one', title: 'Survey', status: 'in_progress', billable: true, unitPrice: '95', context: { contactId: 'k-1' } });
    await expectStatus(h, key, 'PUT', '/v1/billing/tasks/t-b', 201, { projectExternalId: 'p-one', title: 'Report', status: 'new', billable: true, context: { contactId: 'k-1', teamId: 'team-x' } });
    await expectStatus(h, key, 'PUT', '/v1/billing/tasks/t-nocontact', 201, { projectExternalId: 'p-one', title: 'Orphan', status: 'done', billable: true });
    await expectStatus(h, key, 'PUT', '/v1/billing/tasks/t-free', 201, { projectExternalId: 'p-one', title: 'Warranty', status: 'done', billable: false, context: { contactId: 'k-1' } });
    await expectStatus(h, key, 'PUT', '/v1/product-mappings', 201, { scope: 'team', scopeId: 'team-x', lineKind: 'task_entry', product: { code: 'REPORT', name: 'Reporting', unit: 'hour', unitPrice: '120' } });
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, {
      entries: [
        { externalId: 'x1', taskExternalId: 't-a', userId: 'u1', kind: 'time', date: '2026-03-02', hours: '3.5', stopped: true },
        { externalId: 'x2', taskExternalId: 't-a', userId: 'u1', kind: 'time', date: '2026-03-03', hours: '1', unitPrice: '150', stopped: true },
        { externalId: 'x3', taskExternalId: 't-a', userId: 'u2', kind: 'time', date: '2026-03-03', hours: '2', stopped: false },
        { externalId: 'x4', taskExternalId: 't-a', userId: 'u2', kind: 'mileage', date: '2026-03-04', km: '42', transportMinutes: 45, stopped: true },
        { externalId: 'x5', taskExternalId: 't-a', userId: 'u2', kind: 'mileage', date: '2026-03-05', km: '10', unitPrice: '0.59', stopped: true },
        { externalId: 'x6', taskExternalId: 't-a', userId: 'u2', kind: 'goods', date: '2026-03-05', quantity: '3', unitPrice: '12.40', description: 'Cable 5 m', stopped: true },
        { externalId: 'x7', taskExternalId: 't-b', userId: 'u1', kind: 'time', date: '2026-03-06', hours: '2.25', stopped: true },
        { externalId: 'x8', taskExternalId: 't-nocontact', userId: 'u1', kind: 'time', date: '2026-03-06', hours: '4', stopped: true },
        { externalId: 'x9', taskExternalId: 't-free', userId: 'u1', kind: 'time', date: '2026-03-06', hours: '4', stopped: true },
        { externalId: 'x10', taskExternalId: 't-b', userId: 'u1', kind: 'expense', date: '2026-03-07', description: 'Parking', stopped: true },
      ],
    });

    const op = await compile(h, key);
    expect(op.status).toBe('done');
    // x1, x2, x4 (two items), x5, x6, x7, x10: 7 entries, 8 items. Not x3 (running), x8 (no contact), x9 (not billable).
    expect(op.counts).toMatchObject({ entries: 7, items: 8, tasksWithoutContact: 1 });
    expect(op.problems.filter((p: any) => p.code === 'no_contact').map((p: any) => p.taskExternalId)).toEqual(['t-nocontact']);
    // The expense has no price anywhere: a zero-priced line with a warning, not dropped.
    expect(op.problems.filter((p: any) => p.code === 'zero_price').map((p: any) => p.path)).toEqual(['entries.x10']);

    const items = (await expectStatus(h, key, 'GET', '/v1/billing/items?status=pending&projectExternalId=p-one', 200)).items;
    const by = (entry: string, part = 'main') => items.find((i: any) => i.entryExternalId === entry && i.part === part);
    expect(items).toHaveLength(8);
    expect(by('x1')).toMatchObject({ kind: 'task_entry', quantity: '3.5', unitPrice: '95', priceSource: 'task', net: '332.50' });
    expect(by('x2')).toMatchObject({ kind: 'task_entry', unitPrice: '150', priceSource: 'entry' });
    expect(by('x4', 'distance')).toMatchObject({ kind: 'transport_distance', quantity: '42', unit: 'km', unitPrice: '5', priceSource: 'product', product: { code: 'TRANSPORT' } });
    expect(by('x4', 'time')).toMatchObject({ kind: 'transport_time', quantity: '0.75', unit: 'hour', unitPrice: '1000', priceSource: 'product', product: { code: 'TRANSPORT_TIME' } });
    expect(by('x5', 'distance')).toMatchObject({ kind: 'transport_distance', quantity: '10', unitPrice: '0.59', priceSource: 'entry' });
    expect(by('x6')).toMatchObject({ kind: 'goods', quantity: '3', unitPrice: '12.4', priceSource: 'entry', net: '37.20' });
    expect(by('x7')).toMatchObject({ kind: 'task_entry', unitPrice: '120', priceSource: 'product', product: { code: 'REPORT' } });
    expect(by('x10')).toMatchObject({ kind: 'expense', quantity: '1', unitPrice: '0', priceSource: 'none' });

    // The tenant defaults the intake uses were created once, marked as such.
    const mappings = (await expectStatus(h, key, 'GET', '/v1/product-mappings', 200)).mappings;
    const auto = mappings.filter((m: any) => m.autoCreated).map((m: any) => m.lineKind).sort();
    expect(auto).toEqual(['expense', 'goods', 'task_entry', 'transport_distance', 'transport_time']);

    // A one-time project bills stopped entries: everything compiled is on its open draft.
    const drafts = (await expectStatus(h, key, 'GET', '/v1/billing/drafts?projectExternalId=p-one&status=open', 200)).drafts;
    expect(drafts).toHaveLength(1);
    const draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${drafts[0].id}`, 200);
    const survey = draft.tasks.find((t: any) => t.taskExternalId === 't-a');
    // Two prices for the survey's hours: 3.5 h at the task's 95, 1 h at the entry's 150.
    expect(survey.priceGroups.map((g: any) => [g.unitPrice, g.billedHours])).toEqual([
      ['95', '3.5'],
      ['150', '1'],
    ]);
    expect(survey.net).toBe('482.50');
    // Survey 3.5 × 95 + 1 × 150 = 482.50, report 2.25 × 120 = 270.00, 42 km × 5 = 210.00,
    // 0.75 h × 1000 = 750.00, 10 km × 0.59 = 5.90, cable 3 × 12.40 = 37.20, parking 0.00.
    expect(draft.totals.net).toBe('1755.60');
    expect(draft.totals.hours).toBe('6.75');
    expect(draft.warnings.map((w: any) => w.code)).toContain('zero_price');
  });

  it('compiles nothing the second time, and never an entry twice when compiles run at once', async () => {
    const again = await compile(h, key);
    expect(again.counts).toMatchObject({ entries: 0, items: 0 });

    await expectStatus(h, key, 'PUT', '/v1/billing/projects/p-bulk', 201, { name: 'Bulk', customerExternalId: 'c1', billOn: 'stopped_entries', hourlyRate: '50' });
    const taskIds = ['b1', 'b2', 'b3', 'b4'];
    for (const id of taskIds) {
      await expectStatus(h, key, 'PUT', `/v1/billing/tasks/${id}`, 201, { projectExternalId: 'p-bulk', title: `Bulk ${id}`, status: 'in_progress', context: { contactId: 'k-2' } });
    }
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      externalId: `bulk-${i}`,
      taskExternalId: taskIds[i % 4],
      userId: `u${i % 7}`,
      kind: i % 10 === 0 ? 'mileage' : 'time',
      date: `2026-04-${String((i % 28) + 1).padStart(2, '0')}`,
      ...(i % 10 === 0 ? { km: '12', transportMinutes: 30 } : { hours: '0.25' }),
      stopped: true,
    }));
    const pushed = await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries });
    expect(pushed.created).toBe(1000);

    const ops = await Promise.all([1, 2, 3].map(() => h.api('POST', '/v1/billing/compile', { key, body: { projectExternalIds: ['p-bulk'] } })));
    const { waitForOperation } = await import('./support.js');
    const done = await Promise.all(ops.map((o) => waitForOperation(h, key, o.body.operationId, 60_000)));
    expect(done.every((d) => d.status === 'done')).toBe(true);
    expect(done.reduce((n, d) => n + d.counts.entries, 0)).toBe(1000);
    expect(done.reduce((n, d) => n + d.counts.items, 0)).toBe(1100);

    const items = (await expectStatus(h, key, 'GET', '/v1/billing/items?projectExternalId=p-bulk&limit=5000', 200)).items;
    expect(items).toHaveLength(1100);
    expect(new Set(items.map((i: any) => `${i.entryExternalId}/${i.part}`)).size).toBe(1100);
    const drafts = (await expectStatus(h, key, 'GET', '/v1/billing/drafts?projectExternalId=p-bulk', 200)).drafts;
    expect(drafts).toHaveLength(1);
    // 900 × 0.25 h = 225 h × 50 = 11,250.00; 100 × 12 km × 5 = 6,000.00; 100 × 0.5 h × 1000 = 50,000.00.
    expect(drafts[0].totals).toMatchObject({ hours: '225', net: '67250.00' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { compile, expectStatus } from './support.js';

/**
 * Finance's side: closed tickets collect on the project's one open draft,
 * billed hours go up and down, lines are renamed, excluded, added and
 * removed, dates and contacts are set; release makes one immutable invoice
 * whose work is never billed again.
 */
describe('review and release', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  let n = 0;

  const putTask = async (id: string, project: string, status = 'in_progress', extra: Record<string, unknown> = {}) => {
    const r = await h.api('PUT', `/v1/billing/tasks/${id}`, { key, body: { projectExternalId: project, title: `Ticket ${id}`, status, billable: true, context: { contactId: 'k-9' }, ...extra } });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    return r.body;
  };
  const time = (task: string, hours: string, extra: Record<string, unknown> = {}) => {
    n += 1;
    return { externalId: `w-${n}`, taskExternalId: task, userId: 'u1', userName: 'Ulla', activity: 'development', kind: 'time', date: '2026-05-04', hours, stopped: true, ...extra };
  };
  const push = (...entries: unknown[]) => expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries });

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('acme');
    await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/c9', 201, { name: 'Rakennus Oy', email: 'ap@rakennus.fi', contactPerson: 'Old Contact' });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });
  beforeEach(() => sandbox.reset());

  it('collects closed tickets on one draft until it is released; later work goes to a later invoice', async () => {
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/acc', 201, { name: 'Ongoing support', customerExternalId: 'c9', kind: 'ongoing', hourlyRate: '90' });
    await putTask('101', 'acc');
    await putTask('102', 'acc');
    await putTask('103', 'acc');
    const w101 = time('101', '2');
    await push(w101, time('102', '1.5'), time('103', '4'));

    // closed_tasks: compile leaves the work of open tickets alone.
    expect((await compile(h, key)).counts.entries).toBe(0);
    const first = await putTask('101', 'acc', 'closed');
    const second = await putTask('102', 'acc', 'closed');
    expect(first.compiled.draftIds).toHaveLength(1);
    expect(second.compiled.draftIds).toEqual(first.compiled.draftIds);
    const draftId = first.compiled.draftIds[0];
    let draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${draftId}`, 200);
    expect(draft.tasks.map((t: any) => t.taskExternalId)).toEqual(['101', '102']);
    expect(draft.totals).toMatchObject({ hours: '3.5', net: '315.00' });

    // Closing the same ticket again changes nothing.
    expect((await putTask('101', 'acc', 'closed')).compiled.entries).toBe(0);

    const released = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draftId}/release`, 201);
    await h.waitForStatus(key, released.syncRecordId, ['synced']);

    // A released draft and the entries on it do not change.
    await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${draftId}`, 409, { notes: 'late' });
    const changed = await h.api('POST', '/v1/billing/entries', { key, body: { entries: [{ ...w101, hours: '3' }] } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('already_billed');
    expect(changed.body.error.details[0]).toMatchObject({ path: 'entries[0]', externalId: w101.externalId });
    // Sent again as it was: nothing changes, nothing refused.
    expect((await push(w101)).unchanged).toBe(1);

    // The third ticket closes onto a new draft; new work on the billed ticket waits for compile and joins it.
    const third = await putTask('103', 'acc', 'closed');
    expect(third.compiled.draftIds).toHaveLength(1);
    expect(third.compiled.draftIds[0]).not.toBe(draftId);
    await push(time('101', '0.5'));
    const op = await compile(h, key);
    expect(op.counts.entries).toBe(1);
    const next = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${third.compiled.draftIds[0]}`, 200);
    expect(next.tasks.map((t: any) => [t.taskExternalId, t.bookedHours])).toEqual([
      ['103', '4'],
      ['101', '0.5'],
    ]);
    const invoice = await expectStatus(h, key, 'GET', `/v1/billing/invoices/${released.invoiceId}`, 200);
    expect(invoice.totals).toMatchObject({ hours: '3.5', net: '315.00', vat: '80.33', gross: '395.33' });
    expect(invoice.tasks.map((t: any) => t.taskExternalId)).toEqual(['101', '102']);
  });

  it('adjusts billed hours up and down, renames, excludes, adds and removes lines, and sets dates and contacts', async () => {
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/rev', 201, { name: 'Review', customerExternalId: 'c9', kind: 'ongoing', hourlyRate: '100' });
    await putTask('201', 'rev');
    await putTask('202', 'rev');
    await putTask('203', 'rev');
    const goods = { externalId: 'g-201', taskExternalId: '201', userId: 'u1', kind: 'goods', date: '2026-05-05', quantity: '2', unitPrice: '15', description: 'Adapter', stopped: true };
    const excludedWork = time('202', '3');
    const billedWork = [time('201', '4'), time('201', '1.5', { userId: 'u2', activity: 'testing' }), time('203', '2')];
    await push(billedWork[0], billedWork[1], goods, excludedWork, billedWork[2]);
    await putTask('201', 'rev', 'closed');
    await putTask('202', 'rev', 'closed');
    const closed = await putTask('203', 'rev', 'closed');
    const id = closed.compiled.draftIds[0];
    const url = `/v1/billing/drafts/${id}`;

    // Billing the estimate instead of the booked time, then a goodwill reduction.
    let draft = await expectStatus(h, key, 'PATCH', `${url}/tasks/201`, 200, { billedHours: '6' });
    expect(draft.tasks[0]).toMatchObject({ bookedHours: '5.5', billedHours: '6', additionalHours: '0.5', additional: '+0:30', billedHoursSetBy: 'finance' });
    draft = await expectStatus(h, key, 'PATCH', `${url}/tasks/201`, 200, { adjustHours: '-1.25' });
    expect(draft.tasks[0]).toMatchObject({ billedHours: '4.75', additionalHours: '-0.75', additional: '-0:45' });
    draft = await expectStatus(h, key, 'PATCH', `${url}/tasks/203`, 200, { adjustHours: 1.5 });
    expect(draft.tasks.find((t: any) => t.taskExternalId === '203')).toMatchObject({ billedHours: '3.5', additional: '+1:30' });

    // Every problem at once.
    const bad = await h.api('PATCH', `${url}/tasks/201`, { key, body: { billedHours: '-1', adjustHours: 'x', excluded: 'yes', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect([...new Set(bad.body.error.details.map((p: any) => p.path))].sort()).toEqual(['(document)', 'adjustHours', 'billedHours', 'excluded']);
    const negative = await h.api('PATCH', `${url}/tasks/201`, { key, body: { adjustHours: '-10' } });
    expect(negative.status).toBe(400);
    expect(negative.body.error.details[0]).toMatchObject({ path: 'adjustHours' });
    expect((await h.api('PATCH', `${url}/tasks/999`, { key, body: { excluded: true } })).status).toBe(404);

    draft = await expectStatus(h, key, 'PATCH', `${url}/tasks/201`, 200, { title: 'BIM integration, phase 1' });
    draft = await expectStatus(h, key, 'PATCH', `${url}/tasks/202`, 200, { excluded: true });
    expect(draft.tasks.find((t: any) => t.taskExternalId === '202').excluded).toBe(true);

    const goodsLine = draft.otherLines.find((l: any) => l.entryExternalId === 'g-201');
    expect(goodsLine).toMatchObject({ kind: 'goods', quantity: '2', unitPrice: '15', net: '30.00' });
    draft = await expectStatus(h, key, 'PATCH', url, 200, {
      invoiceDate: '2026-05-31',
      paymentTermDays: 21,
      contactPerson: 'Maija Meikäläinen',
      email: 'invoices@rakennus.fi',
      notes: 'Thank you!',
      addLines: [{ description: 'Setup fee', quantity: '1', unitPrice: '250', unit: 'pcs' }],
      removeLines: [goodsLine.id],
    });
    expect(draft).toMatchObject({ invoiceDate: '2026-05-31', dueDate: '2026-06-21', paymentTermDays: 21, contactPerson: 'Maija Meikäläinen', email: 'invoices@rakennus.fi' });
    expect(draft.otherLines.find((l: any) => l.id === goodsLine.id).excluded).toBe(true);
    const fee = draft.otherLines.find((l: any) => l.source === 'added');
    expect(fee).toMatchObject({ description: 'Setup fee', net: '250.00' });
    // Restore the adapter, remove the fee again, add it back: the last state counts.
    draft = await expectStatus(h, key, 'PATCH', url, 200, { restoreLines: [goodsLine.id], removeLines: [fee.id] });
    expect(draft.otherLines.some((l: any) => l.source === 'added')).toBe(false);
    draft = await expectStatus(h, key, 'PATCH', url, 200, { addLines: [{ description: 'Setup fee', quantity: '1', unitPrice: '250', unit: 'pcs' }] });
    const unknown = await h.api('PATCH', url, { key, body: { removeLines: ['nope'], dueDate: '2026-01-01', paymentTermDays: 3 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.map((p: any) => p.path).sort()).toEqual(['paymentTermDays', 'removeLines[0]']);

    // 4.75 h + 3.5 h at 100 = 825.00; adapter 30.00; fee 250.00 → 1,105.00; VAT 25.5 % rounded per line:
    // 121.13 + 7.65 + 89.25 + 63.75 = 281.78.
    expect(draft.totals).toEqual({ hours: '8.25', net: '1105.00', vat: '281.78', gross: '1386.78' });
    const released = await expectStatus(h, key, 'POST', `${url}/release`, 201);
    const record = await h.waitForStatus(key, released.syncRecordId, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(record.totals).toEqual({ net: '1105.00', vat: '281.78', gross: '1386.78' });
    expect(record.lines.map((l: any) => [l.kind, l.description, l.quantity, l.unitPrice, l.netAmount])).toEqual([
      ['task_entry', 'BIM integration, phase 1', '4.75', '100', '475.00'],
      ['goods', 'Adapter', '2', '15', '30.00'],
      ['task_entry', '#203 Ticket 203', '3.5', '100', '350.00'],
      ['goods', 'Setup fee', '1', '250', '250.00'],
    ]);
    expect(record.document.customer).toMatchObject({ externalId: 'c9', name: 'Rakennus Oy', contactPerson: 'Maija Meikäläinen', email: 'invoices@rakennus.fi' });
    expect(record.document).toMatchObject({ invoiceDate: '2026-05-31', dueDate: '2026-06-21', notes: 'Thank you!' });
    expect(record.document.lines[0]).toMatchObject({ bookedQuantity: '5.5', adjustment: '-0.75' });

    // The excluded ticket's work is billed nowhere: not now, not by a later compile.
    const excluded = (await expectStatus(h, key, 'GET', '/v1/billing/items?status=excluded&projectExternalId=rev', 200)).items;
    expect(excluded.map((i: any) => i.entryExternalId)).toEqual([excludedWork.externalId]);
    expect((await compile(h, key)).counts.entries).toBe(0);
    const changed = await h.api('POST', '/v1/billing/entries', { key, body: { entries: [{ ...excludedWork, hours: '1' }] } });
    expect(changed.status).toBe(409);
    const invoiced = (await expectStatus(h, key, 'GET', '/v1/billing/items?status=invoiced&projectExternalId=rev', 200)).items;
    expect(invoiced.map((i: any) => i.entryExternalId).sort()).toEqual(['g-201', ...billedWork.map((w) => w.externalId)].sort());
  });

  it('rounds proposed billed hours by the project rule, and refuses a draft that bills nothing', async () => {
    const cases = [
      { mode: 'up', increment: 15, expected: '10.25' },
      { mode: 'nearest', increment: 30, expected: '10' },
      { mode: 'down', increment: 6, expected: '10.1' },
      { mode: 'up', increment: 60, expected: '11' },
    ];
    for (const [i, c] of cases.entries()) {
      const project = `round-${i}`;
      await expectStatus(h, key, 'PUT', `/v1/billing/projects/${project}`, 201, { name: project, customerExternalId: 'c9', hourlyRate: '100', rounding: { incrementMinutes: c.increment, mode: c.mode } });
      await putTask(`r${i}`, project);
      // 10 h 7 min in two entries (6.1 h + 4.016667 h ≈ 10.116667 h).
      await push(time(`r${i}`, '6.1'), time(`r${i}`, '4.016667'));
      const closed = await putTask(`r${i}`, project, 'closed');
      const draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${closed.compiled.draftIds[0]}`, 200);
      expect(draft.tasks[0], `${c.mode} ${c.increment}`).toMatchObject({ bookedHours: '10.116667', billedHours: c.expected, billedHoursSetBy: 'rounding' });
    }

    await expectStatus(h, key, 'PUT', '/v1/billing/projects/empty', 201, { name: 'Empty', customerExternalId: 'c9', hourlyRate: '100' });
    await putTask('e1', 'empty');
    await push(time('e1', '1'));
    const closed = await putTask('e1', 'empty', 'closed');
    const id = closed.compiled.draftIds[0];
    await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${id}/tasks/e1`, 200, { excluded: true });
    const refused = await h.api('POST', `/v1/billing/drafts/${id}/release`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('nothing_to_invoice');
    expect(sandbox.invoices()).toHaveLength(0);
  });

  it('releases once when asked twice at once', async () => {
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/twice', 201, { name: 'Twice', customerExternalId: 'c9', hourlyRate: '100' });
    await putTask('t2', 'twice');
    await push(time('t2', '2'));
    const closed = await putTask('t2', 'twice', 'closed');
    const id = closed.compiled.draftIds[0];
    const answers = await Promise.all([1, 2, 3].map(() => h.api('POST', `/v1/billing/drafts/${id}/release`, { key })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.invoiceId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.syncRecordId)).size).toBe(1);
    await h.waitForStatus(key, answers[0]!.body.syncRecordId, ['synced']);
    expect(sandbox.invoices()).toHaveLength(1);
    const numbers = (await expectStatus(h, key, 'GET', '/v1/billing/invoices', 200)).invoices.map((i: any) => i.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

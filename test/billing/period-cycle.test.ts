import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { dec } from '../../src/domain/money.js';
import { startHarness, type Harness } from '../support/harness.js';
import { HAVE_PDFTOTEXT, pdfText } from './pdf-text.js';
import { expectStatus } from './support.js';

/**
 * A billing cycle as finance runs it: two scheduled projects (monthly and
 * bi-weekly) and one without a schedule, three people with different lock
 * dates; the cycle's pending / ready / missing lists and readiness, with the
 * approval flow off and on; candidates by project and by customer with
 * per-person totals; a consolidated customer invoice released and synced
 * once; sending; a freeform invoice and a credit note; the PDF; `clear`.
 */
describe('billing by period', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  let consolidated: { invoiceId: string; syncRecordId: string; number: number };

  const entry = (externalId: string, task: string, userId: string, date: string, hours: string) => ({ externalId, taskExternalId: task, userId, userName: userId[0]!.toUpperCase() + userId.slice(1), kind: 'time', date, hours, stopped: true });

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('cycle');
    await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    await expectStatus(h, key, 'PUT', '/v1/billing/settings', 200, {
      approvalFlow: false,
      seller: { name: 'Laskuttaja Oy', businessId: '0112038-9', iban: 'FI49 5000 9420 0287 30', bic: 'OKOYFIHH', address: { street: 'Mannerheimintie 1', postalCode: '00100', city: 'Helsinki', country: 'FI' }, email: 'laskutus@laskuttaja.fi' },
      invoiceNumberStart: 2001,
    });
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/c-kone', 201, { name: 'Kone Oy', businessId: '1234567-1', language: 'fi', address: { street: 'Tehtaankatu 5', postalCode: '33100', city: 'Tampere', country: 'FI' } });
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/c-talo', 201, { name: 'Talo Oy', language: 'en' });
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/p-month', 201, { name: 'Maintenance', customerExternalId: 'c-kone', kind: 'ongoing', billOn: 'stopped_entries', managerName: 'Maija', hourlyRate: '100', schedule: { cadence: 'monthly', anchorDate: '2026-03-01' } });
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/p-bi', 201, { name: 'Development', customerExternalId: 'c-kone', kind: 'ongoing', billOn: 'stopped_entries', managerName: 'Pekka', hourlyRate: '120', schedule: { cadence: 'biweekly', anchorDate: '2026-03-02' } });
    await expectStatus(h, key, 'PUT', '/v1/billing/projects/p-none', 201, { name: 'Ad hoc', customerExternalId: 'c-talo', kind: 'one_time', hourlyRate: '90' });
    for (const [task, project] of [['t-m', 'p-month'], ['t-b', 'p-bi'], ['t-n', 'p-none']]) {
      await expectStatus(h, key, 'PUT', `/v1/billing/tasks/${task}`, 201, { projectExternalId: project, title: `Work on ${project}`, status: 'in_progress', context: { contactId: 'k-1' } });
    }
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, {
      entries: [
        entry('m1', 't-m', 'anna', '2026-03-05', '4'),
        entry('m2', 't-m', 'bert', '2026-03-10', '3.5'),
        entry('m3', 't-m', 'cara', '2026-03-20', '1'),
        entry('b1', 't-b', 'anna', '2026-03-03', '2'),
        entry('b2', 't-b', 'bert', '2026-03-16', '5'),
        entry('b3', 't-b', 'cara', '2026-03-30', '2'),
        entry('n1', 't-n', 'anna', '2026-03-12', '6'),
        // 22:30 UTC on 31 March is 1 April in Helsinki: April's work, not March's.
        entry('m-late', 't-m', 'anna', '2026-03-31T22:30:00Z', '1.5'),
      ],
    });
    await expectStatus(h, key, 'PUT', '/v1/billing/users/anna/lock', 200, { lockedUntil: '2026-03-20' });
    await expectStatus(h, key, 'PUT', '/v1/billing/users/bert/lock', 200, { lockedUntil: '2026-03-31' });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('lists the month: pending and ready projects with their readiness, and projects without a schedule', async () => {
    const cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-03', 200);
    expect(cycle).toMatchObject({ from: '2026-03-01', to: '2026-03-31', timeZone: 'Europe/Helsinki', approvalFlow: false, clear: false });
    expect(cycle.pending.map((r: any) => [r.projectExternalId, r.period.from, r.period.to])).toEqual([['p-month', '2026-03-01', '2026-03-31']]);
    expect(cycle.ready.map((r: any) => [r.projectExternalId, r.period.from, r.period.to])).toEqual([
      ['p-bi', '2026-03-02', '2026-03-15'],
      ['p-bi', '2026-03-16', '2026-03-29'],
    ]);
    const month = cycle.pending[0];
    expect(month.readiness.users.map((u: any) => [u.userId, u.lockedUntil, u.openDays, u.openHours, u.lockedHours])).toEqual([
      ['anna', '2026-03-20', 11, '0', '4'],
      ['bert', '2026-03-31', 0, '0', '3.5'],
      ['cara', null, 31, '1', '0'],
    ]);
    expect(month.uninvoicedHours).toBe('8.5');
    expect(month.undrafted).toEqual({ hours: '8.5', net: '850.00', gross: '1066.75' });
    expect(cycle.missingSchedule).toEqual([expect.objectContaining({ projectExternalId: 'p-none', uninvoicedHours: '6' })]);
    await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-13', 400);
  });

  it('shows candidates by project and by customer, with per-person totals and text search', async () => {
    const byProject = await expectStatus(h, key, 'GET', '/v1/billing/candidates?from=2026-03-01&to=2026-03-31&groupBy=project', 200);
    expect(byProject.rows.map((r: any) => [r.key, r.hours, r.net, r.gross])).toEqual([
      ['p-bi', '9', '1080.00', '1355.40'],
      ['p-month', '8.5', '850.00', '1066.75'],
      ['p-none', '6', '540.00', '677.70'],
    ]);
    const month = byProject.rows.find((r: any) => r.key === 'p-month');
    expect(month).toMatchObject({ customer: { externalId: 'c-kone', name: 'Kone Oy' }, project: { externalId: 'p-month', name: 'Maintenance' }, projectManager: 'Maija' });
    expect(month.perUser).toEqual([
      { userId: 'anna', userName: 'Anna', hours: '4', unitPrice: '100', net: '400.00' },
      { userId: 'bert', userName: 'Bert', hours: '3.5', unitPrice: '100', net: '350.00' },
      { userId: 'cara', userName: 'Cara', hours: '1', unitPrice: '100', net: '100.00' },
    ]);
    expect(month.userStatus).toEqual({
      allLocked: false,
      users: [
        { userId: 'anna', userName: 'Anna', lockedUntil: '2026-03-20', lastDate: '2026-03-05', locked: true },
        { userId: 'bert', userName: 'Bert', lockedUntil: '2026-03-31', lastDate: '2026-03-10', locked: true },
        { userId: 'cara', userName: 'Cara', lockedUntil: null, lastDate: '2026-03-20', locked: false },
      ],
    });
    expect(byProject.summary).toEqual({ rows: 3, hours: '23.5', bookedHours: '23.5', net: '2470.00', vat: '629.85', gross: '3099.85' });

    const byCustomer = await expectStatus(h, key, 'GET', '/v1/billing/candidates?from=2026-03-01&to=2026-03-31&groupBy=customer', 200);
    expect(byCustomer.rows.map((r: any) => [r.key, r.projectCount, r.hours, r.net, r.vat, r.gross])).toEqual([
      ['c-kone', 2, '17.5', '1930.00', '492.15', '2422.15'],
      ['c-talo', 1, '6', '540.00', '137.70', '677.70'],
    ]);
    expect(byCustomer.rows[0].perUser.map((u: any) => [u.userId, u.hours, u.unitPrice, u.net])).toEqual([
      ['anna', '4', '100', '400.00'],
      ['anna', '2', '120', '240.00'],
      ['bert', '3.5', '100', '350.00'],
      ['bert', '5', '120', '600.00'],
      ['cara', '1', '100', '100.00'],
      ['cara', '2', '120', '240.00'],
    ]);
    const searched = await expectStatus(h, key, 'GET', '/v1/billing/candidates?from=2026-03-01&to=2026-03-31&groupBy=customer&q=talo', 200);
    expect(searched.rows.map((r: any) => r.key)).toEqual(['c-talo']);
    const april = await expectStatus(h, key, 'GET', '/v1/billing/candidates?from=2026-04-01&to=2026-04-30', 200);
    expect(april.rows.map((r: any) => [r.key, r.hours])).toEqual([['p-month', '1.5']]);
    const bad = await h.api('GET', '/v1/billing/candidates?from=2026-03-31&to=2026-03-01&groupBy=team', { key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((p: any) => p.path).sort()).toEqual(['groupBy', 'to']);
  });

  it('consolidates a customer on one invoice, warns that time is not ready, releases and syncs it once', async () => {
    const draft = await expectStatus(h, key, 'POST', '/v1/billing/drafts', 201, { from: '2026-03-01', to: '2026-03-31', groupBy: 'customer', key: 'c-kone' });
    expect(draft).toMatchObject({ source: 'period', groupBy: 'customer', groupKey: 'c-kone', customerExternalId: 'c-kone', period: { from: '2026-03-01', to: '2026-03-31' } });
    expect(draft.tasks.map((t: any) => [t.taskExternalId, t.billedHours, t.net])).toEqual([
      ['t-b', '9', '1080.00'],
      ['t-m', '8.5', '850.00'],
    ]);
    expect(draft.totals).toEqual({ hours: '17.5', net: '1930.00', vat: '492.15', gross: '2422.15' });
    expect(draft.warnings.map((w: any) => w.code)).toContain('time_not_ready');
    // The work is on this draft and nowhere else: not a candidate any more, not on a second draft.
    const left = await expectStatus(h, key, 'GET', '/v1/billing/candidates?from=2026-03-01&to=2026-03-31&groupBy=customer', 200);
    expect(left.rows.map((r: any) => r.key)).toEqual(['c-talo']);
    const twice = await h.api('POST', '/v1/billing/drafts', { key, body: { from: '2026-03-01', to: '2026-03-31', groupBy: 'project', key: 'p-month' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('nothing_to_invoice');

    // Reviewed like any draft, then released.
    await expectStatus(h, key, 'PATCH', `/v1/billing/drafts/${draft.id}`, 200, { invoiceDate: '2026-03-31', paymentTermDays: 14, contactPerson: 'Kalle Kone' });
    const released = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draft.id}/release`, 201);
    expect(released.number).toBe(2001);
    consolidated = released;
    const record = await h.waitForStatus(key, released.syncRecordId, ['synced', 'failed']);
    expect(record.status).toBe('synced');
    expect(sandbox.invoices()).toHaveLength(1);
    expect(dec(sandbox.invoices()[0]!.total!).equals(dec('2422.15'))).toBe(true);
    expect(record.document.customer.contactPerson).toBe('Kalle Kone');
  });

  it('moves the cycle on as invoices are made and sent, until it is clear', async () => {
    let cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-03', 200);
    expect(cycle.pending).toEqual([]);
    expect(cycle.ready).toEqual([]);
    expect(cycle.invoiced.map((r: any) => [r.projectExternalId, r.period.from, r.status, r.invoiceIds])).toEqual([
      ['p-bi', '2026-03-02', 'invoiced', [consolidated.invoiceId]],
      ['p-bi', '2026-03-16', 'invoiced', [consolidated.invoiceId]],
      ['p-month', '2026-03-01', 'invoiced', [consolidated.invoiceId]],
    ]);
    expect(cycle.invoices.ready_to_send.map((i: any) => i.number)).toEqual([2001]);
    expect(cycle.clear).toBe(false);

    const sent = await expectStatus(h, key, 'POST', `/v1/billing/invoices/${consolidated.invoiceId}/mark-sent`, 200);
    expect(sent.status).toBe('sent');
    expect(sent.sentBy).toMatch(/^key:/);
    expect(sent.sentAt).toBeTruthy();
    const again = await expectStatus(h, key, 'POST', `/v1/billing/invoices/${consolidated.invoiceId}/mark-sent`, 200);
    expect(again.sentAt).toBe(sent.sentAt);
    expect((await h.api('POST', '/v1/billing/invoices/inv_nope/mark-sent', { key })).status).toBe(404);

    cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-03', 200);
    expect(cycle.invoices.sent.map((i: any) => i.number)).toEqual([2001]);
    // Projects without a schedule are listed, and do not keep the cycle from being clear.
    expect(cycle.missingSchedule.map((r: any) => r.projectExternalId)).toEqual(['p-none']);
    expect(cycle.clear).toBe(true);
    expect((await expectStatus(h, key, 'GET', '/v1/billing/invoices?status=sent', 200)).invoices.map((i: any) => i.id)).toEqual([consolidated.invoiceId]);
  });

  it('with the approval flow, locked time waits for approval before the period is ready', async () => {
    await expectStatus(h, key, 'PUT', '/v1/billing/settings', 200, {
      approvalFlow: true,
      seller: { name: 'Laskuttaja Oy', businessId: '0112038-9', iban: 'FI49 5000 9420 0287 30', bic: 'OKOYFIHH' },
    });
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [entry('a1', 't-m', 'bert', '2026-04-03', '2')] });
    await expectStatus(h, key, 'PUT', '/v1/billing/users/anna/lock', 200, { lockedUntil: '2026-04-30' });
    await expectStatus(h, key, 'PUT', '/v1/billing/users/bert/lock', 200, { lockedUntil: '2026-04-30' });
    let cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-04', 200);
    const month = () => [...cycle.pending, ...cycle.ready].find((r: any) => r.projectExternalId === 'p-month');
    expect(month().status).toBe('pending');
    expect(month().readiness).toMatchObject({ approvalFlow: true, hours: '3.5', pendingApprovalHours: '3.5', approvedHours: '0', openHours: '0' });
    expect(month().readiness.users.map((u: any) => [u.userId, u.openDays, u.pendingApprovalDays, u.approvedDays])).toEqual([
      ['anna', 0, 30, 0],
      ['bert', 0, 30, 0],
    ]);
    expect((await h.api('POST', '/v1/billing/approvals', { key, body: { userId: 'anna', from: '2026-04-01', to: '2026-04-30' } })).status).toBe(201);
    // The same approval again is the same approval.
    expect((await h.api('POST', '/v1/billing/approvals', { key, body: { userId: 'anna', from: '2026-04-01', to: '2026-04-30' } })).status).toBe(200);
    cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-04', 200);
    expect(month()).toMatchObject({ status: 'pending', readiness: { pendingApprovalHours: '2', approvedHours: '1.5' } });
    await expectStatus(h, key, 'POST', '/v1/billing/approvals', 201, { userId: 'bert', from: '2026-04-01', to: '2026-04-30' });
    cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-04', 200);
    expect(month()).toMatchObject({ status: 'ready', uninvoicedHours: '3.5' });
    // Bi-weekly periods due in April: one was invoiced in March (Cara's 30 March), one has nothing.
    expect(cycle.invoiced.map((r: any) => [r.projectExternalId, r.period.from, r.status])).toEqual([
      ['p-bi', '2026-03-30', 'invoiced'],
      ['p-bi', '2026-04-13', 'nothing_to_invoice'],
    ]);

    const draft = await expectStatus(h, key, 'POST', '/v1/billing/drafts', 201, { from: '2026-04-01', to: '2026-04-30', groupBy: 'project', key: 'p-month' });
    expect(draft.warnings.map((w: any) => w.code)).not.toContain('time_not_ready');
    expect(draft.totals).toMatchObject({ hours: '3.5', net: '350.00' });
    await expectStatus(h, key, 'POST', `/v1/billing/drafts/${draft.id}/release`, 201);
    cycle = await expectStatus(h, key, 'GET', '/v1/billing/cycle?period=2026-04', 200);
    expect(cycle.pending.length + cycle.ready.length).toBe(0);
    expect(cycle.clear).toBe(false);
  });

  it('makes freeform invoices and credit notes that flow through review, release and sync', async () => {
    const fee = await expectStatus(h, key, 'POST', '/v1/billing/drafts', 201, {
      freeform: true,
      type: 'invoice',
      customerExternalId: 'c-talo',
      projectExternalId: 'p-none',
      lines: [{ description: 'Annual licence', quantity: '1', unitPrice: '500', unit: 'pcs' }],
    });
    expect(fee).toMatchObject({ source: 'freeform', type: 'invoice', totals: { net: '500.00', vat: '127.50', gross: '627.50' } });
    const feeReleased = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${fee.id}/release`, 201);
    await h.waitForStatus(key, feeReleased.syncRecordId, ['synced']);

    const refused = await h.api('POST', '/v1/billing/drafts', { key, body: { freeform: true, type: 'credit_note', customerExternalId: 'c-nobody', projectExternalId: 'p-month', lines: [{ description: '', quantity: 'x' }] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((p: any) => p.path).sort()).toEqual(['creditedExternalId', 'lines[0].description', 'lines[0].quantity']);
    const wrongCustomer = await h.api('POST', '/v1/billing/drafts', { key, body: { freeform: true, type: 'credit_note', customerExternalId: 'c-talo', creditedExternalId: consolidated.invoiceId } });
    expect(wrongCustomer.status).toBe(400);
    expect(wrongCustomer.body.error.details[0]).toMatchObject({ path: 'creditedExternalId' });

    // Crediting the consolidated invoice in full: its lines are copied, and negated like an intake credit note.
    const before = sandbox.invoices().length;
    const credit = await expectStatus(h, key, 'POST', '/v1/billing/drafts', 201, { freeform: true, type: 'credit_note', customerExternalId: 'c-kone', creditedExternalId: consolidated.invoiceId });
    expect(credit).toMatchObject({ type: 'credit_note', creditedExternalId: consolidated.invoiceId, totals: { net: '-1930.00', vat: '-492.15', gross: '-2422.15' } });
    const creditReleased = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${credit.id}/release`, 201);
    const record = await h.waitForStatus(key, creditReleased.syncRecordId, ['synced', 'failed']);
    expect(record).toMatchObject({ status: 'synced', type: 'credit_note', totals: { gross: '-2422.15' } });
    expect(record.document.creditedExternalId).toBe(consolidated.invoiceId);
    const stored = sandbox.invoices().slice(before);
    expect(stored).toHaveLength(1);
    expect(dec(stored[0]!.total!).equals(dec('-2422.15'))).toBe(true);
    const invoice = await expectStatus(h, key, 'GET', `/v1/billing/invoices/${creditReleased.invoiceId}`, 200);
    expect(invoice).toMatchObject({ type: 'credit_note', status: 'ready_to_send' });

    // A partial credit of an invoice made elsewhere names it by its number there.
    const partial = await expectStatus(h, key, 'POST', '/v1/billing/drafts', 201, {
      freeform: true,
      type: 'credit_note',
      customerExternalId: 'c-talo',
      creditedExternalId: 'ACC-1001',
      lines: [{ description: 'Goodwill', quantity: '2', unitPrice: '45', unit: 'hour' }],
    });
    expect(partial.totals).toMatchObject({ net: '-90.00', gross: '-112.95' });
  });

  it.skipIf(!HAVE_PDFTOTEXT)('prints the invoice as a PDF with seller, buyer, lines, VAT per rate, totals, reference and bank details', async () => {
    const response = await h.runtime.app!.inject({ method: 'GET', url: `/v1/billing/invoices/${consolidated.invoiceId}/pdf`, headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(response.rawPayload);
    const record = (await expectStatus(h, key, 'GET', `/v1/invoices/${consolidated.syncRecordId}`, 200)) as any;
    const reference = String(record.referenceNumber).replace(/(\d)(?=(\d{5})+$)/g, '$1 ');
    for (const expected of [
      'LASKU',
      'Laskuttaja Oy',
      'Y-tunnus 0112038-9',
      'Kone Oy',
      'Tehtaankatu 5',
      '33100 Tampere',
      'Y-tunnus 1234567-1',
      'Yhteyshenkilö: Kalle Kone',
      'Laskun numero',
      '2001',
      '31.3.2026',
      '14.4.2026',
      'Laskutuskausi',
      '1.3.2026 – 31.3.2026',
      'Work on p-bi',
      'Work on p-month',
      '1 080,00',
      '850,00',
      'Arvonlisävero',
      '492,15',
      'Veroton yhteensä',
      '1 930,00',
      'Maksettava yhteensä EUR',
      '2 422,15',
      'Viitenumero',
      reference,
      'FI49 5000 9420 0287 30',
      'OKOYFIHH',
    ]) {
      expect(text, `missing "${expected}" in:\n${text}`).toContain(expected);
    }
    expect(text).toMatch(/Work on p-bi\s+9\s+hour\s+120,00\s+25,5\s+1 080,00/);
    expect(text).toMatch(/ALV 25,5 %\s+1 930,00\s+492,15/);

    const credit = (await expectStatus(h, key, 'GET', '/v1/billing/invoices?status=ready_to_send', 200)).invoices.find((i: any) => i.type === 'credit_note');
    const creditPdf = await h.runtime.app!.inject({ method: 'GET', url: `/v1/billing/invoices/${credit.id}/pdf`, headers: { authorization: `Bearer ${key}` } });
    const creditText = pdfText(creditPdf.rawPayload);
    expect(creditText).toContain('HYVITYSLASKU');
    expect(creditText).toContain('Hyvitettävä lasku');
    expect(creditText).toContain('-2 422,15');
    expect((await h.api('GET', `/v1/billing/invoices/${consolidated.invoiceId}/pdf`, { key: await h.tenant('other') })).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExampleTask, pushExampleWork } from '../billing/support.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/**
 * Invoice review in the console: the example ticket #1296 (three people, 10.75 h)
 * closed onto its project's draft; finance adds and removes quarters of an
 * hour, leaves a task out and in again, renames it, and bills the draft; the
 * invoice then syncs to the generic sandbox.
 */
describe('console: invoice review (billing)', () => {
  let spine: GenericSpine;
  let finance: ConsoleClient;
  let draftId: string;

  beforeAll(async () => {
    spine = await startGenericSpine();
    await pushExampleWork(spine.h, spine.key);
    const closed = await closeExampleTask(spine.h, spine.key);
    draftId = closed.compiled.draftIds[0];
    finance = new ConsoleClient(spine.h);
    await finance.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  const draft = async () => (await spine.h.api('GET', `/v1/billing/drafts/${draftId}`, { key: spine.key })).body;

  it('lists the open draft and shows its task with booked, billed and additional hours', async () => {
    const list = await finance.get('/console/billing');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/console/billing/drafts/${draftId}`);
    const page = await finance.get(`/console/billing/drafts/${draftId}`);
    expect(page.statusCode).toBe(200);
    const api = await draft();
    const task = api.tasks[0];
    const text = textOf(page.body);
    expect(text).toContain(task.description);
    expect(text).toContain(task.bookedHours.replace('.', ','));
    expect(text).toContain('Henkilöittäin');
  });

  it('± change the billed hours by a quarter; do not bill and bill again; rename', async () => {
    const before = (await draft()).tasks[0];
    const path = `/console/billing/drafts/${draftId}/tasks/${before.taskExternalId}`;
    await finance.get(`/console/billing/drafts/${draftId}`);
    expect((await finance.post(path, { action: 'plus' })).statusCode).toBe(303);
    await finance.get(`/console/billing/drafts/${draftId}`);
    await finance.post(path, { action: 'plus' });
    await finance.get(`/console/billing/drafts/${draftId}`);
    await finance.post(path, { action: 'minus' });
    const after = (await draft()).tasks[0];
    expect(Number(after.billedHours)).toBeCloseTo(Number(before.billedHours) + 0.25, 10);

    await finance.get(`/console/billing/drafts/${draftId}`);
    await finance.post(path, { action: 'exclude' });
    const excluded = await finance.get(`/console/billing/drafts/${draftId}`);
    expect(textOf(excluded.body)).toContain('ei laskuteta');
    expect((await draft()).tasks[0].excluded).toBe(true);
    // Nothing left to bill: the Bill button is disabled and the reason is said.
    expect(excluded.body).toMatch(/<button type="submit" disabled>Laskuta<\/button>/);
    await finance.post(path, { action: 'include' });
    await finance.get(`/console/billing/drafts/${draftId}`);
    await finance.post(path, { action: 'rename', title: 'BIM-integraatio, marraskuu' });
    expect((await draft()).tasks[0].description).toBe('BIM-integraatio, marraskuu');
  });

  it('invoice details: contact person, notes and payment term are saved; a bad e-mail is refused in words', async () => {
    await finance.get(`/console/billing/drafts/${draftId}`);
    const bad = await finance.post(`/console/billing/drafts/${draftId}/fields`, { email: 'not-an-address', contactPerson: 'Maija M.' });
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body)).toContain('email must be an e-mail address');
    expect((await draft()).contactPerson).not.toBe('Maija M.');
    const ok = await finance.post(`/console/billing/drafts/${draftId}/fields`, { contactPerson: 'Maija M.', notes: 'Tilaus 4411', paymentTermDays: '21', email: 'ap@esimerkki.fi' });
    expect(ok.statusCode).toBe(303);
    expect(textOf((await finance.get(ok.headers.location as string)).body)).toContain('Tiedot tallennettiin');
    expect(await draft()).toMatchObject({ contactPerson: 'Maija M.', notes: 'Tilaus 4411', paymentTermDays: 21, email: 'ap@esimerkki.fi' });
  });

  it('bill: the invoice is released and synced; the draft can no longer be changed', async () => {
    const gross = (await draft()).totals.gross as string;
    const page = await finance.get(`/console/billing/drafts/${draftId}`);
    expect(textOf(page.body)).toContain(`${Number(gross).toLocaleString('fi-FI', { minimumFractionDigits: 2 }).replace(/\s/g, ' ')} €`);
    const billed = await finance.post(`/console/billing/drafts/${draftId}/release`, {});
    expect(billed.statusCode).toBe(303);
    const recordId = /\/console\/invoices\/([^?]+)\?done=billed/.exec(billed.headers.location as string)![1]!;
    expect(textOf((await finance.get(billed.headers.location as string)).body)).toContain('Laskutettu');
    const synced = await spine.h.waitForStatus(spine.key, recordId, ['synced']);
    expect(synced.totals.gross).toBe(gross);
    const after = await finance.get(`/console/billing/drafts/${draftId}`);
    expect(after.body).not.toContain('action="/console/billing/drafts');
    await finance.get('/console/billing');
    const late = await finance.post(`/console/billing/drafts/${draftId}/tasks/1296`, { action: 'plus' });
    expect(late.statusCode).toBe(409);
  });

  it('an admin-only key does not review invoices', async () => {
    const adminKey = (await spine.h.api('POST', '/v1/tenants/acme/api-keys', { key: spine.h.adminToken, body: { roles: ['admin'] } })).body.key;
    const admin = new ConsoleClient(spine.h);
    await admin.signIn(adminKey);
    expect((await admin.get(`/console/billing/drafts/${draftId}`)).statusCode).toBe(403);
  });
});

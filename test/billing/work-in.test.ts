import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closeExampleTask, compile, expectStatus, pushExampleWork } from './support.js';

/**
 * Work in: validation (every problem at once), roles, tenant isolation,
 * entries changing while on a draft, reopened tickets, the tenant's time
 * zone, and a draft whose customer the provider cannot take.
 */
describe('work in', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let procountor: RunningSandbox;
  let a: string;
  let b: string;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    procountor = await startProcountorSandbox({ port: 0 });
    a = await h.tenant('tenant-a');
    b = await h.tenant('tenant-b');
    for (const key of [a, b]) {
      await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    }
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await procountor?.close();
  });

  it('refuses bad input with every problem named at once', async () => {
    const project = await h.api('PUT', '/v1/billing/projects/p-bad', {
      key: a,
      body: { name: '', kind: 'forever', hourlyRate: '-5', billOn: 'sometimes', schedule: { cadence: 'custom', anchorDate: '2026-02-30' }, rounding: { incrementMinutes: 0, mode: 'sideways' }, email: 'not-mail' },
    });
    expect(project.status).toBe(400);
    expect(project.body.error.code).toBe('validation_failed');
    expect(project.body.error.details.map((p: any) => p.path).sort()).toEqual(
      ['billOn', 'customerExternalId', 'email', 'hourlyRate', 'kind', 'name', 'rounding.incrementMinutes', 'rounding.mode', 'schedule.anchorDate', 'schedule.everyDays'].sort(),
    );

    const unknownCustomer = await h.api('PUT', '/v1/billing/projects/p-x', { key: a, body: { name: 'X', customerExternalId: 'nobody' } });
    expect(unknownCustomer.status).toBe(400);
    expect(unknownCustomer.body.error.details[0]).toMatchObject({ path: 'customerExternalId', code: 'unknown_customer' });

    await pushExampleWork(h, a);
    const entries = await h.api('POST', '/v1/billing/entries', {
      key: a,
      body: {
        entries: [
          { externalId: 'bad-1', taskExternalId: '1296', userId: 'u', kind: 'time', date: '2026-11-31', stopped: true },
          { externalId: 'bad-2', taskExternalId: '1296', userId: 'u', kind: 'travel', date: '2026-11-03', hours: 'two', stopped: 'yes' },
          { externalId: 'bad-3', taskExternalId: '1296', userId: 'u', kind: 'mileage', date: '2026-11-03T10:00', stopped: true },
          { externalId: 'bad-1', taskExternalId: '1296', userId: 'u', kind: 'time', date: '2026-11-03', hours: '25', stopped: true },
        ],
      },
    });
    expect(entries.status).toBe(400);
    expect(entries.body.error.details.map((p: any) => p.path).sort()).toEqual(
      ['entries[0].date', 'entries[0].hours', 'entries[1].hours', 'entries[1].kind', 'entries[1].stopped', 'entries[2].date', 'entries[2].km', 'entries[3].externalId', 'entries[3].hours'].sort(),
    );
    const tooMany = await h.api('POST', '/v1/billing/entries', {
      key: a,
      body: { entries: Array.from({ length: 1001 }, (_, i) => ({ externalId: `m${i}`, taskExternalId: '1296', userId: 'u', kind: 'time', date: '2026-11-03', hours: '1', stopped: true })) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ path: 'entries' });
    const unknownTask = await h.api('POST', '/v1/billing/entries', {
      key: a,
      body: { entries: [{ externalId: 'u1', taskExternalId: 'nope', userId: 'u', kind: 'time', date: '2026-11-03', hours: '1', stopped: true }] },
    });
    expect(unknownTask.status).toBe(400);
    expect(unknownTask.body.error.details[0]).toMatchObject({ path: 'entries[0].taskExternalId', code: 'unknown_task' });
    const settings = await h.api('PUT', '/v1/billing/settings', { key: a, body: { timeZone: 'Mars/Olympus', seller: { name: 'S', iban: 'FI00 1234', businessId: '1234567-2' }, colour: 'red' } });
    expect(settings.status).toBe(400);
    expect(settings.body.error.details.map((p: any) => p.path).sort()).toEqual(['(document)', 'seller.businessId', 'seller.iban', 'timeZone']);
  });

  it('keeps each tenant to its own work, drafts, invoices and operations (foreign ids are 404)', async () => {
    // Tenant b uses the same host ids as a.
    await pushExampleWork(h, b);
    const closedA = await closeExampleTask(h, a);
    const closedB = await closeExampleTask(h, b);
    const draftA = closedA.compiled.draftIds[0];
    expect(closedB.compiled.draftIds[0]).not.toBe(draftA);
    expect((await h.api('GET', `/v1/billing/drafts/${draftA}`, { key: b })).status).toBe(404);
    expect((await h.api('PATCH', `/v1/billing/drafts/${draftA}`, { key: b, body: { notes: 'x' } })).status).toBe(404);
    expect((await h.api('PATCH', `/v1/billing/drafts/${draftA}/tasks/1296`, { key: b, body: { billedHours: '1' } })).status).toBe(404);
    expect((await h.api('POST', `/v1/billing/drafts/${draftA}/release`, { key: b })).status).toBe(404);
    const listB = (await expectStatus(h, b, 'GET', '/v1/billing/drafts', 200)).drafts;
    expect(listB.map((d: any) => d.id)).toEqual([closedB.compiled.draftIds[0]]);
    const released = await expectStatus(h, a, 'POST', `/v1/billing/drafts/${draftA}/release`, 201);
    expect((await h.api('GET', `/v1/billing/invoices/${released.invoiceId}`, { key: b })).status).toBe(404);
    expect((await expectStatus(h, b, 'GET', '/v1/billing/invoices', 200)).invoices).toEqual([]);
    const op = await compile(h, a);
    expect((await h.api('GET', `/v1/billing/operations/${op.id}`, { key: b })).status).toBe(404);
    // b's entries, same ids as a's billed ones, are still b's to change.
    const changed = await h.api('POST', '/v1/billing/entries', {
      key: b,
      body: { entries: [{ externalId: 'e1296-1', taskExternalId: '1296', userId: 'u-anna', activity: 'management', kind: 'time', date: '2026-11-03', hours: '3', stopped: true }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.updated).toBe(1);
    const items = (await expectStatus(h, b, 'GET', '/v1/billing/items', 200)).items;
    expect(items.every((i: any) => i.status === 'pending')).toBe(true);
    expect(items.find((i: any) => i.entryExternalId === 'e1296-1').quantity).toBe('3');
  });

  it('lets each role do only its part', async () => {
    const host = await h.tenant('roles', ['host']);
    const finance = (await h.api('POST', '/v1/tenants/roles/api-keys', { key: h.adminToken, body: { roles: ['finance'] } })).body.key;
    await pushExampleWork(h, host);
    const closed = await closeExampleTask(h, host);
    expect((await h.api('PUT', '/v1/billing/tasks/1296', { key: finance, body: { projectExternalId: 'proj-3', title: 'x', status: 'closed' } })).status).toBe(403);
    expect((await h.api('GET', `/v1/billing/drafts/${closed.compiled.draftIds[0]}`, { key: host })).status).toBe(403);
    expect((await h.api('POST', `/v1/billing/drafts/${closed.compiled.draftIds[0]}/release`, { key: host })).status).toBe(403);
    expect((await h.api('PUT', '/v1/billing/settings', { key: finance, body: {} })).status).toBe(403);
    expect((await h.api('GET', `/v1/billing/drafts/${closed.compiled.draftIds[0]}`, { key: finance })).status).toBe(200);
  });

  it('follows entries that change while on a draft, and tickets that are reopened', async () => {
    const key = await h.tenant('changes');
    await expectStatus(h, key, 'PUT', '/v1/connections/generic', 200, { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 });
    await pushExampleWork(h, key);
    const closed = await closeExampleTask(h, key);
    const draftId = closed.compiled.draftIds[0];
    const hoursOf = async () => (await expectStatus(h, key, 'GET', `/v1/billing/drafts/${draftId}`, 200)).tasks[0]?.bookedHours;
    const entry = { externalId: 'e1296-3', taskExternalId: '1296', userId: 'u-cara', userName: 'Cara C.', activity: 'development', kind: 'time', date: '2026-11-20', hours: '5', stopped: true };
    expect((await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [{ ...entry, hours: '6' }] })).updated).toBe(1);
    expect(await hoursOf()).toBe('11.75');
    // Stopped no more (the host restarted the timer): it leaves the draft until stopped again and compiled.
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [{ ...entry, stopped: false }] });
    expect(await hoursOf()).toBe('5.75');
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [entry] });
    await compile(h, key);
    expect(await hoursOf()).toBe('10.75');

    // Reopened: the work leaves the draft (which, now empty, goes); closed again, it comes back.
    const reopened = await expectStatus(h, key, 'PUT', '/v1/billing/tasks/1296', 200, { projectExternalId: 'proj-3', title: 'Integration of BIM tools', status: 'in_progress', context: { contactId: 'cust-17' } });
    expect(reopened.withdrawnItems).toBe(3);
    expect((await h.api('GET', `/v1/billing/drafts/${draftId}`, { key })).status).toBe(404);
    const again = await closeExampleTask(h, key);
    expect(again.compiled.entries).toBe(3);
  });

  it("places a work day in the tenant's time zone", async () => {
    const key = await h.tenant('zones');
    await pushExampleWork(h, key, { project: { kind: 'one_time' } });
    const late = { taskExternalId: '1296', userId: 'u', kind: 'time', hours: '1', stopped: true };
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [{ ...late, externalId: 'z-helsinki', date: '2026-11-30T22:30:00Z' }] });
    await expectStatus(h, key, 'PUT', '/v1/billing/settings', 200, { timeZone: 'UTC' });
    await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: [{ ...late, externalId: 'z-utc', date: '2026-11-30T22:30:00Z' }] });
    await compile(h, key);
    const items = (await expectStatus(h, key, 'GET', '/v1/billing/items', 200)).items;
    expect(items.find((i: any) => i.entryExternalId === 'z-helsinki').date).toBe('2026-12-01');
    expect(items.find((i: any) => i.entryExternalId === 'z-utc').date).toBe('2026-11-30');
  });

  it("shows the provider's problems with the customer before release, and refuses to release until they are fixed", async () => {
    const key = await h.tenant('unlinked');
    await expectStatus(h, key, 'PUT', '/v1/connections/procountor', 200, { baseUrl: procountor.url, ...procountor.credentials, createCustomers: false, timeoutMs: 1500 });
    await pushExampleWork(h, key);
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/cust-17', 400, { name: 'Esimerkki Oy', email: 'x@' });
    await expectStatus(h, key, 'PUT', '/v1/billing/customers/cust-17', 200, { name: 'Esimerkki Oy', customerNumber: '99999', businessId: '1234567-1' });
    const closed = await closeExampleTask(h, key);
    const draftId = closed.compiled.draftIds[0];
    const draft = await expectStatus(h, key, 'GET', `/v1/billing/drafts/${draftId}`, 200);
    expect(draft.problems.map((p: any) => p.code)).toContain('customer_not_linked');
    const refused = await h.api('POST', `/v1/billing/drafts/${draftId}/release`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('draft_not_ready');
    expect(refused.body.error.details.map((p: any) => p.code)).toContain('customer_not_linked');
    expect((await expectStatus(h, key, 'GET', '/v1/billing/invoices', 200)).invoices).toEqual([]);
    expect(procountor.invoices()).toHaveLength(0);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { dec } from '../../src/domain/money.js';
import { exampleRevision } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { creditNotes, liveInvoices } from '../support/live-invoices.js';

/**
 * Issue 8 where it is hardest: an older revision whose create is in doubt
 * (looked up before anything else), a cancel that arrives while the create is
 * in doubt, a credit note whose answer is lost, and Procountor's two-step
 * replace of an approved invoice.
 */
const gross = (total: string | null) => dec(total ?? 'NaN').toFixed(2);

describe('revisions with a generic endpoint that loses answers', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  let n = 0;
  let externalId: string;
  const post = (revision: number, hours: string) => h.api('POST', '/v1/invoices', { key, body: exampleRevision(externalId, revision, hours) });

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    n += 1;
    sandbox.reset();
    key = await h.tenant(`doubt-${n}`);
    externalId = `INV-doubt-${n}`;
    const saved = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000, revisionPolicy: 'credit_and_reissue' } });
    expect(saved.status).toBe(200);
  });

  it('revision 1 in doubt and in fact stored: revision 2 looks it up first, adopts it and edits it — one invoice', async () => {
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 10_000, times: 1 });
    const r1 = await post(1, '12');
    await h.waitForStatus(key, r1.body.id, ['in_doubt']);
    const r2 = await post(2, '10.75');
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 30_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    const one = (await h.api('GET', `/v1/invoices/${r1.body.id}`, { key })).body;
    expect(one.status).toBe('superseded');
    expect(one.providerInvoiceId).toBe(two.providerInvoiceId);
    expect(one.actions.map((a: { kind: string }) => a.kind)).toEqual(['adopted']);
    expect(sandbox.invoices()).toHaveLength(1);
    expect(gross(sandbox.invoices()[0]!.total)).toBe('1349.13');
  });

  it('revision 1 in doubt and not stored: superseded once a lookup can be believed; only revision 2 is created', async () => {
    sandbox.injectFault({ kind: 'server_error', status: 502, on: 'create', times: 1 });
    const r1 = await post(1, '12');
    await h.waitForStatus(key, r1.body.id, ['in_doubt']);
    const r2 = await post(2, '10.75');
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 30_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    const one = (await h.api('GET', `/v1/invoices/${r1.body.id}`, { key })).body;
    expect(one.status).toBe('superseded');
    expect(one.providerInvoiceId).toBeNull();
    expect(sandbox.invoices()).toHaveLength(1);
    expect(gross(sandbox.invoices()[0]!.total)).toBe('1349.13');
  });

  it('a cancel while the create is in doubt waits for the lookup: not stored → cancelled, and never created afterwards', async () => {
    sandbox.injectFault({ kind: 'server_error', status: 502, on: 'create', times: 1 });
    const r1 = await post(1, '12');
    await h.waitForStatus(key, r1.body.id, ['in_doubt']);
    const asked = await h.api('POST', `/v1/invoices/${r1.body.id}/cancel`, { key });
    expect(asked.status).toBe(202);
    expect(asked.body.cancelRequested).toBe(true);
    const done = await h.waitForStatus(key, r1.body.id, ['cancelled', 'synced', 'failed'], 30_000);
    expect(done.status).toBe('cancelled');
    await h.runtime.sweepNow();
    expect(sandbox.invoices()).toHaveLength(0);
  });

  it('a cancel while the create is in doubt, when the provider did store it: synced, and the record says why it was not cancelled', async () => {
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 10_000, times: 1 });
    const r1 = await post(1, '12');
    await h.waitForStatus(key, r1.body.id, ['in_doubt']);
    expect((await h.api('POST', `/v1/invoices/${r1.body.id}/cancel`, { key })).status).toBe(202);
    const done = await h.waitForStatus(key, r1.body.id, ['cancelled', 'synced', 'failed'], 30_000);
    expect(done.status).toBe('synced');
    expect(done.history.at(-1).message).toMatch(/cancel .* could not be carried out/);
    expect(sandbox.invoices()).toHaveLength(1);
  });

  it('the credit note of credit_and_reissue is created once even when its answer is lost', async () => {
    const r1 = await post(1, '12');
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    sandbox.sendInvoice(one.providerInvoiceId);
    // The edit is refused (sent); the credit note is stored but its answer never comes.
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 10_000, times: 1 });
    const r2 = await post(2, '10.75');
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 40_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.history.map((e: { status: string }) => e.status)).toContain('in_doubt');
    const stored = sandbox.invoices();
    expect(creditNotes(stored)).toHaveLength(1);
    expect(stored).toHaveLength(3);
    const live = liveInvoices(stored);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe(two.providerInvoiceId);
  });
});

describe('Procountor: an approved invoice is replaced in two recorded steps', () => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startProcountorSandbox({ port: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    n += 1;
    sandbox.reset();
    key = await h.tenant(`replace-${n}`);
  });

  async function connect(settings: Record<string, unknown>) {
    const saved = await h.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1000, ...settings } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }

  it('NOT_SENT (approved, not sent): invalidated, then revision 2 created — one live invoice', async () => {
    await connect({ afterCreate: 'approve' });
    const r1 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-1', 1, '12') });
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    expect(one.providerState).toBe('NOT_SENT');
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body: exampleRevision('INV-R-1', 2, '10.75') });
    expect(preview.body.revisionAction).toBe('replace');

    const r2 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-1', 2, '10.75') });
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.actions.map((a: { kind: string }) => a.kind)).toEqual(['invalidated', 'created']);
    const stored = sandbox.invoices();
    expect(stored.find((i) => i.id === one.providerInvoiceId)?.state).toBe('INVALIDATED');
    const live = liveInvoices(stored);
    expect(live).toHaveLength(1);
    expect(live[0]!.id).toBe(two.providerInvoiceId);
    expect(gross(live[0]!.total)).toBe('1349.13');
  });

  it('UNFINISHED but for another customer (Procountor cannot move an invoice to another partner): replaced', async () => {
    await connect({ afterCreate: 'none' });
    const r1 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-2', 1, '12') });
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    const other = { externalId: 'cust-99', name: 'Toinen Oy', businessId: '7654321-2', customerNumber: '1099' };
    const r2 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-2', 2, '10.75', other) });
    expect(r2.status, JSON.stringify(r2.body)).toBe(202);
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.actions.map((a: { kind: string }) => a.kind)).toEqual(['invalidated', 'created']);
    const live = liveInvoices(sandbox.invoices());
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(one.providerInvoiceId);
  });

  it('an invoice a person invalidated in Procountor no longer counts: the next revision is simply created', async () => {
    await connect({ afterCreate: 'approve' });
    const r1 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-3', 1, '12') });
    const one = await h.waitForStatus(key, r1.body.id, ['synced']);
    // Invalidate it through the sandbox's own API, as a person would in Procountor.
    const token = await (
      await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(sandbox.credentials.clientId), client_secret: String(sandbox.credentials.clientSecret), api_key: String(sandbox.credentials.apiKey) }).toString(),
      })
    ).json();
    const put = await fetch(`${sandbox.url}/invoices/${one.providerInvoiceId}/invalidate`, { method: 'PUT', headers: { authorization: `Bearer ${(token as { access_token: string }).access_token}` } });
    expect(put.status).toBe(200);
    const r2 = await h.api('POST', '/v1/invoices', { key, body: exampleRevision('INV-R-3', 2, '10.75') });
    const two = await h.waitForStatus(key, r2.body.id, ['synced', 'failed'], 20_000);
    expect(two.status, JSON.stringify(two.lastError)).toBe('synced');
    expect(two.actions.map((a: { kind: string }) => a.kind)).toEqual(['created']);
    expect(liveInvoices(sandbox.invoices())).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Reconciliation compares a month of ledgerlink's records with the invoices
 * the provider holds: a deleted, invalidated or changed invoice, and one that
 * carries ledgerlink's reference but was not made by it, show up as drift —
 * in the run's answer, in GET /v1/reconciliation and in a reconciliation.drift
 * event — and nothing is changed, here or there.
 */
const providers: Array<{ id: 'generic' | 'netvisor' | 'procountor'; start: () => Promise<RunningSandbox>; extra: Record<string, unknown>; invalidates: boolean }> = [
  { id: 'generic', start: () => startGenericSandbox({ port: 0 }), extra: { timeoutMs: 1000 }, invalidates: true },
  { id: 'netvisor', start: () => startNetvisorSandbox({ port: 0 }), extra: { timeoutMs: 1500 }, invalidates: false },
  { id: 'procountor', start: () => startProcountorSandbox({ port: 0 }), extra: { timeoutMs: 1500 }, invalidates: true },
];

describe.each(providers)('$id: reconciliation', ({ id, start, extra, invalidates }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let receiver: WebhookReceiver;
  let key: string;
  const records: Array<{ id: string; externalId: string; providerInvoiceId: string }> = [];

  beforeAll(async () => {
    // Netvisor's run on the real PostgreSQL, the others on PGlite.
    h = await startHarness({ database: id === 'netvisor' ? 'postgres' : 'pglite' });
    sandbox = await start();
    receiver = await new WebhookReceiver().start();
    key = await h.tenant(`rec-${id}`);
    expect((await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, ...extra } })).status).toBe(200);
    await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } });
    for (let i = 0; i < 4; i += 1) {
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `REC-${id}-${i}` } as never) });
      const synced = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
      expect(synced.status).toBe('synced');
      records.push({ id: synced.id, externalId: synced.externalId, providerInvoiceId: synced.providerInvoiceId });
    }
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  it('nothing differs: no drift, and no event', async () => {
    const run = await h.api('POST', '/v1/reconciliation/run', { key, body: { period: '2026-11' } });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.runs).toHaveLength(1);
    expect(run.body.runs[0]).toMatchObject({ provider: id, period: '2026-11', status: 'done', checked: 4, driftCount: 0 });
    expect(run.body.drift).toEqual([]);
  });

  it('deleted, invalidated, changed and foreign invoices are drift; nothing is changed', async () => {
    sandbox.deleteInvoice(records[0]!.providerInvoiceId);
    sandbox.editInvoiceTotal(records[1]!.providerInvoiceId, '1400.00');
    if (invalidates) sandbox.invalidateInvoice(records[2]!.providerInvoiceId);
    const foreign = id === 'generic' ? (sandbox as RunningGenericSandbox).plantInvoice({ reference: `LL-01JFOREIGN0000000000000000`, total: '99.00', invoiceDate: '2026-11-15' }) : null;
    const writesBefore = sandbox.requests().filter((r) => r.method !== 'GET').length;
    const statusesBefore = await Promise.all(records.map(async (r) => (await h.api('GET', `/v1/invoices/${r.id}`, { key })).body.status));

    const run = await h.api('POST', '/v1/reconciliation/run', { key, body: { period: '2026-11', provider: id } });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const kinds = (run.body.drift as Array<{ kind: string; recordId: string | null; providerInvoiceId: string }>).map((d) => `${d.kind}:${d.recordId ?? d.providerInvoiceId}`).sort();
    const expected = [`deleted_at_provider:${records[0]!.id}`, `totals_differ:${records[1]!.id}`];
    if (invalidates) expected.push(`invalidated_at_provider:${records[2]!.id}`);
    if (foreign) expected.push(`not_created_by_ledgerlink:${foreign}`);
    expect(kinds).toEqual(expected.sort());
    const changed = run.body.drift.find((d: { kind: string }) => d.kind === 'totals_differ');
    expect(changed).toMatchObject({ expected: '1506.00', actual: '1400.00', externalId: records[1]!.externalId });
    expect(changed.message).toMatch(/changed nothing/);

    // Nothing changed: no write to the provider, the records as they were.
    expect(sandbox.requests().filter((r) => r.method !== 'GET').length).toBe(writesBefore);
    const statusesAfter = await Promise.all(records.map(async (r) => (await h.api('GET', `/v1/invoices/${r.id}`, { key })).body.status));
    expect(statusesAfter).toEqual(statusesBefore);

    const listed = await h.api('GET', '/v1/reconciliation?period=2026-11', { key });
    expect(listed.status).toBe(200);
    expect(listed.body.runs[0].driftCount).toBe(expected.length);
    expect(listed.body.drift.map((d: { kind: string }) => d.kind).sort()).toEqual(expected.map((e) => e.split(':')[0]).sort());

    await receiver.waitFor((events) => events.some((e) => e.json?.type === 'reconciliation.drift'));
    const event = receiver.received.find((e) => e.json?.type === 'reconciliation.drift')!.json;
    expect(event.data).toMatchObject({ provider: id, period: '2026-11', count: expected.length });
  });

  it('is in the OpenAPI description, with its body and query', async () => {
    const doc = (await h.api('GET', '/docs/json')).body;
    expect(doc.paths['/v1/reconciliation/run'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('period');
    expect(doc.paths['/v1/reconciliation'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['period', 'provider']));
  });

  it('a bad period or provider is a 400 naming the field; finance only', async () => {
    const bad = await h.api('POST', '/v1/reconciliation/run', { key, body: { period: '2026-13', provider: 'sap' } });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['period', 'provider']));
    expect((await h.api('GET', '/v1/reconciliation?period=nope', { key })).status).toBe(400);
    const hostKey = (await h.api('POST', `/v1/tenants/rec-${id}/api-keys`, { key: h.adminToken, body: { roles: ['host'] } })).body.key;
    expect((await h.api('GET', '/v1/reconciliation', { key: hostKey })).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import { defaultRegistry } from '../../providers/registry.js';
import type { RunningSandbox } from '../../providers/types.js';
import { dec } from '../../src/domain/money.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * The whole service against each provider's sandbox, as a host and a finance
 * person would use it: the example arrives once with the right total, the
 * customer is created once and reused, a timeout after the provider stored
 * the invoice still ends with one copy and `synced`, a credit note is accepted.
 */
const providers: Array<{ id: 'generic' | 'netvisor' | 'procountor'; start: () => Promise<RunningSandbox>; customers: boolean; extra?: Record<string, unknown> }> = [
  { id: 'generic', start: () => startGenericSandbox({ port: 0 }), customers: false, extra: { timeoutMs: 1000 } },
  { id: 'netvisor', start: () => startNetvisorSandbox({ port: 0 }), customers: true, extra: { timeoutMs: 1500 } },
  { id: 'procountor', start: () => startProcountorSandbox({ port: 0 }), customers: true, extra: { timeoutMs: 1500 } },
];

describe.each(providers)('$id end to end', ({ id, start, customers, extra }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;
  let n = 0;
  const doc = (overrides: Record<string, unknown> = {}) => {
    n += 1;
    return exampleDocument({ externalId: `INV-${id}-${n}`, ...overrides } as never);
  };

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await start();
    key = await h.tenant(`t-${id}`);
    const saved = await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, ...extra } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // No secret is echoed back, when saving or when listing connections.
    const listed = await h.api('GET', '/v1/connections', { key });
    for (const field of defaultRegistry[id]!.secretFields) {
      const secret = String((sandbox.credentials as Record<string, unknown>)[field] ?? '');
      expect(secret.length, `${id} sandbox credential ${field}`).toBeGreaterThan(3);
      expect(JSON.stringify(saved.body)).not.toContain(secret);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
    }
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('syncs the example once with the right total', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: doc() });
    expect(posted.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
    expect(record.lastError).toBeNull();
    expect(record.status).toBe('synced');
    const stored = sandbox.invoices();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).toBe(record.providerInvoiceId);
    expect(dec(stored[0]!.total!).equals(dec('1506.00'))).toBe(true);
    const again = await h.api('POST', '/v1/invoices', { key, body: doc({ externalId: posted.body.externalId }) });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(posted.body.id);
    expect(sandbox.invoices()).toHaveLength(1);
  });

  it.skipIf(!customers)('creates the customer once and reuses it without a lookup', async () => {
    const first = await h.api('POST', '/v1/invoices', { key, body: doc() });
    await h.waitForStatus(key, first.body.id, ['synced']);
    const before = sandbox.requests().length;
    const second = await h.api('POST', '/v1/invoices', { key, body: doc() });
    await h.waitForStatus(key, second.body.id, ['synced']);
    const customerCalls = sandbox
      .requests()
      .slice(before)
      .filter((r) => /customer|businesspartner/i.test(r.path));
    expect(customerCalls).toEqual([]);
    const link = await h.api('GET', '/v1/customer-links/cust-17', { key });
    expect(link.status).toBe(200);
    expect(link.body.links.map((l: { provider: string }) => l.provider)).toContain(id);
  });

  it('ends with one copy and synced when the provider times out after storing the invoice', async () => {
    const before = sandbox.invoices().length;
    sandbox.injectFault({ kind: 'timeout_after_store', ms: 20_000, times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: doc() });
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed'], 30_000);
    expect(record.status).toBe('synced');
    const stored = sandbox.invoices().slice(before);
    expect(stored).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(stored[0]!.id);
    expect(record.history.map((e: { status: string }) => e.status)).toContain('in_doubt');
    expect(record.attempts.flatMap((a: { steps: Array<{ step: string }> }) => a.steps.map((s) => s.step))).toContain('adopted');
  });

  it('accepts a credit note for a synced invoice', async () => {
    const original = await h.api('POST', '/v1/invoices', { key, body: doc() });
    await h.waitForStatus(key, original.body.id, ['synced']);
    const before = sandbox.invoices().length;
    const credit = await h.api('POST', '/v1/invoices', {
      key,
      body: doc({ type: 'credit_note', creditedExternalId: original.body.externalId }),
    });
    expect(credit.status, JSON.stringify(credit.body)).toBe(202);
    expect(credit.body.totals.gross).toBe('-1506.00');
    const record = await h.waitForStatus(key, credit.body.id, ['synced', 'failed']);
    expect(record.lastError).toBeNull();
    const stored = sandbox.invoices().slice(before);
    expect(stored).toHaveLength(1);
    expect(dec(stored[0]!.total!).equals(dec('-1506.00'))).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetvisorSandbox, type RunningNetvisorSandbox } from '../../providers/netvisor/index.js';
import { orgLockKey } from '../../providers/netvisor/org-lock.js';
import { netvisorSettingsSchema } from '../../providers/netvisor/settings.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 9.1: the "may have been stored" window starts when the create actually
 * leaves the process, not when the record is marked "create sent". A create
 * that waited for the Netvisor organisation lock (another worker talking to
 * the same organisation) must still get the whole window, so a Netvisor that
 * stores the invoice late — after the client gave up, within twice the
 * timeout — is found by the lookup instead of receiving a second copy.
 */
describe('the settle window starts when the create goes out', () => {
  let h: Harness;
  let sandbox: RunningNetvisorSandbox;
  let key: string;
  const timeoutMs = 4000;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startNetvisorSandbox({ port: 0 });
    key = await h.tenant('window');
    const saved = await h.api('PUT', '/v1/connections/netvisor', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('a create held behind the Netvisor lock, stored late by Netvisor: found by the lookup, one copy', { timeout: 60_000 }, async () => {
    // The first invoice links the customer and the product, so the second one's first Netvisor call is its create.
    const first = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'INV-W-1' } as never) });
    await h.waitForStatus(key, first.body.id, ['synced']);

    // Another worker holds the organisation for 5 s; Netvisor then stores the create 8 s after it
    // arrives (the client gave up after 4 s; the window is 2 × 4 + 1 = 9 s after sending).
    const settings = netvisorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs });
    await h.redis.set(orgLockKey(`${h.prefix}:`, settings), 'another-worker', 'PX', 5000);
    sandbox.injectFault({ kind: 'latency', ms: 8000, on: 'create', times: 1 });
    const second = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'INV-W-2' } as never) });
    const record = await h.waitForStatus(key, second.body.id, ['synced', 'failed'], 50_000);
    expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
    expect(record.history.map((e: { status: string }) => e.status)).toContain('in_doubt');
    // Count only once Netvisor has finished the held request (8 s after it arrived).
    const creates = sandbox.requests().filter((r) => r.method === 'POST' && r.path.startsWith('/salesinvoice.nv'));
    const heldArrived = Date.parse(creates[1]!.at);
    await new Promise((r) => setTimeout(r, Math.max(0, heldArrived + 8000 + 500 - Date.now())));
    const copies = sandbox.storedInvoices().filter((i) => i.ourReference === 'INV-W-2');
    expect(copies).toHaveLength(1);
    expect(record.providerInvoiceId).toBe(String(copies[0]!.netvisorKey));
  });
});

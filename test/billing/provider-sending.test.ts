import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closeExampleTask, expectStatus, pushExampleWork } from './support.js';

/**
 * Issue 12 point 4: with Procountor sending the invoice itself (afterCreate
 * approve_and_send), the billing invoice follows what Procountor says: once
 * the sync leaves it SENT, it is `sent`, by the provider. Without it, the
 * invoice waits in ready_to_send for finance to mark it sent.
 */
describe('sending through Procountor', () => {
  let h: Harness;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startProcountorSandbox({ port: 0 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it.each([
    { afterCreate: 'approve_and_send', status: 'sent', sentBy: 'provider:procountor' },
    { afterCreate: 'none', status: 'ready_to_send', sentBy: null },
  ])('afterCreate $afterCreate → $status', async ({ afterCreate, status, sentBy }) => {
    const key = await h.tenant(`send-${afterCreate.replace(/_/g, '-')}`);
    await expectStatus(h, key, 'PUT', '/v1/connections/procountor', 200, { baseUrl: sandbox.url, ...sandbox.credentials, afterCreate, timeoutMs: 1500 });
    await pushExampleWork(h, key);
    const closed = await closeExampleTask(h, key);
    const released = await expectStatus(h, key, 'POST', `/v1/billing/drafts/${closed.compiled.draftIds[0]}/release`, 201);
    const record = await h.waitForStatus(key, released.syncRecordId, ['synced', 'failed'], 30_000);
    expect(record.status).toBe('synced');
    const invoice = await expectStatus(h, key, 'GET', `/v1/billing/invoices/${released.invoiceId}`, 200);
    expect(invoice).toMatchObject({ status, sentBy, sync: { providerState: afterCreate === 'none' ? 'UNFINISHED' : 'SENT' } });
  });
});

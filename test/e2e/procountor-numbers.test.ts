import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../providers/generic/index.js';
import { procountorProvider, startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Issue 9 item 6, end to end: a quantity Procountor can take (0.0000001) is
 * synced with its digits, and one it cannot take exactly is refused at intake
 * with a 400 — and the preview says the same thing, instead of "valid" followed
 * by a sync that retried for hours as internal_error.
 */
describe('numbers Procountor can and cannot take, at intake, in preview and at sync', () => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;

  const doc = (externalId: string, line: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...exampleDocument({ externalId }),
    provider: 'procountor',
    lines: [{ kind: 'goods', description: 'Screws', unit: 'pcs', vatRate: '25.5', ...line }],
    ...extra,
  });

  beforeAll(async () => {
    h = await startHarness({ registry: { generic: genericProvider, procountor: procountorProvider } });
    sandbox = await startProcountorSandbox({ port: 0 });
    key = await h.tenant('numbers');
    const conn = await h.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials } });
    expect(conn.status, JSON.stringify(conn.body)).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('syncs 0.0000001 units with their digits (JavaScript would have written 1e-7)', async () => {
    const body = doc('TINY-1', { quantity: '0.0000001', unitPrice: '1000000' });
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body });
    expect(preview.body.valid, JSON.stringify(preview.body.problems)).toBe(true);
    const posted = await h.api('POST', '/v1/invoices', { key, body });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed', 'retrying']);
    expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
    const [stored] = sandbox.invoices();
    expect((stored!.raw as any).invoiceRows[0]).toMatchObject({ quantity: 1e-7, unitPrice: 1000000 });
  });

  it('refuses at intake, and shows in preview, a decimal Procountor would not read exactly, naming the field', async () => {
    const body = doc('DIGITS-1', { quantity: '1234567.0000000001', unitPrice: '0.01' });
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body });
    expect(preview.body.valid).toBe(false);
    expect(preview.body.problems).toEqual([expect.objectContaining({ path: 'lines[0].quantity', code: 'procountor_number_unrepresentable' })]);
    const posted = await h.api('POST', '/v1/invoices', { key, body });
    expect(posted.status, JSON.stringify(posted.body)).toBe(400);
    expect(posted.body.error.details).toEqual([expect.objectContaining({ path: 'lines[0].quantity', code: 'procountor_number_unrepresentable' })]);
  });

  it('refuses a currency rate beyond Procountor\'s range the same way', async () => {
    const body = doc('RATE-1', { quantity: '1', unitPrice: '1' }, { currency: 'USD', currencyRate: '2000000' });
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body });
    expect(preview.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'currencyRate' })]));
    const posted = await h.api('POST', '/v1/invoices', { key, body });
    expect(posted.status).toBe(400);
    expect(posted.body.error.details.map((d: any) => d.path)).toContain('currencyRate');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * A credit note always credits: its total is negative whether the host wrote
 * its lines as on the invoice or already negated, and a discount line keeps its
 * meaning (it reduces what is credited).
 */
describe('credit note signs', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  const line = (description: string, quantity: string) => ({ kind: 'task_entry', description, quantity, unit: 'hour', unitPrice: '100.00', vatRate: '25.5' });
  const preview = async (type: 'invoice' | 'credit_note', lines: unknown[]) =>
    (
      await h.api('POST', '/v1/invoices/preview', {
        key,
        body: exampleDocument({ externalId: 'CN-SIGNS', type, creditedExternalId: type === 'credit_note' ? 'INV-1' : null, lines } as never),
      })
    ).body;

  beforeAll(async () => {
    h = await startHarness({ role: 'api' });
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('credit');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('mirrors an invoice with a discount line exactly, whichever way the lines are written', async () => {
    const invoice = await preview('invoice', [line('work', '12'), line('goodwill discount', '-2')]);
    expect(invoice.totals).toEqual({ net: '1000.00', vat: '255.00', gross: '1255.00' });

    const asOnInvoice = await preview('credit_note', [line('work', '12'), line('goodwill discount', '-2')]);
    expect(asOnInvoice.totals).toEqual({ net: '-1000.00', vat: '-255.00', gross: '-1255.00' });
    expect(asOnInvoice.lines.map((l: { quantity: string }) => l.quantity)).toEqual(['-12', '2']);

    const negated = await preview('credit_note', [line('work', '-12'), line('goodwill discount', '2')]);
    expect(negated.totals).toEqual(asOnInvoice.totals);
    expect(negated.lines.map((l: { quantity: string }) => l.quantity)).toEqual(['-12', '2']);
  });

  it('negates plain positive lines', async () => {
    const note = await preview('credit_note', [line('work', '12')]);
    expect(note.totals.gross).toBe('-1506.00');
    expect(note.valid).toBe(true);
  });
});

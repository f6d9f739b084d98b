import { describe, expect, it } from 'vitest';
import type { ResolvedProduct } from '../../../src/domain/resolved-invoice.js';
import { MemoryLinkBook } from '../../support/provider-context.js';
import { useProcountorSandbox } from './fixture.js';
import { example, syncOnce } from './helpers.js';

describe('Procountor products', () => {
  const fixture = useProcountorSandbox('procountor-products');

  const product = (procountor: { id?: string; code?: string }): ResolvedProduct => ({
    code: 'CONSULTING',
    name: 'Consulting',
    unit: 'hour',
    providerProducts: { procountor },
  });
  const productCalls = () => fixture.sandbox.requests().filter((r) => r.path.includes('/products'));
  const rowsOf = (inv: unknown) => ((inv as { raw: { invoiceRows: Array<Record<string, unknown>> } }).raw.invoiceRows);

  it('links a row to the Procountor product id the mapping names, without a lookup', async () => {
    const ctx = fixture.context();
    await syncOnce(ctx, example({ lineSpecs: [{ description: 'Advice', quantity: '2', unitPrice: '120.00', product: product({ id: '101' }) }] }));
    expect(productCalls()).toEqual([]);
    expect(rowsOf(fixture.sandbox.invoices()[0])[0]).toMatchObject({ productId: 101, product: 'Consulting', unit: 'HOUR', unitPrice: 120, vatPercent: 25.5 });
  });

  it('looks an unknown code up by exact code, caches the id and makes no lookup next time', async () => {
    const links = new MemoryLinkBook();
    const line = { description: 'Advice', quantity: '2', unitPrice: '120.00', product: product({ code: 'CONSULT' }) };
    await syncOnce(fixture.context({}, { links }), example({ lineSpecs: [line, line] }));
    // The sandbox, like Procountor, matches codes as substrings: CONSULT also finds CONSULT-SENIOR (102).
    expect(productCalls()).toHaveLength(1);
    expect(rowsOf(fixture.sandbox.invoices()[0]).map((r) => r.productId)).toEqual([101, 101]);
    expect(links.saved.filter((s) => s.kind === 'product')).toEqual([{ kind: 'product', key: 'CONSULT', id: '101' }]);

    await syncOnce(fixture.context({}, { links }), example({ lineSpecs: [line] }));
    expect(productCalls()).toHaveLength(1);
    expect(rowsOf(fixture.sandbox.invoices()[1])[0]!.productId).toBe(101);
  });

  it('sends a row whose product code Procountor lacks without a product, and says so', async () => {
    const ctx = fixture.context();
    await syncOnce(ctx, example({ lineSpecs: [{ description: 'Advice', quantity: '1', unitPrice: '80.00', product: product({ code: 'NOPE' }) }] }));
    const row = rowsOf(fixture.sandbox.invoices()[0])[0]!;
    expect(row.productId).toBeUndefined();
    expect(row).toMatchObject({ product: 'Consulting', quantity: 1, unitPrice: 80 });
    expect(ctx.warnings).toEqual([expect.objectContaining({ code: 'product_not_found', path: 'lines[0].product', message: expect.stringMatching(/"NOPE"/) })]);
  });
});

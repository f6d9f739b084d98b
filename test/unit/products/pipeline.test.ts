import { describe, expect, it } from 'vitest';
import { parseInvoiceDocument } from '../../../src/domain/invoice-document.js';
import { lineAmounts, totalsOf } from '../../../src/domain/totals.js';
import { checkFinnishRules, vatDateOf } from '../../../src/domain/finnish/document-checks.js';
import { deriveVatTreatments } from '../../../src/domain/finnish/vat-treatment.js';
import { finnishReferenceFromBase } from '../../../src/domain/finnish/reference-number.js';
import { netvisorVatCode } from '../../../src/domain/finnish/provider-vat-codes.js';
import { defaultMappingFor } from '../../../src/domain/products/default-products.js';
import { mappingKey, type ProductMapping } from '../../../src/domain/products/product-mapping.js';
import { resolveLines } from '../../../src/domain/products/resolve-line.js';
import { exampleDocument } from '../../support/example-invoice.js';

/**
 * The intake path as the lead wires it, with an in-memory "store": one
 * document with an hour line priced by its task mapping, a mileage line and a
 * travel-time line with no mapping, and a goods line with no price anywhere.
 */
describe('intake with mappings, defaults and Finnish checks', () => {
  it('resolves, creates the defaults once, prices and checks the document', () => {
    const parsed = parseInvoiceDocument(
      exampleDocument({
        lines: [
          { kind: 'task_entry', description: 'BIM', quantity: '12', context: { taskId: '1296', teamId: 't-2' } },
          { kind: 'transport_distance', description: 'Drive', quantity: '42', context: { taskId: '1296' } },
          { kind: 'transport_time', description: 'Travel', quantity: '0.5', context: { taskId: '1296' } },
          { kind: 'goods', description: 'Cable', quantity: '3', context: null },
        ] as never,
      }),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const document = parsed.document;

    const store = new Map<string, ProductMapping>();
    const put = (m: Omit<ProductMapping, 'id'>) => {
      // INSERT … ON CONFLICT DO NOTHING on the natural key.
      if (!store.has(mappingKey(m))) store.set(mappingKey(m), { ...m, id: `m${store.size + 1}` });
    };
    put({ scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { code: 'BIM', name: 'BIM integration', unit: 'hour', unitPrice: '100' }, autoCreated: false });

    const treatments = deriveVatTreatments(document);
    const options = { vatDate: vatDateOf(document), vatTreatments: treatments.lines.map((l) => l.treatment) };
    let resolution = resolveLines(document.lines, [...store.values()], options);
    expect(resolution.needsDefaults).toEqual(['transport_distance', 'transport_time', 'goods']);
    const preview = resolution.lines.map((l) => [l.product.code, l.resolvedFrom, l.unitPrice, l.priceSource]);

    // Two concurrent intakes both try to create the defaults: only one row each.
    for (let i = 0; i < 2; i++) for (const kind of resolution.needsDefaults) put(defaultMappingFor(kind));
    expect(store.size).toBe(4);
    resolution = resolveLines(document.lines, [...store.values()], options);
    expect(resolution.needsDefaults).toEqual([]);

    // The preview (which must not write) showed exactly what intake stores.
    expect(resolution.lines.map((l) => [l.product.code, l.resolvedFrom, l.unitPrice, l.priceSource])).toEqual(preview);
    expect(preview).toEqual([
      ['BIM', 'task', '100', 'product'],
      ['TRANSPORT', 'default', '5', 'product'],
      ['TRANSPORT_TIME', 'default', '1000', 'product'],
      ['WORK', 'default', '0', 'none'],
    ]);
    expect(resolution.warnings).toEqual([expect.objectContaining({ code: 'zero_price', path: 'lines[3].unitPrice' })]);

    expect(checkFinnishRules(document, { lineTreatments: options.vatTreatments, resolvedLines: resolution.lines })).toEqual([]);

    const amounts = resolution.lines.map((l, i) => lineAmounts(document.lines[i]!.quantity, l.unitPrice, l.vatRate!));
    // 12 h × 100 + 42 km × 5 + 0.5 h × 1000 + 3 × 0 = 1910.00; VAT 25.5 % = 306 + 53.55 + 127.50.
    expect(totalsOf(amounts)).toEqual({ net: '1910.00', vat: '487.05', gross: '2397.05' });
    expect(resolution.lines.map((l, i) => netvisorVatCode(treatments.lines[i]!.treatment, document.lines[i]!.kind))).toEqual(['KOMY', 'KOMY', 'KOMY', 'KOMY']);
    // Reference from the tenant sequence: base 1041 → 1·7 + 4·3 + 0·1 + 1·7 = 26 → check 4.
    expect(finnishReferenceFromBase(1000n + 41n)).toBe('10414');
  });
});

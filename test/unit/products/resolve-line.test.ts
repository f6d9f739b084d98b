import { describe, expect, it } from 'vitest';
import type { LineKind } from '../../../src/domain/invoice-document.js';
import { DEFAULT_PRODUCTS, defaultMappingFor } from '../../../src/domain/products/default-products.js';
import type { ProductMapping } from '../../../src/domain/products/product-mapping.js';
import { resolveLine, resolveLines, type ResolvableLine } from '../../../src/domain/products/resolve-line.js';

let nextId = 1;
function mapping(
  scope: ProductMapping['scope'],
  scopeId: string | null,
  lineKind: LineKind,
  product: Partial<ProductMapping['product']> & { code: string },
  extra: Partial<ProductMapping> = {},
): ProductMapping {
  return {
    id: `m${nextId++}`,
    scope,
    scopeId,
    lineKind,
    product: { name: product.code, unit: 'hour', ...product },
    autoCreated: false,
    ...extra,
  };
}

function line(extra: Partial<ResolvableLine> = {}): ResolvableLine {
  return { kind: 'task_entry', context: { taskId: '1296', contactId: 'cust-17', membershipId: 'mem-5', teamId: 't-2' }, ...extra };
}

const OPTIONS = { index: 0, vatDate: '2026-11-30' };

describe('product resolution order', () => {
  const all = [
    mapping('tenant', null, 'task_entry', { code: 'TENANT' }),
    mapping('team', 't-2', 'task_entry', { code: 'TEAM' }),
    mapping('membership', 'mem-5', 'task_entry', { code: 'MEMBERSHIP' }),
    mapping('contact', 'cust-17', 'task_entry', { code: 'CONTACT' }),
    mapping('task', '1296', 'task_entry', { code: 'TASK' }),
  ];

  it('resolves task, then contact, membership, team, tenant', () => {
    const order = ['TASK', 'CONTACT', 'MEMBERSHIP', 'TEAM', 'TENANT'];
    for (let dropped = 0; dropped < order.length; dropped++) {
      const remaining = all.filter((m) => !order.slice(0, dropped).includes(m.product.code));
      const result = resolveLine(line(), remaining, OPTIONS);
      expect(result.product.code).toBe(order[dropped]);
      expect(result.resolvedFrom).toBe(order[dropped]!.toLowerCase());
      expect(result.mappingId).toBe(remaining.find((m) => m.product.code === order[dropped])!.id);
    }
  });

  it('keeps a line\'s own product', () => {
    const result = resolveLine(line({ product: { code: 'OWN', name: 'Own product', unit: 'pcs' } }), all, OPTIONS);
    expect(result).toMatchObject({ product: { code: 'OWN', name: 'Own product', unit: 'pcs' }, resolvedFrom: 'line', mappingId: null });
  });

  it('only matches mappings of the line\'s kind and its own ids', () => {
    const others = [
      mapping('task', '1296', 'goods', { code: 'GOODS_FOR_TASK' }),
      mapping('task', '9999', 'task_entry', { code: 'OTHER_TASK' }),
      mapping('team', 't-2', 'task_entry', { code: 'TEAM' }),
    ];
    expect(resolveLine(line(), others, OPTIONS).product.code).toBe('TEAM');
  });

  it('skips scopes whose context id is absent or empty', () => {
    const maps = [mapping('contact', '', 'task_entry', { code: 'EMPTY_ID' }), mapping('tenant', null, 'task_entry', { code: 'TENANT' })];
    const result = resolveLine(line({ context: { taskId: null, contactId: '' } }), maps, OPTIONS);
    expect(result.product.code).toBe('TENANT');
    expect(resolveLine(line({ context: null }), maps, OPTIONS).product.code).toBe('TENANT');
  });

  it('reports an auto-created tenant mapping as default, an admin-made one as tenant', () => {
    const auto = { ...defaultMappingFor('task_entry'), id: 'auto-1' };
    expect(resolveLine(line({ context: null }), [auto], OPTIONS).resolvedFrom).toBe('default');
    expect(resolveLine(line({ context: null }), [{ ...auto, autoCreated: false }], OPTIONS).resolvedFrom).toBe('tenant');
  });

  it('carries the mapping\'s provider products', () => {
    const m = mapping('task', '1296', 'task_entry', { code: 'BIM' }, { providerProducts: { procountor: { id: '123', code: 'BIM' }, netvisor: { code: 'NV-BIM' } } });
    expect(resolveLine(line(), [m], OPTIONS).product.providerProducts).toEqual({ procountor: { id: '123', code: 'BIM' }, netvisor: { code: 'NV-BIM' } });
  });
});

describe('lines with no mapping', () => {
  it.each([
    ['task_entry', 'WORK', 'Work', 'hour', null],
    ['goods', 'WORK', 'Work', 'hour', null],
    ['expense', 'WORK', 'Work', 'hour', null],
    ['transport_distance', 'TRANSPORT', 'Transport', 'km', '5'],
    ['transport_time', 'TRANSPORT_TIME', 'Transport Time', 'hour', '1000'],
  ] as const)('%s gets the built-in default %s and asks for it to be created', (kind, code, name, unit, price) => {
    const result = resolveLine({ kind, context: null }, [], OPTIONS);
    expect(result.product).toEqual({ code, name, unit });
    expect(result.resolvedFrom).toBe('default');
    expect(result.needsDefault).toBe(kind);
    if (price) expect(result).toMatchObject({ unitPrice: price, priceSource: 'product', warnings: [] });
    else expect(result).toMatchObject({ unitPrice: '0', priceSource: 'none' });
  });

  it('resolves to the same product once the default exists, without asking again', () => {
    const before = resolveLine({ kind: 'transport_distance', context: null }, [], OPTIONS);
    const created: ProductMapping = { ...defaultMappingFor('transport_distance'), id: 'd1' };
    const after = resolveLine({ kind: 'transport_distance', context: null }, [created], OPTIONS);
    expect(after.needsDefault).toBeUndefined();
    expect({ ...after, mappingId: null }).toEqual({ ...before, needsDefault: undefined, mappingId: null });
    expect(created).toMatchObject({ scope: 'tenant', scopeId: null, autoCreated: true, product: DEFAULT_PRODUCTS.transport_distance });
  });

  it('an admin-edited default wins over the built-in one', () => {
    const edited: ProductMapping = { ...defaultMappingFor('transport_distance'), id: 'd1', product: { ...DEFAULT_PRODUCTS.transport_distance, unitPrice: '0.59' } };
    expect(resolveLine({ kind: 'transport_distance', context: null }, [edited], OPTIONS)).toMatchObject({ unitPrice: '0.59', resolvedFrom: 'default' });
  });
});

describe('price', () => {
  const priced = [mapping('task', '1296', 'transport_distance', { code: 'KM', unit: 'km', unitPrice: '0.57' })];

  it('takes the line\'s own price first', () => {
    const r = resolveLine(line({ kind: 'transport_distance', unitPrice: '0.60', context: { taskId: '1296', taskUnitPrice: '90' } }), priced, OPTIONS);
    expect(r).toMatchObject({ unitPrice: '0.6', priceSource: 'line' });
  });

  it('then the product\'s price', () => {
    const r = resolveLine(line({ kind: 'transport_distance', context: { taskId: '1296', taskUnitPrice: '90' } }), priced, OPTIONS);
    expect(r).toMatchObject({ unitPrice: '0.57', priceSource: 'product' });
  });

  it('then the default product\'s default price for transport', () => {
    const r = resolveLine(line({ kind: 'transport_time', context: { taskUnitPrice: '90' } }), [], OPTIONS);
    expect(r).toMatchObject({ unitPrice: '1000', priceSource: 'product', resolvedFrom: 'default' });
  });

  it('then the task\'s unit price', () => {
    const r = resolveLine(line({ context: { taskId: '1296', taskUnitPrice: '95.50' } }), [], OPTIONS);
    expect(r).toMatchObject({ unitPrice: '95.5', priceSource: 'task', warnings: [] });
  });

  it('else zero with a zero_price warning naming the field, never a silent zero', () => {
    const r = resolveLine(line({ context: { taskId: '1296' } }), [], { ...OPTIONS, index: 3 });
    expect(r.unitPrice).toBe('0');
    expect(r.priceSource).toBe('none');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'zero_price', path: 'lines[3].unitPrice' })]);
    expect(r.warnings[0]!.message).toContain('WORK');
  });

  it('does not warn when someone chose zero', () => {
    expect(resolveLine(line({ unitPrice: '0' }), [], OPTIONS)).toMatchObject({ unitPrice: '0', priceSource: 'line', warnings: [] });
    const free = [mapping('tenant', null, 'task_entry', { code: 'FREE', unitPrice: '0.00' })];
    expect(resolveLine(line(), free, OPTIONS)).toMatchObject({ unitPrice: '0', priceSource: 'product', warnings: [] });
  });

  it('survives a corrupt stored price with a warning instead of a crash', () => {
    const bad = [mapping('tenant', null, 'task_entry', { code: 'BAD', unitPrice: '12,50' })];
    const r = resolveLine(line({ context: { taskUnitPrice: '80' } }), bad, OPTIONS);
    expect(r).toMatchObject({ unitPrice: '80', priceSource: 'task' });
    expect(r.warnings.map((w) => w.code)).toEqual(['invalid_mapping_value']);
  });
});

describe('VAT rate and unit', () => {
  const withRate = [mapping('tenant', null, 'goods', { code: 'FOOD', vatRate: '13.5' })];

  it('line, then product, then tenant default, then the Finnish general rate on the date', () => {
    expect(resolveLine({ kind: 'goods', vatRate: '10', context: null }, withRate, OPTIONS)).toMatchObject({ vatRate: '10', vatRateSource: 'line' });
    expect(resolveLine({ kind: 'goods', context: null }, withRate, OPTIONS)).toMatchObject({ vatRate: '13.5', vatRateSource: 'product' });
    expect(resolveLine({ kind: 'goods', context: null }, [], { ...OPTIONS, defaultVatRate: '24.0' })).toMatchObject({ vatRate: '24', vatRateSource: 'tenant' });
    expect(resolveLine({ kind: 'goods', context: null }, [], OPTIONS)).toMatchObject({ vatRate: '25.5', vatRateSource: 'finnish_general' });
    expect(resolveLine({ kind: 'goods', context: null }, [], { ...OPTIONS, vatDate: '2024-08-31' })).toMatchObject({ vatRate: '24' });
  });

  it('is 0 % by default on a zero-rated line, even if the product says otherwise', () => {
    expect(resolveLine({ kind: 'goods', context: null }, withRate, { ...OPTIONS, vatTreatment: 'eu_sale' })).toMatchObject({ vatRate: '0', vatRateSource: 'treatment' });
    // The host's own rate is kept; checkFinnishRules reports it.
    expect(resolveLine({ kind: 'goods', vatRate: '25.5', context: null }, [], { ...OPTIONS, vatTreatment: 'eu_sale' })).toMatchObject({ vatRate: '25.5', vatRateSource: 'line' });
  });

  it('uses the line\'s unit, else the product\'s', () => {
    expect(resolveLine({ kind: 'transport_distance', unit: 'kilometre', context: null }, [], OPTIONS).unit).toBe('kilometre');
    expect(resolveLine({ kind: 'transport_distance', context: null }, [], OPTIONS).unit).toBe('km');
  });
});

describe('resolveLines', () => {
  it('lists each missing default once and collects warnings in line order', () => {
    const result = resolveLines(
      [
        { kind: 'task_entry', context: null },
        { kind: 'transport_distance', context: null },
        { kind: 'task_entry', context: null },
      ],
      [],
      { vatDate: '2026-11-30', vatTreatments: ['domestic', 'domestic', 'eu_sale'] },
    );
    expect(result.needsDefaults).toEqual(['task_entry', 'transport_distance']);
    expect(result.warnings.map((w) => w.path)).toEqual(['lines[0].unitPrice', 'lines[2].unitPrice']);
    expect(result.lines.map((l) => l.vatRate)).toEqual(['25.5', '25.5', '0']);
  });
});

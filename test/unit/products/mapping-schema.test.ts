import { describe, expect, it } from 'vitest';
import { exportMappingsJson, parseProductMapping, parseProductMappingList } from '../../../src/domain/products/mapping-schema.js';
import type { ProductMapping } from '../../../src/domain/products/product-mapping.js';

const body = {
  scope: 'task',
  scopeId: '1296',
  lineKind: 'task_entry',
  product: { code: 'BIM', name: 'BIM integration', unit: 'hour', unitPrice: '95.50', vatRate: 25.5 },
  providerProducts: { procountor: { id: 123456 }, netvisor: { code: 'NV-BIM' } },
};

describe('parseProductMapping (PUT /v1/product-mappings body)', () => {
  it('accepts the contract\'s shape and normalises decimals and ids', () => {
    expect(parseProductMapping(body)).toEqual({
      ok: true,
      mapping: {
        scope: 'task',
        scopeId: '1296',
        lineKind: 'task_entry',
        product: { code: 'BIM', name: 'BIM integration', unit: 'hour', unitPrice: '95.5', vatRate: '25.5' },
        providerProducts: { procountor: { id: '123456', code: null }, netvisor: { code: 'NV-BIM' } },
      },
    });
  });

  it('accepts a tenant mapping without scopeId and without price', () => {
    const result = parseProductMapping({ scope: 'tenant', lineKind: 'goods', product: { code: 'G', name: 'Goods', unit: 'pcs' } });
    expect(result).toMatchObject({ ok: true, mapping: { scopeId: null, product: { unitPrice: null, vatRate: null }, providerProducts: null } });
  });

  it('requires scopeId for every scope but tenant, and forbids it for tenant', () => {
    for (const scope of ['task', 'contact', 'membership', 'team']) {
      const result = parseProductMapping({ ...body, scope, scopeId: undefined });
      expect(result).toMatchObject({ ok: false, problems: [{ path: 'scopeId' }] });
    }
    const tenant = parseProductMapping({ ...body, scope: 'tenant' });
    expect(tenant).toMatchObject({ ok: false, problems: [{ path: 'scopeId', message: expect.stringContaining('left out') }] });
  });

  it('names every bad field at once', () => {
    const result = parseProductMapping({
      scope: 'project',
      scopeId: '1',
      lineKind: 'hours',
      product: { code: '', name: 'x', unit: 'h', unitPrice: '-1', vatRate: '12,5' },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.path).sort()).toEqual(['lineKind', 'product.code', 'product.unitPrice', 'product.vatRate', 'scope']);
    }
    const negative = parseProductMapping({ ...body, product: { ...body.product, unitPrice: '-1' } });
    expect(negative).toMatchObject({ ok: false, problems: [{ path: 'product.unitPrice', message: 'must not be negative' }] });
  });

  it('reports a scopeId problem together with problems in other fields', () => {
    const result = parseProductMapping({ scope: 'tenant', scopeId: 'x', lineKind: 'hours', product: { code: 'G', name: 'Goods', unit: 'pcs' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path).sort()).toEqual(['lineKind', 'scopeId']);
    const missing = parseProductMapping({ scope: 'team', lineKind: 'goods', product: { code: 'G', name: 'Goods' } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems.map((p) => p.path).sort()).toEqual(['product.unit', 'scopeId']);
    // Not an object at all: one problem, no crash.
    expect(parseProductMapping('task')).toMatchObject({ ok: false, problems: [{ path: '(document)' }] });
  });

  it('refuses unknown fields instead of silently dropping them', () => {
    const result = parseProductMapping({ ...body, product: { ...body.product, unitprice: '10' } });
    expect(result).toMatchObject({ ok: false, problems: [{ path: 'product' }] });
  });
});

describe('JSON bulk import and export', () => {
  const stored: ProductMapping[] = [
    {
      id: 'm1',
      scope: 'tenant',
      scopeId: null,
      lineKind: 'transport_distance',
      product: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5.00', vatRate: null },
      providerProducts: null,
      autoCreated: true,
    },
    { id: 'm2', scope: 'team', scopeId: 't-2', lineKind: 'task_entry', product: { code: 'W', name: 'Work', unit: 'hour' }, autoCreated: false },
  ];

  it('an export imports back as the same mappings', () => {
    const result = parseProductMappingList(JSON.parse(JSON.stringify(exportMappingsJson(stored))));
    expect(result).toEqual({
      ok: true,
      mappings: [
        { scope: 'tenant', scopeId: null, lineKind: 'transport_distance', product: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5', vatRate: null }, providerProducts: null },
        { scope: 'team', scopeId: 't-2', lineKind: 'task_entry', product: { code: 'W', name: 'Work', unit: 'hour', unitPrice: null, vatRate: null }, providerProducts: null },
      ],
    });
  });

  it('reports problems of every item with its index, and duplicates', () => {
    const result = parseProductMappingList([body, { ...body, product: { ...body.product, name: '' } }, body]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => [p.path, p.code])).toEqual([
        ['[1].product.name', 'too_small'],
        ['[2]', 'duplicate_mapping'],
      ]);
    }
    expect(parseProductMappingList({ nope: true })).toMatchObject({ ok: false });
  });
});

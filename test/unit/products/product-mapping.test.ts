import { describe, expect, it } from 'vitest';
import { sameMappingContent, type ProductMapping } from '../../../src/domain/products/product-mapping.js';

const base: Pick<ProductMapping, 'product' | 'providerProducts'> = {
  product: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5.00', vatRate: null },
  providerProducts: null,
};

describe('sameMappingContent (an import row that changes nothing)', () => {
  it('treats equal decimals and empty provider products as the same', () => {
    expect(sameMappingContent(base, { product: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5' }, providerProducts: {} })).toBe(true);
    expect(
      sameMappingContent(
        { ...base, providerProducts: { procountor: { id: '101', code: null }, netvisor: null } },
        { ...base, providerProducts: { procountor: { id: '101' } } },
      ),
    ).toBe(true);
  });

  it('sees any change of product, price, rate or provider product', () => {
    expect(sameMappingContent(base, { ...base, product: { ...base.product, name: 'Kilometres' } })).toBe(false);
    expect(sameMappingContent(base, { ...base, product: { ...base.product, unitPrice: '4.99' } })).toBe(false);
    expect(sameMappingContent(base, { ...base, product: { ...base.product, unitPrice: null } })).toBe(false);
    expect(sameMappingContent(base, { ...base, product: { ...base.product, vatRate: '25.5' } })).toBe(false);
    expect(sameMappingContent(base, { ...base, providerProducts: { netvisor: { code: 'KM' } } })).toBe(false);
  });
});

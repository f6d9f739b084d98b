import { describe, expect, it } from 'vitest';
import { decimalField, parseInvoiceDocument } from '../../../src/domain/invoice-document.js';
import { importMappingsCsv, MAPPING_CSV_COLUMNS } from '../../../src/domain/products/mapping-csv.js';
import { parseProductMapping } from '../../../src/domain/products/mapping-schema.js';
import { checkFinnishRulesOfUnparsed } from '../../../src/domain/finnish/document-checks.js';
import { exampleDocument } from '../../support/example-invoice.js';

/** A number written with 400,000 digits: multiplying two of them took decimal.js minutes. */
const HUGE = `1${'3'.repeat(399_999)}`;
const HUGE_FRACTION = `0.${'3'.repeat(399_999)}`;

describe('decimal strings are bounded before any arithmetic', () => {
  const field = decimalField('a quantity');

  it('refuses more digits than an invoice can mean, saying how many, without echoing them', () => {
    for (const value of [HUGE, HUGE_FRACTION, `-${HUGE}`, '1234567890123', '0.12345678901']) {
      const result = field.safeParse(value);
      expect(result.success, value.slice(0, 20)).toBe(false);
      const message = result.error!.issues[0]!.message;
      expect(message).toMatch(/at most 12 digits before the decimal point and 10 after/);
      expect(message.length).toBeLessThan(300);
    }
    expect(field.safeParse(HUGE).error!.issues[0]!.message).toContain('400000 digits');
    expect(field.safeParse(`${'0'.repeat(100)}1`).success).toBe(false);
  });

  it('accepts the digits invoices carry: leading and trailing zeros, signs, twelve and ten digits', () => {
    expect(field.parse('00012.5000')).toBe('12.5');
    expect(field.parse('-0.0000000001')).toBe('-0.0000000001');
    expect(field.parse('999999999999.9999999999')).toBe('999999999999.9999999999');
    expect(field.parse(' 12.50 ')).toBe('12.5');
  });

  it('answers the same the second time a text comes (texts found good are remembered, bad ones never are)', () => {
    const texts = ['00012.5000', ' 12.50 ', '-0.0000000001', '1e5', '12,5', '1234567890123', '0.12345678901', `${'0'.repeat(39)}1`, `${'0'.repeat(40)}1`, '', ' ', '+7', '.5'];
    const first = texts.map((t) => field.safeParse(t));
    for (let round = 0; round < 3; round += 1) {
      texts.forEach((t, i) => {
        const again = field.safeParse(t);
        expect(again.success, JSON.stringify(t)).toBe(first[i]!.success);
        if (again.success) expect(again.data).toBe(first[i]!.data);
        else expect(again.error!.issues.map((x) => x.message)).toEqual(first[i]!.error!.issues.map((x) => x.message));
      });
    }
    expect(first.map((r) => (r.success ? r.data : null))).toEqual(['12.5', '12.5', '-0.0000000001', null, null, null, null, '1', null, null, null, '7', null]);
  });

  it('converts JSON numbers exactly, the ones JavaScript writes with an exponent included', () => {
    expect(field.parse(1e-7)).toBe('0.0000001');
    expect(field.parse(12.5)).toBe('12.5');
    expect(field.parse(123456789012)).toBe('123456789012');
    for (const value of [1e21, 1e300, 5e-324, 1e-11]) {
      const result = field.safeParse(value);
      expect(result.success, String(value)).toBe(false);
      expect(result.error!.issues[0]!.message).toMatch(/at most 12 digits/);
    }
  });

  it('names every hostile number of an invoice at once, quickly', () => {
    const doc = exampleDocument() as Record<string, any>;
    doc.lines[0] = { ...doc.lines[0], quantity: HUGE, bookedQuantity: HUGE, adjustment: HUGE_FRACTION, unitPrice: HUGE, vatRate: HUGE };
    doc.currencyRate = HUGE;
    const result = parseInvoiceDocument(doc);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual(
      ['currencyRate', 'lines[0].adjustment', 'lines[0].bookedQuantity', 'lines[0].quantity', 'lines[0].unitPrice', 'lines[0].vatRate'].sort(),
    );
    expect(JSON.stringify(result.problems).length).toBeLessThan(3000);
    // The Finnish checks that run on an unparsed document leave the hostile rate alone too.
    expect(checkFinnishRulesOfUnparsed(doc)).toEqual([]);
  });

  it('bounds product mapping prices and rates, in JSON and in CSV', () => {
    const mapping = parseProductMapping({ scope: 'tenant', lineKind: 'goods', product: { code: 'X', name: 'Y', unit: 'pcs', unitPrice: HUGE, vatRate: HUGE_FRACTION } });
    expect(mapping.ok).toBe(false);
    if (!mapping.ok) expect(mapping.problems.map((p) => p.path).sort()).toEqual(['product.unitPrice', 'product.vatRate']);

    const csv = `${MAPPING_CSV_COLUMNS.join(',')}\r\ntenant,,goods,X,Y,pcs,${HUGE},${HUGE},,,\r\n`;
    const imported = importMappingsCsv(csv);
    expect(imported.ok).toBe(false);
    if (!imported.ok) {
      expect(imported.problems.map((p) => `${p.row}:${p.column}`).sort()).toEqual(['2:unitPrice', '2:vatRate']);
      expect(JSON.stringify(imported.problems).length).toBeLessThan(2000);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { dec, decimalText, money, roundCents } from '../../../src/domain/money.js';
import { lineAmounts, totalsOf } from '../../../src/domain/totals.js';
import { parseInvoiceDocument } from '../../../src/domain/invoice-document.js';
import { exampleDocument } from '../../support/example-invoice.js';

describe('money', () => {
  it('rounds to cents half away from zero, for negatives too', () => {
    const r = (s: string) => roundCents(dec(s)).toFixed(2);
    expect(r('0.005')).toBe('0.01');
    expect(r('0.004999')).toBe('0.00');
    expect(r('2.675')).toBe('2.68'); // 2.675 as a binary float rounds to 2.67
    expect(r('1.005')).toBe('1.01'); // likewise 1.00
    expect(r('-0.005')).toBe('-0.01');
    expect(r('-2.675')).toBe('-2.68');
    expect(r('-0.004')).toBe('0.00');
    expect(money('1200')).toBe('1200.00');
    expect(money('-0.125')).toBe('-0.13');
  });

  it('reads numbers exactly as written, never through binary floats', () => {
    expect(decimalText(dec(0.1))).toBe('0.1');
    expect(dec(0.1).plus(dec(0.2)).toFixed()).toBe('0.3');
    expect(decimalText(dec(12.5))).toBe('12.5');
    expect(decimalText(dec('0012.50'))).toBe('12.5');
    expect(() => dec('1e3')).toThrow(/not a decimal/);
    expect(() => dec('12,5')).toThrow(/not a decimal/);
    expect(() => dec(Number.NaN)).toThrow(/not a finite/);
    expect(() => dec(Number.POSITIVE_INFINITY)).toThrow(/not a finite/);
  });
});

describe('invoice totals', () => {
  it('of the example: 12 h × 100.00 at 25.5 % = 1200.00 + 306.00 = 1506.00', () => {
    const line = lineAmounts('12', '100.00', '25.5');
    expect(line).toEqual({ netAmount: '1200.00', vatAmount: '306.00', grossAmount: '1506.00' });
    expect(totalsOf([line])).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
  });

  it('are the sums of lines rounded one by one, as the accounting systems round them', () => {
    // Ten lines of 0.10 at 25.5 %: each line's VAT 0.0255 rounds to 0.03, so 0.30 in all —
    // rounding once on the total would give 0.26 and disagree with Procountor and Netvisor.
    const tenLines = Array.from({ length: 10 }, () => lineAmounts('1', '0.10', '25.5'));
    expect(tenLines[0]).toEqual({ netAmount: '0.10', vatAmount: '0.03', grossAmount: '0.13' });
    expect(totalsOf(tenLines)).toEqual({ net: '1.00', vat: '0.30', gross: '1.30' });

    // Net per line too: 3 × round(1 × 0.335) = 3 × 0.34 = 1.02, not round(1.005) = 1.01.
    expect(totalsOf(Array.from({ length: 3 }, () => lineAmounts('1', '0.335', '0')))).toEqual({ net: '1.02', vat: '0.00', gross: '1.02' });

    const mixed = [
      lineAmounts('10.75', '33.33', '25.5'), // 358.2975 → 358.30; VAT 91.3665 → 91.37
      lineAmounts('3', '19.99', '14'), // 59.97; VAT 8.3958 → 8.40
      lineAmounts('0.5', '0.01', '10'), // 0.005 → 0.01; VAT 0.001 → 0.00
      lineAmounts('2', '12.345', '0'), // 24.69
    ];
    expect(mixed.map((l) => [l.netAmount, l.vatAmount])).toEqual([
      ['358.30', '91.37'],
      ['59.97', '8.40'],
      ['0.01', '0.00'],
      ['24.69', '0.00'],
    ]);
    expect(totalsOf(mixed)).toEqual({ net: '442.97', vat: '99.77', gross: '542.74' });
  });

  it('mirror exactly on a credit note (negative quantities round away from zero)', () => {
    const invoice = [lineAmounts('1', '0.125', '25.5'), lineAmounts('12', '100.00', '25.5')];
    const credit = [lineAmounts('-1', '0.125', '25.5'), lineAmounts('-12', '100.00', '25.5')];
    expect(invoice[0]).toEqual({ netAmount: '0.13', vatAmount: '0.03', grossAmount: '0.16' });
    expect(credit[0]).toEqual({ netAmount: '-0.13', vatAmount: '-0.03', grossAmount: '-0.16' });
    expect(totalsOf(invoice)).toEqual({ net: '1200.13', vat: '306.03', gross: '1506.16' });
    expect(totalsOf(credit)).toEqual({ net: '-1200.13', vat: '-306.03', gross: '-1506.16' });
  });

  it('accept JSON numbers in a document and keep them exact', () => {
    const doc = exampleDocument();
    (doc.lines as any[])[0] = { ...(doc.lines as any[])[0], quantity: 12, bookedQuantity: 10.75, adjustment: 1.25, unitPrice: 100.1, vatRate: 25.5 };
    const parsed = parseInvoiceDocument(doc);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.document.lines[0]).toMatchObject({ quantity: '12', unitPrice: '100.1', vatRate: '25.5', bookedQuantity: '10.75' });
    expect(lineAmounts('12', '100.1', '25.5')).toEqual({ netAmount: '1201.20', vatAmount: '306.31', grossAmount: '1507.51' });
  });
});

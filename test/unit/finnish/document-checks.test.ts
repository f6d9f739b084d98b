import { describe, expect, it } from 'vitest';
import { parseInvoiceDocument, type InvoiceDocument } from '../../../src/domain/invoice-document.js';
import { checkFinnishRules, checkFinnishRulesOfUnparsed, vatDateOf } from '../../../src/domain/finnish/document-checks.js';
import { exampleDocument } from '../../support/example-invoice.js';

function doc(patch: Record<string, unknown> = {}, customer: Record<string, unknown> = {}): InvoiceDocument {
  const base = exampleDocument();
  const parsed = parseInvoiceDocument({ ...base, ...patch, customer: { ...(base.customer as Record<string, unknown>), ...customer } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.document;
}

const line = (extra: Record<string, unknown>) => ({ kind: 'task_entry', description: 'Work', quantity: '1', unitPrice: '100', ...extra });

describe('checkFinnishRules', () => {
  it('passes the example invoice (1234567-1, 25.5 % in November 2026)', () => {
    expect(checkFinnishRules(doc())).toEqual([]);
  });

  it('reports the three problems the issue names, all at once, each naming its field', () => {
    const problems = checkFinnishRules(
      doc({ referenceNumber: '1234562', lines: [line({ vatRate: '25.5' }), line({ vatRate: '24' })] }, { businessId: '0112038-8' }),
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['customer.businessId', 'invalid_business_id'],
      ['referenceNumber', 'invalid_reference_number'],
      ['lines[1].vatRate', 'invalid_vat_rate'],
    ]);
    expect(problems[0]!.message).toContain('should be 9');
    expect(problems[1]!.message).toContain('should be 1');
    expect(problems[2]!.message).toContain('24 % is not a Finnish VAT rate on 2026-11-30');
  });

  it('accepts a valid RF reference and a valid Finnish one', () => {
    expect(checkFinnishRules(doc({ referenceNumber: 'RF18 5390 0754 7034' }))).toEqual([]);
    expect(checkFinnishRules(doc({ referenceNumber: '12 34561' }))).toEqual([]);
  });

  it('follows the delivery date, not the invoice date', () => {
    // Delivered in December 2025 at 14 %, invoiced in January 2026: valid.
    const d = doc({ invoiceDate: '2026-01-05', dueDate: '2026-01-19', deliveryDate: '2025-12-31', lines: [line({ vatRate: '14' })] });
    expect(vatDateOf(d)).toBe('2025-12-31');
    expect(checkFinnishRules(d)).toEqual([]);
    const undelivered = doc({ invoiceDate: '2026-01-05', dueDate: '2026-01-19', lines: [line({ vatRate: '14' })] });
    expect(checkFinnishRules(undelivered).map((p) => p.path)).toEqual(['lines[0].vatRate']);
  });

  it('does not check a foreign customer\'s company number as a Y-tunnus', () => {
    const d = doc({ lines: [line({ vatRate: '0' })] }, { businessId: 'HRB 12345', vatNumber: 'DE123456789', address: { country: 'DE' } });
    expect(checkFinnishRules(d)).toEqual([]);
  });

  it('flags a Finnish VAT number with a bad check digit, or one of another company', () => {
    expect(checkFinnishRules(doc({}, { vatNumber: 'FI12345672' })).map((p) => p.code)).toEqual(['invalid_vat_number']);
    const mismatch = checkFinnishRules(doc({}, { businessId: '0112038-9', vatNumber: 'FI19274001' }));
    expect(mismatch).toEqual([expect.objectContaining({ path: 'customer.vatNumber', code: 'vat_number_mismatch' })]);
    expect(mismatch[0]!.message).toContain('FI01120389');
    expect(checkFinnishRules(doc({}, { businessId: '0112038-9', vatNumber: 'FI01120389' }))).toEqual([]);
  });

  it('requires 0 % on EU-sale, reverse-charge and export lines, whatever the seller', () => {
    const d = doc(
      {
        lines: [
          line({ vatRate: '25.5', vatTreatment: 'reverse_charge_construction' }),
          line({ vatRate: '0', vatTreatment: 'reverse_charge_construction' }),
        ],
      },
    );
    for (const finnishVat of [true, false]) {
      const problems = checkFinnishRules(d, { finnishVat });
      expect(problems.map((p) => [p.path, p.code])).toEqual([['lines[0].vatRate', 'vat_rate_must_be_zero']]);
    }
  });

  it('derives the treatment from the customer: a German customer with a VAT number makes 25.5 % wrong', () => {
    const d = doc({}, { vatNumber: 'DE123456789', businessId: null, address: { country: 'DE' } });
    expect(checkFinnishRules(d).map((p) => p.code)).toEqual(['vat_rate_must_be_zero']);
  });

  it('skips the Finnish rate table when the invoice is not under Finnish VAT', () => {
    expect(checkFinnishRules(doc({ lines: [line({ vatRate: '19' })] }), { finnishVat: false })).toEqual([]);
    expect(checkFinnishRules(doc({ lines: [line({ vatRate: '19' })] }))).toHaveLength(1);
  });

  it('checks rates that came from a product mapping, and says so', () => {
    const d = doc({ lines: [line({}), line({}), line({})] });
    const problems = checkFinnishRules(d, {
      resolvedLines: [
        { vatRate: '24', vatRateSource: 'product', product: { code: 'WORK' } },
        { vatRate: '25.5', vatRateSource: 'finnish_general', product: { code: 'WORK' } },
        { vatRate: '24', vatRateSource: 'tenant', product: { code: 'WORK' } },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual(['lines[0].vatRate', 'lines[2].vatRate']);
    expect(problems[0]!.message).toContain('product mapping of WORK');
    expect(problems[1]!.message).toContain("tenant's default VAT rate");
  });
});

describe('checkFinnishRulesOfUnparsed (a document the schema refused)', () => {
  const broken = (patch: Record<string, unknown>) => ({ ...exampleDocument(), currency: 'euro', ...patch });

  it('checks the well-formed values of a document that does not parse', () => {
    const problems = checkFinnishRulesOfUnparsed(
      broken({
        referenceNumber: '1234562',
        customer: { businessId: '1234567-2' },
        lines: [{ kind: 'hours', vatRate: 24 }, { vatRate: 'abc' }, { vatRate: '13.5' }],
      }),
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['customer.businessId', 'invalid_business_id'],
      ['referenceNumber', 'invalid_reference_number'],
      ['lines[0].vatRate', 'invalid_vat_rate'],
    ]);
  });

  it('follows the delivery date, skips rates without a real date, and skips foreign business IDs', () => {
    expect(checkFinnishRulesOfUnparsed(broken({ deliveryDate: '2025-12-20', invoiceDate: '2026-01-15', lines: [{ vatRate: '14' }] }))).toEqual([]);
    expect(checkFinnishRulesOfUnparsed(broken({ invoiceDate: '2026-02-30', lines: [{ vatRate: '24' }] }))).toEqual([]);
    expect(checkFinnishRulesOfUnparsed(broken({ customer: { businessId: '556677-8899', address: { country: 'SE' } }, lines: [{ vatRate: '0' }] }))).toEqual([]);
    expect(
      checkFinnishRulesOfUnparsed(broken({ customer: { vatNumber: 'SE556677889901', address: { country: 'SE' } }, lines: [{ vatRate: '25.5' }] })).map((p) => p.code),
    ).toEqual(['vat_rate_must_be_zero']);
  });

  it('never throws on garbage', () => {
    for (const input of [null, 'x', 42, [], { lines: 'x', customer: 'y' }, { lines: [null, 1, 'a'], customer: { address: 'z' } }]) {
      expect(checkFinnishRulesOfUnparsed(input)).toEqual([]);
    }
  });
});

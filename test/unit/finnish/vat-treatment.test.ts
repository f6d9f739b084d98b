import { describe, expect, it } from 'vitest';
import { parseInvoiceDocument, type InvoiceDocument } from '../../../src/domain/invoice-document.js';
import { customerVatTreatment, deriveVatTreatments, zeroRatedRateProblem } from '../../../src/domain/finnish/vat-treatment.js';
import { netvisorVatCode, procountorVatStatus, PROVIDER_VAT_CODES } from '../../../src/domain/finnish/provider-vat-codes.js';
import { isEuMemberState } from '../../../src/domain/finnish/eu-member-states.js';
import { exampleDocument } from '../../support/example-invoice.js';

function doc(patch: Record<string, unknown> = {}, customer: Record<string, unknown> = {}): InvoiceDocument {
  const base = exampleDocument();
  const input = { ...base, ...patch, customer: { ...(base.customer as Record<string, unknown>), ...customer } };
  const parsed = parseInvoiceDocument(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.document;
}

const address = (country: string | null) => ({ street: 'Street 1', postalCode: '1000', city: 'City', country });

describe('customerVatTreatment', () => {
  it('is domestic for a Finnish customer or one without a country', () => {
    expect(customerVatTreatment({ address: address('FI'), businessId: '0112038-9' })).toEqual({ treatment: 'domestic', warnings: [] });
    expect(customerVatTreatment({ address: null }).treatment).toBe('domestic');
  });

  it('is an EU sale for a customer in another member state with a VAT number', () => {
    expect(customerVatTreatment({ address: address('DE'), vatNumber: 'DE123456789' })).toEqual({ treatment: 'eu_sale', warnings: [] });
    expect(customerVatTreatment({ address: address('SE'), businessId: '556012-5790' }).treatment).toBe('eu_sale');
  });

  it('takes the country from a foreign VAT number when the address has none', () => {
    expect(customerVatTreatment({ address: null, vatNumber: 'EL094259216' }).treatment).toBe('eu_sale');
  });

  it('stays domestic, with a warning, for an EU customer without a VAT number', () => {
    const result = customerVatTreatment({ address: address('EE') });
    expect(result.treatment).toBe('domestic');
    expect(result.warnings).toEqual([
      expect.objectContaining({ path: 'customer.vatNumber', code: 'eu_customer_without_vat_number' }),
    ]);
    expect(result.warnings[0]!.message).toContain('EE');
  });

  it('is outside the EU for Norway, the UK, the US', () => {
    for (const country of ['NO', 'GB', 'US', 'CH']) {
      expect(customerVatTreatment({ address: address(country), vatNumber: 'X1' }).treatment).toBe('outside_eu');
    }
  });

  it('treats Åland as domestic but warns that goods there are exports', () => {
    const result = customerVatTreatment({ address: address('AX') });
    expect(result.treatment).toBe('domestic');
    expect(result.warnings[0]?.code).toBe('aland_customer');
  });

  it('keeps the member list as data', () => {
    expect(isEuMemberState('FI')).toBe(true);
    expect(isEuMemberState('el')).toBe(true);
    expect(isEuMemberState('GB')).toBe(false);
  });
});

describe('deriveVatTreatments', () => {
  it('uses line, then document, then customer', () => {
    const document = doc(
      {
        vatTreatment: null,
        lines: [
          { kind: 'task_entry', description: 'a', quantity: '1', unitPrice: '1', vatTreatment: 'reverse_charge_construction', vatRate: '0' },
          { kind: 'goods', description: 'b', quantity: '1', unitPrice: '1' },
        ],
      },
      { address: address('DE'), vatNumber: 'DE123456789' },
    );
    const result = deriveVatTreatments(document);
    expect(result.invoice).toBe('eu_sale');
    expect(result.lines).toEqual([
      { treatment: 'reverse_charge_construction', source: 'line' },
      { treatment: 'eu_sale', source: 'customer' },
    ]);
    // Reverse charge for construction is domestic: a German customer does not fit.
    expect(result.warnings.map((w) => [w.path, w.code])).toEqual([['lines[0].vatTreatment', 'treatment_country_mismatch']]);
  });

  it('lets the document override the customer', () => {
    const result = deriveVatTreatments(doc({ vatTreatment: 'outside_eu' }, { address: address('NO') }));
    expect(result.invoice).toBe('outside_eu');
    expect(result.lines[0]).toEqual({ treatment: 'outside_eu', source: 'document' });
    expect(result.warnings).toEqual([]);
  });

  it('warns when an explicit EU sale has a Finnish customer without a VAT number', () => {
    const result = deriveVatTreatments(doc({ vatTreatment: 'eu_sale' }));
    expect(result.warnings.map((w) => w.code).sort()).toEqual(['missing_customer_vat_number', 'treatment_country_mismatch']);
    expect(result.warnings.every((w) => w.path === 'vatTreatment')).toBe(true);
  });

  it('warns once, not per line, when many lines set the same treatment', () => {
    const line = { kind: 'task_entry', description: 'x', quantity: '1', unitPrice: '1', vatRate: '0', vatTreatment: 'outside_eu' };
    const result = deriveVatTreatments(doc({ lines: [line, line, line] }));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.path).toBe('lines[0].vatTreatment');
  });
});

describe('zero-rated treatments', () => {
  it('flag a non-zero rate on an EU sale, a construction reverse charge or an export', () => {
    for (const t of ['eu_sale', 'reverse_charge_construction', 'outside_eu'] as const) {
      const problem = zeroRatedRateProblem(t, '25.5', 'lines[0].vatRate');
      expect(problem).toMatchObject({ path: 'lines[0].vatRate', code: 'vat_rate_must_be_zero' });
      expect(problem!.message).toContain('0 % VAT');
    }
  });

  it('accept 0 in any notation, and any rate on a domestic line', () => {
    expect(zeroRatedRateProblem('eu_sale', '0.00', 'p')).toBeNull();
    expect(zeroRatedRateProblem('domestic', '25.5', 'p')).toBeNull();
  });
});

describe('provider VAT codes', () => {
  it('maps Netvisor codes by treatment and goods/services', () => {
    expect(netvisorVatCode('domestic', 'task_entry')).toBe('KOMY');
    expect(netvisorVatCode('domestic', 'goods')).toBe('KOMY');
    expect(netvisorVatCode('eu_sale', 'goods')).toBe('EUMY');
    expect(netvisorVatCode('eu_sale', 'task_entry')).toBe('EUPM312');
    expect(netvisorVatCode('eu_sale', 'transport_distance')).toBe('EUPM312');
    expect(netvisorVatCode('reverse_charge_construction', 'task_entry')).toBe('RAMY');
    expect(netvisorVatCode('outside_eu', 'goods')).toBe('EUUM');
    expect(netvisorVatCode('outside_eu', 'expense')).toBe('EUUM');
  });

  it('only uses codes Netvisor\'s sales invoice DTD allows', () => {
    const dtd = ['NONE', 'KOOS', 'EUOS', 'EUUO', 'EUPO', '100', 'KOMY', 'EUMY', 'EUUM', 'EUPM312', 'EUPM309', 'MUUL', 'EVTO', 'EVPO', 'RAMY', 'RAOS', 'EVRO'];
    for (const codes of Object.values(PROVIDER_VAT_CODES)) {
      expect(dtd).toContain(codes.netvisor.goods);
      expect(dtd).toContain(codes.netvisor.services);
    }
  });

  it('gives Procountor statuses it knows and asks for the ones it does not', () => {
    expect(procountorVatStatus('domestic', 'task_entry')).toEqual({ ok: true, vatStatus: 1 });
    expect(procountorVatStatus('outside_eu', 'goods')).toEqual({ ok: true, vatStatus: 3 });
    expect(procountorVatStatus('eu_sale', 'goods')).toEqual({ ok: true, vatStatus: 5 });
    const unknown = procountorVatStatus('eu_sale', 'task_entry');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toContain('eu_sale.services');
    expect(procountorVatStatus('eu_sale', 'task_entry', { 'eu_sale.services': 6 })).toEqual({ ok: true, vatStatus: 6 });
    expect(procountorVatStatus('domestic', 'goods', { 'domestic.goods': 11 })).toEqual({ ok: true, vatStatus: 11 });
  });
});

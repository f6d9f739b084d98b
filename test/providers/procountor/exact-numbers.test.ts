import { describe, expect, it } from 'vitest';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { mapInvoice } from '../../../providers/procountor/invoice-mapping.js';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';
import { useProcountorSandbox } from './fixture.js';
import { example, syncOnce } from './helpers.js';

/**
 * Issue 9 item 6: Procountor's JSON numbers used to be made with Number() and
 * JavaScript's number-to-text, which writes 0.0000001 as 1e-7 (and the mapping
 * then threw a RangeError, retried for hours as internal_error). The request
 * now carries each decimal's own digits as the JSON number, and what a JSON
 * reader working in binary floating point would change (more digits than a
 * double holds) is a validation problem naming the field.
 */
const settings = procountorSettingsSchema.parse({
  baseUrl: 'https://pts-api.procountor.com/api',
  clientId: 'client',
  clientSecret: 'secret-value',
  apiKey: 'api-key-value',
  bankAccount: 'FI21 1234 5600 0007 85',
});

const invoiceWith = (quantity: string, unitPrice: string) => exampleResolvedInvoice({ lineSpecs: [{ description: 'Tiny', quantity, unitPrice }] });
const mapped = (invoice = invoiceWith('12', '100.00')) => mapInvoice({ invoice, settings, partnerId: 200001, products: [null], channel: 'EMAIL' });

describe('Procountor numbers are written from the decimal text, never through a float', () => {
  it('writes small and large decimals with their digits, never an exponent', () => {
    const { json, body } = mapped(invoiceWith('0.0000001', '123456789012.5'));
    expect(json).toContain('"quantity":0.0000001');
    expect(json).toContain('"unitPrice":123456789012.5');
    expect(json).toContain('"vatPercent":25.5');
    expect(json).toContain('"currencyRate":1');
    expect(json).not.toMatch(/\de[+-]?\d/i);
    // What Procountor's JSON reader gets is the same number.
    expect(body.invoiceRows[0]).toMatchObject({ quantity: 1e-7, unitPrice: 123456789012.5 });
  });

  it('refuses, naming the field, a decimal a JSON reader that uses binary floating point would change', () => {
    const error = (() => {
      try {
        mapped(invoiceWith('1234567.0000000001', '99999999999.0000001'));
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderValidationError).code).toBe('procountor_number_unrepresentable');
    expect((error as ProviderValidationError).details.map((d) => d.path)).toEqual(['lines[0].quantity', 'lines[0].unitPrice']);
  });

  it('refuses a currency rate beyond what Procountor takes (0 < rate ≤ 1000000)', () => {
    for (const currencyRate of ['1000000.5', '0']) {
      const invoice = { ...invoiceWith('1', '1'), currency: 'USD', currencyRate };
      expect(() => mapped(invoice)).toThrow(ProviderValidationError);
    }
  });

  it('answers the same through the check intake and preview run', () => {
    expect(procountorProvider.checkInvoice!(invoiceWith('0.0000001', '100'))).toEqual([]);
    expect(procountorProvider.checkInvoice!(invoiceWith('1234567.0000000001', '1')).map((p) => p.path)).toEqual(['lines[0].quantity']);
  });
});

describe('Procountor sandbox takes what a tiny quantity becomes', () => {
  const fixture = useProcountorSandbox('procountor-exact');

  it('creates an invoice of 0.0000001 units, read back exactly', async () => {
    const { created } = await syncOnce(fixture.context(), example({ lineSpecs: [{ description: 'Tiny', quantity: '0.0000001', unitPrice: '1000000.00' }] }));
    expect(created.id).toBeTruthy();
    const [stored] = fixture.sandbox.invoices();
    expect((stored!.raw as any).invoiceRows[0]).toMatchObject({ quantity: 1e-7, unitPrice: 1000000 });
    expect(stored!.total).toBe('0.13');
  });
});

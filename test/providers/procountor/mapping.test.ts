import { describe, expect, it } from 'vitest';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { chooseChannel } from '../../../providers/procountor/invoice-channel.js';
import { mapInvoice, type MappingInput } from '../../../providers/procountor/invoice-mapping.js';
import { invoiceSums } from '../../../providers/procountor/sandbox/rules.js';
import type { SandboxInvoiceBody } from '../../../providers/procountor/sandbox/schemas.js';
import { procountorSettingsSchema, type ProcountorSettingsInput } from '../../../providers/procountor/settings.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';

function settings(overrides: Partial<ProcountorSettingsInput> = {}) {
  return procountorSettingsSchema.parse({
    baseUrl: 'https://pts-api.procountor.com/api',
    clientId: 'client',
    clientSecret: 'secret-value',
    apiKey: 'api-key-value',
    bankAccount: 'FI21 1234 5600 0007 85',
    ...overrides,
  });
}

function map(invoice: ResolvedInvoice, overrides: Partial<MappingInput> = {}) {
  const s = overrides.settings ?? settings();
  return mapInvoice({
    invoice,
    settings: s,
    partnerId: 200001,
    products: invoice.lines.map(() => null),
    channel: chooseChannel(s, invoice.customer),
    ...overrides,
  });
}

describe('Procountor invoice mapping', () => {
  it('turns ticket #1296 into one SALES_INVOICE row of 12 HOUR × 100 at 25.5 % whose totals are 1200 + 306 = 1506', () => {
    const invoice = exampleResolvedInvoice();
    const { body, warnings } = map(invoice);
    expect(warnings).toEqual([]);
    expect(body).toMatchObject({
      type: 'SALES_INVOICE',
      partnerId: 200001,
      date: '2026-11-30',
      discountPercent: 0,
      vatStatus: 1,
      invoiceChannel: 'EMAIL',
      language: 'FINNISH',
      originalInvoiceNumber: 'LL-01JEXAMPLE0000000000000042',
      extraInfo: { accountingByRow: false, unitPricesIncludeVat: false },
      paymentInfo: {
        paymentMethod: 'BANK_TRANSFER',
        currency: 'EUR',
        bankAccount: { accountNumber: 'FI2112345600000785' },
        dueDate: '2026-12-14',
        currencyRate: 1,
        bankReferenceCode: invoice.referenceNumber,
      },
      counterParty: {
        identifier: '1234567-1',
        customerNumber: '1017',
        email: 'laskut@esimerkki.fi',
        contactPersonName: 'Maija M.',
        counterPartyAddress: { name: 'Esimerkki Oy', street: 'Katu 1', zip: '00100', city: 'Helsinki', country: 'FINLAND' },
      },
      deliveryStartDate: '2026-11-01',
      deliveryEndDate: '2026-11-30',
    });
    expect(body.invoiceRows).toEqual([
      { product: 'Work', quantity: 12, unit: 'HOUR', unitPrice: 100, discountPercent: 0, vatPercent: 25.5, comment: '#1296 Integration of BIM tools' },
    ]);
    expect(body.notes).toContain('LL-01JEXAMPLE0000000000000042');
    const sums = invoiceSums(body as unknown as SandboxInvoiceBody);
    expect([sums.net.toFixed(2), sums.vat.toFixed(2), sums.gross.toFixed(2)]).toEqual(['1200.00', '306.00', '1506.00']);
  });

  it.each([
    ['hour', 'HOUR'],
    ['h', 'HOUR'],
    ['km', 'KILOMETER'],
    ['pcs', 'PIECE'],
    ['kpl', 'PIECE'],
    ['day', 'DAY'],
    ['month', 'MONTH'],
    ['m2', 'SQUARE_METER'],
    ['KILOWATT_HOUR', 'KILOWATT_HOUR'],
  ])('sends unit %s as Procountor unit %s', (ours, theirs) => {
    const invoice = exampleResolvedInvoice({ lineSpecs: [{ description: 'x', quantity: '1', unitPrice: '1.00', unit: ours }] });
    const { body, warnings } = map(invoice);
    expect(body.invoiceRows[0]!.unit).toBe(theirs);
    expect(warnings).toEqual([]);
  });

  it('sends an unknown unit as PIECE and says so on the line', () => {
    const invoice = exampleResolvedInvoice({ lineSpecs: [{ description: 'Hay', quantity: '3', unitPrice: '5.00', unit: 'furlong' }] });
    const { body, warnings } = map(invoice);
    expect(body.invoiceRows[0]!.unit).toBe('PIECE');
    expect(warnings).toEqual([expect.objectContaining({ code: 'unit_unknown', path: 'lines[0].unit', message: expect.stringMatching(/"furlong".*PIECE/) })]);
  });

  it('cleans text to Windows-1252 and cuts it to Procountor limits, naming each changed field', () => {
    const longName = `Őrség Kft ${'x'.repeat(100)}`;
    const base = exampleResolvedInvoice({
      lineSpecs: [{ description: 'Support 😀 for Łódź — 5 €', quantity: '1', unitPrice: '10.00' }],
    });
    const invoice = { ...base, customer: { ...base.customer, name: longName } };
    const { body, warnings } = map(invoice);
    expect(body.invoiceRows[0]!.comment).toBe('Support for Lódz — 5 €');
    expect(body.counterParty.counterPartyAddress.name).toHaveLength(80);
    expect(body.counterParty.counterPartyAddress.name.startsWith('Orség Kft')).toBe(true);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'text_cleaned', path: 'lines[0].description', message: expect.stringMatching(/"😀" removed.*"ź" → "z"/) }),
        expect.objectContaining({ code: 'text_cleaned', path: 'customer.name' }),
        expect.objectContaining({ code: 'text_truncated', path: 'customer.name', message: expect.stringMatching(/at most 80/) }),
      ]),
    );
  });

  it('builds a credit note as a SALES_INVOICE with negative rows naming the credited invoice in notes and additional information', () => {
    const credit = exampleResolvedInvoice({
      type: 'credit_note',
      externalId: 'CN-2026-0042',
      credited: { externalId: 'INV-2026-0042', providerInvoiceId: '500001', providerInvoiceNumber: '1001' },
      lineSpecs: [{ description: '#1296 Integration of BIM tools (credit)', quantity: '-12', unitPrice: '100.00' }],
    });
    const { body } = map(credit);
    expect(body.type).toBe('SALES_INVOICE');
    expect(body.invoiceRows[0]).toMatchObject({ quantity: -12, unitPrice: 100 });
    expect(body.additionalInformation).toBe('Hyvityslasku laskulle 1001');
    expect(body.notes).toContain('Credit note for invoice 1001');
    const sums = invoiceSums(body as unknown as SandboxInvoiceBody);
    expect(sums.gross.toFixed(2)).toBe('-1506.00');
  });

  it('names the credited invoice by its external id when ledgerlink did not sync it', () => {
    const base = exampleResolvedInvoice({
      type: 'credit_note',
      credited: { externalId: 'INV-OLD-7', providerInvoiceId: null, providerInvoiceNumber: null },
    });
    const credit = { ...base, customer: { ...base.customer, language: 'en' as const } };
    expect(map(credit).body.additionalInformation).toBe('Credit note for invoice INV-OLD-7');
  });

  it('picks the channel users expect when the connection sets none', () => {
    const base = exampleResolvedInvoice();
    const einvoice = { ...base, customer: { ...base.customer, einvoice: { address: '003712345671', operator: 'BAWCFI22' } } };
    const paper = { ...base, customer: { ...base.customer, email: null } };
    expect(map(einvoice).body).toMatchObject({
      invoiceChannel: 'ELECTRONIC_INVOICE',
      counterParty: { einvoiceAddress: { address: '003712345671', operator: 'BAWCFI22' } },
    });
    expect(map(base).body.invoiceChannel).toBe('EMAIL');
    expect(map(paper).body.invoiceChannel).toBe('MAIL');
    expect(chooseChannel(settings({ invoiceChannel: 'NO_SENDING' }), einvoice.customer)).toBe('NO_SENDING');
  });

  it("writes the invoice in the customer's language, else the connection's", () => {
    const base = exampleResolvedInvoice();
    expect(map({ ...base, customer: { ...base.customer, language: 'sv' } }).body.language).toBe('SWEDISH');
    expect(map({ ...base, customer: { ...base.customer, language: null } }, { settings: settings({ language: 'en' }) }).body.language).toBe('ENGLISH');
  });

  it('uses the documented VAT status for EU sales of goods and row statuses only where a row differs', () => {
    const base = exampleResolvedInvoice({
      lineSpecs: [
        { kind: 'goods', description: 'Sensor', quantity: '2', unitPrice: '50.00', vatRate: '0', unit: 'pcs' },
        { kind: 'goods', description: 'Cable', quantity: '1', unitPrice: '5.00', vatRate: '0', unit: 'pcs' },
      ],
    });
    const invoice: ResolvedInvoice = {
      ...base,
      vatTreatment: 'eu_sale',
      lines: base.lines.map((l, i) => ({ ...l, vatTreatment: i === 0 ? 'eu_sale' : 'domestic' })),
    };
    const { body } = map(invoice);
    expect(body.vatStatus).toBe(5);
    expect(body.invoiceRows[0]!.vatStatus).toBeUndefined();
    expect(body.invoiceRows[1]!.vatStatus).toBe(1);
  });

  it('refuses an EU sale of services until the connection names its VAT status, then uses it', () => {
    const base = exampleResolvedInvoice({ lineSpecs: [{ description: 'Consulting', quantity: '1', unitPrice: '100.00', vatRate: '0' }] });
    const invoice: ResolvedInvoice = { ...base, vatTreatment: 'eu_sale', lines: base.lines.map((l) => ({ ...l, vatTreatment: 'eu_sale' })) };
    const error = (() => {
      try {
        map(invoice);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderValidationError).code).toBe('procountor_vat_status_missing');
    expect((error as ProviderValidationError).message).toMatch(/"eu_sale\.services" under vatStatuses/);
    expect((error as ProviderValidationError).details.map((d) => d.path)).toEqual(['vatTreatment', 'lines[0].vatTreatment']);
    expect(map(invoice, { settings: settings({ vatStatuses: { 'eu_sale.services': 6 } }) }).body.vatStatus).toBe(6);
  });

  it('links rows to Procountor products with accounting by row', () => {
    const { body } = map(exampleResolvedInvoice(), { products: [{ id: 104, code: 'WORK' }] });
    expect(body.invoiceRows[0]).toMatchObject({ productId: 104, productCode: 'WORK', product: 'Work', unit: 'HOUR', unitPrice: 100, vatPercent: 25.5 });
    expect(body.extraInfo.accountingByRow).toBe(true);
  });

  it('leaves out a country Procountor does not know, saying so', () => {
    const base = exampleResolvedInvoice();
    const invoice = { ...base, customer: { ...base.customer, address: { ...base.customer.address, country: 'ZZ' } } };
    const { body, warnings } = map(invoice);
    expect(body.counterParty.counterPartyAddress.country).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'country_unknown', path: 'customer.address.country' })]);
  });
});

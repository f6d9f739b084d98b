import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { partnerBody } from '../../../providers/procountor/customers.js';
import { mapInvoice } from '../../../providers/procountor/invoice-mapping.js';
import { invoiceSchema } from '../../../providers/procountor/sandbox/schemas.js';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';

/**
 * Checks that what the adapter sends, and what the sandbox accepts, agree with
 * Procountor's own OpenAPI description (../shared/reference, when present).
 */
const SPEC = fileURLToPath(new URL('../../../../shared/reference/procountor/openapi.yaml', import.meta.url));
const haveSpec = existsSync(SPEC);

function validatorFor(schemaName: string) {
  const doc = parse(readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addFormat('multi', true);
  ajv.addSchema({ $id: 'procountor', components: (doc as { components: unknown }).components });
  const validate = ajv.getSchema(`procountor#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName}`);
  return (body: unknown) => {
    const ok = validate(body);
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  };
}

const settings = procountorSettingsSchema.parse({
  baseUrl: 'https://pts-api.procountor.com/api',
  clientId: 'client',
  clientSecret: 'secret-value',
  apiKey: 'api-key-value',
  bankAccount: 'FI2112345600000785',
});

function exampleBody() {
  return mapInvoice({ invoice: exampleResolvedInvoice(), settings, partnerId: 200001, products: [{ id: 104, code: 'WORK' }], channel: 'EMAIL' }).body;
}

function creditNoteBody() {
  const credit = exampleResolvedInvoice({
    type: 'credit_note',
    externalId: 'CN-2026-0042',
    credited: { externalId: 'INV-2026-0042', providerInvoiceId: '500001', providerInvoiceNumber: '1001' },
    lineSpecs: [{ description: '#1296 Integration of BIM tools (credit)', quantity: '-12', unitPrice: '100.00' }],
  });
  return mapInvoice({ invoice: credit, settings, partnerId: 200001, products: [null], channel: 'EMAIL' }).body;
}

describe.skipIf(!haveSpec)("requests against Procountor's openapi.yaml", () => {
  it('the example invoice is a valid Invoice', () => {
    const result = validatorFor('Invoice')(exampleBody());
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('a credit note is a valid Invoice', () => {
    const result = validatorFor('Invoice')(creditNoteBody());
    expect(result.errors).toEqual([]);
  });

  it('a new customer is a valid BusinessPartner', () => {
    const { body } = partnerBody(exampleResolvedInvoice(), { settings }, 'EMAIL');
    const result = validatorFor('BusinessPartner')(body);
    expect(result.errors).toEqual([]);
    expect(body).toMatchObject({ name: 'Esimerkki Oy', type: 'CUSTOMER', paymentInfo: { paymentMethod: 'BANK_TRANSFER' }, address: { name: 'Esimerkki Oy' } });
  });

  it('the validator does catch a body the spec refuses (so the checks above can fail)', () => {
    const { type: _type, ...withoutType } = exampleBody();
    const tooLong = { ...exampleBody(), originalInvoiceNumber: 'x'.repeat(41) };
    expect(validatorFor('Invoice')(withoutType).ok).toBe(false);
    expect(validatorFor('Invoice')(tooLong).ok).toBe(false);
  });

  it("the sandbox's schema accepts the same bodies and refuses the same faults", () => {
    expect(invoiceSchema.safeParse(exampleBody()).success).toBe(true);
    expect(invoiceSchema.safeParse(creditNoteBody()).success).toBe(true);
    const { type: _type, ...withoutType } = exampleBody();
    expect(invoiceSchema.safeParse(withoutType).success).toBe(false);
    expect(invoiceSchema.safeParse({ ...exampleBody(), originalInvoiceNumber: 'x'.repeat(41) }).success).toBe(false);
  });
});

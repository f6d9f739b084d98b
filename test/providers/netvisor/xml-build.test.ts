import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvoiceFile, SyncWarning } from '../../../providers/types.js';
import { defaultVatCode } from '../../../providers/netvisor/vat-codes.js';
import { buildCustomerXml } from '../../../providers/netvisor/xml/build-customer.js';
import { buildSalesInvoiceXml } from '../../../providers/netvisor/xml/build-invoice.js';
import { buildProductXml } from '../../../providers/netvisor/xml/build-product.js';
import { CUSTOMER_STRUCTURE, PRODUCT_STRUCTURE, SALES_INVOICE_STRUCTURE } from '../../../providers/netvisor/xml/structure.js';
import { parseXmlTree } from '../../../providers/netvisor/xml/tree.js';
import { validateStructure } from '../../../providers/netvisor/xml/validate-structure.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';
import { haveReference, readReference } from './support.js';

const canLint = process.env.LEDGERLINK_HAVE_XMLLINT === '1' && haveReference;
const work = mkdtempSync(join(tmpdir(), 'll-netvisor-dtd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Validates a document with xmllint against a copy of Netvisor's DTD. The
 * reference files wrap the declarations in `<!DOCTYPE root [ … ]>`; xmllint's
 * --dtdvalid wants bare declarations, so the wrapper is cut off.
 */
function xmllint(xml: string | Buffer, dtd: 'salesinvoice.dtd' | 'customer.dtd'): { ok: boolean; output: string } {
  const bare = readReference(dtd)
    .replace(/^\s*<!DOCTYPE\s+root\s*\[/, '')
    .replace(/\]>\s*$/, '');
  const dtdPath = join(work, dtd);
  writeFileSync(dtdPath, bare);
  const docPath = join(work, `doc-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(docPath, xml);
  const run = spawnSync('xmllint', ['--noout', '--dtdvalid', dtdPath, docPath], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

function invoiceXml(invoice: ResolvedInvoice, options: { encoding?: 'utf-8' | 'iso-8859-15'; vatCodes?: Record<string, string>; files?: InvoiceFile[] } = {}) {
  const warnings: SyncWarning[] = [];
  const body = buildSalesInvoiceXml({
    invoice,
    customer: { type: 'customer', code: '1017' },
    settings: { encoding: options.encoding ?? 'utf-8', paymentTermDays: 14, vatCodes: options.vatCodes as never },
    warn: (w) => warnings.push(w),
    ...(options.files ? { files: options.files } : {}),
  });
  return { ...body, warnings };
}

function creditNote(): ResolvedInvoice {
  return exampleResolvedInvoice({
    type: 'credit_note',
    externalId: 'CN-2026-0042',
    credited: { externalId: 'INV-2026-0042', providerInvoiceId: '8', providerInvoiceNumber: '1001' },
    lineSpecs: [{ description: '#1296 Integration of BIM tools', quantity: '-12', unitPrice: '100.00' }],
  });
}

function specialCharacters(): ResolvedInvoice {
  const base = exampleResolvedInvoice();
  return exampleResolvedInvoice({
    customer: { ...base.customer, name: 'Äijä & <Pojat> "Oy"' },
    notes: 'Alennus 5 € & kiitos <3',
    lineSpecs: [{ description: 'Työ & matkat <2026> ä €', quantity: '10.75', unitPrice: '100.00' }],
  });
}

describe('sales invoice XML', () => {
  it('writes the example invoice with lowercase DTD names, comma decimals, ansi dates and the gross total', () => {
    const { xml, warnings } = invoiceXml(exampleResolvedInvoice());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><root><salesinvoice>')).toBe(true);
    expect(xml).toContain('<salesinvoicedate format="ansi">2026-11-30</salesinvoicedate>');
    expect(xml).toContain('<salesinvoicereferencenumber>10168</salesinvoicereferencenumber>');
    expect(xml).toContain('<salesinvoiceamount iso4217currencycode="EUR">1506,00</salesinvoiceamount>');
    expect(xml).toContain('<salesinvoicestatus type="netvisor">unsent</salesinvoicestatus>');
    expect(xml).toContain('<invoicingcustomeridentifier type="customer">1017</invoicingcustomeridentifier>');
    expect(xml).toContain('<paymenttermnetdays>14</paymenttermnetdays>');
    expect(xml).toContain(
      '<salesinvoiceproductline><productidentifier type="customer">WORK</productidentifier><productname>Work</productname>' +
        '<productunitprice type="net">100,00</productunitprice><productvatpercentage vatcode="KOMY">25,5</productvatpercentage>' +
        '<salesinvoiceproductlinequantity>12</salesinvoiceproductlinequantity>' +
        '<salesinvoiceproductlinefreetext>#1296 Integration of BIM tools</salesinvoiceproductlinefreetext></salesinvoiceproductline>',
    );
    expect(warnings).toEqual([]);
  });

  it('follows the structure of salesinvoice.dtd (our schema) for the example, a credit note and special characters', async () => {
    for (const invoice of [exampleResolvedInvoice(), creditNote(), specialCharacters()]) {
      const tree = await parseXmlTree(invoiceXml(invoice).xml);
      expect(validateStructure(tree, SALES_INVOICE_STRUCTURE)).toEqual([]);
    }
  });

  it.skipIf(!canLint)('is valid against Netvisor\'s salesinvoice.dtd (xmllint) for the example, a credit note and special characters', () => {
    for (const invoice of [exampleResolvedInvoice(), creditNote(), specialCharacters()]) {
      const result = xmllint(invoiceXml(invoice).xml, 'salesinvoice.dtd');
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    }
    expect(xmllint(invoiceXml(specialCharacters(), { encoding: 'iso-8859-15' }).body, 'salesinvoice.dtd').ok).toBe(true);
  });

  it('carries PDFs inside the invoice, after the lines: file name, our unique name as description, base64 data', async () => {
    const data = Buffer.from('%PDF-1.4\n%%EOF\n');
    const files: InvoiceFile[] = [{ name: 'LL-01JEXAMPLE-att_01J.pdf', filename: 'lasku & erittely.pdf', contentType: 'application/pdf', data }];
    const { xml, warnings } = invoiceXml(exampleResolvedInvoice(), { files });
    expect(xml).toContain(
      `</invoicelines><salesinvoiceattachments><salesinvoiceattachment><mimetype>application/pdf</mimetype>` +
        `<attachmentdescription>LL-01JEXAMPLE-att_01J.pdf</attachmentdescription><filename>lasku &amp; erittely.pdf</filename>` +
        `<documentdata>${data.toString('base64')}</documentdata></salesinvoiceattachment></salesinvoiceattachments></salesinvoice>`,
    );
    expect(warnings).toEqual([]);
    expect(validateStructure(await parseXmlTree(xml), SALES_INVOICE_STRUCTURE)).toEqual([]);
    if (canLint) expect(xmllint(xml, 'salesinvoice.dtd')).toEqual({ ok: true, output: '' });
  });

  it.skipIf(!canLint)('the xmllint check can fail: an element out of the DTD\'s order is refused', () => {
    const { xml } = invoiceXml(exampleResolvedInvoice());
    const swapped = xml.replace(
      /(<salesinvoicedate[^>]*>[^<]*<\/salesinvoicedate>)(<salesinvoicereferencenumber>[^<]*<\/salesinvoicereferencenumber>)/,
      '$2$1',
    );
    expect(swapped).not.toBe(xml);
    expect(xmllint(swapped, 'salesinvoice.dtd').ok).toBe(false);
  });

  it('writes a credit note with negative quantities and total, naming the credited invoice', () => {
    const { xml } = invoiceXml(creditNote());
    expect(xml).toContain('<salesinvoiceamount iso4217currencycode="EUR">-1506,00</salesinvoiceamount>');
    expect(xml).toContain('<salesinvoiceproductlinequantity>-12</salesinvoiceproductlinequantity>');
    expect(xml).toContain('<productunitprice type="net">100,00</productunitprice>');
    expect(xml).toContain('<salesinvoicefreetextbeforelines>Hyvityslasku laskulle 1001</salesinvoicefreetextbeforelines>');
  });

  it('escapes every text, and the text reads back exactly', async () => {
    const { xml } = invoiceXml(specialCharacters());
    expect(xml).toContain('<invoicingcustomername>Äijä &amp; &lt;Pojat&gt; "Oy"</invoicingcustomername>');
    expect(xml).toContain('<salesinvoiceproductlinequantity>10,75</salesinvoiceproductlinequantity>');
    const tree = await parseXmlTree(xml);
    const line = tree.children[0]!.children.find((c) => c.name === 'invoicelines')!.children[0]!.children[0]!;
    expect(line.children.find((c) => c.name === 'salesinvoiceproductlinefreetext')!.text).toBe('Työ & matkat <2026> ä €');
  });

  it('in ISO-8859-15 declares the charset, encodes the bytes, and reports characters it had to replace', () => {
    const base = exampleResolvedInvoice();
    const invoice = exampleResolvedInvoice({ customer: { ...base.customer, name: 'Łódź – 5 €' } });
    const { xml, body, contentType, warnings } = invoiceXml(invoice, { encoding: 'iso-8859-15' });
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(contentType).toBe('text/xml; charset=ISO-8859-15');
    expect(xml.startsWith('<?xml version="1.0" encoding="ISO-8859-15"?>')).toBe(true);
    expect(iconv.decode(body as Buffer, 'iso-8859-15')).toContain('<invoicingcustomername>Lódz - 5 €</invoicingcustomername>');
    // € is 0xA4 in ISO-8859-15 (it is ¤ in latin-1).
    expect((body as Buffer).includes(Buffer.from([0x35, 0x20, 0xa4]))).toBe(true);
    expect(warnings).toEqual([expect.objectContaining({ code: 'text_cleaned', path: 'customer.name' })]);
  });

  it('cuts text longer than Netvisor keeps, saying which field', () => {
    const invoice = exampleResolvedInvoice({ lineSpecs: [{ description: 'x'.repeat(620), quantity: '1', unitPrice: '1.00' }] });
    const { xml, warnings } = invoiceXml(invoice);
    expect(xml).toContain(`<salesinvoiceproductlinefreetext>${'x'.repeat(500)}</salesinvoiceproductlinefreetext>`);
    expect(warnings).toEqual([expect.objectContaining({ code: 'text_truncated', path: 'lines[0].description' })]);
  });
});

describe('VAT codes', () => {
  it('follows the line\'s treatment and kind, and the connection\'s overrides', () => {
    expect(defaultVatCode({ vatTreatment: 'domestic', kind: 'task_entry' })).toBe('KOMY');
    expect(defaultVatCode({ vatTreatment: 'reverse_charge_construction', kind: 'task_entry' })).toBe('RAMY');
    expect(defaultVatCode({ vatTreatment: 'eu_sale', kind: 'task_entry' })).toBe('EUPM312');
    expect(defaultVatCode({ vatTreatment: 'eu_sale', kind: 'transport_distance' })).toBe('EUPM312');
    expect(defaultVatCode({ vatTreatment: 'eu_sale', kind: 'goods' })).toBe('EUMY');
    expect(defaultVatCode({ vatTreatment: 'outside_eu', kind: 'goods' })).toBe('EUUM');
    expect(defaultVatCode({ vatTreatment: 'eu_sale', kind: 'task_entry' }, { eu_sale: 'EUPM309' })).toBe('EUPM309');
    expect(defaultVatCode({ vatTreatment: 'eu_sale', kind: 'goods' }, { eu_sale: 'EUPM309' })).toBe('EUMY');
  });

  it('writes a reverse-charge construction line with RAMY at 0 %', () => {
    const invoice = exampleResolvedInvoice({ lineSpecs: [{ description: 'Asennus', quantity: '4', unitPrice: '50.00', vatRate: '0' }] });
    invoice.lines[0]!.vatTreatment = 'reverse_charge_construction';
    expect(invoiceXml(invoice).xml).toContain('<productvatpercentage vatcode="RAMY">0</productvatpercentage>');
  });
});

describe('customer and product XML', () => {
  const customer = exampleResolvedInvoice().customer;

  it('writes the customer in customer.dtd\'s order with its code and business ID', async () => {
    const { xml } = buildCustomerXml({ customer, code: '1017', encoding: 'utf-8', warn: () => undefined });
    expect(xml).toContain(
      '<customerbaseinformation><internalidentifier>1017</internalidentifier><externalidentifier>1234567-1</externalidentifier><name>Esimerkki Oy</name>',
    );
    expect(validateStructure(await parseXmlTree(xml), CUSTOMER_STRUCTURE)).toEqual([]);
  });

  it.skipIf(!canLint)('is valid against Netvisor\'s customer.dtd (xmllint), with e-invoice details and special characters', () => {
    const full = { ...customer, name: 'Äijä & <Pojat> Oy', einvoice: { address: '003712345671', operator: 'BAWCFI22' }, language: 'sv' as const };
    for (const c of [customer, full]) {
      const result = xmllint(buildCustomerXml({ customer: c, code: '1017', encoding: 'utf-8', warn: () => undefined }).xml, 'customer.dtd');
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    }
  });

  it('writes a product with its code, group, net price, unit and VAT, in the documented order', async () => {
    const line = exampleResolvedInvoice().lines[0]!;
    const { xml } = buildProductXml({ line, code: 'WORK', group: 'ledgerlink', encoding: 'utf-8', warn: () => undefined });
    expect(xml).toContain(
      '<productbaseinformation><productcode>WORK</productcode><productgroup>ledgerlink</productgroup><name>Work</name>' +
        '<unitprice type="net">100,00</unitprice><unit>hour</unit><isactive>1</isactive><issalesproduct>1</issalesproduct></productbaseinformation>' +
        '<productbookkeepingdetails><defaultvatpercentage>25,5</defaultvatpercentage></productbookkeepingdetails>',
    );
    expect(validateStructure(await parseXmlTree(xml), PRODUCT_STRUCTURE)).toEqual([]);
  });
});

describe('structure validation (what the sandbox checks)', () => {
  it('names the element that is out of order, missing, unknown or has a wrong attribute', async () => {
    const problems = validateStructure(
      await parseXmlTree(
        '<root><salesinvoice><salesinvoiceamount>1</salesinvoiceamount><salesinvoicedate>2026-11-30</salesinvoicedate>' +
          '<salesinvoicestatus type="netvisor">unsent</salesinvoicestatus><invoicingcustomeridentifier type="person">1</invoicingcustomeridentifier>' +
          '<paymenttermnetdays>14</paymenttermnetdays><invoicelines><invoiceline><salesinvoiceproductline><productidentifier type="customer">A</productidentifier>' +
          '<productname>A</productname><productunitprice type="net">1</productunitprice><productvatpercentage vatcode="XXX">0</productvatpercentage>' +
          '<salesinvoiceproductlinequantity>1</salesinvoiceproductlinequantity><colour>red</colour></salesinvoiceproductline></invoiceline></invoicelines></salesinvoice></root>',
      ),
      SALES_INVOICE_STRUCTURE,
    );
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toContain('root/salesinvoice: <salesinvoice> needs <salesinvoicedate> first, found <salesinvoiceamount>');
    expect(text).toContain('<invoicingcustomeridentifier type="person"> must be one of netvisor, customer');
    expect(text).toContain('<productvatpercentage vatcode="XXX"> must be one of');
    expect(text).toContain('<colour> is not allowed in <salesinvoiceproductline>');
  });
});

import { describe, expect, it } from 'vitest';
import {
  insertedIdentifier,
  parseCustomerList,
  parseNetvisorResponse,
  parseProducts,
  parseSalesInvoice,
  parseSalesInvoiceList,
  NotNetvisorXmlError,
} from '../../../providers/netvisor/xml/parse-response.js';
import { decodeXmlBytes } from '../../../providers/netvisor/xml/tree.js';
import iconv from 'iconv-lite';
import { haveReference, readReference } from './support.js';

describe('reading Netvisor answers', () => {
  it.skipIf(!haveReference)('reads the reference answers: OK with InsertedDataIdentifier, the two-Status failure, a customer list', async () => {
    const created = await parseNetvisorResponse(readReference('responses/SalesInvoiceCreate.xml'));
    expect(created.status).toEqual({ ok: true });
    expect(insertedIdentifier(created)).toBe('8');

    const failed = await parseNetvisorResponse(readReference('responses/AuthenticationFailed.xml'));
    expect(failed.status).toEqual({ ok: false, code: 'AUTHENTICATION_FAILED', message: 'Integraatiokumppania ei löydy, katso dokumentaatio' });

    const notFound = await parseNetvisorResponse(readReference('responses/GetCustomerNotFound.xml'));
    expect(notFound.status).toEqual({ ok: false, code: 'INVALID_DATA', message: 'Data form incorrect:. Customer not found with Netvisor identifier: 123' });

    const list = parseCustomerList(await parseNetvisorResponse(readReference('responses/CustomerList.xml')));
    expect(list).toEqual([
      { netvisorKey: '165', name: 'Anni Asiakas', code: 'AA', organisationIdentifier: '12345678-9' },
      { netvisorKey: '166', name: 'Matti Mallikas', code: null, organisationIdentifier: null },
    ]);
  });

  it('reads the two-Status failure form inline too', async () => {
    const failed = await parseNetvisorResponse(
      '<?xml version="1.0" encoding="utf-8"?><Root><ResponseStatus><Status>FAILED</Status><Status>PERIOD_LOCK :: Tilikausi on lukittu</Status><TimeStamp>1.1.2026 10:00:00</TimeStamp></ResponseStatus></Root>',
    );
    expect(failed.status).toEqual({ ok: false, code: 'PERIOD_LOCK', message: 'Tilikausi on lukittu' });
  });

  it('takes an empty <SalesInvoice /> as "not found"', async () => {
    const empty = await parseNetvisorResponse('<Root><ResponseStatus><Status>OK</Status></ResponseStatus><SalesInvoice /></Root>');
    expect(parseSalesInvoice(empty)).toBeNull();
    const found = await parseNetvisorResponse(
      '<Root><ResponseStatus><Status>OK</Status></ResponseStatus><SalesInvoice><SalesInvoiceNetvisorKey>8</SalesInvoiceNetvisorKey>' +
        '<SalesInvoiceNumber>1001</SalesInvoiceNumber><SalesInvoiceReferencenumber>10168</SalesInvoiceReferencenumber>' +
        '<SalesInvoiceAmount iso4217currencycode="EUR">1 506,00</SalesInvoiceAmount><InvoiceStatus status="unsent">Unsent</InvoiceStatus></SalesInvoice></Root>',
    );
    expect(parseSalesInvoice(found)).toEqual({ netvisorKey: '8', number: '1001', referenceNumber: '10168', amount: '1506.00', status: 'unsent', privateComment: null });
  });

  it('reads the sales invoice list, with the private comment when Netvisor gives it', async () => {
    const list = await parseNetvisorResponse(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>
      <Root><ResponseStatus><Status>OK</Status></ResponseStatus><SalesInvoiceList>
        <SalesInvoice><NetvisorKey>165</NetvisorKey><InvoiceNumber>5</InvoiceNumber><Invoicedate format="ansi">2026-11-30</Invoicedate>
          <InvoiceStatus substatus="overdue">open</InvoiceStatus><CustomerCode>MM</CustomerCode><ReferenceNumber>1070</ReferenceNumber>
          <InvoiceSum>123,45</InvoiceSum><AdditionalInformation><PrivateComment>ledgerlink LL-1 (X, revision 1)</PrivateComment></AdditionalInformation></SalesInvoice>
        <SalesInvoice><NetvisorKey>166</NetvisorKey><InvoiceNumber>6</InvoiceNumber><CustomerCode/><ReferenceNumber>1070</ReferenceNumber><InvoiceSum>-5</InvoiceSum></SalesInvoice>
      </SalesInvoiceList></Root>`);
    expect(parseSalesInvoiceList(list)).toEqual([
      { netvisorKey: '165', number: '5', date: '2026-11-30', status: 'open', customerCode: 'MM', referenceNumber: '1070', sum: '123.45', privateComment: 'ledgerlink LL-1 (X, revision 1)' },
      { netvisorKey: '166', number: '6', date: null, status: null, customerCode: null, referenceNumber: '1070', sum: '-5', privateComment: undefined },
    ]);
  });

  it('reads a product, and none from an empty <Product/>', async () => {
    const product = await parseNetvisorResponse(
      '<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Product><ProductBaseInformation><NetvisorKey>165</NetvisorKey><ProductCode>CC</ProductCode><Name>Code Complete</Name></ProductBaseInformation></Product></Root>',
    );
    expect(parseProducts(product)).toEqual([{ netvisorKey: '165', code: 'CC', name: 'Code Complete' }]);
    expect(parseProducts(await parseNetvisorResponse('<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Product/></Root>'))).toEqual([]);
  });

  it('refuses what is not a Netvisor answer', async () => {
    await expect(parseNetvisorResponse('<html><body>Bad gateway</body></html>')).rejects.toBeInstanceOf(NotNetvisorXmlError);
    await expect(parseNetvisorResponse('')).rejects.toBeInstanceOf(NotNetvisorXmlError);
    await expect(parseNetvisorResponse('Service Unavailable')).rejects.toBeInstanceOf(NotNetvisorXmlError);
  });

  it('decodes an ISO-8859-15 answer by its declared charset', () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-15"?><Root><Name>Äijä 5 €</Name></Root>';
    expect(decodeXmlBytes(iconv.encode(xml, 'iso-8859-15'))).toBe(xml);
    expect(decodeXmlBytes(Buffer.from('<Root>ä</Root>', 'utf8'))).toBe('<Root>ä</Root>');
  });
});

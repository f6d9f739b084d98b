import iconv from 'iconv-lite';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { findNetvisorCustomer } from '../../../providers/netvisor/customers.js';
import { ensureNetvisorProducts } from '../../../providers/netvisor/products.js';
import { netvisorSettingsSchema, type NetvisorSettings } from '../../../providers/netvisor/settings.js';
import { parseCustomer, parseNetvisorResponse } from '../../../providers/netvisor/xml/parse-response.js';
import { decodeXmlBytes } from '../../../providers/netvisor/xml/tree.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';
import { MemoryLinkBook, testProviderContext } from '../../support/provider-context.js';
import { dropPrefix, freshPrefix, testRedis } from '../../support/redis.js';

/**
 * Issue 9 item 10: Netvisor answers in more shapes than ledgerlink read.
 * Public Netvisor clients' test fixtures show getcustomer.nv answers without
 * <NetvisorKey> (the customer code in <InternalIdentifier>, the business ID in
 * <ExternalIdentifier>, possibly empty), getproduct.nv answers whose
 * <ProductCode> is empty, and customer lists whose codes and organisation
 * identifiers are empty. ledgerlink never matches on a field that is missing,
 * and reads every answer in the encoding it declares.
 */
const BASE = 'https://integration.netvisor.fi';
const transactionId = () => Math.random().toString(36).slice(2);
const ok = (inner = '') => `<?xml version="1.0" encoding="utf-8" standalone="yes"?><Root><ResponseStatus><Status>OK</Status><TimeStamp>1.1.2026 10:00:00</TimeStamp></ResponseStatus>${inner}</Root>`;
const inserted = (id: number) => ok(`<Replies><InsertedDataIdentifier>${id}</InsertedDataIdentifier></Replies>`);
const listEntry = (key: number, code: string, organisation?: string) =>
  `<Customer><Netvisorkey>${key}</Netvisorkey><Name>Someone</Name><Code>${code}</Code>${organisation === undefined ? '' : `<OrganisationIdentifier>${organisation}</OrganisationIdentifier>`}</Customer>`;
/** getcustomer.nv as older answers give it: no <NetvisorKey>. */
const customerWithoutKey = (code: string, businessId: string) =>
  ok(`<Customer><CustomerBaseInformation><InternalIdentifier>${code}</InternalIdentifier><ExternalIdentifier>${businessId}</ExternalIdentifier><Name>Toinen Yhtiö Oy</Name></CustomerBaseInformation></Customer>`);

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = testRedis();
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(() => {
  nock.enableNetConnect();
  redis.disconnect();
});
beforeEach(() => {
  prefix = freshPrefix('netvisor-shapes');
});
afterEach(async () => {
  nock.cleanAll();
  await dropPrefix(redis, prefix);
});

function context(extra: Record<string, unknown> = {}, links = new MemoryLinkBook()) {
  const settings: NetvisorSettings = netvisorSettingsSchema.parse({
    baseUrl: BASE,
    sender: 'ledgerlink',
    customerId: 'U1',
    partnerId: 'P1',
    customerKey: 'customer-key-1',
    partnerKey: 'partner-key-1',
    organisationId: '1234567-1',
    timeoutMs: 1000,
    ...extra,
  });
  return testProviderContext({ settings, redis, redisPrefix: prefix, providerName: 'Netvisor', timeoutMs: 1000, links, secretValues: ['customer-key-1', 'partner-key-1'] });
}

describe('getcustomer.nv answers without <NetvisorKey>', () => {
  it('are read: the code and business ID are there even when the key is not', async () => {
    const answer = await parseNetvisorResponse(customerWithoutKey('MM', ''));
    expect(parseCustomer(answer)).toEqual({ netvisorKey: null, code: 'MM', businessId: null, name: 'Toinen Yhtiö Oy' });
  });

  it("still stop a customer being matched, by code, to another company's Netvisor customer", async () => {
    const customer = exampleResolvedInvoice().customer; // code 1017, business ID 1234567-1
    nock(BASE).get('/customerlist.nv').query({ keyword: '1234567-1' }).reply(200, ok('<Customerlist/>'));
    nock(BASE).get('/customerlist.nv').query({ keyword: '1017' }).reply(200, ok(`<Customerlist>${listEntry(5, '1017')}</Customerlist>`));
    nock(BASE).get('/getcustomer.nv').query({ id: '5' }).reply(200, customerWithoutKey('1017', '7654321-8'));
    const error = await findNetvisorCustomer(context(), customer, { transactionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_customer_code_conflict');
    expect((error as ProviderError).message).toContain('7654321-8');
  });

  it('do not match when Netvisor holds no business ID for the customer with that code: nothing confirms it is the same company', async () => {
    const customer = exampleResolvedInvoice().customer;
    nock(BASE).get('/customerlist.nv').query({ keyword: '1234567-1' }).reply(200, ok('<Customerlist/>'));
    nock(BASE).get('/customerlist.nv').query({ keyword: '1017' }).reply(200, ok(`<Customerlist>${listEntry(5, '1017', '')}</Customerlist>`));
    const error = await findNetvisorCustomer(context(), customer, { transactionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_customer_unconfirmed');
    expect((error as ProviderError).message).toMatch(/PUT \/v1\/customer-links\/cust-17/);
  });

  it('do not match when the answer does not show the customer at all', async () => {
    const customer = exampleResolvedInvoice().customer;
    nock(BASE).get('/customerlist.nv').query({ keyword: '1234567-1' }).reply(200, ok('<Customerlist/>'));
    nock(BASE).get('/customerlist.nv').query({ keyword: '1017' }).reply(200, ok(`<Customerlist>${listEntry(5, '1017')}</Customerlist>`));
    nock(BASE).get('/getcustomer.nv').query({ id: '5' }).reply(200, ok('<Customer/>'));
    const error = await findNetvisorCustomer(context(), customer, { transactionId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_customer_unconfirmed');
  });

  it('match when the business ID they carry is the customer\'s own', async () => {
    const customer = exampleResolvedInvoice().customer;
    nock(BASE).get('/customerlist.nv').query({ keyword: '1234567-1' }).reply(200, ok('<Customerlist/>'));
    nock(BASE).get('/customerlist.nv').query({ keyword: '1017' }).reply(200, ok(`<Customerlist>${listEntry(5, '1017')}</Customerlist>`));
    nock(BASE).get('/getcustomer.nv').query({ id: '5' }).reply(200, customerWithoutKey('1017', '12345671'));
    expect(await findNetvisorCustomer(context(), customer, { transactionId })).toEqual({ type: 'customer', code: '1017' });
  });

  it('a list entry without a code is never taken for the code asked for', async () => {
    const customer = { ...exampleResolvedInvoice().customer, businessId: null };
    nock(BASE).get('/customerlist.nv').query({ keyword: '1017' }).reply(200, ok(`<Customerlist>${listEntry(5, '')}</Customerlist>`));
    expect(await findNetvisorCustomer(context(), customer, { transactionId })).toBeNull();
  });
});

describe('getproduct.nv answers whose <ProductCode> is empty', () => {
  it('are not taken for the code asked for: the product is added and linked under its own code', async () => {
    const links = new MemoryLinkBook();
    const ctx = context({}, links);
    nock(BASE)
      .get('/getproduct.nv')
      .query({ code: 'WORK' })
      .reply(200, ok('<Product><ProductBaseInformation><NetvisorKey>165</NetvisorKey><ProductCode></ProductCode><Name>Code Complete</Name></ProductBaseInformation></Product>'));
    nock(BASE).post('/product.nv').query({ method: 'add' }).reply(200, inserted(77));
    expect(await ensureNetvisorProducts(ctx, exampleResolvedInvoice().lines, { transactionId })).toEqual({ WORK: '77' });
    expect(links.products.get('WORK')).toBe('77');
  });

  it('a product whose code is the one asked for (in any letter case) is linked', async () => {
    const links = new MemoryLinkBook();
    nock(BASE)
      .get('/getproduct.nv')
      .query({ code: 'WORK' })
      .reply(200, ok('<Product><ProductBaseInformation><NetvisorKey>165</NetvisorKey><ProductCode>work</ProductCode><Name>Work</Name></ProductBaseInformation></Product>'));
    expect(await ensureNetvisorProducts(context({}, links), exampleResolvedInvoice().lines, { transactionId })).toEqual({ WORK: '165' });
  });
});

describe('the declared encoding of an answer is honoured on every connection', () => {
  const customerList = (encoding: string) =>
    `<?xml version="1.0" encoding="${encoding}" standalone="yes"?><Root><ResponseStatus><Status>OK</Status></ResponseStatus><Customerlist>` +
    '<Customer><Netvisorkey>5</Netvisorkey><Name>Äijä € Oy</Name><Code>1017</Code><OrganisationIdentifier>1234567-1</OrganisationIdentifier></Customer></Customerlist></Root>';

  it('an ISO-8859-15 answer on a UTF-8 connection is read by its declaration', async () => {
    const ctx = context({ encoding: 'utf-8' });
    nock(BASE).get('/customerlist.nv').query(true).reply(200, iconv.encode(customerList('ISO-8859-15'), 'iso-8859-15'), { 'content-type': 'text/xml' });
    expect(await findNetvisorCustomer(ctx, exampleResolvedInvoice().customer, { transactionId })).toEqual({ type: 'customer', code: '1017' });
    expect(ctx.exchanges[0]!.responseBody).toContain('Äijä € Oy');
  });

  it('a UTF-8 byte-order mark does not hide the declaration, whatever the Content-Type says', async () => {
    const ctx = context({ encoding: 'iso-8859-15' });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(customerList('utf-8'), 'utf8')]);
    nock(BASE).get('/customerlist.nv').query(true).reply(200, bytes, { 'content-type': 'text/xml; charset=iso-8859-15' });
    expect(await findNetvisorCustomer(ctx, exampleResolvedInvoice().customer, { transactionId })).toEqual({ type: 'customer', code: '1017' });
    expect(ctx.exchanges[0]!.responseBody).toContain('Äijä € Oy');
  });

  it('decodes by byte-order mark, then declaration, then Content-Type charset, then UTF-8', () => {
    const xml = (encoding: string) => `<?xml version="1.0" encoding="${encoding}"?><Root>Äijä €</Root>`;
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(decodeXmlBytes(Buffer.concat([bom, Buffer.from(xml('utf-8'), 'utf8')]), 'text/xml; charset=iso-8859-1')).toBe(xml('utf-8'));
    expect(decodeXmlBytes(iconv.encode(xml('iso-8859-15'), 'iso-8859-15'), 'text/xml; charset=utf-8')).toBe(xml('iso-8859-15'));
    expect(decodeXmlBytes(Buffer.concat([Buffer.from('\n  '), iconv.encode(xml('ISO-8859-15'), 'iso-8859-15')]))).toBe(`\n  ${xml('ISO-8859-15')}`);
    expect(decodeXmlBytes(iconv.encode('<Root>Äijä €</Root>', 'iso-8859-15'), 'text/xml; charset=ISO-8859-15')).toBe('<Root>Äijä €</Root>');
    expect(decodeXmlBytes(Buffer.from('<Root>Äijä €</Root>', 'utf8'))).toBe('<Root>Äijä €</Root>');
    // UTF-16 with its byte-order mark.
    expect(decodeXmlBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<Root>Äijä</Root>', 'utf16le')]))).toBe('<Root>Äijä</Root>');
  });
});

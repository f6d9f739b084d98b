import iconv from 'iconv-lite';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ProviderAuthError } from '../../../providers/errors/auth-error.js';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../../../providers/errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { netvisorProvider } from '../../../providers/netvisor/adapter.js';
import { findNetvisorCustomer } from '../../../providers/netvisor/customers.js';
import { ensureNetvisorProducts } from '../../../providers/netvisor/products.js';
import { netvisorSettingsSchema, type NetvisorSettings } from '../../../providers/netvisor/settings.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';
import { MemoryLinkBook, testProviderContext } from '../../support/provider-context.js';
import { dropPrefix, freshPrefix, testRedis } from '../../support/redis.js';

/**
 * Netvisor answers the sandbox does not give (technical errors, gateway pages,
 * OK without an id, ISO-8859-15 answers), faked at the HTTP edge with nock.
 */
const BASE = 'https://integration.netvisor.fi';
const ok = (inner = '') => `<?xml version="1.0" encoding="utf-8" standalone="yes"?><Root><ResponseStatus><Status>OK</Status><TimeStamp>1.1.2026 10:00:00</TimeStamp></ResponseStatus>${inner}</Root>`;
const failed = (code: string, message: string) =>
  `<?xml version="1.0" encoding="utf-8" standalone="yes"?><Root><ResponseStatus><Status>FAILED</Status><Status>${code} :: ${message}</Status><TimeStamp>1.1.2026 10:00:00</TimeStamp></ResponseStatus></Root>`;
const inserted = (id: number) => ok(`<Replies><InsertedDataIdentifier>${id}</InsertedDataIdentifier></Replies>`);

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
  prefix = freshPrefix('netvisor-answers');
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

/** The example's create request, with customer and product known (no lookups). */
function createRequest(ctx: ReturnType<typeof context>) {
  const invoice = exampleResolvedInvoice();
  return { invoice, request: netvisorProvider.buildCreateRequest(ctx, invoice, { customer: { action: 'linked', providerCustomerId: '1017' }, customerLink: '1017', products: { WORK: '5' } }) };
}

describe('Netvisor answers only nock can give', () => {
  it('TECHNICAL_ERROR on the invoice add is an unknown outcome; on a read it is retried', async () => {
    const ctx = context();
    const { invoice, request } = createRequest(ctx);
    nock(BASE).post('/salesinvoice.nv').query({ method: 'add' }).reply(500, failed('TECHNICAL_ERROR', 'Unexpected error'));
    await expect(netvisorProvider.create(ctx, request, invoice)).rejects.toBeInstanceOf(ProviderUnknownOutcomeError);
    nock(BASE).get('/customerlist.nv').query(true).reply(500, failed('TECHNICAL_ERROR', 'Unexpected error'));
    await expect(netvisorProvider.verifyConnection(ctx)).rejects.toBeInstanceOf(ProviderTransientError);
  });

  it('a gateway page or an OK without an id after an add is an unknown outcome, never "not created"', async () => {
    const ctx = context();
    const { invoice, request } = createRequest(ctx);
    nock(BASE).post('/salesinvoice.nv').query(true).reply(200, '<html><body>Proxy error</body></html>');
    const html = await netvisorProvider.create(ctx, request, invoice).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(ProviderUnknownOutcomeError);
    nock(BASE).post('/salesinvoice.nv').query(true).reply(200, ok());
    const noId = await netvisorProvider.create(ctx, request, invoice).catch((e: unknown) => e);
    expect(noId).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect((noId as ProviderError).code).toBe('netvisor_no_identifier');
  });

  it('reads the verdict from the body even when the HTTP status is 200', async () => {
    const ctx = context();
    const { invoice, request } = createRequest(ctx);
    nock(BASE).post('/salesinvoice.nv').query(true).reply(200, failed('INVALID_DATA', 'Tuotetta ei löydy: WORK'));
    const invalid = await netvisorProvider.create(ctx, request, invoice).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ProviderValidationError);
    expect((invalid as ProviderError).message).toContain('"Tuotetta ei löydy: WORK"');
    nock(BASE).get('/customerlist.nv').query(true).reply(200, failed('AUTHENTICATION_FAILED', 'Käyttäjää ei löydy'));
    await expect(netvisorProvider.verifyConnection(ctx)).rejects.toBeInstanceOf(ProviderAuthError);
  });

  it('SERVICE_ACCESS_ERROR is retried later, pointing at Netvisor\'s access rights when it persists', async () => {
    nock(BASE).get('/customerlist.nv').query(true).reply(403, failed('SERVICE_ACCESS_ERROR', 'Resurssia ei ole sallittu'));
    const error = await netvisorProvider.verifyConnection(context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderError).retryAfterMs).toBe(5 * 60_000);
    expect((error as ProviderError).message).toContain('Access rights for interface resources');
  });

  it('keeps the invoice when only reading its number fails afterwards', async () => {
    const ctx = context();
    const { invoice, request } = createRequest(ctx);
    nock(BASE).post('/salesinvoice.nv').query(true).reply(200, inserted(42));
    nock(BASE).get('/getsalesinvoice.nv').query(true).reply(503, 'Service Unavailable');
    expect(await netvisorProvider.create(ctx, request, invoice)).toEqual({ id: '42', number: null, state: 'unsent' });
    expect(ctx.warnings).toEqual([expect.objectContaining({ code: 'netvisor_number_unknown' })]);
  });

  it('a timeout on a read is retried; a timeout while adding a customer is retried too (the next try finds it by code)', async () => {
    nock(BASE).get('/customerlist.nv').query(true).delay(3000).reply(200, ok('<Customerlist/>'));
    const read = await netvisorProvider.verifyConnection(context()).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(ProviderTransientError);

    nock(BASE).get('/customerlist.nv').query(true).times(2).reply(200, ok('<Customerlist/>'));
    nock(BASE).post('/customer.nv').query({ method: 'add' }).delay(3000).reply(200, inserted(9));
    const add = await netvisorProvider.prepare(context(), exampleResolvedInvoice()).catch((e: unknown) => e);
    expect(add).toBeInstanceOf(ProviderTransientError);
    expect((add as ProviderError).code).toBe('netvisor_customer_unknown');
  });

  it('takes getproduct.nv\'s INVALID_DATA for an unknown code as "not found" and adds the product', async () => {
    const links = new MemoryLinkBook();
    const ctx = context({}, links);
    nock(BASE).get('/getproduct.nv').query({ code: 'WORK' }).reply(400, failed('INVALID_DATA', 'Tuotetta ei löytynyt koodilla WORK'));
    nock(BASE).post('/product.nv').query({ method: 'add' }).reply(200, inserted(77));
    expect(await ensureNetvisorProducts(ctx, exampleResolvedInvoice().lines, { transactionId: () => Math.random().toString(36) })).toEqual({ WORK: '77' });
    expect(links.products.get('WORK')).toBe('77');
  });

  it('reads an ISO-8859-15 answer by its declared charset', async () => {
    const ctx = context({ encoding: 'iso-8859-15' });
    const body = iconv.encode(
      '<?xml version="1.0" encoding="ISO-8859-15"?><Root><ResponseStatus><Status>OK</Status></ResponseStatus><Customerlist><Customer>' +
        '<Netvisorkey>5</Netvisorkey><Name>Äijä € Oy</Name><Code>1017</Code><OrganisationIdentifier>1234567-1</OrganisationIdentifier></Customer></Customerlist></Root>',
      'iso-8859-15',
    );
    nock(BASE).get('/customerlist.nv').query(true).reply(200, body, { 'content-type': 'text/xml' });
    const customer = exampleResolvedInvoice().customer;
    expect(await findNetvisorCustomer(ctx, customer, { transactionId: () => Math.random().toString(36) })).toEqual({ type: 'customer', code: '1017' });
    expect(ctx.exchanges[0]!.responseBody).toContain('Äijä');
  });
});

describe('the lookup when Netvisor leaves out private comments', () => {
  const list = (entries: Array<[number, string]>) =>
    ok(
      `<SalesInvoiceList>${entries
        .map(([key, ref]) => `<SalesInvoice><NetvisorKey>${key}</NetvisorKey><InvoiceNumber>${key + 1000}</InvoiceNumber><InvoiceStatus>unsent</InvoiceStatus><ReferenceNumber>${ref}</ReferenceNumber></SalesInvoice>`)
        .join('')}</SalesInvoiceList>`,
    );
  const details = (key: number, comment: string) =>
    ok(`<SalesInvoice><SalesInvoiceNetvisorKey>${key}</SalesInvoiceNetvisorKey><SalesInvoiceNumber>${key + 1000}</SalesInvoiceNumber><SalesInvoicePrivateComment>${comment}</SalesInvoicePrivateComment></SalesInvoice>`);

  it('reads each candidate\'s comment with getsalesinvoice.nv and adopts only this record\'s invoice', async () => {
    const invoice = exampleResolvedInvoice();
    nock(BASE).get('/salesinvoicelist.nv').query(true).reply(200, list([[7, '10168'], [8, '1 0168'], [9, '99999']]));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '7', pdfimage: 'nopdf' }).reply(200, details(7, 'ledgerlink LL-OTHER-RECORD (INV-1, revision 1)'));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '8', pdfimage: 'nopdf' }).reply(200, details(8, `ledgerlink ${invoice.reference} (INV-2026-0042, revision 1)`));
    expect(await netvisorProvider.findByReference(context(), invoice, { since: new Date() })).toEqual({ id: '8', number: '1008', state: 'unsent' });
  });

  it('drops a candidate whose details come back as an empty <SalesInvoice /> (deleted meanwhile)', async () => {
    const invoice = exampleResolvedInvoice();
    nock(BASE).get('/salesinvoicelist.nv').query(true).reply(200, list([[7, '10168']]));
    nock(BASE).get('/getsalesinvoice.nv').query(true).reply(200, ok('<SalesInvoice />'));
    expect(await netvisorProvider.findByReference(context(), invoice, { since: new Date() })).toBeNull();
  });

  it('fails, naming the invoices, when two copies of this record already exist', async () => {
    const invoice = exampleResolvedInvoice();
    const mine = `ledgerlink ${invoice.reference} (INV-2026-0042, revision 1)`;
    nock(BASE).get('/salesinvoicelist.nv').query(true).reply(200, list([[7, '10168'], [8, '10168']]));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '7', pdfimage: 'nopdf' }).reply(200, details(7, mine));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '8', pdfimage: 'nopdf' }).reply(200, details(8, mine));
    const error = await netvisorProvider.findByReference(context(), invoice, { since: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_lookup_ambiguous');
    expect((error as ProviderError).message).toMatch(/number 1007, NetvisorKey 7; number 1008, NetvisorKey 8/);
  });
  it('never adopts an invoice ledgerlink did not write that happens to carry our reference number', async () => {
    const invoice = exampleResolvedInvoice();
    nock(BASE).get('/salesinvoicelist.nv').query(true).reply(200, list([[7, '10168']]));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '7', pdfimage: 'nopdf' }).reply(200, details(7, 'entered by hand'));
    const error = await netvisorProvider.findByReference(context(), invoice, { since: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_reference_in_use');
    expect((error as ProviderError).message).toMatch(/number 1007, NetvisorKey 7/);
  });

  it('adopts ours when a hand-made invoice shares the reference number too', async () => {
    const invoice = exampleResolvedInvoice();
    nock(BASE).get('/salesinvoicelist.nv').query(true).reply(200, list([[7, '10168'], [8, '10168']]));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '7', pdfimage: 'nopdf' }).reply(200, details(7, 'entered by hand'));
    nock(BASE).get('/getsalesinvoice.nv').query({ netvisorkey: '8', pdfimage: 'nopdf' }).reply(200, details(8, `ledgerlink ${invoice.reference} (INV-2026-0042, revision 1)`));
    expect(await netvisorProvider.findByReference(context(), invoice, { since: new Date() })).toEqual({ id: '8', number: '1008', state: 'unsent' });
  });
});

describe('the lookup when more invoices share the dates than one list answer holds', () => {
  const entry = (key: number, ref: string, comment: string) =>
    `<SalesInvoice><NetvisorKey>${key}</NetvisorKey><InvoiceNumber>${key + 1000}</InvoiceNumber><InvoiceStatus>unsent</InvoiceStatus><ReferenceNumber>${ref}</ReferenceNumber><PrivateComment>${comment}</PrivateComment></SalesInvoice>`;
  /** A full answer (500 invoices, keys from..from+499) of other people's invoices. */
  const fullPageOfOthers = (from: number) =>
    ok(`<SalesInvoiceList>${Array.from({ length: 500 }, (_, i) => entry(from + i, String(20000 + i), 'written by hand')).join('')}</SalesInvoiceList>`);

  it('pages on with invoicesabovenetvisorkey and adopts an invoice beyond the first 500', async () => {
    const invoice = exampleResolvedInvoice();
    nock(BASE)
      .get('/salesinvoicelist.nv')
      .query((q) => q.invoicesabovenetvisorkey === undefined)
      .reply(200, fullPageOfOthers(1));
    nock(BASE)
      .get('/salesinvoicelist.nv')
      .query((q) => q.invoicesabovenetvisorkey === '500')
      .reply(200, ok(`<SalesInvoiceList>${entry(777, invoice.referenceNumber, `ledgerlink ${invoice.reference} (INV-2026-0042, revision 1)`)}</SalesInvoiceList>`));
    expect(await netvisorProvider.findByReference(context(), invoice, { since: new Date() })).toEqual({ id: '777', number: '1777', state: 'unsent' });
  });

  it('never answers "not found" from a list it could not read to the end', async () => {
    const invoice = exampleResolvedInvoice();
    // A Netvisor that ignores the paging parameter keeps answering the same full page.
    nock(BASE).get('/salesinvoicelist.nv').query(true).times(2).reply(200, fullPageOfOthers(1));
    const error = await netvisorProvider.findByReference(context(), invoice, { since: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderError).code).toBe('netvisor_lookup_incomplete');
  });
});

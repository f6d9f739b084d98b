import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { netvisorAuthHeaders, randomTransactionId } from '../../../providers/netvisor/mac.js';
import { startNetvisorSandbox, type RunningNetvisorSandbox } from '../../../providers/netvisor/sandbox/netvisor-sandbox.js';
import { parseCustomerList, parseNetvisorResponse, parseSalesInvoice } from '../../../providers/netvisor/xml/parse-response.js';
import { haveReference, readReference } from './support.js';

let sandbox: RunningNetvisorSandbox;

beforeAll(async () => {
  sandbox = await startNetvisorSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

/** A request signed as a Netvisor client would sign it, with parts that a test may spoil. */
async function signed(
  path: string,
  options: { method?: 'GET' | 'POST'; body?: string; transactionId?: string; tamper?: (h: Record<string, string>) => void; at?: Date } = {},
) {
  const url = `${sandbox.url}${path}`;
  const c = sandbox.credentials;
  const headers = netvisorAuthHeaders({
    url,
    at: options.at ?? new Date(),
    transactionId: options.transactionId ?? randomTransactionId(),
    credentials: { ...c },
  });
  options.tamper?.(headers);
  const response = await fetch(url, {
    method: options.method ?? (options.body ? 'POST' : 'GET'),
    headers: { ...headers, ...(options.body ? { 'content-type': 'text/xml; charset=utf-8' } : {}) },
    body: options.body,
  });
  const text = await response.text();
  return { status: response.status, text, parsed: await parseNetvisorResponse(text) };
}

const CUSTOMER = '<?xml version="1.0" encoding="UTF-8"?><root><customer><customerbaseinformation><internalidentifier>MM</internalidentifier><externalidentifier>1234567-1</externalidentifier><name>Matti Meikäläinen</name></customerbaseinformation></customer></root>';
const PRODUCT = '<root><product><productbaseinformation><productcode>CC</productcode><productgroup>Kirjat</productgroup><name>Code Complete</name><unitprice type="net">42,50</unitprice><isactive>1</isactive><issalesproduct>1</issalesproduct></productbaseinformation></product></root>';
const invoice = (amount = '53,34', extra = '') =>
  `<root><salesinvoice><salesinvoicedate format="ansi">2026-11-30</salesinvoicedate><salesinvoicereferencenumber>10168</salesinvoicereferencenumber>` +
  `<salesinvoiceamount>${amount}</salesinvoiceamount><salesinvoicestatus type="netvisor">unsent</salesinvoicestatus>${extra}` +
  `<invoicingcustomeridentifier type="customer">MM</invoicingcustomeridentifier><paymenttermnetdays>14</paymenttermnetdays>` +
  `<invoicelines><invoiceline><salesinvoiceproductline><productidentifier type="customer">CC</productidentifier><productname>Code Complete</productname>` +
  `<productunitprice type="net">42,50</productunitprice><productvatpercentage vatcode="KOMY">25,5</productvatpercentage>` +
  `<salesinvoiceproductlinequantity>1</salesinvoiceproductlinequantity></salesinvoiceproductline></invoiceline></invoicelines></salesinvoice></root>`;

async function seed() {
  expect((await signed('/customer.nv?method=add', { body: CUSTOMER })).parsed.status).toEqual({ ok: true });
  expect((await signed('/product.nv?method=add', { body: PRODUCT })).parsed.status).toEqual({ ok: true });
}

describe('netvisor sandbox', () => {
  it('answers a correctly signed request, and refuses a wrong MAC in Netvisor\'s failure form', async () => {
    expect((await signed('/customerlist.nv')).parsed.status).toEqual({ ok: true });
    const bad = await signed('/customerlist.nv', { tamper: (h) => (h['X-Netvisor-Authentication-MAC'] = 'ab'.repeat(32)) });
    expect(bad.status).toBe(401);
    expect(bad.text).toMatch(/<Status>FAILED<\/Status>\s*<Status>AUTHENTICATION_FAILED :: MAC does not match/);
  });

  it('checks the MAC over the URL exactly as sent (query string included)', async () => {
    const url = `${sandbox.url}/customerlist.nv?keyword=a`;
    const headers = netvisorAuthHeaders({ url, at: new Date(), transactionId: randomTransactionId(), credentials: { ...sandbox.credentials } });
    const response = await fetch(`${sandbox.url}/customerlist.nv?keyword=b`, { headers });
    expect((await parseNetvisorResponse(await response.text())).status).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('refuses missing headers, a wrong algorithm, mismatched timestamps and unknown organisations', async () => {
    const cases: Array<[(h: Record<string, string>) => void, RegExp]> = [
      [(h) => delete h['X-Netvisor-Authentication-TimestampUnix'], /TimestampUnix is missing/i],
      [(h) => (h['X-Netvisor-Authentication-MACHashCalculationAlgorithm'] = 'SHA256'), /HMACSHA256/],
      [(h) => (h['X-Netvisor-Authentication-TimestampUnix'] = '1000'), /not the same UTC instant/],
      [(h) => (h['X-Netvisor-Organisation-ID'] = '1234567-1'), /no access to organisation 1234567-1/],
    ];
    for (const [tamper, reason] of cases) {
      const answer = await signed('/customerlist.nv', { tamper });
      expect(answer.parsed.status).toMatchObject({ ok: false, code: 'AUTHENTICATION_FAILED' });
      expect((answer.parsed.status as { message: string }).message).toMatch(reason);
    }
  });

  it('refuses a reused transaction id', async () => {
    expect((await signed('/customerlist.nv', { transactionId: 'tx-1' })).parsed.status).toEqual({ ok: true });
    expect((await signed('/customerlist.nv?keyword=x', { transactionId: 'tx-1' })).parsed.status).toMatchObject({ ok: false, code: 'REQUEST_NOT_UNIQUE' });
  });

  it('stores customers, products and invoices and answers the list and get resources', async () => {
    await seed();
    const list = parseCustomerList((await signed('/customerlist.nv?keyword=1234567')).parsed);
    expect(list).toEqual([expect.objectContaining({ code: 'MM', name: 'Matti Meikäläinen', organisationIdentifier: '1234567-1' })]);
    expect(parseCustomerList((await signed('/customerlist.nv?keyword=nobody')).parsed)).toEqual([]);

    const added = await signed('/salesinvoice.nv?method=add', { body: invoice() });
    expect(added.parsed.status).toEqual({ ok: true });
    expect(sandbox.invoices()).toEqual([expect.objectContaining({ reference: '10168', total: '53.34' })]);
    const key = sandbox.invoices()[0]!.id;
    expect(parseSalesInvoice((await signed(`/getsalesinvoice.nv?netvisorkey=${key}`)).parsed)).toMatchObject({ number: '1001', amount: '53.34' });
    expect(parseSalesInvoice((await signed('/getsalesinvoice.nv?netvisorkey=999999')).parsed)).toBeNull();

    const listed = await signed('/salesinvoicelist.nv?begininvoicedate=2026-11-30&endinvoicedate=2026-11-30');
    expect(listed.text).toContain('<ReferenceNumber>10168</ReferenceNumber>');
    expect((await signed('/salesinvoicelist.nv?begininvoicedate=2026-12-01')).text).not.toContain('<ReferenceNumber>');
  });

  it('validates bodies against the DTD structure, naming the element', async () => {
    await seed();
    const dotted = await signed('/salesinvoice.nv?method=add', { body: invoice('53.34') });
    expect(dotted.parsed.status).toMatchObject({ ok: false, code: 'INVALID_DATA' });
    expect((dotted.parsed.status as { message: string }).message).toContain('<salesinvoiceamount> must be a number written with a decimal comma');

    const misplaced = await signed('/salesinvoice.nv?method=add', { body: invoice('53,34', '<salesinvoicenumber>7</salesinvoicenumber>') });
    expect((misplaced.parsed.status as { message: string }).message).toContain('<salesinvoicenumber> is out of order');
    expect(sandbox.invoices()).toEqual([]);
  });

  it.skipIf(!haveReference)('refuses Netvisor\'s own PascalCase example, which the DTD does not describe', async () => {
    const answer = await signed('/salesinvoice.nv?method=add', { body: readReference('requests/SalesInvoice.xml') });
    expect(answer.parsed.status).toMatchObject({ ok: false, code: 'INVALID_DATA' });
    expect((answer.parsed.status as { message: string }).message).toContain('the document element must be <root>, not <Root>');
  });

  it('refuses a request while another one of the same organisation is in progress', async () => {
    sandbox.injectFault({ kind: 'latency', ms: 200, times: 1 });
    const slow = signed('/customerlist.nv');
    await new Promise((r) => setTimeout(r, 50));
    const second = await signed('/customerlist.nv');
    expect(second.parsed.status).toMatchObject({ ok: false, code: 'SERVICE_ACCESS_ERROR' });
    expect((second.parsed.status as { message: string }).message).toMatch(/one request at a time/);
    expect((await slow).parsed.status).toEqual({ ok: true });
    expect(sandbox.stats().refusedOverlapping).toBe(1);
  });

  it('a standing latency does not hide a fault queued after it', async () => {
    sandbox.injectFault({ kind: 'latency', ms: 5 });
    sandbox.injectFault({ kind: 'maintenance', times: 1 });
    expect((await signed('/customerlist.nv')).parsed.status).toMatchObject({ code: 'SYSTEM_MAINTENANCE' });
    expect((await signed('/customerlist.nv')).parsed.status).toEqual({ ok: true });
  });

  it('locks accounting periods before a date', async () => {
    await seed();
    sandbox.lockPeriodBefore('2026-12-01');
    const answer = await signed('/salesinvoice.nv?method=add', { body: invoice() });
    expect(answer.parsed.status).toMatchObject({ ok: false, code: 'PERIOD_LOCK' });
  });

  it('is controlled over HTTP too: faults, invoices, requests, reset', async () => {
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ kind: 'maintenance' }), headers: { 'content-type': 'application/json' } });
    expect((await signed('/customerlist.nv')).parsed.status).toMatchObject({ code: 'SYSTEM_MAINTENANCE' });
    expect((await signed('/customerlist.nv')).parsed.status).toMatchObject({ code: 'SYSTEM_MAINTENANCE' });
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    await seed();
    await signed('/salesinvoice.nv?method=add', { body: invoice() });
    const invoices = (await (await fetch(`${sandbox.url}/_sandbox/invoices`)).json()) as Array<{ reference: string; total: string }>;
    expect(invoices.map((i) => [i.reference, i.total])).toEqual([['10168', '53.34']]);
    const requests = (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as Array<{ path: string }>;
    expect(requests.map((r) => r.path)).toContain('/salesinvoice.nv?method=add');
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    expect(sandbox.invoices()).toEqual([]);
  });

  it('closes at once even while it holds back a response', async () => {
    const other = await startNetvisorSandbox({ port: 0 });
    const send = (path: string, body?: string) =>
      fetch(`${other.url}${path}`, {
        method: body ? 'POST' : 'GET',
        body,
        headers: netvisorAuthHeaders({ url: `${other.url}${path}`, at: new Date(), transactionId: randomTransactionId(), credentials: { ...other.credentials } }),
      });
    await (await send('/customer.nv?method=add', CUSTOMER)).text();
    await (await send('/product.nv?method=add', PRODUCT)).text();
    other.injectFault({ kind: 'timeout_after_store' });
    const pending = send('/salesinvoice.nv?method=add', invoice()).catch(() => 'connection closed');
    while (other.invoices().length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await pending;
  });
});

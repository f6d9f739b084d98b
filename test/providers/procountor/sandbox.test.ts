import axios, { type AxiosResponse } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mapInvoice } from '../../../providers/procountor/invoice-mapping.js';
import { startProcountorSandbox } from '../../../providers/procountor/sandbox/start.js';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';
import type { RunningSandbox } from '../../../providers/types.js';
import { example } from './helpers.js';

/** The sandbox as an HTTP client sees it: answers are returned, never thrown. */
function http(base: string) {
  const client = axios.create({ baseURL: base, validateStatus: () => true, timeout: 5000 });
  return client;
}

describe('Procountor sandbox', () => {
  let sandbox: RunningSandbox;
  let api: ReturnType<typeof http>;
  let origin: string;
  let token: string;

  async function tokenFor(form: Record<string, string>): Promise<AxiosResponse> {
    return api.post('/oauth/token', new URLSearchParams(form).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
  const creds = () => sandbox.credentials as { clientId: string; clientSecret: string; apiKey: string; bankAccount: string };
  const validForm = () => ({ grant_type: 'client_credentials', client_id: creds().clientId, client_secret: creds().clientSecret, api_key: creds().apiKey });
  const auth = () => ({ headers: { Authorization: `Bearer ${token}` } });

  function invoiceBody(overrides: Record<string, unknown> = {}) {
    const settings = procountorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials });
    const { body } = mapInvoice({ invoice: example(), settings, partnerId: null, products: [null], channel: 'EMAIL' });
    return { ...body, ...overrides };
  }

  beforeAll(async () => {
    sandbox = await startProcountorSandbox({ port: 0, requestsPerSecond: 10 });
    api = http(sandbox.url);
    origin = new URL(sandbox.url).origin;
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    token = (await tokenFor(validForm())).data.access_token;
    sandbox.reset(); // keeps the token, gives each test an empty rate window and request log
  });

  it('serves the M2M token endpoint and refuses wrong credentials OAuth-style', async () => {
    const ok = await tokenFor(validForm());
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ token_type: 'bearer', expires_in: 3600, access_token: expect.any(String) });
    expect((await tokenFor({ ...validForm(), client_secret: 'nope' })).data).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    expect((await tokenFor({ ...validForm(), client_secret: 'nope' })).status).toBe(401);
    expect((await tokenFor({ ...validForm(), api_key: 'nope' })).status).toBe(400);
    expect((await api.post('/oauth/token', validForm())).status).toBe(400); // JSON, not a form
  });

  it('answers 401 in Procountor form without a valid bearer token', async () => {
    const res = await api.get('/invoices', { headers: { Authorization: 'Bearer made-up' } });
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ errors: [{ status: 401, message: 'UNAUTHORIZED: missing, invalid or expired access token' }] });
  });

  it('accepts the example invoice, totals it, and lets it be found by originalInvoiceNumber only exactly', async () => {
    const body = invoiceBody();
    const created = await api.post('/invoices', body, auth());
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({ status: 'UNFINISHED', invoiceNumber: 1001, invoiceSumInfo: [{ excludingVatTotal: 1200, vatSumTotal: 306, invoiceSumTotal: 1506 }] });
    const found = await api.get('/invoices', { ...auth(), params: { originalInvoiceNumber: body.originalInvoiceNumber } });
    expect(found.data.results.map((r: { id: number }) => r.id)).toEqual([created.data.id]);
    const prefixOnly = await api.get('/invoices', { ...auth(), params: { originalInvoiceNumber: body.originalInvoiceNumber.slice(0, -1) } });
    expect(prefixOnly.data.results).toEqual([]);
    expect(sandbox.invoices()).toEqual([expect.objectContaining({ id: String(created.data.id), reference: body.originalInvoiceNumber, total: '1506.00' })]);
  });

  it('refuses bodies that break the OpenAPI schema, naming each field', async () => {
    const { paymentInfo: _p, ...withoutPayment } = invoiceBody();
    const res = await api.post('/invoices', { ...withoutPayment, invoiceRow: [], originalInvoiceNumber: 'x'.repeat(41), invoiceChannel: 'FAX' }, auth());
    expect(res.status).toBe(400);
    const byField = Object.fromEntries(res.data.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(byField).toMatchObject({
      paymentInfo: 'FIELD_REQUIRED',
      invoiceRow: expect.stringMatching(/^UNKNOWN_FIELD/),
      originalInvoiceNumber: expect.stringMatching(/^VALUE_TOO_LONG/),
      invoiceChannel: expect.stringMatching(/^INVALID_VALUE/),
    });
    expect(res.data.errors.every((e: { status: number }) => e.status === 400)).toBe(true);
    expect(sandbox.invoices()).toEqual([]);
  });

  it("refuses text outside Windows-1252 and Procountor's business rules", async () => {
    const body = invoiceBody();
    const res = await api.post(
      '/invoices',
      {
        ...body,
        counterParty: { ...body.counterParty, email: undefined, counterPartyAddress: { ...body.counterParty.counterPartyAddress, name: 'Kahvila ☕' } },
        paymentInfo: { ...body.paymentInfo, dueDate: '2026-11-01', bankReferenceCode: '12345' /* wrong check digit on purpose */ },
        invoiceRows: [{ ...body.invoiceRows[0], vatPercent: 24 }],
      },
      auth(),
    );
    const messages = res.data.errors.map((e: { field: string; message: string }) => `${e.field} ${e.message.split(':')[0]}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'counterParty.counterPartyAddress.name INVALID_CHARACTERS',
        'paymentInfo.dueDate DUE_DATE_BEFORE_BILL_DATE',
        'paymentInfo.bankReferenceCode INVALID_REFERENCE_CODE',
        'invoiceRows[0].vatPercent VAT_PERCENT_NOT_IN_USE',
        'counterParty.email EMAIL_REQUIRED',
      ]),
    );
  });

  it('moves invoices UNFINISHED → NOT_SENT → SENT and refuses steps out of order', async () => {
    const { data: invoice } = await api.post('/invoices', invoiceBody(), auth());
    expect((await api.put(`/invoices/${invoice.id}/send`, undefined, auth())).status).toBe(403);
    expect((await api.put(`/invoices/${invoice.id}/approve`, {}, auth())).status).toBe(200);
    expect((await api.put(`/invoices/${invoice.id}/approve`, {}, auth())).data).toEqual({
      errors: [{ status: 403, message: 'INVALID_STATUS: an invoice in status NOT_SENT cannot be approved' }],
    });
    expect((await api.put(`/invoices/${invoice.id}/send`, undefined, auth())).status).toBe(200);
    expect((await api.get(`/invoices/${invoice.id}`, auth())).data.status).toBe('SENT');
  });

  it('finds business partners by customer number in the query and business ID in a header', async () => {
    const partner = { name: 'Esimerkki Oy', type: 'CUSTOMER', address: { name: 'Esimerkki Oy' }, invoicingInfo: { customerNumber: '1017', identifier: '1234567-1' }, paymentInfo: { paymentMethod: 'BANK_TRANSFER' } };
    const created = await api.post('/businesspartners', partner, auth());
    expect(created.status).toBe(200);
    const byNumber = await api.get('/businesspartners', { ...auth(), params: { type: 'CUSTOMER', customerNumber: '1017' } });
    expect(byNumber.data.results).toEqual([expect.objectContaining({ id: created.data.id, invoicingInfo: { customerNumber: '1017', identifier: '1234567-1' } })]);
    const byHeader = await api.get('/businesspartners', { headers: { ...auth().headers, identifier: '1234567-1' }, params: { type: 'CUSTOMER' } });
    expect(byHeader.data.results).toHaveLength(1);
    const other = await api.get('/businesspartners', { headers: { ...auth().headers, identifier: '7654321-4' } });
    expect(other.data.results).toEqual([]);
    expect((await api.post('/businesspartners', partner, auth())).data.errors[0].message).toMatch(/^CUSTOMER_NUMBER_IN_USE/);
    const { address: _a, ...noAddress } = partner;
    expect((await api.post('/businesspartners', { ...noAddress, invoicingInfo: {} }, auth())).data.errors).toEqual([
      { status: 400, field: 'address', message: 'FIELD_REQUIRED: customers need an address' },
    ]);
  });

  it('searches products by code as a substring, as Procountor does', async () => {
    const res = await api.get('/products', { ...auth(), params: { code: 'CONSULT' } });
    expect(res.data.results.map((p: { code: string }) => p.code).sort()).toEqual(['CONSULT', 'CONSULT-SENIOR']);
  });

  it('enforces its rate limit per API client with Procountor-shaped 429s', async () => {
    const answers = await Promise.all(Array.from({ length: 14 }, () => api.get('/vats/default', auth())));
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(limited).toHaveLength(4);
    expect(limited[0]!.headers['retry-after']).toBe('1');
    expect(limited[0]!.data.errors[0].message).toMatch(/^TOO_MANY_REQUESTS/);
  });

  it('takes faults and gives invoices, requests and a reset over HTTP for the demo', async () => {
    const control = http(origin);
    expect((await control.post('/_sandbox/faults', { kind: 'server_error', status: 503, times: 1 })).status).toBe(204);
    expect((await api.get('/vats/default', auth())).status).toBe(503);
    expect((await api.get('/vats/default', auth())).status).toBe(200);
    expect((await control.post('/_sandbox/faults', { kind: 'teapot' })).status).toBe(400);
    await control.post('/_sandbox/faults', { kind: 'unauthorized' });
    expect((await api.get('/vats/default', auth())).status).toBe(401);
    expect((await api.get('/vats/default', auth())).status).toBe(401);
    expect((await control.delete('/_sandbox/faults')).status).toBe(204);
    await api.post('/invoices', invoiceBody(), auth());
    expect((await control.get('/_sandbox/invoices')).data).toHaveLength(1);
    expect((await control.get('/_sandbox/requests')).data.map((r: { path: string }) => r.path)).toContain('/invoices');
    expect((await control.get('/_sandbox/credentials')).data).toEqual(sandbox.credentials);
    expect((await control.post('/_sandbox/reset')).status).toBe(204);
    expect(sandbox.invoices()).toEqual([]);
  });

  it('close() lets go of a response it is holding instead of hanging', async () => {
    const held = await startProcountorSandbox({ port: 0 });
    const client = http(held.url);
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...Object.fromEntries(Object.entries(held.credentials).filter(([k]) => k !== 'bankAccount').map(([k, v]) => [k === 'clientId' ? 'client_id' : k === 'clientSecret' ? 'client_secret' : 'api_key', String(v)])) });
    const t = (await client.post('/oauth/token', form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).data.access_token;
    held.injectFault({ kind: 'timeout_after_store', ms: 120_000 });
    const settings = procountorSettingsSchema.parse({ baseUrl: held.url, ...held.credentials });
    const { body } = mapInvoice({ invoice: example(), settings, partnerId: null, products: [null], channel: 'EMAIL' });
    const pending = client.post('/invoices', body, { headers: { Authorization: `Bearer ${t}` }, timeout: 0 }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    expect(held.invoices()).toHaveLength(1);
    const outcome = await Promise.race([held.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    expect(outcome).toBe('closed');
    expect(await pending).toBeInstanceOf(Error);
  });
});

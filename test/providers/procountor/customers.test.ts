import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { ProcountorClient } from '../../../providers/procountor/client.js';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { MemoryLinkBook } from '../../support/provider-context.js';
import { useNockedProcountor, useProcountorSandbox } from './fixture.js';
import { example, procountorContext, syncOnce } from './helpers.js';

describe('Procountor customers', () => {
  const fixture = useProcountorSandbox('procountor-customers');

  function context(links = new MemoryLinkBook(), overrides = {}) {
    return fixture.context(overrides, { links });
  }

  /** A business partner put straight into Procountor, as if someone created it there. */
  async function existingPartner(invoicingInfo: Record<string, string>, name = 'Esimerkki Oy'): Promise<number> {
    const created = await new ProcountorClient(context()).call<{ id: number }>({
      method: 'POST',
      path: '/businesspartners',
      body: { name, type: 'CUSTOMER', address: { name }, invoicingInfo, paymentInfo: { paymentMethod: 'BANK_TRANSFER' } },
      write: true,
      label: 'seed partner',
    });
    return created.id;
  }

  const partnerCalls = () => fixture.sandbox.requests().filter((r) => r.path.includes('/businesspartners'));
  const withCustomer = (patch: Partial<ResolvedInvoice['customer']>): ResolvedInvoice => {
    const base = example();
    return { ...base, customer: { ...base.customer, ...patch } };
  };

  it('uses a linked partner id as is, without asking Procountor', async () => {
    const id = await existingPartner({ customerNumber: '1017', identifier: '1234567-1' });
    const links = new MemoryLinkBook();
    links.customers.set('cust-17', String(id));
    const before = partnerCalls().length;
    const { request, prepared } = await syncOnce(context(links), example());
    expect(prepared.customerAction).toBe('linked');
    expect((JSON.parse(request.body as string) as { partnerId: number }).partnerId).toBe(id);
    expect(partnerCalls()).toHaveLength(before);
  });

  it('finds the partner by customer number and remembers the link', async () => {
    const id = await existingPartner({ customerNumber: '1017', identifier: '1234567-1' });
    const links = new MemoryLinkBook();
    const ctx = context(links);
    expect(await procountorProvider.resolveCustomer(ctx, example(), { dryRun: true })).toEqual({ action: 'matched', providerCustomerId: String(id) });
    expect(links.saved).toEqual([]);
    const { prepared } = await syncOnce(ctx, example());
    expect(prepared).toMatchObject({ customerAction: 'matched', partnerId: String(id) });
    expect(links.saved).toEqual([{ kind: 'customer', key: 'cust-17', id: String(id), how: 'matched' }]);
    expect(fixture.sandbox.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/businesspartners'))).toHaveLength(1); // the seed only
  });

  it('finds the partner by business ID, sent in the identifier header, when there is no customer number', async () => {
    const id = await existingPartner({ identifier: '1234567-1' });
    const ctx = context();
    const resolution = await procountorProvider.resolveCustomer(ctx, withCustomer({ customerNumber: null }), { dryRun: false });
    expect(resolution).toEqual({ action: 'matched', providerCustomerId: String(id) });
    const search = ctx.exchanges.find((e) => e.label === 'find customer by business ID');
    expect(search?.requestHeaders.identifier).toBe('1234567-1');
    expect(search?.url).not.toContain('1234567-1');
  });

  it('falls back to the business ID when the customer number is unknown to Procountor', async () => {
    const id = await existingPartner({ identifier: '1234567-1' });
    const resolution = await procountorProvider.resolveCustomer(context(), example(), { dryRun: false });
    expect(resolution).toEqual({ action: 'matched', providerCustomerId: String(id) });
  });

  it('creates a missing customer with address and invoicing info, and links it', async () => {
    const links = new MemoryLinkBook();
    const ctx = context(links);
    expect(await procountorProvider.resolveCustomer(ctx, example(), { dryRun: true })).toEqual({ action: 'create' });
    expect(fixture.sandbox.requests().filter((r) => r.method === 'POST' && !r.path.endsWith('/oauth/token'))).toHaveLength(0);
    const { prepared } = await syncOnce(ctx, example());
    expect(prepared.customerAction).toBe('create');
    expect(links.saved).toEqual([{ kind: 'customer', key: 'cust-17', id: prepared.partnerId, how: 'created' }]);
    const partner = (await new ProcountorClient(ctx).call({ method: 'GET', path: `/businesspartners/${prepared.partnerId}`, write: false, label: 'read' })) as Record<string, any>;
    expect(partner).toMatchObject({
      name: 'Esimerkki Oy',
      type: 'CUSTOMER',
      address: { name: 'Esimerkki Oy', street: 'Katu 1', zip: '00100', city: 'Helsinki', country: 'FINLAND' },
      invoicingInfo: { customerNumber: '1017', identifier: '1234567-1', email: 'laskut@esimerkki.fi', invoiceChannel: 'EMAIL', language: 'FINNISH' },
      paymentInfo: { paymentMethod: 'BANK_TRANSFER', paymentTermDays: '14' },
    });
  });

  it('makes no customer lookup for the second invoice of the same customer', async () => {
    const links = new MemoryLinkBook();
    await syncOnce(context(links), example());
    const before = partnerCalls().length;
    const { prepared } = await syncOnce(context(links), example());
    expect(prepared.customerAction).toBe('linked');
    expect(partnerCalls()).toHaveLength(before);
    expect(fixture.sandbox.invoices()).toHaveLength(2);
  });

  it('refuses to create a customer when the connection forbids it, saying how to link one', async () => {
    const error = (await syncOnce(context(new MemoryLinkBook(), { createCustomers: false }), example()).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect(error.code).toBe('customer_not_linked');
    expect(error.message).toMatch(/PUT \/v1\/customer-links\/cust-17 giving the Procountor business partner id/);
    expect(error.message).toMatch(/customer number 1017 or business ID 1234567-1/);
    expect(fixture.sandbox.requests().filter((r) => r.method === 'POST' && !r.path.endsWith('/oauth/token'))).toHaveLength(0);
  });

  it('will not link a customer number that belongs to another company', async () => {
    await existingPartner({ customerNumber: '1017', identifier: '7654321-4' }, 'Toinen Oy');
    const error = (await syncOnce(context(), example()).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect(error.code).toBe('customer_conflict');
    expect(error.message).toMatch(/"Toinen Oy" with business ID 7654321-4/);
    expect(fixture.sandbox.invoices()).toHaveLength(0);
  });

  it('when several partners share the business ID, uses the oldest and says so', async () => {
    const older = await existingPartner({ identifier: '1234567-1' });
    await existingPartner({ identifier: '1234567-1' });
    const ctx = context();
    const resolution = await procountorProvider.resolveCustomer(ctx, withCustomer({ customerNumber: null }), { dryRun: false });
    expect(resolution.providerCustomerId).toBe(String(older));
    expect(ctx.warnings).toEqual([expect.objectContaining({ code: 'customer_ambiguous' })]);
  });

  it('two syncs of one new customer at once (two workers, one link book) create it once and both use it', async () => {
    const links = new MemoryLinkBook();
    for (const customerNumber of ['2042', null]) {
      const invoice = withCustomer({ externalId: `new-${customerNumber ?? 'no-number'}`, customerNumber, businessId: customerNumber ? '7654321-1' : '2345678-1' });
      const before = fixture.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/businesspartners').length;
      const results = await Promise.all([0, 1, 2].map(() => procountorProvider.resolveCustomer(context(links), invoice, { dryRun: false })));
      const ids = new Set(results.map((r) => r.providerCustomerId));
      expect(ids.size, JSON.stringify(results)).toBe(1);
      expect(fixture.sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/businesspartners').length - before).toBe(1);
    }
  });

  it('refuses a link to something that is not a Procountor partner id', async () => {
    const links = new MemoryLinkBook();
    links.customers.set('cust-17', 'esimerkki');
    const error = (await syncOnce(context(links), example()).catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('customer_link_invalid');
    expect(error.message).toMatch(/PUT \/v1\/customer-links\/cust-17/);
  });

  it('explains a linked partner that no longer exists in Procountor', async () => {
    const links = new MemoryLinkBook();
    links.customers.set('cust-17', '999999');
    const error = (await syncOnce(context(links), example()).catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('procountor_validation');
    expect(error.details).toEqual([expect.objectContaining({ path: 'customer', providerCode: 'PARTNER_NOT_FOUND', message: expect.stringMatching(/customer-links/) })]);
  });
});

describe('Procountor customer search answers that cannot be trusted as they are (nock at the edge)', () => {
  const BASE = 'https://procountor-partners.nock.test/api';
  const nocked = useNockedProcountor(BASE, 'procountor-partners-nock');

  const settings = () =>
    procountorSettingsSchema.parse({ baseUrl: BASE, clientId: 'c', clientSecret: 'secret-value', apiKey: 'api-key-value', bankAccount: 'FI2112345600000785', createCustomers: false });

  it('does not take partners with other customer numbers for a match, and reads those that do not show theirs', async () => {
    nock(BASE)
      .get('/businesspartners')
      .query({ type: 'CUSTOMER', customerNumber: '1017' })
      .reply(200, { results: [{ id: 1, name: 'Other Oy', invoicingInfo: { customerNumber: '10170' } }, { id: 2, name: 'Hidden Oy' }] });
    nock(BASE).get('/businesspartners/2').reply(200, { id: 2, name: 'Hidden Oy', invoicingInfo: { customerNumber: '2000' } });
    nock(BASE).get('/businesspartners').query({ type: 'CUSTOMER' }).matchHeader('identifier', '1234567-1').reply(200, { results: [] });
    const ctx = procountorContext({ settings: settings(), redis: nocked.redis, prefix: nocked.prefix });
    const error = (await procountorProvider.resolveCustomer(ctx, example(), { dryRun: true }).catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('customer_not_linked');
    expect(nock.isDone()).toBe(true);
  });

  it('matches a partner whose full record shows the customer number', async () => {
    nock(BASE).get('/businesspartners').query(true).reply(200, { results: [{ id: 5, name: 'Esimerkki Oy' }] });
    nock(BASE).get('/businesspartners/5').reply(200, { id: 5, name: 'Esimerkki Oy', invoicingInfo: { customerNumber: '1017', identifier: '1234567-1' } });
    const ctx = procountorContext({ settings: settings(), redis: nocked.redis, prefix: nocked.prefix });
    expect(await procountorProvider.resolveCustomer(ctx, example(), { dryRun: true })).toEqual({ action: 'matched', providerCustomerId: '5' });
  });
});

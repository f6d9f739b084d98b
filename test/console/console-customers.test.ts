import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/** Customer links in the console (admin): customers with their link per provider, link and unlink. */
describe('console: customer links', () => {
  let spine: GenericSpine;
  let admin: ConsoleClient;

  beforeAll(async () => {
    spine = await startGenericSpine();
    const customer = { ...(exampleDocument().customer as Record<string, unknown>), externalId: 'cust-99', name: 'Uusi Asiakas Oy', businessId: null };
    const posted = await spine.h.api('POST', '/v1/invoices', { key: spine.key, body: exampleDocument({ externalId: 'CUST-1', customer } as never) });
    expect(posted.status).toBe(202);
    const other = await spine.h.tenant('umbrella', ['admin', 'host']);
    await spine.h.api('PUT', '/v1/connections/generic', { key: other, body: { baseUrl: spine.sandbox.url, secret: spine.sandbox.credentials.secret } });
    const secretCustomer = { ...(exampleDocument().customer as Record<string, unknown>), externalId: 'cust-umbrella', name: 'Umbrella Secret Oy' };
    await spine.h.api('POST', '/v1/invoices', { key: other, body: exampleDocument({ externalId: 'U-1', customer: secretCustomer } as never) });
    admin = new ConsoleClient(spine.h);
    await admin.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('lists the customers seen in invoices with what will happen at the first sync; not another tenant’s', async () => {
    const r = await admin.get('/console/customers');
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toContain('Uusi Asiakas Oy');
    expect(text).toContain('cust-99');
    expect(text).toMatch(/Uusi Asiakas Oy cust-99 – 1 (luodaan|ledgerlinkin luoma)/);
    expect(text).not.toContain('Umbrella');
  });

  it('link, see it, unlink', async () => {
    await admin.get('/console/customers');
    const linked = await admin.post('/console/customers/link', { customer: 'cust-99', provider: 'generic', providerCustomerId: 'GEN-555' });
    expect(linked.statusCode).toBe(303);
    expect(textOf((await admin.get(linked.headers.location as string)).body)).toContain('linkitetty: GEN-555');
    const api = await spine.h.api('GET', '/v1/customer-links/cust-99', { key: spine.key });
    expect(api.body.links).toEqual([expect.objectContaining({ provider: 'generic', providerCustomerId: 'GEN-555', how: 'manual' })]);

    const bad = await admin.post('/console/customers/link', { customer: 'cust-99', provider: 'procountor', providerCustomerId: 'abc' });
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body)).toContain('must be a Procountor business partner id');

    const unlinked = await admin.post('/console/customers/unlink', { customer: 'cust-99', provider: 'generic' });
    expect(unlinked.statusCode).toBe(303);
    expect((await spine.h.api('GET', '/v1/customer-links/cust-99?provider=generic', { key: spine.key })).status).toBe(404);
    await admin.get('/console/customers');
    expect((await admin.post('/console/customers/unlink', { customer: 'cust-umbrella', provider: 'generic' })).statusCode).toBe(404);
  });
});

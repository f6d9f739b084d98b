import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

const customer = (name: string, externalId: string) => ({ ...(exampleDocument().customer as Record<string, unknown>), name, externalId });

/**
 * The invoices pages against the real service and the generic sandbox: the
 * list (counts, filters, failed first), an invoice's error in words with its
 * attempts and events, and the actions: resync one, bulk resync after a
 * confirmation with the count, cancel.
 */
describe('console: invoices', () => {
  let spine: GenericSpine;
  let c: ConsoleClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    spine = await startGenericSpine();
    const { h, sandbox, key } = spine;
    const post = async (externalId: string, cust: Record<string, unknown>) =>
      (await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId, customer: cust } as never) })).body.id as string;
    ids.synced = await post('LIST-SYNCED-1', customer('Kauppa Oy', 'cust-kauppa'));
    await h.waitForStatus(key, ids.synced, ['synced']);
    sandbox.injectFault({ kind: 'unauthorized', times: 3 });
    for (const name of ['LIST-FAILED-A', 'LIST-FAILED-B', 'LIST-FAILED-C']) {
      ids[name] = await post(name, customer('Rakennus Oy', 'cust-rak'));
      await h.waitForStatus(key, ids[name]!, ['failed']);
    }
    ids.later = await post('LIST-SYNCED-2', customer('Kauppa Oy', 'cust-kauppa'));
    await h.waitForStatus(key, ids.later, ['synced']);
    c = new ConsoleClient(h);
    await c.signIn(key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('the list: counts per status, failed first although newer ones synced, each row with customer, amount, number, status, age', async () => {
    const r = await c.get('/console/invoices');
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toMatch(/Kaikki\s*5/);
    expect(text).toMatch(/Epäonnistui\s*3/);
    expect(text).toMatch(/Synkronoitu\s*2/);
    const order = [...r.body.matchAll(/>(LIST-[A-Z0-9-]+)</g)].map((m) => m[1]);
    expect(order).toEqual(['LIST-FAILED-C', 'LIST-FAILED-B', 'LIST-FAILED-A', 'LIST-SYNCED-2', 'LIST-SYNCED-1']);
    const synced = await spine.h.api('GET', `/v1/invoices/${ids.later}`, { key: spine.key });
    const row = textOf(r.body.split('LIST-SYNCED-2')[1]!.split('</tr>')[0]!);
    expect(row).toContain('Kauppa Oy');
    expect(row).toContain('1 506,00 €');
    expect(row).toContain(`generic ${synced.body.providerInvoiceNumber ?? ''}`.trim());
    expect(row).toContain('Synkronoitu');
    expect(row).toMatch(/\d+ s|\d+ min/);
  });

  it('filters: status, text on customer or externalId, provider, dates; a bad date is said in words', async () => {
    const byStatus = textOf((await c.get('/console/invoices?status=synced')).body);
    expect(byStatus).toContain('LIST-SYNCED-1');
    expect(byStatus).not.toContain('LIST-FAILED-A');
    const byCustomer = textOf((await c.get('/console/invoices?q=rakennus')).body);
    expect(byCustomer).toContain('LIST-FAILED-B');
    expect(byCustomer).not.toContain('LIST-SYNCED-1');
    expect(byCustomer).toMatch(/Kaikki\s*3/);
    const byId = textOf((await c.get('/console/invoices?q=SYNCED-2')).body);
    expect(byId).toContain('LIST-SYNCED-2');
    expect(byId).not.toContain('LIST-SYNCED-1');
    expect(textOf((await c.get('/console/invoices?provider=netvisor')).body)).toContain('Yksikään lasku ei vastaa suodattimia');
    expect(textOf((await c.get('/console/invoices?to=2020-01-01')).body)).toContain('Yksikään lasku ei vastaa suodattimia');
    const bad = await c.get('/console/invoices?from=2026-02-30');
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body)).toContain('Suodatinta ei ymmärretty: from: 2026-02-30');
  });

  it('the invoice page: the error in plain words with what to do, the attempts with their redacted exchanges, the timeline, the events', async () => {
    const r = await c.get(`/console/invoices/${ids['LIST-FAILED-A']}`);
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toContain('Kirjanpitojärjestelmä ei hyväksynyt ledgerlinkin tunnuksia');
    expect(text).toContain('Mitä tehdä');
    expect(text).toContain('tarkistaa yhteyden tunnukset');
    expect(text).toContain('Yritys 1: Epäonnistui');
    expect(text).toContain('→ 401');
    expect(text).toContain('invoice.failed');
    expect(text).toContain('Tilahistoria');
    // The signing secret never reaches the page.
    expect(r.body).not.toContain(spine.sandbox.credentials.secret);
    expect(r.body).not.toContain(spine.webhookSecret);
  });

  it('resync one: back to the page saying so, then synced; a synced one is refused with the reason', async () => {
    await c.get(`/console/invoices/${ids['LIST-FAILED-A']}`);
    const r = await c.post(`/console/invoices/${ids['LIST-FAILED-A']}/resync`, {});
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/console/invoices/${ids['LIST-FAILED-A']}?done=resynced`);
    expect(textOf((await c.get(r.headers.location as string)).body)).toContain('Lasku palautettiin jonoon');
    await spine.h.waitForStatus(spine.key, ids['LIST-FAILED-A']!, ['synced']);
    const again = await c.post(`/console/invoices/${ids['LIST-FAILED-A']}/resync`, {});
    expect(again.statusCode).toBe(409);
    expect(textOf(again.body)).toContain('Ei tehty:');
    expect(textOf(again.body)).toContain('second copy');
  });

  it('cancel: a failed invoice is cancelled; it is then no longer offered for resync', async () => {
    await c.get(`/console/invoices/${ids['LIST-FAILED-C']}`);
    const r = await c.post(`/console/invoices/${ids['LIST-FAILED-C']}/cancel`, {});
    expect(r.statusCode).toBe(303);
    const page = await c.get(r.headers.location as string);
    expect(textOf(page.body)).toContain('Lasku peruttiin');
    expect(page.body).not.toContain(`/console/invoices/${ids['LIST-FAILED-C']}/resync`);
    expect((await spine.h.api('GET', `/v1/invoices/${ids['LIST-FAILED-C']}`, { key: spine.key })).body.status).toBe('cancelled');
  });

  it('bulk resync: the count under the filter first, then only after confirming', async () => {
    const confirm = await c.get('/console/invoices/resync?q=rakennus');
    expect(confirm.statusCode).toBe(200);
    // A is synced now and C cancelled: only B is left to resync.
    expect(textOf(confirm.body)).toContain('1 laskua vastaa suodatinta');
    expect((await spine.h.api('GET', `/v1/invoices/${ids['LIST-FAILED-B']}`, { key: spine.key })).body.status).toBe('failed');
    const done = await c.post('/console/invoices/resync', { q: 'rakennus' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/invoices?q=rakennus&done=bulk&count=1');
    expect(textOf((await c.get(done.headers.location as string)).body)).toContain('1 laskua palautettiin jonoon');
    await spine.h.waitForStatus(spine.key, ids['LIST-FAILED-B']!, ['synced']);
    const none = await c.get('/console/invoices/resync');
    expect(textOf(none.body)).toContain('ei ole uudelleen synkronoitavia laskuja');
  });
});

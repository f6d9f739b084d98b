import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/** Connections in the console (admin): health, the settings form with write-only secrets, test connection. */
describe('console: connections', () => {
  let spine: GenericSpine;
  let admin: ConsoleClient;
  const generic = async () => (await spine.h.api('GET', '/v1/connections', { key: spine.key })).body.connections.find((c: any) => c.provider === 'generic');

  beforeAll(async () => {
    spine = await startGenericSpine();
    admin = new ConsoleClient(spine.h);
    await admin.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('every provider with its health; secrets are write-only and never on the page', async () => {
    const r = await admin.get('/console/connections');
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toContain('Toimii');
    expect(text).toContain('Ei yhdistetty'); // procountor and netvisor
    expect(r.body).toMatch(/id="generic-secret" name="secret" type="password"[^>]*placeholder="asetettu — jätä tyhjäksi säilyttääksesi"/);
    expect(r.body).toMatch(/id="procountor-clientSecret" name="clientSecret" type="password"/);
    expect(r.body).toContain('id="procountor-revisionPolicy"');
    expect(r.body).toContain('id="procountor-requestsPerSecond"');
    expect(r.body).toContain('id="procountor-afterCreate"');
    expect(r.body).not.toContain(spine.sandbox.credentials.secret);
  });

  it('saving with the secret left empty keeps the saved one; a setting changes', async () => {
    const before = await generic();
    await admin.get('/console/connections');
    const r = await admin.post('/console/connections/generic', { baseUrl: spine.sandbox.url, secret: '', timeoutMs: '2000', revisionPolicy: 'credit_and_reissue' });
    expect(r.statusCode).toBe(303);
    expect(textOf((await admin.get(r.headers.location as string)).body)).toContain('Yhteys tarkistettiin ja tallennettiin');
    const after = await generic();
    expect(after.settings).toMatchObject({ timeoutMs: 2000, revisionPolicy: 'credit_and_reissue', secret: '[set]' });
    expect(after.updatedAt).not.toBe(before.updatedAt);
    // The kept secret still works.
    const tested = await admin.post('/console/connections/generic/test', {});
    expect(tested.statusCode).toBe(303);
    expect(textOf((await admin.get(tested.headers.location as string)).body)).toContain('Kirjanpitojärjestelmä hyväksyi tunnukset');
  });

  it('bad settings: each problem next to its field, nothing saved', async () => {
    await admin.get('/console/connections');
    const r = await admin.post('/console/connections/generic', { baseUrl: spine.sandbox.url, timeoutMs: '10' });
    expect(r.statusCode).toBe(422);
    expect(r.body).toMatch(/id="generic-timeoutMs"[^>]*value="10"[^>]*aria-invalid="true"/);
    expect(textOf(r.body)).toContain('must be at least 1000');
    expect((await generic()).settings.timeoutMs).toBe(2000);
  });

  it('credentials the accounting system refuses are not saved; the old ones keep working', async () => {
    await admin.get('/console/connections');
    const wrong = `whsec_${Buffer.from('a-different-secret-entirely').toString('base64')}`;
    const r = await admin.post('/console/connections/generic', { baseUrl: spine.sandbox.url, secret: wrong, timeoutMs: '3000' });
    expect(r.statusCode).toBe(422);
    expect(textOf(r.body)).toContain('Ei tallennettu:');
    expect(r.body).not.toContain(wrong);
    expect((await generic()).settings.timeoutMs).toBe(2000);
    const tested = await admin.post('/console/connections/generic/test', {});
    expect(tested.statusCode).toBe(303);
  });

  it('test connection while the system refuses: said in words, and the health shows it', async () => {
    spine.sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    await admin.get('/console/connections');
    const r = await admin.post('/console/connections/generic/test', {});
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toContain('Testi epäonnistui');
    expect(text).toContain('Ei toimi');
    expect((await generic()).health.healthy).toBe(false);
  });

  it('finance keys do not see connections', async () => {
    const financeKey = (await spine.h.api('POST', '/v1/tenants/acme/api-keys', { key: spine.h.adminToken, body: { roles: ['finance'] } })).body.key;
    const finance = new ConsoleClient(spine.h);
    await finance.signIn(financeKey);
    expect((await finance.get('/console/connections')).statusCode).toBe(403);
  });
});

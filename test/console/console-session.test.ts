import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/**
 * The console's sign-in, sessions, CSRF, roles and tenant isolation, through
 * the real app (inject), with a real invoice that failed at the generic
 * sandbox and one of another tenant.
 */
describe('console: sessions, CSRF, roles, isolation', () => {
  let spine: GenericSpine;
  let failedId: string;
  let otherTenantId: string;
  let financeKey: string;
  let adminOnlyKey: string;
  let hostOnlyKey: string;

  beforeAll(async () => {
    spine = await startGenericSpine();
    const { h, sandbox, key } = spine;
    sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'CONSOLE-FAILED-1' }) });
    failedId = posted.body.id;
    await h.waitForStatus(key, failedId, ['failed']);
    financeKey = (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['finance'] } })).body.key;
    adminOnlyKey = (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['admin'] } })).body.key;
    hostOnlyKey = (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['host'] } })).body.key;
    const otherKey = await h.tenant('globex');
    await h.api('PUT', '/v1/connections/generic', { key: otherKey, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret } });
    const other = await h.api('POST', '/v1/invoices', { key: otherKey, body: exampleDocument({ externalId: 'GLOBEX-SECRET-INVOICE' }) });
    otherTenantId = other.body.id;
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('without a session every page leads to sign-in; the sign-in page sets no session', async () => {
    const c = new ConsoleClient(spine.h);
    for (const url of ['/console', '/console/invoices', `/console/invoices/${failedId}`]) {
      const r = await c.get(url);
      expect(r.statusCode, url).toBe(303);
      expect(r.headers.location).toBe('/console/sign-in');
    }
    const signIn = await c.get('/console/sign-in');
    expect(signIn.statusCode).toBe(200);
    expect(signIn.headers['content-security-policy']).toContain("default-src 'none'");
    expect(c.jar.has('ll_console')).toBe(false);
    expect(textOf(signIn.body)).toContain('Kirjaudu sisään');
  });

  it('sign-in: a wrong key and a host-only key are refused in words; a finance key gets an http-only, same-site session cookie', async () => {
    const c = new ConsoleClient(spine.h);
    await c.get('/console/sign-in');
    const wrong = await c.post('/console/sign-in', { key: 'llk_wrong' });
    expect(wrong.statusCode).toBe(401);
    expect(textOf(wrong.body)).toContain('API-avain ei kelpaa');
    const hostOnly = await c.post('/console/sign-in', { key: hostOnlyKey });
    expect(hostOnly.statusCode).toBe(401);
    expect(textOf(hostOnly.body)).toContain('vain host-rooli');

    const ok = await c.post('/console/sign-in', { key: financeKey });
    expect(ok.statusCode).toBe(303);
    const setCookie = [ok.headers['set-cookie']].flat().join('\n');
    expect(setCookie).toMatch(/ll_console=[^;]+; Path=\/console; HttpOnly; SameSite=Strict/);
    // The cookie is a session token, not the key.
    expect(c.jar.get('ll_console')).not.toContain(financeKey);
    const list = await c.get('/console/invoices');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('CONSOLE-FAILED-1');
  });

  it('sign-in without the token of the sign-in form (a cross-site post) is refused', async () => {
    const c = new ConsoleClient(spine.h);
    const r = await c.post('/console/sign-in', { key: financeKey, _csrf: 'forged' }, { withCsrf: false });
    expect(r.statusCode).toBe(403);
    expect(c.jar.has('ll_console')).toBe(false);
  });

  it('a form without the CSRF token changes nothing', async () => {
    const c = new ConsoleClient(spine.h);
    await c.signIn(financeKey);
    const forged = await c.post(`/console/invoices/${failedId}/resync`, { _csrf: 'not-the-token' }, { withCsrf: false });
    expect(forged.statusCode).toBe(403);
    expect(textOf(forged.body)).toContain('Mitään ei muutettu');
    const missing = await c.post(`/console/invoices/${failedId}/cancel`, {}, { withCsrf: false });
    expect(missing.statusCode).toBe(403);
    const record = await spine.h.api('GET', `/v1/invoices/${failedId}`, { key: spine.key });
    expect(record.body.status).toBe('failed');
    expect(record.body.history.filter((e: any) => e.message === 'resync requested')).toHaveLength(0);
  });

  it('another tenant’s invoice is not found, by page or by action', async () => {
    const c = new ConsoleClient(spine.h);
    await c.signIn(financeKey);
    const list = await c.get('/console/invoices?q=GLOBEX');
    expect(textOf(list.body)).not.toContain('GLOBEX-SECRET-INVOICE');
    const page = await c.get(`/console/invoices/${otherTenantId}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('GLOBEX');
    await c.get('/console/invoices');
    const cancel = await c.post(`/console/invoices/${otherTenantId}/cancel`, {});
    expect(cancel.statusCode).toBe(404);
    const theirs = await spine.h.api('GET', '/v1/invoices?limit=5', { key: spine.key });
    expect(theirs.body.items.some((i: any) => i.id === otherTenantId)).toBe(false);
  });

  it('roles decide: an admin-only key does not see invoices; finance does and can act', async () => {
    const admin = new ConsoleClient(spine.h);
    await admin.signIn(adminOnlyKey);
    const denied = await admin.get('/console/invoices');
    expect(denied.statusCode).toBe(403);
    expect(textOf(denied.body)).toContain('finance');
    expect(denied.body).not.toContain('CONSOLE-FAILED-1');
    expect(denied.body).not.toContain('href="/console/invoices"');
  });

  it('sign-out ends the session on the server: the old cookie no longer works', async () => {
    const c = new ConsoleClient(spine.h);
    await c.signIn(financeKey);
    const stolen = c.jar.get('ll_console')!;
    await c.get('/console/invoices');
    const out = await c.post('/console/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toContain('/console/sign-in?m=signed_out');
    const replay = new ConsoleClient(spine.h);
    replay.jar.set('ll_console', stolen);
    const again = await replay.get('/console/invoices');
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/console/sign-in?m=expired');
  });

  it('a revoked key ends its sessions at once', async () => {
    const { h } = spine;
    const issued = (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['finance'] } })).body;
    const c = new ConsoleClient(h);
    await c.signIn(issued.key);
    expect((await c.get('/console/invoices')).statusCode).toBe(200);
    const revoked = await h.api('DELETE', `/v1/tenants/acme/api-keys/${issued.id}`, { key: h.adminToken });
    expect(revoked.status).toBeLessThan(300);
    expect((await c.get('/console/invoices')).statusCode).toBe(303);
  });

  it('Finnish by default (1 506,00 €, 30.11.2026), English on request, for this session only', async () => {
    const c = new ConsoleClient(spine.h);
    await c.signIn(financeKey);
    const fi = textOf((await c.get(`/console/invoices/${failedId}`)).body);
    expect(fi).toContain('1 506,00 €');
    expect(fi).toContain('30.11.2026');
    expect(fi).toContain('Mikä meni vikaan');
    await c.post('/console/locale', { locale: 'en' });
    const en = textOf((await c.get(`/console/invoices/${failedId}`)).body);
    expect(en).toContain('€1,506.00');
    expect(en).toContain('30 Nov 2026');
    expect(en).toContain('What went wrong');
    const other = new ConsoleClient(spine.h);
    await other.signIn(financeKey);
    expect(textOf((await other.get(`/console/invoices/${failedId}`)).body)).toContain('Mikä meni vikaan');
  });
});

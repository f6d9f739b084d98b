import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { ConsoleClient } from './console-client.js';

const HOSTILE = ['x', '__proto__', 'toString', '..%2F..', '%00', '%F0%9F%98%80', '1e309', "'; drop table sync_records; --", '<script>alert(1)</script>', 'a'.repeat(100)];
const QUERIES = ['', '?status=failed,nope', '?from=2026-02-30&to=x', '?after=1.zzz&q=%25_%5C', '?q=%00', '?period=9999-99', '?groupBy=__proto__&from=0000-01-01&to=9999-12-31', '?scope=toString&lineKind=constructor', '?lang=xx&m=%3Cb%3E'];

/**
 * Every console route, signed in with every role, with hostile path segments,
 * queries and form fields: never a 5xx, and nothing sent is echoed as markup.
 */
describe('console: hostile input, signed in', () => {
  let h: Harness;
  let c: ConsoleClient;

  beforeAll(async () => {
    h = await startHarness();
    const key = await h.tenant('acme', ['finance', 'admin']);
    c = new ConsoleClient(h);
    await c.signIn(key);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers every route without a 5xx and never reflects markup', async () => {
    const routes = h.runtime.app!.routeCatalog().filter((r) => r.url.startsWith('/console') && r.method !== 'HEAD' && r.url !== '/console/sign-out');
    expect(routes.length).toBeGreaterThan(25);
    let requests = 0;
    for (const route of routes) {
      for (const segment of HOSTILE) {
        const path = route.url.replace(/:[A-Za-z0-9_]+/g, segment);
        for (const query of route.method === 'GET' ? QUERIES : ['']) {
          const url = `${path}${query}`;
          const r =
            route.method === 'GET'
              ? await c.get(url)
              : (await c.get('/console/invoices'), await c.post(url, { action: segment, title: segment, csv: segment, url: segment, key: segment, q: segment, status: segment, customer: segment, provider: segment, providerCustomerId: segment, scope: segment, lineKind: segment, code: segment, name: segment, unit: segment, from: segment, to: segment, groupBy: segment, fingerprint: segment, locale: segment, period: segment }));
          requests += 1;
          expect(r.statusCode, `${route.method} ${url}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
          expect(r.body, `${route.method} ${url}`).not.toContain('<script>alert(1)</script>');
          // The Content-Security-Policy allows no inline styles: a style attribute would silently do nothing.
          expect(r.body, `${route.method} ${url}`).not.toMatch(/<[^>]+ style="/);
        }
      }
    }
    console.log(`console hostile input: ${requests} requests over ${routes.length} routes`);
    // Still signed in: the requests above reached the pages, not the sign-in redirect.
    expect((await c.get('/console/invoices')).statusCode).toBe(200);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * An invoice in doubt is looked up when its settle window has passed, not
 * before: a runner that took it early would look, find nothing "yet", and
 * take it again at once — spending its tries in a second and giving up
 * (seen in the crash drill: 33 tries in 0.4 s, then failed).
 */
describe('an invoice in doubt is looked up when it is due', () => {
  let h: Harness;
  let endpoint: RunningGenericSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ concurrency: 2 });
    endpoint = await startGenericSandbox({ port: 0 });
    key = await h.tenant('in-doubt-pacing');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: endpoint.url, secret: endpoint.credentials.secret, timeoutMs: 1500 } });
  });
  afterAll(async () => {
    await h?.close();
    await endpoint?.close();
  });

  it('after a 503 on create: a few lookups over the window, then one create — not its tries spent at once', { timeout: 60_000 }, async () => {
    endpoint.injectFault({ kind: 'server_error', status: 503, on: 'create', times: 1 });
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'DOUBT-PACE-1' } as never) });
    const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed'], 30_000);
    expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
    expect(endpoint.invoices()).toHaveLength(1);
    // The window is 2 × 1.5 s + 1 s after the create went out (the first lookup comes 3 s after it): one attempt that met the 503, a
    // lookup or two while it runs, and the one that found nothing and created.
    expect(record.attempts.length).toBeLessThanOrEqual(5);
  });
});

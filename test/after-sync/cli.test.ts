import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/** The CLI as a user runs it: a process talking to a running ledgerlink over HTTP. */
describe('ledgerlink CLI', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let url: string;
  let key: string;
  const failedIds: string[] = [];

  function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/ledgerlink.mjs', ...args], {
        env: { PATH: process.env.PATH ?? '', LEDGERLINK_URL: url, ...(key ? { LEDGERLINK_API_KEY: key } : {}), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      child.stdin.end(options.input ?? '');
    });
  }

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    url = (await h.runtime.app!.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    key = '';
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it('creates a tenant and a key with the operator token; without it, says which variable to set', async () => {
    const missing = await cli(['tenants', 'create', 'cli-t']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/LEDGERLINK_ADMIN_TOKEN/);

    const tenant = await cli(['tenants', 'create', 'cli-t', '--name', 'CLI tenant'], { env: { LEDGERLINK_ADMIN_TOKEN: h.adminToken } });
    expect(tenant.code, tenant.err).toBe(0);
    expect(tenant.out).toMatch(/tenant cli-t created/);
    const again = await cli(['tenants', 'create', 'cli-t'], { env: { LEDGERLINK_ADMIN_TOKEN: h.adminToken } });
    expect(again.code).toBe(1);

    const created = await cli(['keys', 'create', 'cli-t', '--roles', 'host,finance,admin', '--json'], { env: { ADMIN_TOKEN: h.adminToken } });
    expect(created.code, created.err).toBe(0);
    key = JSON.parse(created.out).key;
    expect(key).toBeTruthy();

    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    // Two invoices the endpoint refuses (failed), one it takes.
    sandbox.injectFault({ kind: 'server_error', status: 422, on: 'create', times: 2 });
    for (let i = 0; i < 2; i += 1) {
      const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `CLI-F-${i}` } as never) });
      expect((await h.waitForStatus(key, posted.body.id, ['failed', 'synced'])).status).toBe('failed');
      failedIds.push(posted.body.id);
    }
    const ok = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'CLI-OK' } as never) });
    await h.waitForStatus(key, ok.body.id, ['synced']);
  });

  it('lists by status as a table, and as JSON', async () => {
    const listed = await cli(['list', '--status', 'failed']);
    expect(listed.code, listed.err).toBe(0);
    const lines = listed.out.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+externalId\s+rev\s+status/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0]).sort()).toEqual([...failedIds].sort());
    expect(lines.slice(2).every((l) => /\sfailed\s/.test(l))).toBe(true);

    const asJson = JSON.parse((await cli(['list', '--status', 'failed', '--json'])).out);
    expect(asJson.items).toHaveLength(2);
    const bad = await cli(['list', '--status', 'lost']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/status/);
  });

  it('resync counts first and asks: no answer possible → exit 3 and nothing resynced; "n" → nothing; --yes → resynced', async () => {
    const unasked = await cli(['resync', '--status', 'failed', '--since', '2026-11-01']);
    expect(unasked.code).toBe(3);
    expect(unasked.err).toMatch(/2 invoices would be resynced; add --yes/);
    const declined = await cli(['resync', '--status', 'failed'], { env: { LEDGERLINK_CONFIRM_FROM_STDIN: '1' }, input: 'n\n' });
    expect(declined.code).toBe(3);
    expect(declined.err).toMatch(/2 invoices will be resynced/);
    for (const id of failedIds) expect((await h.api('GET', `/v1/invoices/${id}`, { key })).body.status).toBe('failed');

    const future = await cli(['resync', '--status', 'failed', '--since', '2099-01-01']);
    expect(future.code).toBe(0);
    expect(future.out).toMatch(/nothing to resync/);

    const done = await cli(['resync', '--status', 'failed', '--since', '2026-11-01', '--yes', '--json']);
    expect(done.code, done.err).toBe(0);
    expect(JSON.parse(done.out)).toEqual({ count: 2, resynced: 2, skipped: [], more: false });
    for (const id of failedIds) expect((await h.waitForStatus(key, id, ['synced'])).status).toBe('synced');
  });

  it('status by record id or externalId; an unknown one exits 1', async () => {
    const byExternal = await cli(['status', 'CLI-OK']);
    expect(byExternal.code, byExternal.err).toBe(0);
    expect(byExternal.out).toMatch(/status\s+synced/);
    expect(byExternal.out).toMatch(/CLI-OK \(revision 1\)/);
    const byId = JSON.parse((await cli(['status', failedIds[0]!, '--json'])).out);
    expect(byId.id).toBe(failedIds[0]);
    const unknown = await cli(['status', 'NO-SUCH-INVOICE']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/NO-SUCH-INVOICE/);
  });

  it('reconcile a month: a table of runs and drift; a bad period exits 1 naming it; wrong usage exits 2', async () => {
    sandbox.deleteInvoice(sandbox.invoices()[0]!.id);
    const rec = await cli(['reconcile', '--period', '2026-11']);
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(/generic\s+2026-11\s+done\s+3\s+1/);
    expect(rec.out).toMatch(/deleted_at_provider/);
    const bad = await cli(['reconcile', '--period', '2026-13']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/period/);
    expect((await cli(['reconcile'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['list'], { env: { LEDGERLINK_API_KEY: '' } })).code).toBe(2);
  });
});

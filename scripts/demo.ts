import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGenericSandbox } from '../providers/generic/index.js';
import { startNetvisorSandbox } from '../providers/netvisor/index.js';
import { startProcountorSandbox } from '../providers/procountor/index.js';
import type { RunningSandbox } from '../providers/types.js';
import { exampleInvoiceDocument } from '../src/domain/example-invoice.js';
import { verify } from '../src/events/signing.js';
import { apiClient } from './lib/service-process.js';

/**
 * `npm run demo` (with the service running): creates a demo tenant, connects
 * it to a local sandbox (generic by default; --provider=procountor|netvisor),
 * points its webhook at the generic sandbox's receiver, posts the example
 * invoice (ticket #1296, 12 h × 100.00 EUR, VAT 25.5 %) and prints each status
 * change and each signed status event until the invoice is synced.
 */
const api = (process.env.LEDGERLINK_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/$/, '');
const provider = (process.argv.find((a) => a.startsWith('--provider='))?.split('=')[1] ?? 'generic') as 'generic' | 'procountor' | 'netvisor';
const ports = { generic: 4010, procountor: 4011, netvisor: 4012 } as const;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function stop(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}

function adminToken(): string {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const path = join(process.env.DATA_DIR ?? './data', 'admin-token');
  if (!existsSync(path)) stop(`no ADMIN_TOKEN and no ${path}: start the service first (npm start), or set ADMIN_TOKEN`);
  return readFileSync(path, 'utf8').trim();
}

const call = apiClient(api);

/** Uses a sandbox already listening on its port (npm run sandbox), or starts one in this process. */
async function sandboxUrl(kind: keyof typeof ports, owned: RunningSandbox[]): Promise<{ url: string; credentials: Record<string, unknown> | null }> {
  const url = `http://127.0.0.1:${ports[kind]}`;
  const running = await fetch(`${url}/_sandbox/requests`).then((r) => r.ok).catch(() => false);
  if (running) return { url, credentials: null };
  const start = { generic: startGenericSandbox, procountor: startProcountorSandbox, netvisor: startNetvisorSandbox }[kind];
  const sandbox = await start({ port: ports[kind], host: '127.0.0.1' });
  owned.push(sandbox);
  say(`started the ${kind} sandbox on ${sandbox.url}`);
  return { url: sandbox.url, credentials: sandbox.credentials };
}

async function main(): Promise<void> {
  const health = await fetch(`${api}/healthz`).catch(() => null);
  if (!health?.ok) stop(`ledgerlink is not answering at ${api}: start it with  npm start  (or set LEDGERLINK_URL)`);
  const token = adminToken();
  const owned: RunningSandbox[] = [];
  const generic = await sandboxUrl('generic', owned);
  const target = provider === 'generic' ? generic : await sandboxUrl(provider, owned);

  const tenantId = `demo-${Date.now().toString(36)}`;
  const tenant = await call('POST', '/v1/tenants', token, { id: tenantId, name: 'Demo Oy' });
  if (tenant.status !== 201) stop(`could not create the demo tenant: ${JSON.stringify(tenant.body)}`);
  const key = await call('POST', `/v1/tenants/${tenantId}/api-keys`, token, { roles: ['host', 'finance', 'admin'], label: 'demo' });
  say(`tenant ${tenantId} created, with an API key for host, finance and admin`);

  const credentials = target.credentials ?? (await fetch(`${target.url}/_sandbox/credentials`).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  if (!credentials) stop(`the ${provider} sandbox at ${target.url} did not say which credentials it accepts; stop it and let the demo start its own`);
  const connection = await call('PUT', `/v1/connections/${provider}`, key.body.key, { baseUrl: target.url, ...credentials });
  if (connection.status !== 200) {
    const hint = JSON.stringify(connection.body).includes('url_not_allowed')
      ? ' — the service refuses private addresses: restart it with ALLOW_PRIVATE_URLS=true (outside NODE_ENV=production the sandbox ports 4010–4012 are allowed by default)'
      : '';
    stop(`could not connect to the ${provider} sandbox: ${JSON.stringify(connection.body)}${hint}`);
  }
  say(`connected to the ${provider} sandbox at ${target.url} (credentials checked)`);

  const hook = await call('PUT', '/v1/webhook', key.body.key, { url: `${generic.url}/webhooks` });
  if (hook.status !== 200) stop(`could not set the webhook: ${JSON.stringify(hook.body)}`);
  const secret: string = hook.body.secret;
  say(`status events go to ${generic.url}/webhooks, signed with a new secret`);

  const document = exampleInvoiceDocument({
    externalId: `DEMO-${Date.now().toString(36).toUpperCase()}`,
    invoiceDate: new Date().toISOString().slice(0, 10),
    dueDate: null,
    period: null,
  });
  const posted = await call('POST', '/v1/invoices', key.body.key, document);
  if (posted.status !== 202) stop(`the invoice was refused: ${JSON.stringify(posted.body, null, 2)}`);
  say(`posted ${document.externalId}: 10.75 h booked + 1:15 adjustment = 12 h × 100.00 EUR → net ${posted.body.totals.net}, VAT ${posted.body.totals.vat}, gross ${posted.body.totals.gross}`);

  const seenEvents = new Set<string>();
  let lastStatus = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const record = await call('GET', `/v1/invoices/${posted.body.id}`, key.body.key);
    if (record.body.status !== lastStatus) {
      lastStatus = record.body.status;
      say(`status: ${lastStatus}${record.body.lastError ? ` — ${record.body.lastError.message}` : ''}`);
    }
    const events = (await fetch(`${generic.url}/_sandbox/webhooks`).then((r) => r.json()).catch(() => [])) as Array<{ headers: Record<string, string>; body: string }>;
    for (const event of events) {
      const id = event.headers['webhook-id'];
      if (!id || seenEvents.has(id)) continue;
      const payload = JSON.parse(event.body);
      if (payload.data?.id !== posted.body.id) continue;
      seenEvents.add(id);
      const ok = verify({ secret, headers: event.headers, body: event.body, now: new Date() }).ok;
      say(`event: ${payload.type} (signature ${ok ? 'valid' : 'INVALID'})`);
    }
    if (lastStatus === 'synced' && seenEvents.size >= 2) {
      say(`synced: ${provider} invoice ${record.body.providerInvoiceId}${record.body.providerInvoiceNumber ? `, number ${record.body.providerInvoiceNumber}` : ''}`);
      break;
    }
    if (lastStatus === 'failed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const sandbox of owned) await sandbox.close();
  process.exit(lastStatus === 'synced' ? 0 : 1);
}

main().catch((error: unknown) => stop((error as Error).message));

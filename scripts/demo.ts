import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGenericSandbox } from '../providers/generic/index.js';
import { startNetvisorSandbox } from '../providers/netvisor/index.js';
import { startProcountorSandbox } from '../providers/procountor/index.js';
import type { RunningSandbox } from '../providers/types.js';
import { exampleCustomer, exampleEntries, exampleProject, exampleTask } from '../src/billing/example-work.js';
import { exampleInvoiceDocument } from '../src/domain/example-invoice.js';
import { verify } from '../src/events/signing.js';
import { apiClient } from './lib/service-process.js';

/**
 * `npm run demo` (with the service running): creates a demo tenant, connects
 * it to a local sandbox (generic by default; --provider=procountor|netvisor),
 * points its webhook at the generic sandbox's receiver, posts the example
 * invoice (ticket #1296, 12 h × 100.00 EUR, VAT 25.5 %) and prints each status
 * change and each signed status event until the invoice is synced.
 *
 * With --billing the host pushes the work instead of an invoice: customer,
 * project and ticket #1296 with three people's 10.75 h; closing the ticket puts
 * it on the project's draft, finance adds the 1:15 and releases it, and the
 * released invoice follows the same path to the provider.
 */
const api = (process.env.LEDGERLINK_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`).replace(/\/$/, '');
const provider = (process.argv.find((a) => a.startsWith('--provider='))?.split('=')[1] ?? 'generic') as 'generic' | 'procountor' | 'netvisor';
const ports = { generic: 4010, procountor: 4011, netvisor: 4012 } as const;
const billing = process.argv.includes('--billing');

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

  const posted = billing ? await releaseFromWork(key.body.key) : await postExample(key.body.key);
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

/** The example invoice as a host posts it. */
async function postExample(token: string): Promise<{ body: { id: string } }> {
  const document = exampleInvoiceDocument({
    externalId: `DEMO-${Date.now().toString(36).toUpperCase()}`,
    invoiceDate: new Date().toISOString().slice(0, 10),
    dueDate: null,
    period: null,
  });
  const posted = await call('POST', '/v1/invoices', token, document);
  if (posted.status !== 202) stop(`the invoice was refused: ${JSON.stringify(posted.body, null, 2)}`);
  say(`posted ${document.externalId}: 10.75 h booked + 1:15 adjustment = 12 h × 100.00 EUR → net ${posted.body.totals.net}, VAT ${posted.body.totals.vat}, gross ${posted.body.totals.gross}`);
  return posted;
}

/** The same example as work: pushed, closed onto a draft, reviewed (+1:15) and released. */
async function releaseFromWork(token: string): Promise<{ body: { id: string } }> {
  const step = async (method: string, path: string, body: unknown, expected: number[]) => {
    const r = await call(method, path, token, body);
    if (!expected.includes(r.status)) stop(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body, null, 2)}`);
    return r.body;
  };
  await step('PUT', '/v1/billing/customers/cust-17', exampleCustomer, [200, 201]);
  await step('PUT', '/v1/billing/projects/proj-3', { ...exampleProject, provider }, [200, 201]);
  await step('PUT', '/v1/billing/tasks/1296', exampleTask, [200, 201]);
  const entries = exampleEntries();
  await step('POST', '/v1/billing/entries', { entries }, [200]);
  say(`pushed customer cust-17, project proj-3 and ticket #1296 with ${entries.length} entries: ${entries.map((e) => `${e.userName} ${e.activity} ${e.hours} h`).join(', ')}`);
  const closed = await step('PUT', '/v1/billing/tasks/1296', { ...exampleTask, status: 'closed' }, [200]);
  const draftId = closed.compiled.draftIds[0] as string;
  say(`closed #1296: its work is on draft ${draftId}`);
  const draft = await step('PATCH', `/v1/billing/drafts/${draftId}/tasks/1296`, { adjustHours: '1.25' }, [200]);
  const task = draft.tasks[0];
  say(`finance bills ${task.billedHours} h (${task.bookedHours} h booked, ${task.additional}) at ${task.unitPrice} EUR/h → net ${draft.totals.net}, VAT ${draft.totals.vat}, gross ${draft.totals.gross}`);
  const released = await step('POST', `/v1/billing/drafts/${draftId}/release`, undefined, [200, 201]);
  say(`released as invoice number ${released.number} (${released.invoiceId}); sync record ${released.syncRecordId}`);
  if (!released.syncRecordId) stop(`intake did not take the invoice: ${JSON.stringify(released.handoffError)}`);
  return { body: { id: released.syncRecordId } };
}

main().catch((error: unknown) => stop((error as Error).message));

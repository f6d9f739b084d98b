import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { startGenericSandbox } from '../providers/generic/index.js';
import { exampleCustomer, exampleEntries, exampleProject, exampleTask } from '../src/billing/example-work.js';
import { exampleInvoiceDocument } from '../src/domain/example-invoice.js';
import { createRuntime } from '../src/runtime.js';
import { migrate } from '../src/store/migrations.js';
import { openPglite } from '../src/store/pglite-database.js';

/**
 * `npx tsx scripts/console-screenshots.ts`: the README's console screenshots.
 * Starts the whole service in this process (embedded PostgreSQL, Redis on
 * REDIS_URL or 127.0.0.1:6379 under a throwaway prefix) and a generic sandbox,
 * fills a demo tenant with invoices (two refused by the accounting system),
 * mappings and a connection, then photographs each main page with Debian's
 * Chromium (CHROMIUM_PATH, default /usr/bin/chromium) into docs/console/.
 */
const OUT = join(process.cwd(), 'docs', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const db = await openPglite();
  await migrate(db);
  const adminToken = randomBytes(16).toString('hex');
  const prefix = `llshots-${randomBytes(4).toString('hex')}`;
  const runtime = await createRuntime({
    role: 'all',
    db,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: prefix,
    adminToken,
    masterKey: randomBytes(32).toString('base64'),
    urlPolicy: { allowPrivateUrls: true },
    log: pino({ level: 'warn' }),
  });
  const sandbox = await startGenericSandbox({ port: 0 });
  const app = runtime.app!;
  const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const api = async (method: string, url: string, key: string, body?: unknown) => {
    const r = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
    return r.json() as any;
  };
  const waitFor = async (key: string, id: string, statuses: string[]) => {
    for (let i = 0; i < 200; i += 1) {
      if (statuses.includes((await api('GET', `/v1/invoices/${id}`, key)).status)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  try {
    await api('POST', '/v1/tenants', adminToken, { id: 'esimerkki', name: 'Esimerkki Oy' });
    const key = (await api('POST', '/v1/tenants/esimerkki/api-keys', adminToken, { roles: ['host', 'finance', 'admin'] })).key as string;
    const connected = await api('PUT', '/v1/connections/generic', key, { baseUrl: sandbox.url, secret: sandbox.credentials.secret });
    if (connected.error) throw new Error(`connecting the sandbox failed: ${JSON.stringify(connected)}`);
    const customers = [
      { name: 'Rakennus Virtanen Oy', externalId: 'cust-21' },
      { name: 'Arkkitehdit Laine', externalId: 'cust-22' },
      { name: 'Insinööritoimisto Mäki', externalId: 'cust-23' },
      { name: 'Esimerkki Oy', externalId: 'cust-17' },
    ];
    await api('PUT', '/v1/webhook', key, { url: sandbox.webhookUrl });
    let failedId = '';
    for (let i = 0; i < 12; i += 1) {
      const customer = { ...(exampleInvoiceDocument().customer as Record<string, unknown>), ...customers[i % customers.length]! };
      if (i === 4 || i === 9) sandbox.injectFault({ kind: 'unauthorized', times: 1 });
      const posted = await api('POST', '/v1/invoices', key, exampleInvoiceDocument({ externalId: `INV-2026-${String(40 + i).padStart(4, '0')}`, customer } as never));
      if (!posted.id) throw new Error(`posting the demo invoice failed: ${JSON.stringify(posted)}`);
      await waitFor(key, posted.id, ['synced', 'failed']);
      if (i === 9) failedId = posted.id;
    }
    await api('PUT', '/v1/product-mappings', key, { scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { code: 'BIM', name: 'BIM-integraatio', unit: 'h', unitPrice: '120.00', vatRate: '25.5' } });

    // Work to bill: ticket #1296 (three people, 10.75 h) closed onto its project's draft.
    await api('PUT', '/v1/billing/customers/cust-17', key, exampleCustomer);
    await api('PUT', '/v1/billing/projects/proj-3', key, exampleProject);
    await api('PUT', '/v1/billing/tasks/1296', key, exampleTask);
    await api('POST', '/v1/billing/entries', key, { entries: exampleEntries() });
    const closed = await api('PUT', '/v1/billing/tasks/1296', key, { ...exampleTask, status: 'closed' });
    const draftId = closed.compiled?.draftIds?.[0] as string | undefined;
    if (!draftId) throw new Error(`closing the example ticket made no draft: ${JSON.stringify(closed)}`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--lang=fi-FI', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, locale: 'fi-FI' })).newPage();
    const shot = async (name: string) => {
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      process.stdout.write(`docs/console/${name}.png\n`);
    };
    await page.goto(`${base}/console/sign-in`);
    await shot('sign-in');
    await page.getByLabel('API-avain').fill(key);
    await page.getByRole('button', { name: 'Kirjaudu' }).click();
    await page.waitForURL(/\/console\/invoices/);
    await shot('invoices');
    await page.goto(`${base}/console/invoices/${failedId}`);
    await shot('invoice-failed');
    await page.goto(`${base}/console/invoices/resync?status=failed`);
    await shot('bulk-resync');
    await page.goto(`${base}/console/mappings`);
    await shot('mappings');
    await page.goto(`${base}/console/mappings/import`);
    await page.getByLabel('CSV', { exact: true }).fill(['scope,scopeId,lineKind,code,name,unit,unitPrice,vatRate', 'task,1296,task_entry,BIM,BIM-integraatio,h,130.00,25.5', 'team,t-2,task_entry,TEAM2,Tiimin työ,h,110.00,25.5'].join('\n'));
    await page.getByRole('button', { name: 'Näytä muutokset' }).click();
    await page.waitForLoadState('load');
    await shot('mappings-import-preview');
    await page.goto(`${base}/console/connections`);
    await shot('connections');
    await page.goto(`${base}/console/customers`);
    await shot('customers');
    await page.goto(`${base}/console/webhook`);
    await shot('webhook');
    await page.goto(`${base}/console/billing/drafts/${draftId}`);
    await page.getByRole('button', { name: /^Lisää 15 minuuttia/ }).first().click();
    await page.waitForLoadState('load');
    await shot('billing-draft');
    await page.goto(`${base}/console/billing/new?from=2026-11-01&to=2026-11-30&groupBy=project`);
    await shot('billing-new');
    await page.goto(`${base}/console/billing/cycle?period=2026-11`);
    await shot('billing-cycle');
    await page.goto(`${base}/console/invoices`);
    await page.getByRole('button', { name: 'In English' }).click();
    await page.waitForLoadState('load');
    await shot('invoices-en');
    await browser.close();
  } finally {
    await sandbox.close();
    await runtime.close();
    await db.close();
    await dropKeys(prefix);
  }
}

/** Removes this run's Redis keys (queues and caches under its own prefix). */
async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`console-screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { HAS_CHROMIUM, launchChromium } from './browser.js';

/**
 * Issue 13's walk, in Chromium: finance signs in, finds the invoice Procountor
 * refused because the product mapping names a product it does not have, reads
 * the error, fixes the mapping's Procountor product id, resyncs — and sees it
 * synced, with the right product at Procountor.
 */
describe.skipIf(!HAS_CHROMIUM)('console in Chromium: fix the mapping, resync, synced', () => {
  let h: Harness;
  let books: RunningSandbox;
  let browser: Browser;
  let base: string;
  let key: string;
  let failedId: string;

  beforeAll(async () => {
    h = await startHarness();
    books = await startProcountorSandbox({ port: 0 });
    key = await h.tenant('books-fi', ['host', 'finance', 'admin']);
    await h.api('PUT', '/v1/connections/procountor', { key, body: { baseUrl: books.url, ...books.credentials } });
    // Someone typed the wrong Procountor product id (999; the right one is 104, "Support hours").
    const mapping = { scope: 'tenant', lineKind: 'task_entry', product: { code: 'WORK', name: 'Tukityö', unit: 'h' }, providerProducts: { procountor: { id: 999 } } };
    expect((await h.api('PUT', '/v1/product-mappings', { key, body: mapping })).status).toBe(201);
    failedId = (await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'MAPPING-FIX-1', provider: 'procountor' } as never) })).body.id;
    await h.waitForStatus(key, failedId, ['failed'], 30_000);
    base = (await h.runtime.app!.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await books?.close();
  });

  it('finds the failed invoice, reads the error, fixes the mapping, resyncs, sees it synced', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel('API-avain').fill(key);
    await page.getByRole('button', { name: 'Kirjaudu' }).click();
    await page.waitForURL(/\/console\/invoices/);

    await page.getByRole('link', { name: /Epäonnistui/ }).click();
    await page.getByRole('link', { name: 'MAPPING-FIX-1' }).click();
    const error = page.getByRole('region', { name: 'Mikä meni vikaan' });
    expect(await error.innerText()).toContain('tuotemääritys');
    expect(await error.innerText()).toContain('PRODUCT_NOT_FOUND');
    const invoiceUrl = page.url();

    // The fix is in ledgerlink: the mapping's Procountor product id.
    await page.getByRole('link', { name: 'Tuotemääritykset' }).click();
    await page.getByRole('link', { name: /Muokkaa WORK/ }).click();
    await page.getByLabel('Procountor-tuotteen id').fill('104');
    await page.getByRole('button', { name: 'Tallenna' }).click();
    await page.waitForURL(/done=saved/);

    await page.goto(invoiceUrl);
    await page.getByRole('button', { name: 'Synkronoi uudelleen' }).click();
    await page.waitForURL(/done=resynced/);
    await h.waitForStatus(key, failedId, ['synced'], 30_000);
    await page.reload();
    expect(await page.locator('h1 .status').innerText()).toBe('Synkronoitu');
    expect(await page.getByRole('region', { name: 'Mikä meni vikaan' }).count()).toBe(0);
    const rows = (books.invoices()[0]!.raw as { invoiceRows: Array<{ productId?: number }> }).invoiceRows;
    expect(books.invoices()).toHaveLength(1);
    expect(rows.every((r) => r.productId === 104)).toBe(true);
    await context.close();
  });
});

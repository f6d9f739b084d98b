import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExampleTask, pushExampleWork } from '../billing/support.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { HAS_CHROMIUM, launchChromium } from './browser.js';

// Functions passed to page.evaluate run in the page; the project's types have no DOM.
declare const document: { activeElement: { id: string; textContent: string | null } | null };
declare function getComputedStyle(element: unknown): { outlineStyle: string };

/**
 * The console in a real browser (Debian's Chromium through playwright-core)
 * against the real service listening on a port and the generic sandbox.
 */
describe.skipIf(!HAS_CHROMIUM)('console in Chromium', () => {
  let spine: GenericSpine;
  let browser: Browser;
  let base: string;
  let financeKey: string;
  let failedId: string;

  beforeAll(async () => {
    spine = await startGenericSpine();
    const { h, sandbox, key } = spine;
    base = (await h.runtime.app!.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    financeKey = (await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['finance'] } })).body.key;
    const ok = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'BROWSER-OK-1' }) });
    await h.waitForStatus(key, ok.body.id, ['synced']);
    // The accounting system refuses ledgerlink's credentials once: this invoice fails.
    sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    failedId = (await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'BROWSER-FAILED-1' }) })).body.id;
    await h.waitForStatus(key, failedId, ['failed']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  /** Presses Tab until `focused` holds (at most 40 times). */
  async function tabTo(page: Page, focused: () => boolean): Promise<void> {
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(focused)) return;
    }
    throw new Error('Tab never reached the element');
  }

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    context.setDefaultTimeout(8000);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    return page;
  }

  it('sign in, find the failed invoice, read its error, check the connection, resync it, see it synced, sign out', async () => {
    const page = await newPage();
    await page.goto(`${base}/console`);
    expect(page.url()).toBe(`${base}/console/sign-in`);
    // A key with finance (invoices) and admin (connections), as a small team's finance admin has.
    await page.getByLabel('API-avain').fill(spine.key);
    await page.getByRole('button', { name: 'Kirjaudu' }).click();
    await page.waitForURL(`${base}/console/invoices`);

    // Failed first, and its count in the tab.
    await expect.poll(() => page.locator('tbody tr').first().innerText()).toContain('BROWSER-FAILED-1');
    expect(await page.getByRole('link', { name: /Epäonnistui/ }).innerText()).toMatch(/1$/);
    await page.getByRole('link', { name: /Epäonnistui/ }).click();
    await page.getByRole('link', { name: 'BROWSER-FAILED-1' }).click();

    const error = page.getByRole('region', { name: 'Mikä meni vikaan' });
    expect(await error.innerText()).toContain('Kirjanpitojärjestelmä ei hyväksynyt ledgerlinkin tunnuksia');
    expect(await error.innerText()).toContain('Mitä tehdä');
    expect(await page.getByText('1 506,00 €').first().isVisible()).toBe(true);
    const invoiceUrl = page.url();

    // What to do says: check the connection's credentials. The admin tests the connection.
    await page.getByRole('link', { name: 'Yhteydet' }).click();
    const generic = page.getByRole('region', { name: 'Accounting endpoint' });
    await generic.getByRole('button', { name: 'Testaa yhteys' }).click();
    await page.waitForURL(/done=tested/);
    expect(await page.getByRole('region', { name: 'Accounting endpoint' }).innerText()).toContain('Kirjanpitojärjestelmä hyväksyi tunnukset');

    await page.goto(invoiceUrl);
    await page.getByRole('button', { name: 'Synkronoi uudelleen' }).click();
    await page.waitForURL(/done=resynced/);
    expect(await page.getByRole('status').innerText()).toContain('Lasku palautettiin jonoon');
    await spine.h.waitForStatus(spine.key, failedId, ['synced']);
    await page.reload();
    expect(await page.locator('h1 .status').innerText()).toBe('Synkronoitu');
    expect(await page.getByRole('region', { name: 'Mikä meni vikaan' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Kirjaudu ulos' }).click();
    await page.waitForURL(/sign-in\?m=signed_out/);
    await page.goto(`${base}/console/invoices/${failedId}`);
    expect(page.url()).toContain('/console/sign-in');
    await page.context().close();
  });

  it('keyboard only: sign in, switch to English, filter, open an invoice, without a mouse', async () => {
    const page = await newPage();
    await page.goto(`${base}/console/sign-in`);
    // The key field has focus on arrival.
    await page.waitForFunction(() => document.activeElement?.id === 'key');
    await page.keyboard.type(financeKey);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/invoices`);

    // Tab order: skip link, brand, the sections, language, sign out, ...
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Siirry sisältöön');
    await tabTo(page, () => document.activeElement?.textContent === 'In English');
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Invoices' }).waitFor();

    // Tab to the text filter, type, Enter submits the form.
    await tabTo(page, () => document.activeElement?.id === 'q');
    await page.keyboard.type('BROWSER-OK');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=BROWSER-OK/);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);

    // Tab until the invoice link has focus, then Enter.
    await tabTo(page, () => document.activeElement?.textContent === 'BROWSER-OK-1');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/invoices\/[0-9A-Z]+$/);
    expect(await page.locator('h1').innerText()).toContain('Invoice BROWSER-OK-1');
    expect(await page.getByText('€1,506.00').first().isVisible()).toBe(true);
    expect(await page.getByText('30 Nov 2026').first().isVisible()).toBe(true);
    await page.context().close();
  });

  it('invoice review: ± on a task, do not bill and bill again, then Bill; the invoice syncs', async () => {
    await pushExampleWork(spine.h, spine.key);
    const closed = await closeExampleTask(spine.h, spine.key);
    const draftId = closed.compiled.draftIds[0] as string;
    const page = await newPage();
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel('API-avain').fill(financeKey);
    await page.getByRole('button', { name: 'Kirjaudu' }).click();
    await page.waitForURL(/\/console\/invoices/);
    await page.getByRole('link', { name: 'Laskujen tarkistus' }).click();
    await page.locator(`a[href="/console/billing/drafts/${draftId}"]`).click();
    await page.waitForURL(new RegExp(`/console/billing/drafts/${draftId}$`));

    const billed = page.locator('strong.billed').first();
    const before = Number((await billed.innerText()).replace(',', '.'));
    await page.getByRole('button', { name: /^Lisää 15 minuuttia/ }).click();
    await expect.poll(async () => Number((await page.locator('strong.billed').first().innerText()).replace(',', '.'))).toBe(before + 0.25);
    await page.getByRole('button', { name: /^Lisää 15 minuuttia/ }).click();
    await page.getByRole('button', { name: /^Vähennä 15 minuuttia/ }).click();
    await expect.poll(async () => Number((await page.locator('strong.billed').first().innerText()).replace(',', '.'))).toBe(before + 0.25);

    await page.getByRole('button', { name: 'Älä laskuta' }).click();
    await page.getByText('ei laskuteta').waitFor();
    expect(await page.getByRole('button', { name: 'Laskuta', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Laskuta sittenkin' }).click();
    await page.getByRole('button', { name: 'Älä laskuta' }).waitFor();

    const gross = await page.locator('#total-gross').innerText();
    await page.getByRole('button', { name: 'Laskuta', exact: true }).click(); // the confirmation is accepted
    await page.waitForURL(/\/console\/invoices\/[0-9A-Z]+\?done=billed/);
    const recordId = /invoices\/([0-9A-Z]+)/.exec(page.url())![1]!;
    await spine.h.waitForStatus(spine.key, recordId, ['synced']);
    await page.reload();
    expect(await page.locator('h1 .status').innerText()).toBe('Synkronoitu');
    expect(await page.getByText(gross).first().isVisible()).toBe(true);
    await page.context().close();
  });

  it('admin: add a product mapping with a problem shown at its field, fix it, then import a CSV after its preview', async () => {
    const page = await newPage();
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel('API-avain').fill(spine.key);
    await page.getByRole('button', { name: 'Kirjaudu' }).click();
    await page.waitForURL(/\/console\/invoices/);
    await page.getByRole('link', { name: 'Tuotemääritykset' }).click();
    await page.getByRole('link', { name: 'Lisää määritys' }).click();
    await page.getByLabel('Taso', { exact: true }).selectOption('task');
    await page.getByLabel('Tunnus lähdejärjestelmässä (tehtävä, yhteyshenkilö, …)').fill('1296');
    await page.getByLabel('Tuotekoodi', { exact: true }).fill('BIM');
    await page.getByLabel('Tuotenimi', { exact: true }).fill('BIM-integraatio');
    await page.getByLabel('Yksikkö', { exact: true }).fill('h');
    await page.getByLabel('Yksikköhinta', { exact: true }).fill('12,50');
    await page.getByRole('button', { name: 'Tallenna' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Yksikköhinta', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Yksikköhinta', { exact: true }).fill('125.00');
    await page.getByRole('button', { name: 'Tallenna' }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator('tbody').innerText()).toContain('BIM-integraatio');

    await page.getByRole('link', { name: 'Tuo CSV…' }).click();
    await page.getByLabel('CSV', { exact: true }).fill(['scope,scopeId,lineKind,code,name,unit,unitPrice,vatRate', 'team,t-2,task_entry,TEAM2,Tiimin työ,h,110.00,25.5'].join('\n'));
    await page.getByRole('button', { name: 'Näytä muutokset' }).click();
    await page.getByRole('heading', { name: /1 uutta/ }).waitFor();
    await page.getByRole('button', { name: 'Tee 1 muutosta' }).click();
    await page.waitForURL(/imported=1\.0\.0/);
    expect(await page.locator('tbody').innerText()).toContain('Tiimin työ');
    await page.context().close();
  });
});

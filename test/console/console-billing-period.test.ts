import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushExampleWork } from '../billing/support.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/**
 * New invoices from a date range and the invoicing cycle in the console: the
 * example work (three people, 10.75 h in November 2026, on a monthly ongoing project) is
 * found for the range, made into a draft, billed, then marked sent from the
 * cycle, whose PDF link serves the invoice.
 */
describe('console: new invoices and the invoicing cycle', () => {
  let spine: GenericSpine;
  let finance: ConsoleClient;

  beforeAll(async () => {
    spine = await startGenericSpine();
    await pushExampleWork(spine.h, spine.key, { project: { kind: 'ongoing', billOn: 'stopped_entries', schedule: { cadence: 'monthly', anchorDate: '2026-11-01' } } });
    finance = new ConsoleClient(spine.h);
    await finance.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('new invoices: the range shows the project with its hours and per-person breakdown; a bad range is said in words', async () => {
    const r = await finance.get('/console/billing/new?from=2026-11-01&to=2026-11-30&groupBy=project');
    expect(r.statusCode).toBe(200);
    const text = textOf(r.body);
    expect(text).toMatch(/1 laskua · 10,75 h/);
    expect(text).toContain('Anna A.: 2,5 h');
    expect(text).toContain('Cara C.: 5 h');
    expect(textOf((await finance.get('/console/billing/new?from=2026-10-01&to=2026-10-31')).body)).toContain('Tällä aikavälillä ei ole laskutettavaa');
    const bad = await finance.get('/console/billing/new?from=2026-11-31&to=2026-11-01');
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body)).toContain('Aikaväliä ei ymmärretty');
  });

  it('create a draft from the row, bill it, and see it ready to send in the cycle; mark it sent; its PDF', async () => {
    await finance.get('/console/billing/new?from=2026-11-01&to=2026-11-30&groupBy=project');
    const created = await finance.post('/console/billing/new', { from: '2026-11-01', to: '2026-11-30', groupBy: 'project', key: 'proj-3' });
    expect(created.statusCode).toBe(303);
    const draftUrl = created.headers.location as string;
    expect(draftUrl).toMatch(/^\/console\/billing\/drafts\//);
    await finance.get(draftUrl);
    const billed = await finance.post(`${draftUrl}/release`, {});
    expect(billed.statusCode).toBe(303);
    const recordId = /\/console\/invoices\/([^?]+)/.exec(billed.headers.location as string)![1]!;
    await spine.h.waitForStatus(spine.key, recordId, ['synced']);

    const cycle = await finance.get('/console/billing/cycle?period=2026-11');
    expect(cycle.statusCode).toBe(200);
    const before = textOf(cycle.body.split('Lähetysvalmiit laskut')[1]!.split('Lähetetyt')[0]!);
    expect(before).toContain('1 349,13 €');
    const invoiceId = /\/console\/billing\/invoices\/([^/]+)\/mark-sent/.exec(cycle.body)![1]!;
    const pdf = await finance.get(`/console/billing/invoices/${invoiceId}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    await finance.get('/console/billing/cycle?period=2026-11');
    const marked = await finance.post(`/console/billing/invoices/${invoiceId}/mark-sent`, { period: '2026-11' });
    expect(marked.statusCode).toBe(303);
    const after = await finance.get(marked.headers.location as string);
    const text = textOf(after.body);
    expect(text).toContain('Lasku merkittiin lähetetyksi');
    expect(textOf(after.body.split('Lähetetyt')[1]!)).toContain('1 349,13 €');
    expect(text).toContain('Kierros on valmis');
  });

  it('compile from the console: a progress page that refreshes itself until the operation is done', async () => {
    await finance.get('/console/billing');
    const started = await finance.post('/console/billing/compile', {});
    expect(started.statusCode).toBe(303);
    const url = started.headers.location as string;
    expect(url).toMatch(/^\/console\/billing\/operations\//);
    let page = await finance.get(url);
    const first = page.body;
    expect(first.includes('<progress') ? first.includes('http-equiv="refresh"') : first.includes('Valmis.')).toBe(true);
    for (let i = 0; i < 100 && !page.body.includes('Valmis.'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await finance.get(url);
    }
    expect(page.body).toContain('Valmis.');
    expect(page.body).not.toContain('http-equiv="refresh"');
  });

  it('freeform invoice: problems listed, nothing created; then a draft with the line; a credit note needs the credited invoice', async () => {
    await finance.get('/console/billing/freeform');
    const bad = await finance.post('/console/billing/freeform', { type: 'invoice', customerExternalId: 'cust-17', 'line0.description': 'Koulutus', 'line0.quantity': 'kaksi', 'line0.unitPrice': '450' });
    expect(bad.statusCode).toBe(422);
    expect(textOf(bad.body)).toContain('lines[0].quantity');
    expect(bad.body).toContain('value="kaksi"');
    const credit = await finance.post('/console/billing/freeform', { type: 'credit_note', customerExternalId: 'cust-17', 'line0.description': 'Hyvitys', 'line0.quantity': '-1', 'line0.unitPrice': '100' });
    expect(credit.statusCode).toBe(422);
    expect(textOf(credit.body)).toContain('creditedExternalId');

    const ok = await finance.post('/console/billing/freeform', { type: 'invoice', customerExternalId: 'cust-17', 'line0.description': 'Koulutus', 'line0.quantity': '2', 'line0.unit': 'pv', 'line0.unitPrice': '450', 'line0.vatRate': '25.5' });
    expect(ok.statusCode).toBe(303);
    const draft = await finance.get(ok.headers.location as string);
    const text = textOf(draft.body);
    expect(text).toContain('Koulutus');
    expect(text).toContain('1 129,50 €');
  });
});

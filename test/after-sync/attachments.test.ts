import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { closeExampleTask, expectStatus, pushExampleWork } from '../billing/support.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** What the sandbox holds as the invoice's attachments. */
function attachmentsAt(sandbox: RunningSandbox, invoiceId: string): Array<{ name: string }> {
  if (sandbox.provider === 'generic') return (sandbox as RunningGenericSandbox).attachmentsOf(invoiceId);
  const raw = sandbox.invoices().find((i) => i.id === invoiceId)?.raw as { attachments?: Array<{ name: string }> } | undefined;
  return raw?.attachments ?? [];
}

/**
 * A PDF the host posts with an invoice reaches the provider exactly once: after
 * the invoice is there, and — after a crash between the upload and recording
 * it — found by its name instead of uploaded again.
 */
describe.each([
  { id: 'generic' as const, start: (): Promise<RunningSandbox> => startGenericSandbox({ port: 0 }), extra: { timeoutMs: 1000 } },
  { id: 'procountor' as const, start: (): Promise<RunningSandbox> => startProcountorSandbox({ port: 0 }), extra: { timeoutMs: 1500 } },
])('$id: invoice attachments', ({ id, start, extra }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;
  let n = 0;

  beforeAll(async () => {
    // Procountor's run on the real PostgreSQL, the generic one on PGlite: the claims work on both.
    h = await startHarness({ database: id === 'procountor' ? 'postgres' : 'pglite' });
    sandbox = await start();
    key = await h.tenant(`att-${id}`);
    expect((await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, ...extra } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  async function syncedWithPdf() {
    n += 1;
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `ATT-${id}-${n}` } as never) });
    const attached = await h.api('POST', `/v1/invoices/${posted.body.id}/attachments`, { key, body: { filename: 'invoice.pdf', contentType: 'application/pdf', data: PDF.toString('base64') } });
    expect(attached.status, JSON.stringify(attached.body)).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced']);
    return { record, attachment: attached.body };
  }
  async function sendUntilSettled() {
    for (let i = 0; i < 30; i += 1) {
      await h.db.query(`update invoice_attachments set next_try_at = now() where status in ('pending', 'sending')`);
      const counts = await h.runtime.attachments.sendOnce();
      if (counts.later === 0 && (await h.db.query(`select 1 from invoice_attachments where status in ('pending', 'sending')`)).length === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('attached once the invoice is at the provider; shown on the invoice', async () => {
    const { record, attachment } = await syncedWithPdf();
    await sendUntilSettled();
    const at = attachmentsAt(sandbox, record.providerInvoiceId);
    expect(at.map((a) => a.name)).toEqual([attachment.name]);
    const listed = (await h.api('GET', `/v1/invoices/${record.id}/attachments`, { key })).body.items;
    expect(listed).toMatchObject([{ id: attachment.id, filename: 'invoice.pdf', status: 'done' }]);
    expect(listed[0].providerAttachmentId).toBeTruthy();
  });

  it('a crash after the upload, before it was recorded: found by its name, not uploaded again — present once', async () => {
    const { record, attachment } = await syncedWithPdf();
    await sendUntilSettled();
    // The worker died between the upload and recording it: the row still says "sending".
    await h.db.query(`update invoice_attachments set status = 'sending', provider_attachment_id = null, done_at = null, next_try_at = now() where id = $1`, [attachment.id]);
    const uploadsBefore = sandbox.requests().filter((r) => r.method === 'POST' && /attachments/.test(r.path)).length;
    await sendUntilSettled();
    expect(attachmentsAt(sandbox, record.providerInvoiceId)).toHaveLength(1);
    expect(sandbox.requests().filter((r) => r.method === 'POST' && /attachments/.test(r.path)).length).toBe(uploadsBefore);
    expect((await h.api('GET', `/v1/invoices/${record.id}/attachments`, { key })).body.items[0].status).toBe('done');
  });

  it('an upload whose answer is lost is looked up, then sent once', async () => {
    const { record } = await syncedWithPdf();
    sandbox.injectFault({ kind: 'server_error', status: 503, times: 1, on: 'any' });
    await sendUntilSettled();
    expect(attachmentsAt(sandbox, record.providerInvoiceId)).toHaveLength(1);
  });

  it.skipIf(id !== 'procountor')('the billing PDF of a released invoice, attached with {"source": "billing"}', async () => {
    const billingKey = await h.tenant('att-billing');
    await h.api('PUT', '/v1/connections/procountor', { key: billingKey, body: { baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1500 } });
    await pushExampleWork(h, billingKey);
    const closed = await closeExampleTask(h, billingKey);
    const released = await expectStatus(h, billingKey, 'POST', `/v1/billing/drafts/${closed.compiled.draftIds[0]}/release`, 201);
    const record = await h.waitForStatus(billingKey, released.syncRecordId, ['synced']);
    const attached = await h.api('POST', `/v1/invoices/${record.id}/attachments`, { key: billingKey, body: { source: 'billing' } });
    expect(attached.status, JSON.stringify(attached.body)).toBe(202);
    expect(attached.body.filename).toMatch(/^invoice-.+\.pdf$/);
    await sendUntilSettled();
    expect(attachmentsAt(sandbox, record.providerInvoiceId).map((a) => a.name)).toEqual([attached.body.name]);
    // A record not released from billing has no billing PDF: 400 naming source.
    const { record: plain } = await syncedWithPdf();
    const refused = await h.api('POST', `/v1/invoices/${plain.id}/attachments`, { key, body: { source: 'billing' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].path).toBe('source');
  });

  it('refuses what is not a PDF, too large or misnamed, naming the field; 404 for an unknown invoice', async () => {
    const { record } = await syncedWithPdf();
    const notPdf = await h.api('POST', `/v1/invoices/${record.id}/attachments`, { key, body: { filename: 'x.pdf', contentType: 'application/pdf', data: Buffer.from('hello').toString('base64') } });
    expect(notPdf.status).toBe(400);
    expect(notPdf.body.error.details[0].path).toBe('data');
    const bad = await h.api('POST', `/v1/invoices/${record.id}/attachments`, { key, body: { filename: '../x', contentType: 'text/plain', data: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['contentType', 'data', 'filename']);
    expect((await h.api('POST', '/v1/invoices/nope/attachments', { key, body: { filename: 'x.pdf', contentType: 'application/pdf', data: PDF.toString('base64') } })).status).toBe(404);
    const raw = await h.api('POST', `/v1/invoices/${record.id}/attachments?filename=raw.pdf`, { key, body: PDF.toString('latin1'), headers: { 'content-type': 'application/pdf' } });
    expect(raw.status, JSON.stringify(raw.body)).toBe(202);
  });
});

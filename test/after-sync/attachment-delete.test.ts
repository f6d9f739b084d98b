import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { AttachmentsRepo } from '../../src/store/attachments-repo.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/**
 * A PDF attached by mistake can be taken back while it has not gone to the
 * provider — and only then: once it is on its way or there, the answer says
 * so instead of pretending. Never both "deleted" and sent.
 */
describe('taking back an attachment that has not been sent', () => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let key: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('att-delete');
    expect((await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const uploads = () => sandbox.requests().filter((r) => r.method === 'POST' && /attachments/.test(r.path)).length;

  async function syncedWithPdf(filename = 'wrong.pdf') {
    n += 1;
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `ATT-DEL-${n}` } as never) });
    const attached = await h.api('POST', `/v1/invoices/${posted.body.id}/attachments`, { key, body: { filename, contentType: 'application/pdf', data: PDF.toString('base64') } });
    expect(attached.status).toBe(202);
    const record = await h.waitForStatus(key, posted.body.id, ['synced']);
    return { record, attachment: attached.body as { id: string; name: string } };
  }

  it('a pending one is deleted: gone from the invoice, never sent, and the deletion is in the audit log', async () => {
    const { record, attachment } = await syncedWithPdf();
    const before = uploads();
    const deleted = await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key });
    expect(deleted.status).toBe(204);
    expect((await h.api('GET', `/v1/invoices/${record.id}/attachments`, { key })).body.items).toEqual([]);
    await h.db.query(`update invoice_attachments set next_try_at = now()`);
    await h.runtime.attachments.sendOnce();
    expect(uploads()).toBe(before);
    expect(sandbox.attachmentsOf(record.providerInvoiceId)).toEqual([]);
    const audit = await h.db.query<{ target: string; details: { filename: string; recordId: string } }>(
      `select target, details from audit_log where tenant_id = 'att-delete' and action = 'invoice.attachment_delete'`,
    );
    expect(audit).toEqual([{ target: attachment.id, details: expect.objectContaining({ filename: 'wrong.pdf', recordId: record.id }) }]);
    // Again: it is gone.
    expect((await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key })).status).toBe(404);
  });

  it('one already at the provider is not: 409 saying where it is', async () => {
    const { record, attachment } = await syncedWithPdf('right.pdf');
    await h.db.query(`update invoice_attachments set next_try_at = now()`);
    await h.runtime.attachments.sendOnce();
    const refused = await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('attachment_sent');
    expect(refused.body.error.message).toMatch(/right\.pdf is already attached to the invoice in Accounting endpoint/);
    expect((await h.api('GET', `/v1/invoices/${record.id}/attachments`, { key })).body.items).toMatchObject([{ id: attachment.id, status: 'done' }]);
  });

  it('one a sender has just taken: deleted first, the sender then sends nothing; marked sending first, the deletion is refused', async () => {
    const { record, attachment } = await syncedWithPdf();
    await h.db.query(`update invoice_attachments set next_try_at = now()`);
    const repo = new AttachmentsRepo(h.db);
    const [taken] = (await repo.take(10, 60_000)).filter((a) => a.id === attachment.id);
    expect(taken).toBeDefined();
    const before = uploads();
    expect((await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key })).status).toBe(204);
    await h.runtime.attachments.sendOne(taken!);
    expect(uploads()).toBe(before);
    expect(sandbox.attachmentsOf(record.providerInvoiceId)).toEqual([]);

    const second = await syncedWithPdf();
    await h.db.query(`update invoice_attachments set status = 'sending' where id = $1`, [second.attachment.id]);
    const refused = await h.api('DELETE', `/v1/invoices/${second.record.id}/attachments/${second.attachment.id}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('attachment_sending');
  });

  it('a failed one: deleted if it never started on its way; kept (409) if it was sending before it failed, as it may have arrived', async () => {
    const never = await syncedWithPdf();
    await h.db.query(`update invoice_attachments set status = 'failed', error = '{"code":"x"}' where id = $1`, [never.attachment.id]);
    expect((await h.api('DELETE', `/v1/invoices/${never.record.id}/attachments/${never.attachment.id}`, { key })).status).toBe(204);

    const once = await syncedWithPdf();
    await h.db.query(`update invoice_attachments set status = 'sending', sent_at = now() where id = $1`, [once.attachment.id]);
    await h.db.query(`update invoice_attachments set status = 'failed', error = '{"code":"x"}' where id = $1`, [once.attachment.id]);
    const refused = await h.api('DELETE', `/v1/invoices/${once.record.id}/attachments/${once.attachment.id}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('attachment_maybe_sent');
    expect((await h.api('GET', `/v1/invoices/${once.record.id}/attachments`, { key })).body.items).toHaveLength(1);
  });

  it("an unknown attachment, or one of another invoice or tenant, is a 404; a key without host or finance can't", async () => {
    const { record, attachment } = await syncedWithPdf();
    const other = await syncedWithPdf();
    expect((await h.api('DELETE', `/v1/invoices/${record.id}/attachments/att_nope`, { key })).status).toBe(404);
    expect((await h.api('DELETE', `/v1/invoices/${other.record.id}/attachments/${attachment.id}`, { key })).status).toBe(404);
    const stranger = await h.tenant('att-delete-other');
    expect((await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key: stranger })).status).toBe(404);
    const adminOnly = (await h.api('POST', '/v1/tenants/att-delete/api-keys', { key: h.adminToken, body: { roles: ['admin'] } })).body.key as string;
    expect((await h.api('DELETE', `/v1/invoices/${record.id}/attachments/${attachment.id}`, { key: adminOnly })).status).toBe(403);
    expect((await h.api('GET', `/v1/invoices/${record.id}/attachments`, { key })).body.items).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startNetvisorSandbox } from '../../providers/netvisor/index.js';
import type { StoredInvoice } from '../../providers/netvisor/sandbox/store.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import type { RunningSandbox } from '../../providers/types.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

/** A multipart/form-data body as a browser or curl -F would send it (undici's own encoder). */
async function form(parts: Array<{ name: string; value: string } | { name: string; filename: string; type: string; data: Buffer }>): Promise<{ body: Buffer; type: string }> {
  const data = new FormData();
  for (const p of parts) {
    if ('value' in p) data.append(p.name, p.value);
    else data.append(p.name, new Blob([p.data], { type: p.type }), p.filename);
  }
  const request = new Request('http://form.invalid/', { method: 'POST', body: data });
  return { body: Buffer.from(await request.arrayBuffer()), type: request.headers.get('content-type')! };
}

/** The attachments as the sandbox holds them on the invoice: for Netvisor the description is ledgerlink's unique name. */
function attachmentsAt(sandbox: RunningSandbox, invoiceId: string): Array<{ name: string; filename?: string; size?: number }> {
  if (sandbox.provider === 'generic') return (sandbox as RunningGenericSandbox).attachmentsOf(invoiceId);
  const raw = sandbox.invoices().find((i) => i.id === invoiceId)?.raw;
  if (sandbox.provider === 'netvisor') return ((raw as StoredInvoice | undefined)?.attachments ?? []).map((a) => ({ name: a.description, filename: a.filename, size: a.size }));
  return (raw as { attachments?: Array<{ name: string }> } | undefined)?.attachments ?? [];
}

async function sendUntilSettled(h: Harness) {
  for (let i = 0; i < 30; i += 1) {
    await h.db.query(`update invoice_attachments set next_try_at = now() where status in ('pending', 'sending')`);
    const counts = await h.runtime.attachments.sendOnce();
    if (counts.later === 0 && (await h.db.query(`select 1 from invoice_attachments where status in ('pending', 'sending')`)).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * PDFs posted with the invoice itself — in the JSON (`attachments`, base64) or
 * as multipart files next to the invoice JSON — are stored with the record in
 * one transaction and reach the provider exactly once: inside the sales invoice
 * for Netvisor (which has no other way), after the invoice for the others.
 */
describe.each([
  { id: 'netvisor' as const, start: (): Promise<RunningSandbox> => startNetvisorSandbox({ port: 0 }) },
  { id: 'procountor' as const, start: (): Promise<RunningSandbox> => startProcountorSandbox({ port: 0 }) },
  { id: 'generic' as const, start: (): Promise<RunningSandbox> => startGenericSandbox({ port: 0 }) },
])('$id: PDFs posted with the invoice', ({ id, start }) => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ database: id === 'procountor' ? 'postgres' : 'pglite' });
    sandbox = await start();
    key = await h.tenant(`attw-${id}`);
    expect((await h.api('PUT', `/v1/connections/${id}`, { key, body: { baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1500 } })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  async function expectAtProviderOnce(recordId: string, filenames: string[]) {
    const record = await h.waitForStatus(key, recordId, ['synced']);
    await sendUntilSettled(h);
    const items = (await h.api('GET', `/v1/invoices/${recordId}/attachments`, { key })).body.items;
    expect(items.map((a: { filename: string }) => a.filename)).toEqual(filenames);
    expect(items.every((a: { status: string }) => a.status === 'done'), JSON.stringify(items)).toBe(true);
    expect(attachmentsAt(sandbox, record.providerInvoiceId).map((a) => a.name).sort()).toEqual(items.map((a: { name: string }) => a.name).sort());
    return { record, items };
  }

  it('JSON: two PDFs in "attachments" arrive once each, with the invoice', async () => {
    const posted = await h.api('POST', '/v1/invoices', {
      key,
      body: {
        ...exampleDocument({ externalId: `ATTW-${id}-json` } as never),
        attachments: [
          { filename: 'invoice.pdf', contentType: 'application/pdf', data: pdf('one').toString('base64') },
          { filename: 'hours.pdf', contentType: 'application/pdf', data: pdf('two').toString('base64') },
        ],
      },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const { record } = await expectAtProviderOnce(posted.body.id, ['invoice.pdf', 'hours.pdf']);
    if (id === 'netvisor') {
      // Inside the sales invoice: the host's file names and the decoded sizes.
      expect(attachmentsAt(sandbox, record.providerInvoiceId).map((a) => [a.filename, a.size])).toEqual([
        ['invoice.pdf', pdf('one').length],
        ['hours.pdf', pdf('two').length],
      ]);
    }
    // The same request again (a host retry): 200, the same record, no third attachment.
    const again = await h.api('POST', '/v1/invoices', {
      key,
      body: { ...exampleDocument({ externalId: `ATTW-${id}-json` } as never), attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', data: pdf('one').toString('base64') }] },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(posted.body.id);
    expect((await h.api('GET', `/v1/invoices/${posted.body.id}/attachments`, { key })).body.items).toHaveLength(2);
  });

  it('multipart: the invoice JSON in the field "invoice", the PDF as a file', async () => {
    const body = await form([
      { name: 'invoice', value: JSON.stringify(exampleDocument({ externalId: `ATTW-${id}-form` } as never)) },
      { name: 'file', filename: 'lasku 1.pdf', type: 'application/pdf', data: pdf('form') },
    ]);
    const posted = await h.api('POST', '/v1/invoices', { key, body: body.body, headers: { 'content-type': body.type } });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    await expectAtProviderOnce(posted.body.id, ['lasku 1.pdf']);
  });

  it.skipIf(id !== 'netvisor')('a create whose answer was lost is found, and its attachment with it: one invoice, one attachment', async () => {
    sandbox.injectFault({ kind: 'reset_after_store', times: 1 });
    const posted = await h.api('POST', '/v1/invoices', {
      key,
      body: { ...exampleDocument({ externalId: `ATTW-${id}-lost` } as never), attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', data: pdf('lost').toString('base64') }] },
    });
    expect(posted.status).toBe(202);
    const { record } = await expectAtProviderOnce(posted.body.id, ['invoice.pdf']);
    const detail = (await h.api('GET', `/v1/invoices/${posted.body.id}`, { key })).body;
    expect(JSON.stringify(detail.history)).toMatch(/found at the provider and adopted/);
    expect(sandbox.invoices().filter((i) => i.reference === record.referenceNumber || (i.raw as StoredInvoice).privateComment?.includes(record.reference))).toHaveLength(1);
    expect(attachmentsAt(sandbox, record.providerInvoiceId)).toHaveLength(1);
  });

  it.skipIf(id !== 'netvisor')('a PDF posted after the invoice reached Netvisor fails, saying why and what to do', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: `ATTW-${id}-late` } as never) });
    await h.waitForStatus(key, posted.body.id, ['synced']);
    const late = await h.api('POST', `/v1/invoices/${posted.body.id}/attachments`, { key, body: { filename: 'late.pdf', contentType: 'application/pdf', data: pdf('late').toString('base64') } });
    expect(late.status).toBe(202);
    await sendUntilSettled(h);
    const item = (await h.api('GET', `/v1/invoices/${posted.body.id}/attachments`, { key })).body.items[0];
    expect(item.status).toBe('failed');
    expect(item.error.message).toMatch(/only with the invoice itself.*Attach it there by hand.*"attachments" of POST \/v1\/invoices/);
  });
});

describe('PDFs with the invoice: bad input', () => {
  let h: Harness;
  let sandbox: RunningSandbox;
  let key: string;

  beforeAll(async () => {
    h = await startHarness();
    sandbox = await startGenericSandbox({ port: 0 });
    key = await h.tenant('attw-bad');
    await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, ...sandbox.credentials } });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  const count = async () => Number((await h.db.query<{ n: string }>('select count(*) as n from sync_records'))[0]!.n);

  it('JSON: every problem of the invoice and of its attachments at once; nothing is accepted', async () => {
    const before = await count();
    const doc = exampleDocument({ externalId: 'ATTW-BAD-1' } as never) as Record<string, unknown>;
    const r = await h.api('POST', '/v1/invoices', {
      key,
      body: {
        ...doc,
        invoiceDate: '2026-02-30',
        attachments: [
          { filename: 'ok.pdf', contentType: 'application/pdf', data: Buffer.from('hello').toString('base64') },
          { filename: '../x.pdf', contentType: 'text/plain', data: 'not base64!' },
        ],
      },
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['invoiceDate', 'attachments[0].data', 'attachments[1].filename', 'attachments[1].contentType']));
    expect(r.body.error.details.find((d: { path: string }) => d.path === 'attachments[0].data').code).toBe('not_pdf');
    expect(await count()).toBe(before);
    // Preview says the same about the attachments, without writing anything.
    const preview = await h.api('POST', '/v1/invoices/preview', { key, body: { ...doc, attachments: [{ filename: 'ok.pdf', contentType: 'application/pdf', data: Buffer.from('hello').toString('base64') }] } });
    expect(preview.body.valid).toBe(false);
    expect(preview.body.problems.map((p: { path: string }) => p.path)).toEqual(['attachments[0].data']);
  });

  it('multipart: a missing invoice, a file that is not a PDF, one too large — named; nothing is accepted', async () => {
    const before = await count();
    const noInvoice = await form([{ name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf('a') }]);
    const r1 = await h.api('POST', '/v1/invoices', { key, body: noInvoice.body, headers: { 'content-type': noInvoice.type } });
    expect(r1.status).toBe(400);
    expect(r1.body.error.details[0].path).toBe('invoice');

    const big = Buffer.concat([pdf('big'), Buffer.alloc(5 * 1024 * 1024, 0x20)]);
    const bad = await form([
      { name: 'invoice', value: JSON.stringify({ ...(exampleDocument({ externalId: 'ATTW-BAD-2' } as never) as object), currency: 'euro' }) },
      { name: 'file', filename: 'notes.txt', type: 'text/plain', data: Buffer.from('hello') },
      { name: 'file', filename: 'big.pdf', type: 'application/pdf', data: big },
    ]);
    const r2 = await h.api('POST', '/v1/invoices', { key, body: bad.body, headers: { 'content-type': bad.type } });
    expect(r2.status).toBe(400);
    const details = r2.body.error.details.map((d: { path: string; code: string }) => `${d.path}:${d.code}`);
    expect(details).toEqual(expect.arrayContaining(['file.contentType:invalid_value', 'file:not_pdf', 'file[1]:too_large']));
    expect(details.some((d: string) => d.startsWith('currency:'))).toBe(true);

    // What PostgreSQL cannot store (NUL) is named, as it is in a JSON body — never a 500.
    const nul = await form([{ name: 'invoice', value: JSON.stringify({ ...(exampleDocument({ externalId: 'ATTW-NUL' } as never) as object), notes: 'a\u0000b' }) }]);
    const r4 = await h.api('POST', '/v1/invoices', { key, body: nul.body, headers: { 'content-type': nul.type } });
    expect(r4.status).toBe(400);
    expect(r4.body.error.details[0]).toMatchObject({ path: 'notes', code: 'invalid_character' });

    const notJson = await form([{ name: 'invoice', value: '{"externalId":' }]);
    const r3 = await h.api('POST', '/v1/invoices', { key, body: notJson.body, headers: { 'content-type': notJson.type } });
    expect(r3.status).toBe(400);
    expect(r3.body.error.details[0]).toMatchObject({ path: 'invoice', code: 'invalid_json' });
    expect(await count()).toBe(before);
  });

  it('multipart on /v1/invoices/{id}/attachments: one PDF file, kept with its file name', async () => {
    const posted = await h.api('POST', '/v1/invoices', { key, body: exampleDocument({ externalId: 'ATTW-MP' } as never) });
    const one = await form([{ name: 'file', filename: 'erittely.pdf', type: 'application/pdf', data: pdf('mp') }]);
    const r = await h.api('POST', `/v1/invoices/${posted.body.id}/attachments`, { key, body: one.body, headers: { 'content-type': one.type } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ filename: 'erittely.pdf', size: pdf('mp').length, status: 'pending' });
    const two = await form([
      { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf('a') },
      { name: 'file', filename: 'b.pdf', type: 'application/pdf', data: pdf('b') },
    ]);
    const refused = await h.api('POST', `/v1/invoices/${posted.body.id}/attachments`, { key, body: two.body, headers: { 'content-type': two.type } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toMatchObject({ path: 'file', code: 'too_many_files' });
  });
});

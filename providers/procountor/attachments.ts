import { randomBytes } from 'node:crypto';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import type { InvoiceFile, ProviderInvoice } from '../types.js';
import type { ProcountorClient } from './client.js';

/**
 * `POST /attachments` (openapi.yaml saveAttachment): multipart/form-data with
 * `meta` (an Attachment: name, referenceType INVOICE, referenceId) and `file`.
 * Procountor caps an attachment at 10,000,000 bytes.
 */
export async function attachToProcountorInvoice(client: ProcountorClient, invoice: ProviderInvoice, file: InvoiceFile): Promise<{ id: string }> {
  const boundary = `ledgerlink-${randomBytes(12).toString('hex')}`;
  const meta = JSON.stringify({ name: file.name, referenceType: 'INVOICE', referenceId: Number(invoice.id), sendWithInvoice: true });
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${meta}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.contentType}\r\n\r\n`),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const saved = await client.call<{ id?: number }>({
    method: 'POST',
    path: '/attachments',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body,
    write: true,
    label: 'attach the invoice PDF',
  });
  if (!saved || typeof saved.id !== 'number') {
    throw new ProviderUnknownOutcomeError({ code: 'procountor_unexpected_answer', message: 'Procountor took the attachment but did not say its id; ledgerlink looks it up before sending it again.' });
  }
  return { id: String(saved.id) };
}

/** The invoice's attachment of that name (`GET /invoices/{id}` lists `attachments`), or null. */
export async function findProcountorAttachment(client: ProcountorClient, invoice: ProviderInvoice, name: string): Promise<{ id: string } | null> {
  const data = await client.call<{ attachments?: Array<{ id?: number; name?: string }> }>({
    method: 'GET',
    path: `/invoices/${encodeURIComponent(invoice.id)}`,
    write: false,
    label: 'look for the invoice PDF among its attachments',
  });
  const found = (data?.attachments ?? []).find((a) => a.name === name);
  return found && found.id !== undefined ? { id: String(found.id) } : null;
}

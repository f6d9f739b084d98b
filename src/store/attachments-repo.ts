import type { Queryable } from './database.js';

export interface AttachmentRow {
  id: string;
  recordId: string;
  tenantId: string;
  name: string;
  filename: string;
  contentType: string;
  size: number;
  status: 'pending' | 'sending' | 'done' | 'failed';
  providerAttachmentId: string | null;
  error: unknown;
  tries: number;
  createdAt: Date;
  doneAt: Date | null;
  /** When it was last marked `sending` (null: it never started on its way). */
  sentAt: Date | null;
}

const toRow = (r: any): AttachmentRow => ({
  id: r.id,
  recordId: r.record_id,
  tenantId: r.tenant_id,
  name: r.name,
  filename: r.filename,
  contentType: r.content_type,
  size: Number(r.size),
  status: r.status,
  providerAttachmentId: r.provider_attachment_id ?? null,
  error: r.error ?? null,
  tries: Number(r.tries),
  createdAt: r.created_at,
  doneAt: r.done_at ?? null,
  sentAt: r.sent_at ?? null,
});

/** Every column but the data (which can be megabytes). */
const COLUMNS = 'id, record_id, tenant_id, name, filename, content_type, size, status, provider_attachment_id, error, tries, created_at, done_at, sent_at';

/**
 * Invoice attachments and their way to the provider (migration 010): pending →
 * sending (written before the upload) → done, or failed with the provider's
 * reason. A `sending` one is looked up by name before it is ever sent again.
 */
export class AttachmentsRepo {
  constructor(private readonly db: Queryable) {}

  async add(a: { id: string; recordId: string; tenantId: string; name: string; filename: string; contentType: string; data: Buffer }): Promise<AttachmentRow> {
    const rows = await this.db.query<any>(
      `insert into invoice_attachments (id, record_id, tenant_id, name, filename, content_type, size, data) values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
      [a.id, a.recordId, a.tenantId, a.name, a.filename, a.contentType, a.data.length, a.data.toString('base64')],
    );
    return toRow(rows[0]);
  }

  async forRecord(recordId: string): Promise<AttachmentRow[]> {
    return (await this.db.query<any>('select * from invoice_attachments where record_id = $1 order by created_at, id', [recordId])).map(toRow);
  }

  /**
   * Takes due attachments whose invoice is at the provider and not held by a
   * sync worker; each is not due again for `holdMs` (another worker skips it).
   */
  async take(limit: number, holdMs: number): Promise<AttachmentRow[]> {
    const rows = await this.db.query<any>(
      `update invoice_attachments a set next_try_at = now() + ($2::text || ' milliseconds')::interval
         from (select a2.id from invoice_attachments a2 join sync_records r on r.id = a2.record_id
                where a2.status in ('pending', 'sending') and a2.next_try_at <= now()
                  and r.provider_invoice_id is not null and r.status in ('synced', 'sent', 'partially_paid', 'paid')
                  and (r.lease_until is null or r.lease_until < now())
                order by a2.next_try_at limit $1 for update of a2 skip locked) due
        where a.id = due.id returning a.*`,
      [limit, holdMs],
    );
    return rows.map(toRow);
  }

  /**
   * The record's attachments not yet done, with their data, marked `sending`:
   * for a provider that takes them inside the create (Netvisor). Every create
   * built from now on carries them all again, so whichever create made the
   * invoice carried every attachment marked here.
   */
  async forCreate(recordId: string): Promise<Array<AttachmentRow & { data: Buffer }>> {
    const rows = await this.db.query<any>(
      `update invoice_attachments set status = 'sending', sent_at = now(), tries = tries + 1
        where record_id = $1 and status in ('pending', 'sending') returning *`,
      [recordId],
    );
    return rows
      .map((r) => ({ ...toRow(r), data: Buffer.from(String(r.data), 'base64') }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /** The invoice was created (or found) with the attachments `forCreate` marked: they are there, as part of it. */
  async doneWithInvoice(recordId: string, providerInvoiceId: string): Promise<void> {
    await this.db.query(
      `update invoice_attachments set status = 'done', provider_attachment_id = $2, error = null, done_at = now() where record_id = $1 and status = 'sending'`,
      [recordId, `invoice:${providerInvoiceId}`],
    );
  }

  async data(id: string): Promise<Buffer> {
    const rows = await this.db.query<any>('select data from invoice_attachments where id = $1', [id]);
    return Buffer.from(String(rows[0]?.data ?? ''), 'base64');
  }

  /**
   * Written before the upload: from now on the next step after any doubt is a
   * lookup. False when the attachment is no longer there to send (taken back
   * after the sender took it): then nothing may be uploaded.
   */
  async markSending(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `update invoice_attachments set status = 'sending', sent_at = now(), tries = tries + 1 where id = $1 and status in ('pending', 'sending') returning id`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Takes an attachment back if it never started on its way: pending, or
   * failed without ever having been marked sending (nothing sends a failed one
   * again; one that was sending may have arrived before it failed — Netvisor's
   * go inside the create, and one found there later can end up failed). One statement, so it and a
   * sender's `markSending` (or a create's `forCreate`) cannot both win: marked
   * sending first, the attachment is kept (and returned as it is); deleted
   * first, the sender finds nothing to mark and sends nothing. null: no such
   * attachment on that invoice.
   */
  async deleteUnsent(tenantId: string, recordId: string, id: string): Promise<{ deleted: AttachmentRow } | { kept: AttachmentRow } | null> {
    const deleted = await this.db.query<any>(
      `delete from invoice_attachments where id = $1 and record_id = $2 and tenant_id = $3
          and (status = 'pending' or (status = 'failed' and sent_at is null)) returning ${COLUMNS}`,
      [id, recordId, tenantId],
    );
    if (deleted[0]) return { deleted: toRow(deleted[0]) };
    const kept = await this.db.query<any>(`select ${COLUMNS} from invoice_attachments where id = $1 and record_id = $2 and tenant_id = $3`, [id, recordId, tenantId]);
    return kept[0] ? { kept: toRow(kept[0]) } : null;
  }

  async markDone(id: string, providerAttachmentId: string): Promise<void> {
    await this.db.query(`update invoice_attachments set status = 'done', provider_attachment_id = $2, error = null, done_at = now() where id = $1`, [id, providerAttachmentId]);
  }

  async markFailed(id: string, error: unknown): Promise<void> {
    await this.db.query(`update invoice_attachments set status = 'failed', error = $2 where id = $1`, [id, JSON.stringify(error)]);
  }

  /** Tried again later, keeping its status (a `sending` one stays one: the next try looks it up first). */
  async retryLater(id: string, at: Date, error: unknown): Promise<void> {
    await this.db.query(`update invoice_attachments set next_try_at = $2, error = $3 where id = $1`, [id, at, JSON.stringify(error)]);
  }
}

import { one, type Queryable } from '../../store/database.js';
import type { BillingInvoice, BillingInvoiceStatus } from '../domain/types.js';

export function toInvoice(row: any): BillingInvoice {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    draftId: row.draft_id,
    number: Number(row.number),
    type: row.type,
    customerExternalId: row.customer_external_id,
    projectExternalId: row.project_external_id,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    invoiceDate: row.invoice_date,
    document: row.document,
    view: row.view,
    totals: row.totals,
    syncRecordId: row.sync_record_id,
    handoffError: row.handoff_error,
    status: row.status,
    sentAt: row.sent_at,
    sentBy: row.sent_by,
    createdAt: row.created_at,
  };
}

export interface NewInvoice {
  id: string;
  draftId: string;
  number: number;
  type: string;
  customerExternalId: string;
  projectExternalId: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  invoiceDate: string;
  document: Record<string, unknown>;
  view: Record<string, unknown>;
  totals: Record<string, string>;
}

/** Released invoices: immutable once written, except the hand-off to intake and sending. */
export class InvoicesRepo {
  constructor(private readonly db: Queryable) {}

  async insert(tenantId: string, inv: NewInvoice): Promise<BillingInvoice> {
    const row = await one<any>(
      this.db,
      `insert into billing_invoices (id, tenant_id, draft_id, number, type, customer_external_id, project_external_id, period_from, period_to,
                                     invoice_date, document, view, totals)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning *`,
      [
        inv.id,
        tenantId,
        inv.draftId,
        inv.number,
        inv.type,
        inv.customerExternalId,
        inv.projectExternalId,
        inv.periodFrom,
        inv.periodTo,
        inv.invoiceDate,
        JSON.stringify(inv.document),
        JSON.stringify(inv.view),
        JSON.stringify(inv.totals),
      ],
    );
    return toInvoice(row);
  }

  async get(tenantId: string, id: string): Promise<BillingInvoice | null> {
    const row = await one<any>(this.db, 'select * from billing_invoices where tenant_id = $1 and id = $2', [tenantId, id]);
    return row ? toInvoice(row) : null;
  }

  async byDraft(tenantId: string, draftId: string): Promise<BillingInvoice | null> {
    const row = await one<any>(this.db, 'select * from billing_invoices where tenant_id = $1 and draft_id = $2', [tenantId, draftId]);
    return row ? toInvoice(row) : null;
  }

  async list(tenantId: string, filter: { status?: BillingInvoiceStatus; ids?: string[] } = {}, limit = 500): Promise<BillingInvoice[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.ids) {
      params.push(filter.ids);
      where.push(`id = any($${params.length})`);
    }
    params.push(limit);
    const rows = await this.db.query<any>(`select * from billing_invoices where ${where.join(' and ')} order by number desc limit $${params.length}`, params);
    return rows.map(toInvoice);
  }

  async setHandoff(id: string, syncRecordId: string | null, error: BillingInvoice['handoffError']): Promise<void> {
    await this.db.query('update billing_invoices set sync_record_id = coalesce($2, sync_record_id), handoff_error = $3, updated_at = now() where id = $1', [
      id,
      syncRecordId,
      error ? JSON.stringify(error) : null,
    ]);
  }

  /** Released invoices not yet handed to intake (a crash between the two steps), oldest first. */
  async notHandedOff(olderThan: Date, limit: number): Promise<Array<{ id: string; tenantId: string }>> {
    const rows = await this.db.query<any>(
      'select id, tenant_id from billing_invoices where sync_record_id is null and handoff_error is null and created_at < $1 order by created_at limit $2',
      [olderThan, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** ready_to_send → sent, once; returns null when it was not ready_to_send. */
  async markSent(tenantId: string, id: string, by: string, at: Date): Promise<BillingInvoice | null> {
    const row = await one<any>(
      this.db,
      `update billing_invoices set status = 'sent', sent_at = $4, sent_by = $3, updated_at = now()
        where tenant_id = $1 and id = $2 and status = 'ready_to_send' returning *`,
      [tenantId, id, by, at],
    );
    return row ? toInvoice(row) : null;
  }

  /** Invoices a provider has sent (Procountor's SENT, or read back as sent / paid: issue 14) follow it to 'sent'. */
  async followProviderSent(tenantId: string): Promise<void> {
    await this.db.query(
      `update billing_invoices bi set status = 'sent', sent_at = coalesce(sr.synced_at, now()), sent_by = 'provider:' || sr.provider, updated_at = now()
         from sync_records sr
        where bi.tenant_id = $1 and bi.status = 'ready_to_send' and sr.id = bi.sync_record_id
          and (sr.provider_state = 'SENT' or sr.status in ('sent', 'partially_paid', 'paid'))`,
      [tenantId],
    );
  }
}

import { one, type Queryable } from '../../store/database.js';
import { DEFAULT_TIME_ZONE } from '../domain/local-date.js';
import type { BillingSettings } from '../domain/types.js';

export const DEFAULT_SETTINGS: BillingSettings = {
  approvalFlow: false,
  timeZone: DEFAULT_TIME_ZONE,
  seller: null,
  invoiceNumberStart: 1,
  lastInvoiceNumber: null,
};

function toSettings(row: any): BillingSettings {
  return {
    approvalFlow: row.approval_flow,
    timeZone: row.time_zone,
    seller: row.seller ?? null,
    invoiceNumberStart: Number(row.invoice_number_start),
    lastInvoiceNumber: row.last_invoice_number === null ? null : Number(row.last_invoice_number),
  };
}

/** The tenant's billing settings (defaults until an admin saves them) and its invoice number sequence. */
export class SettingsRepo {
  constructor(private readonly db: Queryable) {}

  async get(tenantId: string): Promise<BillingSettings> {
    const row = await one<any>(this.db, 'select * from billing_settings where tenant_id = $1', [tenantId]);
    return row ? toSettings(row) : { ...DEFAULT_SETTINGS };
  }

  async put(tenantId: string, s: { approvalFlow: boolean; timeZone: string; seller: unknown; invoiceNumberStart: number | null }): Promise<BillingSettings> {
    const row = await one<any>(
      this.db,
      `insert into billing_settings (tenant_id, approval_flow, time_zone, seller, invoice_number_start)
       values ($1, $2, $3, $4, coalesce($5, 1))
       on conflict (tenant_id) do update set approval_flow = excluded.approval_flow, time_zone = excluded.time_zone, seller = excluded.seller,
         invoice_number_start = coalesce($5, billing_settings.invoice_number_start), updated_at = now()
       returning *`,
      [tenantId, s.approvalFlow, s.timeZone, s.seller ? JSON.stringify(s.seller) : null, s.invoiceNumberStart],
    );
    return toSettings(row);
  }

  /**
   * The next invoice number: one more than the last, never below the start.
   * The row lock makes concurrent releases take consecutive numbers, none twice.
   */
  async nextInvoiceNumber(tenantId: string): Promise<number> {
    await this.db.query('insert into billing_settings (tenant_id) values ($1) on conflict (tenant_id) do nothing', [tenantId]);
    const row = await one<any>(
      this.db,
      `update billing_settings set last_invoice_number = greatest(coalesce(last_invoice_number + 1, invoice_number_start), invoice_number_start)
        where tenant_id = $1 returning last_invoice_number`,
      [tenantId],
    );
    return Number(row.last_invoice_number);
  }
}

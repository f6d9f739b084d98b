import { one, type Queryable } from './database.js';

export interface DeliveryLogEntry {
  id: string;
  recordId: string | null;
  eventType: string;
  sequence: number | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** The invoice the event is about (for people reading the log). */
  externalId: string | null;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** A tenant's webhook delivery log (newest first, keyset-paged) and replays. */
export class WebhookLogRepo {
  constructor(private readonly db: Queryable) {}

  async list(tenantId: string, filter: { status?: string }, page: { limit: number; before?: string }): Promise<DeliveryLogEntry[]> {
    const params: unknown[] = [tenantId];
    const where = ['d.tenant_id = $1'];
    if (filter.status) {
      params.push(filter.status);
      where.push(`d.status = $${params.length}`);
    }
    if (page.before) {
      params.push(page.before);
      where.push(`d.id < $${params.length}`);
    }
    params.push(page.limit);
    const rows = await this.db.query<any>(
      `select d.id, d.record_id, d.event_type, d.sequence, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at, r.external_id
         from webhook_deliveries d left join sync_records r on r.id = d.record_id
        where ${where.join(' and ')} order by d.id desc limit $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      eventType: r.event_type,
      sequence: r.sequence === null ? null : Number(r.sequence),
      status: r.status,
      attempts: Number(r.attempts),
      nextAttemptAt: r.next_attempt_at,
      lastStatus: r.last_status,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      externalId: r.external_id ?? null,
    }));
  }

  /**
   * Puts a delivery of the tenant back to pending, due now (one more try with
   * the same webhook-id, so a receiver that already has it deduplicates it).
   * Returns the try's number, or null when the tenant has no such delivery.
   */
  async replay(tenantId: string, id: string): Promise<{ attempt: number } | null> {
    const row = await one<{ attempts: number }>(
      this.db,
      `update webhook_deliveries set status = 'pending', next_attempt_at = now() where tenant_id = $1 and id = $2 returning attempts`,
      [tenantId, id],
    );
    return row ? { attempt: Number(row.attempts) + 1 } : null;
  }
}

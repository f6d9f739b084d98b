import { one, type Queryable } from './database.js';

export interface WebhookEndpoint {
  tenantId: string;
  url: string;
  /** Sealed signing secret (SecretBox). */
  secret: string;
}

export interface Delivery {
  id: string;
  tenantId: string;
  recordId: string | null;
  eventType: string;
  payload: Record<string, unknown>;
  /** The event's number among its record's events (1, 2, 3…); null for events of no record. */
  sequence: number | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

function toDelivery(row: any): Delivery {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    recordId: row.record_id,
    eventType: row.event_type,
    payload: row.payload,
    sequence: row.sequence === null || row.sequence === undefined ? null : Number(row.sequence),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export class WebhooksRepo {
  constructor(private readonly db: Queryable) {}

  async setEndpoint(tenantId: string, url: string, sealedSecret: string): Promise<void> {
    await this.db.query(
      `insert into webhook_endpoints (tenant_id, url, secret) values ($1, $2, $3)
       on conflict (tenant_id) do update set url = excluded.url, secret = excluded.secret, updated_at = now()`,
      [tenantId, url, sealedSecret],
    );
  }

  async endpoint(tenantId: string): Promise<WebhookEndpoint | null> {
    const row = await one<any>(this.db, 'select tenant_id, url, secret from webhook_endpoints where tenant_id = $1', [tenantId]);
    return row ? { tenantId: row.tenant_id, url: row.url, secret: row.secret } : null;
  }

  /**
   * The next number of a record's status events (1 for its first). Call it in
   * the transaction of the status change: the counter row stays locked until
   * that commits, so numbers follow commit order, and a change that rolls back
   * takes none.
   */
  async nextSequence(recordId: string): Promise<number> {
    const row = await one<{ last_sequence: number }>(
      this.db,
      `insert into record_event_sequences (record_id, last_sequence) values ($1, 1)
       on conflict (record_id) do update set last_sequence = record_event_sequences.last_sequence + 1
       returning last_sequence`,
      [recordId],
    );
    return Number(row!.last_sequence);
  }

  /** The outbox: written in the same transaction as the status change it reports. */
  async addDelivery(d: { id: string; tenantId: string; recordId: string | null; eventType: string; payload: unknown; sequence?: number | null }): Promise<void> {
    await this.db.query(
      'insert into webhook_deliveries (id, tenant_id, record_id, event_type, payload, sequence) values ($1, $2, $3, $4, $5, $6)',
      [d.id, d.tenantId, d.recordId, d.eventType, JSON.stringify(d.payload), d.sequence ?? null],
    );
  }

  async delivery(id: string): Promise<Delivery | null> {
    const row = await one<any>(this.db, 'select * from webhook_deliveries where id = $1', [id]);
    return row ? toDelivery(row) : null;
  }

  async deliveriesFor(recordId: string): Promise<Delivery[]> {
    const rows = await this.db.query<any>('select * from webhook_deliveries where record_id = $1 order by sequence nulls first, created_at, id', [recordId]);
    return rows.map(toDelivery);
  }

  async recordAttempt(
    id: string,
    result: { url: string; status: number | null; error: string | null; durationMs: number; delivered: boolean; nextAttemptAt: Date | null; giveUp: boolean },
  ): Promise<Delivery> {
    await this.db.query('insert into webhook_delivery_attempts (delivery_id, url, status, error, duration_ms) values ($1, $2, $3, $4, $5)', [
      id,
      result.url,
      result.status,
      result.error,
      result.durationMs,
    ]);
    const status = result.delivered ? 'delivered' : result.giveUp ? 'failed' : 'pending';
    const row = await one<any>(
      this.db,
      `update webhook_deliveries
          set attempts = attempts + 1, status = $2, last_status = $3, last_error = $4,
              next_attempt_at = coalesce($5, next_attempt_at),
              delivered_at = case when $2 = 'delivered' then now() else delivered_at end
        where id = $1 returning *`,
      [id, status, result.status, result.error, result.nextAttemptAt],
    );
    return toDelivery(row);
  }

  async attempts(deliveryId: string): Promise<Array<{ at: Date; url: string; status: number | null; error: string | null; durationMs: number }>> {
    const rows = await this.db.query<any>('select * from webhook_delivery_attempts where delivery_id = $1 order by id', [deliveryId]);
    return rows.map((r) => ({ at: r.at, url: r.url, status: r.status, error: r.error, durationMs: Number(r.duration_ms) }));
  }

  /** Pending deliveries that are due (the sweep re-enqueues them after a Redis loss). */
  async due(limit: number): Promise<Delivery[]> {
    const rows = await this.db.query<any>(
      `select * from webhook_deliveries where status = 'pending' and next_attempt_at <= now() + interval '5 seconds' order by next_attempt_at limit $1`,
      [limit],
    );
    return rows.map(toDelivery);
  }
}

import type { Queryable } from './database.js';
import { toRecord, type SyncRecord } from './records-repo.js';

/** Statuses whose invoice may still be sent or paid: the poller reads these. */
const OPEN_SQL = `('synced', 'sent', 'partially_paid')`;
const DUE_SQL = `r.status in ${OPEN_SQL} and r.type = 'invoice' and r.provider_invoice_id is not null
  and coalesce(r.next_status_check_at, r.synced_at, r.updated_at) <= now()`;

/**
 * The status poller's schedule on sync records (migration 010): which synced
 * invoices are due for a read, taken so that two pollers never read the same
 * one, and when each is read next.
 */
export class StatusChecksRepo {
  constructor(private readonly db: Queryable) {}

  /** Connections with invoices due for a status read, oldest due first. */
  async dueConnections(limit: number): Promise<Array<{ tenantId: string; provider: string }>> {
    const rows = await this.db.query<any>(
      `select r.tenant_id, r.provider from sync_records r where ${DUE_SQL}
        group by r.tenant_id, r.provider order by min(coalesce(r.next_status_check_at, r.synced_at, r.updated_at)) limit $1`,
      [limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, provider: r.provider }));
  }

  /**
   * Takes up to `limit` due invoices of a connection: each is not due again
   * for `holdMs` (so another poller skips it, and a poller that dies only
   * delays it). Invoices whose chain a sync worker holds are left alone.
   */
  async take(tenantId: string, provider: string, limit: number, holdMs: number): Promise<SyncRecord[]> {
    const rows = await this.db.query<any>(
      `update sync_records s set next_status_check_at = now() + ($4::text || ' milliseconds')::interval
         from (select r.id from sync_records r
                where r.tenant_id = $1 and r.provider = $2 and ${DUE_SQL}
                  and not exists (select 1 from sync_records o where o.tenant_id = r.tenant_id and o.external_id = r.external_id and o.lease_until > now())
                order by coalesce(r.next_status_check_at, r.synced_at, r.updated_at)
                limit $3
                for update skip locked) due
        where s.id = due.id
        returning s.*`,
      [tenantId, provider, limit, holdMs],
    );
    return rows.map(toRecord);
  }

  /** Whether the connection has syncs due now (new invoices come first). */
  async syncsWaiting(tenantId: string, provider: string): Promise<boolean> {
    const rows = await this.db.query(
      `select 1 from sync_records where tenant_id = $1 and provider = $2 and status in ('queued', 'retrying', 'in_doubt', 'syncing')
          and (next_attempt_at is null or next_attempt_at <= now()) limit 1`,
      [tenantId, provider],
    );
    return rows.length > 0;
  }

  /** A read done (or failed): when the next one is due, and what went wrong if it failed. */
  async schedule(id: string, nextAt: Date | null, error: unknown | null): Promise<void> {
    await this.db.query(
      `update sync_records set next_status_check_at = $2, status_checked_at = now(), status_checks = status_checks + 1, status_check_error = $3 where id = $1`,
      [id, nextAt, error === null ? null : JSON.stringify(error)],
    );
  }

  /** Puts a taken invoice back, due at `at` (the connection's budget had no room for it). */
  async putBack(id: string, at: Date): Promise<void> {
    await this.db.query('update sync_records set next_status_check_at = $2 where id = $1', [id, at]);
  }

  /** How many failed reads in a row (for backoff): the error is kept until a read succeeds. */
  async failuresInRow(id: string): Promise<number> {
    const rows = await this.db.query<any>(`select coalesce((status_check_error->>'inRow')::int, 0) as n from sync_records where id = $1`, [id]);
    return Number(rows[0]?.n ?? 0);
  }
}

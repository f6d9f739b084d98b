import { one, type Queryable } from '../../store/database.js';
import type { Approval } from '../domain/readiness.js';

/** Timesheet locks (per person: locked until a day, or not) and approvals (per person: a range of days), from the host. */
export class TimesheetsRepo {
  constructor(private readonly db: Queryable) {}

  async setLock(tenantId: string, userId: string, lockedUntil: string | null): Promise<{ userId: string; lockedUntil: string | null }> {
    const row = await one<any>(
      this.db,
      `insert into billing_locks (tenant_id, user_id, locked_until) values ($1, $2, $3)
       on conflict (tenant_id, user_id) do update set locked_until = excluded.locked_until, updated_at = now() returning *`,
      [tenantId, userId, lockedUntil],
    );
    return { userId: row.user_id, lockedUntil: row.locked_until };
  }

  async locks(tenantId: string): Promise<Map<string, string | null>> {
    const rows = await this.db.query<any>('select user_id, locked_until from billing_locks where tenant_id = $1', [tenantId]);
    return new Map(rows.map((r) => [r.user_id, r.locked_until]));
  }

  async approve(tenantId: string, a: { id: string; userId: string; from: string; to: string; by: string }): Promise<{ created: boolean; approval: Approval & { id: string } }> {
    const row = await one<any>(
      this.db,
      `insert into billing_approvals (id, tenant_id, user_id, from_day, to_day, approved_by) values ($1, $2, $3, $4, $5, $6)
       on conflict (tenant_id, user_id, from_day, to_day) do nothing returning *`,
      [a.id, tenantId, a.userId, a.from, a.to, a.by],
    );
    const stored =
      row ?? (await one<any>(this.db, 'select * from billing_approvals where tenant_id = $1 and user_id = $2 and from_day = $3 and to_day = $4', [tenantId, a.userId, a.from, a.to]));
    return { created: Boolean(row), approval: { id: stored.id, userId: stored.user_id, from: stored.from_day, to: stored.to_day } };
  }

  async approvals(tenantId: string, window?: { from: string; to: string }): Promise<Approval[]> {
    const rows = await this.db.query<any>(
      `select user_id, from_day, to_day from billing_approvals where tenant_id = $1 ${window ? 'and to_day >= $2 and from_day <= $3' : ''} order by user_id, from_day`,
      window ? [tenantId, window.from, window.to] : [tenantId],
    );
    return rows.map((r) => ({ userId: r.user_id, from: r.from_day, to: r.to_day }));
  }
}

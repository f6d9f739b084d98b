import type { Queryable } from './database.js';

/** Who changed what: connections, keys, webhooks, mappings, links, resyncs. Never secrets. */
export class AuditRepo {
  constructor(private readonly db: Queryable) {}

  async record(entry: { tenantId: string | null; actor: string; action: string; target?: string; details?: unknown }): Promise<void> {
    await this.db.query('insert into audit_log (tenant_id, actor, action, target, details) values ($1, $2, $3, $4, $5)', [
      entry.tenantId,
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.details === undefined ? null : JSON.stringify(entry.details),
    ]);
  }

  async list(tenantId: string, limit = 100): Promise<Array<{ actor: string; action: string; target: string | null; details: unknown; at: Date }>> {
    const rows = await this.db.query<any>('select actor, action, target, details, at from audit_log where tenant_id = $1 order by id desc limit $2', [
      tenantId,
      limit,
    ]);
    return rows.map((r) => ({ actor: r.actor, action: r.action, target: r.target, details: r.details, at: r.at }));
  }
}

import { one, type Queryable } from '../../store/database.js';
import type { BillingOperation, OperationStatus } from '../domain/types.js';

function toOperation(row: any): BillingOperation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    status: row.status,
    params: row.params ?? {},
    counts: row.counts ?? {},
    problems: row.problems ?? [],
    error: row.error ?? null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Compile / generate operations: the row is written before the job is queued, so a lost job is swept up again. */
export class OperationsRepo {
  constructor(private readonly db: Queryable) {}

  async insert(tenantId: string, op: { id: string; kind: string; params: Record<string, unknown> }): Promise<BillingOperation> {
    const row = await one<any>(this.db, 'insert into billing_operations (id, tenant_id, kind, params) values ($1, $2, $3, $4) returning *', [
      op.id,
      tenantId,
      op.kind,
      JSON.stringify(op.params),
    ]);
    return toOperation(row);
  }

  async get(tenantId: string, id: string): Promise<BillingOperation | null> {
    const row = await one<any>(this.db, 'select * from billing_operations where tenant_id = $1 and id = $2', [tenantId, id]);
    return row ? toOperation(row) : null;
  }

  async getById(id: string): Promise<BillingOperation | null> {
    const row = await one<any>(this.db, 'select * from billing_operations where id = $1', [id]);
    return row ? toOperation(row) : null;
  }

  /** queued → running, by one worker only; a run that died long ago may be taken over. */
  async start(id: string, staleBefore: Date): Promise<BillingOperation | null> {
    const row = await one<any>(
      this.db,
      `update billing_operations set status = 'running', started_at = now()
        where id = $1 and (status = 'queued' or (status = 'running' and started_at < $2)) returning *`,
      [id, staleBefore],
    );
    return row ? toOperation(row) : null;
  }

  async finish(id: string, status: OperationStatus, result: { counts: Record<string, number>; problems: unknown[]; error?: unknown }): Promise<void> {
    await this.db.query('update billing_operations set status = $2, counts = $3, problems = $4, error = $5, finished_at = now() where id = $1', [
      id,
      status,
      JSON.stringify(result.counts),
      JSON.stringify(result.problems),
      result.error ? JSON.stringify(result.error) : null,
    ]);
  }

  /** Operations still to run (queued, or running with no sign of life): the billing sweep re-queues them. */
  async unfinished(staleBefore: Date, limit: number): Promise<Array<{ id: string; tenantId: string }>> {
    const rows = await this.db.query<any>(
      `select id, tenant_id from billing_operations
        where status = 'queued' or (status = 'running' and started_at < $1) order by created_at limit $2`,
      [staleBefore, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }
}

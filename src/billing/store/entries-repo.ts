import { one, type Queryable } from '../../store/database.js';
import type { BillingEntry, EntryState } from '../domain/types.js';

export function toEntry(row: any): BillingEntry {
  const d = row.data;
  return {
    externalId: row.external_id,
    taskExternalId: row.task_external_id,
    userId: row.user_id,
    userName: d.userName ?? null,
    activity: d.activity ?? null,
    kind: row.kind,
    date: row.work_date,
    sentDate: d.date ?? row.work_date,
    hours: d.hours ?? null,
    km: d.km ?? null,
    transportMinutes: d.transportMinutes ?? null,
    quantity: d.quantity ?? null,
    unitPrice: d.unitPrice ?? null,
    description: d.description ?? null,
    stopped: row.stopped,
    state: row.state,
  };
}

export interface EntryWrite {
  externalId: string;
  taskExternalId: string;
  userId: string;
  kind: string;
  date: string;
  stopped: boolean;
  data: Record<string, unknown>;
  bodyHash: string;
}

/**
 * Work entries. Compiling one is a state change from 'open' made by exactly one
 * transaction (row lock + conditional update), so no entry is compiled twice.
 */
export class EntriesRepo {
  constructor(private readonly db: Queryable) {}

  /** The stored entries with these ids, locked until the transaction ends. */
  async lockMany(tenantId: string, externalIds: string[]): Promise<Array<BillingEntry & { bodyHash: string }>> {
    const rows = await this.db.query<any>(
      'select * from billing_entries where tenant_id = $1 and external_id = any($2) order by external_id for update',
      [tenantId, externalIds],
    );
    return rows.map((r) => ({ ...toEntry(r), bodyHash: r.body_hash }));
  }

  async insert(tenantId: string, e: EntryWrite): Promise<void> {
    await this.db.query(
      `insert into billing_entries (tenant_id, external_id, task_external_id, user_id, kind, work_date, stopped, data, body_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [tenantId, e.externalId, e.taskExternalId, e.userId, e.kind, e.date, e.stopped, JSON.stringify(e.data), e.bodyHash],
    );
  }

  async update(tenantId: string, e: EntryWrite, state: EntryState): Promise<void> {
    await this.db.query(
      `update billing_entries set task_external_id = $3, user_id = $4, kind = $5, work_date = $6, stopped = $7, data = $8, body_hash = $9,
              state = $10, updated_at = now()
        where tenant_id = $1 and external_id = $2`,
      [tenantId, e.externalId, e.taskExternalId, e.userId, e.kind, e.date, e.stopped, JSON.stringify(e.data), e.bodyHash, state],
    );
  }

  async get(tenantId: string, externalId: string): Promise<BillingEntry | null> {
    const row = await one<any>(this.db, 'select * from billing_entries where tenant_id = $1 and external_id = $2', [tenantId, externalId]);
    return row ? toEntry(row) : null;
  }

  /**
   * Takes up to `limit` open, stopped entries of billable tasks whose client is
   * a contact and whose project bills them now (closed_tasks: the task is
   * closed), locking them; rows another transaction holds are skipped, so two
   * compiles at once share the work instead of doing it twice.
   */
  async claimCompilable(
    tenantId: string,
    filter: { taskExternalIds?: string[]; projectExternalIds?: string[]; from?: string; to?: string; scheduled?: boolean; ignoreBillOn?: boolean },
    limit: number,
  ): Promise<BillingEntry[]> {
    const params: unknown[] = [tenantId];
    const where = [
      'e.tenant_id = $1',
      "e.state = 'open'",
      'e.stopped',
      't.billable',
      "coalesce(t.data->'context'->>'contactId', '') <> ''",
    ];
    if (!filter.ignoreBillOn) where.push(`(${billOnSql('p')} = 'stopped_entries' or t.status = 'closed')`);
    if (filter.taskExternalIds) {
      params.push(filter.taskExternalIds);
      where.push(`e.task_external_id = any($${params.length})`);
    }
    if (filter.projectExternalIds) {
      params.push(filter.projectExternalIds);
      where.push(`t.project_external_id = any($${params.length})`);
    }
    if (filter.from) {
      params.push(filter.from);
      where.push(`e.work_date >= $${params.length}`);
    }
    if (filter.to) {
      params.push(filter.to);
      where.push(`e.work_date <= $${params.length}`);
    }
    params.push(limit);
    const rows = await this.db.query<any>(
      `select e.* from billing_entries e
         join billing_tasks t on t.tenant_id = e.tenant_id and t.external_id = e.task_external_id
         join billing_projects p on p.tenant_id = t.tenant_id and p.external_id = t.project_external_id
        where ${where.join(' and ')}
        order by e.work_date, e.external_id
        limit $${params.length}
        for update of e skip locked`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Moves entries from one state to another; returns those that were in `from` (the ones this transaction owns). */
  async setState(tenantId: string, externalIds: string[], from: EntryState[], to: EntryState): Promise<string[]> {
    if (!externalIds.length) return [];
    const rows = await this.db.query<{ external_id: string }>(
      `update billing_entries set state = $4, updated_at = now()
        where tenant_id = $1 and external_id = any($2) and state = any($3) returning external_id`,
      [tenantId, externalIds, from, to],
    );
    return rows.map((r) => r.external_id);
  }

  /**
   * Tasks with open stopped work that compile cannot take because the task has no
   * client contact (the operation's problems name them).
   */
  async tasksWithoutContact(tenantId: string): Promise<Array<{ taskExternalId: string; title: string; entries: number }>> {
    const rows = await this.db.query<any>(
      `select t.external_id, t.data->>'title' as title, count(*)::int as entries
         from billing_entries e
         join billing_tasks t on t.tenant_id = e.tenant_id and t.external_id = e.task_external_id
        where e.tenant_id = $1 and e.state = 'open' and e.stopped and t.billable
          and coalesce(t.data->'context'->>'contactId', '') = ''
        group by t.external_id, t.data->>'title' order by t.external_id`,
      [tenantId],
    );
    return rows.map((r) => ({ taskExternalId: r.external_id, title: r.title, entries: Number(r.entries) }));
  }

  /** Open, stopped entries of billable tasks with a contact (what candidates and the cycle look at). */
  async openWork(tenantId: string, filter: { projectExternalIds?: string[]; from?: string; to?: string }): Promise<BillingEntry[]> {
    const params: unknown[] = [tenantId];
    const where = ['e.tenant_id = $1', "e.state = 'open'", 'e.stopped', 't.billable', "coalesce(t.data->'context'->>'contactId', '') <> ''"];
    if (filter.projectExternalIds) {
      params.push(filter.projectExternalIds);
      where.push(`t.project_external_id = any($${params.length})`);
    }
    if (filter.from) {
      params.push(filter.from);
      where.push(`e.work_date >= $${params.length}`);
    }
    if (filter.to) {
      params.push(filter.to);
      where.push(`e.work_date <= $${params.length}`);
    }
    const rows = await this.db.query<any>(
      `select e.* from billing_entries e join billing_tasks t on t.tenant_id = e.tenant_id and t.external_id = e.task_external_id
        where ${where.join(' and ')} order by e.work_date, e.external_id`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Every entry of the given tasks in a date range, whatever its state (readiness looks at all booked time). */
  async ofProjects(tenantId: string, projectExternalIds: string[], from: string, to: string): Promise<Array<BillingEntry & { projectExternalId: string }>> {
    const rows = await this.db.query<any>(
      `select e.*, t.project_external_id from billing_entries e join billing_tasks t on t.tenant_id = e.tenant_id and t.external_id = e.task_external_id
        where e.tenant_id = $1 and t.project_external_id = any($2) and e.work_date >= $3 and e.work_date <= $4
        order by e.work_date, e.external_id`,
      [tenantId, projectExternalIds, from, to],
    );
    return rows.map((r) => ({ ...toEntry(r), projectExternalId: r.project_external_id }));
  }
}

/** The project's effective billOn in SQL (the default follows its kind). */
export function billOnSql(alias: string): string {
  return `coalesce(${alias}.data->>'billOn', case when ${alias}.data->>'kind' = 'one_time' then 'stopped_entries' else 'closed_tasks' end)`;
}

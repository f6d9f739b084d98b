import type { Queryable } from '../../store/database.js';
import type { BillableItem, FrozenItem, ItemPart, ItemStatus } from '../domain/types.js';

function toItem(row: any): BillableItem {
  const d = row.entry_data ?? {};
  return {
    id: row.id,
    entryExternalId: row.entry_external_id,
    part: row.part,
    taskExternalId: row.task_external_id,
    projectExternalId: row.project_external_id,
    lineKind: row.line_kind,
    quantity: row.quantity,
    date: row.work_date,
    userId: row.user_id,
    status: row.status,
    draftId: row.draft_id,
    invoiceId: row.invoice_id,
    frozen: row.frozen ?? null,
    userName: d.userName ?? null,
    activity: d.activity ?? null,
    description: d.description ?? null,
    // A mileage entry's own price is per km: it prices the distance, not the travel time.
    entryUnitPrice: row.part === 'time' ? null : (d.unitPrice ?? null),
  };
}

const SELECT = `select i.*, e.data as entry_data from billing_items i
  left join billing_entries e on e.tenant_id = i.tenant_id and e.external_id = i.entry_external_id`;

export interface NewItem {
  id: string;
  entryExternalId: string;
  part: ItemPart;
  taskExternalId: string;
  projectExternalId: string;
  lineKind: string;
  quantity: string;
  date: string;
  userId: string;
  draftId: string | null;
  status: ItemStatus;
}

/** Billable items: at most one per (entry, part), which is what keeps an entry from being billed twice. */
export class ItemsRepo {
  constructor(private readonly db: Queryable) {}

  /** Inserts the items; one that already exists for its (entry, part) is left alone and not returned. */
  async insertMany(tenantId: string, items: NewItem[]): Promise<string[]> {
    const inserted: string[] = [];
    for (const it of items) {
      const rows = await this.db.query<{ id: string }>(
        `insert into billing_items (id, tenant_id, entry_external_id, part, task_external_id, project_external_id, line_kind, quantity, work_date, user_id, draft_id, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (tenant_id, entry_external_id, part) do nothing returning id`,
        [it.id, tenantId, it.entryExternalId, it.part, it.taskExternalId, it.projectExternalId, it.lineKind, it.quantity, it.date, it.userId, it.draftId, it.status],
      );
      if (rows[0]) inserted.push(rows[0].id);
    }
    return inserted;
  }

  async ofDraft(draftId: string): Promise<BillableItem[]> {
    const rows = await this.db.query<any>(`${SELECT} where i.draft_id = $1 order by i.created_at, i.work_date, i.entry_external_id, i.part`, [draftId]);
    return rows.map(toItem);
  }

  async ofEntries(tenantId: string, entryExternalIds: string[]): Promise<BillableItem[]> {
    const rows = await this.db.query<any>(`${SELECT} where i.tenant_id = $1 and i.entry_external_id = any($2) order by i.entry_external_id, i.part`, [
      tenantId,
      entryExternalIds,
    ]);
    return rows.map(toItem);
  }

  async list(
    tenantId: string,
    filter: { status?: ItemStatus; projectExternalIds?: string[]; taskExternalIds?: string[]; unattached?: boolean; from?: string; to?: string; draftId?: string },
    limit = 10_000,
  ): Promise<BillableItem[]> {
    const where = ['i.tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('i.status = ?', filter.status);
    if (filter.projectExternalIds) add('i.project_external_id = any(?)', filter.projectExternalIds);
    if (filter.taskExternalIds) add('i.task_external_id = any(?)', filter.taskExternalIds);
    if (filter.from) add('i.work_date >= ?', filter.from);
    if (filter.to) add('i.work_date <= ?', filter.to);
    if (filter.draftId) add('i.draft_id = ?', filter.draftId);
    if (filter.unattached) where.push('i.draft_id is null');
    params.push(limit);
    const rows = await this.db.query<any>(
      `${SELECT} where ${where.join(' and ')} order by i.project_external_id, i.task_external_id, i.work_date, i.entry_external_id, i.part limit $${params.length}`,
      params,
    );
    return rows.map(toItem);
  }

  /** Puts pending items that are on no draft onto one; returns the ids it moved (locked rows are left to their owner). */
  async attach(tenantId: string, itemIds: string[], draftId: string): Promise<string[]> {
    if (!itemIds.length) return [];
    const rows = await this.db.query<{ id: string }>(
      `update billing_items set draft_id = $3, updated_at = now()
        where tenant_id = $1 and id = any($2) and draft_id is null and status = 'pending' returning id`,
      [tenantId, itemIds, draftId],
    );
    return rows.map((r) => r.id);
  }

  /** Pending items on no draft, of these tasks, locked. */
  async lockUnattached(tenantId: string, filter: { taskExternalIds?: string[]; projectExternalIds?: string[]; from?: string; to?: string }): Promise<BillableItem[]> {
    const where = ["i.tenant_id = $1", "i.status = 'pending'", 'i.draft_id is null'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.taskExternalIds) add('i.task_external_id = any(?)', filter.taskExternalIds);
    if (filter.projectExternalIds) add('i.project_external_id = any(?)', filter.projectExternalIds);
    if (filter.from) add('i.work_date >= ?', filter.from);
    if (filter.to) add('i.work_date <= ?', filter.to);
    const rows = await this.db.query<any>(`select i.* from billing_items i where ${where.join(' and ')} order by i.id for update of i skip locked`, params);
    return rows.map(toItem);
  }

  async setStatus(draftId: string, filter: { taskExternalIds?: string[]; itemIds?: string[] }, status: ItemStatus): Promise<void> {
    const where = ['draft_id = $1'];
    const params: unknown[] = [draftId, status];
    if (filter.taskExternalIds) {
      params.push(filter.taskExternalIds);
      where.push(`task_external_id = any($${params.length})`);
    }
    if (filter.itemIds) {
      params.push(filter.itemIds);
      where.push(`id = any($${params.length})`);
    }
    await this.db.query(`update billing_items set status = $2, updated_at = now() where ${where.join(' and ')}`, params);
  }

  /** At release: what each item was billed as, its final status and its invoice. */
  async settle(itemId: string, status: ItemStatus, invoiceId: string, frozen: FrozenItem | null): Promise<void> {
    await this.db.query('update billing_items set status = $2, invoice_id = $3, frozen = $4, updated_at = now() where id = $1', [
      itemId,
      status,
      invoiceId,
      frozen ? JSON.stringify(frozen) : null,
    ]);
  }

  async deleteOfEntries(tenantId: string, entryExternalIds: string[]): Promise<Array<{ id: string; draftId: string | null }>> {
    if (!entryExternalIds.length) return [];
    const rows = await this.db.query<any>(
      `delete from billing_items where tenant_id = $1 and entry_external_id = any($2) and status <> 'invoiced' returning id, draft_id`,
      [tenantId, entryExternalIds],
    );
    return rows.map((r) => ({ id: r.id, draftId: r.draft_id }));
  }

  async countByDraft(draftId: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>('select count(*)::int as n from billing_items where draft_id = $1', [draftId]);
    return Number(rows[0]?.n ?? 0);
  }
}

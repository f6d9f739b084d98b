import { one, type Queryable } from '../../store/database.js';
import type { AddedLine, Draft, DraftFields, DraftSource, TaskOverride } from '../domain/types.js';

export function toDraft(row: any): Draft {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    source: row.source,
    type: row.type,
    status: row.status,
    projectExternalId: row.project_external_id,
    customerExternalId: row.customer_external_id,
    groupBy: row.group_by,
    groupKey: row.group_key,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    creditedExternalId: row.credited_external_id,
    fields: row.fields ?? {},
    taskOverrides: row.task_overrides ?? {},
    addedLines: row.added_lines ?? [],
    invoiceId: row.invoice_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    releasedAt: row.released_at,
  };
}

export interface NewDraft {
  id: string;
  source: DraftSource;
  type: 'invoice' | 'credit_note';
  projectExternalId: string | null;
  customerExternalId: string;
  groupBy?: 'project' | 'customer' | null;
  groupKey?: string | null;
  periodFrom?: string | null;
  periodTo?: string | null;
  creditedExternalId?: string | null;
  fields?: DraftFields;
  addedLines?: AddedLine[];
}

/** Drafts: a project has at most one open work draft (a unique index makes that race-free). */
export class DraftsRepo {
  constructor(private readonly db: Queryable) {}

  async insert(tenantId: string, d: NewDraft): Promise<Draft> {
    const row = await one<any>(
      this.db,
      `insert into billing_drafts (id, tenant_id, source, type, project_external_id, customer_external_id, group_by, group_key, period_from, period_to,
                                   credited_external_id, fields, added_lines)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning *`,
      [
        d.id,
        tenantId,
        d.source,
        d.type,
        d.projectExternalId,
        d.customerExternalId,
        d.groupBy ?? null,
        d.groupKey ?? null,
        d.periodFrom ?? null,
        d.periodTo ?? null,
        d.creditedExternalId ?? null,
        JSON.stringify(d.fields ?? {}),
        JSON.stringify(d.addedLines ?? []),
      ],
    );
    return toDraft(row);
  }

  /**
   * The project's open work draft, locked, created when there is none (concurrent
   * callers get the same one). The lock waits for a release in progress: once it
   * commits, that draft is no longer open and a new one is made, so work never
   * joins a released draft.
   */
  async openProjectDraft(tenantId: string, projectExternalId: string, customerExternalId: string, newId: () => string): Promise<Draft> {
    for (let i = 0; i < 5; i++) {
      await this.db.query(
        `insert into billing_drafts (id, tenant_id, source, project_external_id, customer_external_id)
         values ($1, $2, 'project', $3, $4)
         on conflict (tenant_id, project_external_id) where status = 'open' and source = 'project' do nothing`,
        [newId(), tenantId, projectExternalId, customerExternalId],
      );
      const row = await one<any>(
        this.db,
        `select * from billing_drafts where tenant_id = $1 and project_external_id = $2 and status = 'open' and source = 'project' for update`,
        [tenantId, projectExternalId],
      );
      if (row) return toDraft(row);
    }
    throw new Error(`could not open a draft for project ${projectExternalId}`);
  }

  /** Locks open drafts (in id order, the order every writer takes them in). */
  async lockMany(tenantId: string, ids: string[]): Promise<Draft[]> {
    if (!ids.length) return [];
    const rows = await this.db.query<any>('select * from billing_drafts where tenant_id = $1 and id = any($2) order by id for update', [tenantId, ids]);
    return rows.map(toDraft);
  }

  async get(tenantId: string, id: string): Promise<Draft | null> {
    const row = await one<any>(this.db, 'select * from billing_drafts where tenant_id = $1 and id = $2', [tenantId, id]);
    return row ? toDraft(row) : null;
  }

  async getForUpdate(tenantId: string, id: string): Promise<Draft | null> {
    const row = await one<any>(this.db, 'select * from billing_drafts where tenant_id = $1 and id = $2 for update', [tenantId, id]);
    return row ? toDraft(row) : null;
  }

  async list(tenantId: string, filter: { projectExternalId?: string; status?: string; source?: string }, limit: number): Promise<Draft[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (filter.projectExternalId) {
      params.push(filter.projectExternalId);
      where.push(`(project_external_id = $${params.length} or id in (select draft_id from billing_items where tenant_id = $1 and project_external_id = $${params.length}))`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.source) {
      params.push(filter.source);
      where.push(`source = $${params.length}`);
    }
    params.push(limit);
    const rows = await this.db.query<any>(`select * from billing_drafts where ${where.join(' and ')} order by id desc limit $${params.length}`, params);
    return rows.map(toDraft);
  }

  async update(id: string, patch: { fields?: DraftFields; taskOverrides?: Record<string, TaskOverride>; addedLines?: AddedLine[] }): Promise<Draft> {
    const row = await one<any>(
      this.db,
      `update billing_drafts set fields = coalesce($2, fields), task_overrides = coalesce($3, task_overrides), added_lines = coalesce($4, added_lines),
              updated_at = now() where id = $1 returning *`,
      [
        id,
        patch.fields ? JSON.stringify(patch.fields) : null,
        patch.taskOverrides ? JSON.stringify(patch.taskOverrides) : null,
        patch.addedLines ? JSON.stringify(patch.addedLines) : null,
      ],
    );
    return toDraft(row);
  }

  async setCustomer(id: string, customerExternalId: string): Promise<void> {
    await this.db.query('update billing_drafts set customer_external_id = $2, updated_at = now() where id = $1', [id, customerExternalId]);
  }

  async touch(id: string): Promise<void> {
    await this.db.query('update billing_drafts set updated_at = now() where id = $1', [id]);
  }

  async markReleased(id: string, invoiceId: string): Promise<void> {
    await this.db.query(`update billing_drafts set status = 'released', invoice_id = $2, released_at = now(), updated_at = now() where id = $1`, [id, invoiceId]);
  }

  /** An open draft that holds nothing any more (its work moved or was withdrawn) is removed. */
  async deleteIfEmpty(id: string): Promise<boolean> {
    const rows = await this.db.query(
      `delete from billing_drafts d where d.id = $1 and d.status = 'open' and d.source <> 'freeform' and d.added_lines = '[]'::jsonb
         and not exists (select 1 from billing_items i where i.draft_id = d.id) returning id`,
      [id],
    );
    return rows.length > 0;
  }
}

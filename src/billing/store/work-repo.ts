import { one, type Queryable } from '../../store/database.js';
import type { BillingCustomer, BillingProject, BillingTask } from '../domain/types.js';

export function toCustomer(row: any): BillingCustomer {
  return { ...row.data, externalId: row.external_id };
}

export function toProject(row: any): BillingProject {
  const d = row.data;
  const kind = d.kind ?? 'ongoing';
  return {
    externalId: row.external_id,
    name: d.name,
    customerExternalId: row.customer_external_id,
    kind,
    managerName: d.managerName ?? null,
    hourlyRate: d.hourlyRate ?? null,
    provider: d.provider ?? null,
    billOn: d.billOn ?? (kind === 'one_time' ? 'stopped_entries' : 'closed_tasks'),
    schedule: d.schedule ?? null,
    rounding: d.rounding ?? null,
    email: d.email ?? null,
  };
}

export function toTask(row: any): BillingTask {
  const d = row.data;
  return {
    externalId: row.external_id,
    projectExternalId: row.project_external_id,
    title: d.title,
    status: row.status,
    billable: row.billable,
    estimateHours: d.estimateHours ?? null,
    unitPrice: d.unitPrice ?? null,
    unit: d.unit ?? null,
    product: d.product ?? null,
    context: d.context ?? {},
    closedAt: row.closed_at ?? null,
  };
}

/** The host's customers, projects and tasks: idempotent upserts by the host's ids, per tenant. */
export class WorkRepo {
  constructor(private readonly db: Queryable) {}

  async upsertCustomer(tenantId: string, externalId: string, data: Record<string, unknown>): Promise<{ customer: BillingCustomer; created: boolean }> {
    const row = await one<any>(
      this.db,
      `insert into billing_customers (tenant_id, external_id, data) values ($1, $2, $3)
       on conflict (tenant_id, external_id) do update set data = excluded.data, updated_at = now()
       returning *, (xmax = 0) as inserted`,
      [tenantId, externalId, JSON.stringify(data)],
    );
    return { customer: toCustomer(row), created: Boolean(row.inserted) };
  }

  async customer(tenantId: string, externalId: string): Promise<BillingCustomer | null> {
    const row = await one<any>(this.db, 'select * from billing_customers where tenant_id = $1 and external_id = $2', [tenantId, externalId]);
    return row ? toCustomer(row) : null;
  }

  async customers(tenantId: string, externalIds?: string[]): Promise<BillingCustomer[]> {
    const rows = await this.db.query<any>(
      `select * from billing_customers where tenant_id = $1 ${externalIds ? 'and external_id = any($2)' : ''} order by external_id`,
      externalIds ? [tenantId, externalIds] : [tenantId],
    );
    return rows.map(toCustomer);
  }

  async upsertProject(tenantId: string, externalId: string, customerExternalId: string, data: Record<string, unknown>): Promise<{ project: BillingProject; created: boolean }> {
    const row = await one<any>(
      this.db,
      `insert into billing_projects (tenant_id, external_id, customer_external_id, data) values ($1, $2, $3, $4)
       on conflict (tenant_id, external_id) do update
         set customer_external_id = excluded.customer_external_id, data = excluded.data, updated_at = now()
       returning *, (xmax = 0) as inserted`,
      [tenantId, externalId, customerExternalId, JSON.stringify(data)],
    );
    return { project: toProject(row), created: Boolean(row.inserted) };
  }

  async project(tenantId: string, externalId: string): Promise<BillingProject | null> {
    const row = await one<any>(this.db, 'select * from billing_projects where tenant_id = $1 and external_id = $2', [tenantId, externalId]);
    return row ? toProject(row) : null;
  }

  async projects(tenantId: string, filter: { externalIds?: string[]; customerExternalId?: string } = {}): Promise<BillingProject[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (filter.externalIds) {
      params.push(filter.externalIds);
      where.push(`external_id = any($${params.length})`);
    }
    if (filter.customerExternalId) {
      params.push(filter.customerExternalId);
      where.push(`customer_external_id = $${params.length}`);
    }
    const rows = await this.db.query<any>(`select * from billing_projects where ${where.join(' and ')} order by external_id`, params);
    return rows.map(toProject);
  }

  /** Inserts or updates a task; returns it with its status before the write (null when new). */
  async upsertTask(
    tenantId: string,
    externalId: string,
    task: { projectExternalId: string; status: string; billable: boolean; data: Record<string, unknown> },
  ): Promise<{ task: BillingTask; previous: BillingTask | null }> {
    const previousRow = await one<any>(this.db, 'select * from billing_tasks where tenant_id = $1 and external_id = $2 for update', [tenantId, externalId]);
    const row = await one<any>(
      this.db,
      `insert into billing_tasks (tenant_id, external_id, project_external_id, status, billable, data, closed_at)
       values ($1, $2, $3, $4, $5, $6, case when $4 = 'closed' then now() end)
       on conflict (tenant_id, external_id) do update
         set project_external_id = excluded.project_external_id, status = excluded.status, billable = excluded.billable,
             data = excluded.data, updated_at = now(),
             closed_at = case when excluded.status = 'closed' then coalesce(billing_tasks.closed_at, now()) end
       returning *`,
      [tenantId, externalId, task.projectExternalId, task.status, task.billable, JSON.stringify(task.data)],
    );
    return { task: toTask(row), previous: previousRow ? toTask(previousRow) : null };
  }

  async task(tenantId: string, externalId: string): Promise<BillingTask | null> {
    const row = await one<any>(this.db, 'select * from billing_tasks where tenant_id = $1 and external_id = $2', [tenantId, externalId]);
    return row ? toTask(row) : null;
  }

  async tasks(tenantId: string, filter: { externalIds?: string[]; projectExternalIds?: string[] } = {}): Promise<BillingTask[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (filter.externalIds) {
      params.push(filter.externalIds);
      where.push(`external_id = any($${params.length})`);
    }
    if (filter.projectExternalIds) {
      params.push(filter.projectExternalIds);
      where.push(`project_external_id = any($${params.length})`);
    }
    const rows = await this.db.query<any>(`select * from billing_tasks where ${where.join(' and ')} order by external_id`, params);
    return rows.map(toTask);
  }
}

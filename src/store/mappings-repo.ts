import { one, type Queryable } from './database.js';

export interface StoredMapping {
  id: string;
  scope: 'task' | 'contact' | 'membership' | 'team' | 'tenant';
  scopeId: string | null;
  lineKind: string;
  product: { code: string; name: string; unit: string; unitPrice?: string | null; vatRate?: string | null };
  providerProducts: Record<string, unknown> | null;
  autoCreated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

function toMapping(row: any): StoredMapping {
  return {
    id: row.id,
    scope: row.scope,
    scopeId: row.scope_id === '' ? null : row.scope_id,
    lineKind: row.line_kind,
    product: row.product,
    providerProducts: row.provider_products,
    autoCreated: row.auto_created,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Product mappings: one per (scope, scopeId, lineKind) and tenant. */
export class MappingsRepo {
  constructor(private readonly db: Queryable) {}

  /** Creates or replaces the mapping for its (scope, scopeId, lineKind); an admin's write clears autoCreated. */
  async upsert(tenantId: string, m: Omit<StoredMapping, 'createdAt' | 'updatedAt'>): Promise<{ mapping: StoredMapping; created: boolean }> {
    const row = await one<any>(
      this.db,
      `insert into product_mappings (id, tenant_id, scope, scope_id, line_kind, product, provider_products, auto_created)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (tenant_id, scope, scope_id, line_kind) do update
         set product = excluded.product, provider_products = excluded.provider_products,
             auto_created = excluded.auto_created, updated_at = now()
       returning *, (xmax = 0) as inserted`,
      [m.id, tenantId, m.scope, m.scopeId ?? '', m.lineKind, JSON.stringify(m.product), m.providerProducts ? JSON.stringify(m.providerProducts) : null, m.autoCreated],
    );
    return { mapping: toMapping(row), created: Boolean(row.inserted) };
  }

  /** Inserts only when absent (auto-created defaults: created once, never overwriting an admin's). */
  async insertIfAbsent(tenantId: string, m: Omit<StoredMapping, 'createdAt' | 'updatedAt'>): Promise<StoredMapping> {
    await this.db.query(
      `insert into product_mappings (id, tenant_id, scope, scope_id, line_kind, product, provider_products, auto_created)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (tenant_id, scope, scope_id, line_kind) do nothing`,
      [m.id, tenantId, m.scope, m.scopeId ?? '', m.lineKind, JSON.stringify(m.product), m.providerProducts ? JSON.stringify(m.providerProducts) : null, m.autoCreated],
    );
    const row = await one<any>(
      this.db,
      'select * from product_mappings where tenant_id = $1 and scope = $2 and scope_id = $3 and line_kind = $4',
      [tenantId, m.scope, m.scopeId ?? '', m.lineKind],
    );
    return toMapping(row);
  }

  async list(tenantId: string, filter: { scope?: string; scopeId?: string; lineKind?: string } = {}): Promise<StoredMapping[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (filter.scope) {
      params.push(filter.scope);
      where.push(`scope = $${params.length}`);
    }
    if (filter.scopeId !== undefined) {
      params.push(filter.scopeId);
      where.push(`scope_id = $${params.length}`);
    }
    if (filter.lineKind) {
      params.push(filter.lineKind);
      where.push(`line_kind = $${params.length}`);
    }
    const rows = await this.db.query<any>(
      `select * from product_mappings where ${where.join(' and ')} order by scope, scope_id, line_kind`,
      params,
    );
    return rows.map(toMapping);
  }

  async get(tenantId: string, id: string): Promise<StoredMapping | null> {
    const row = await one<any>(this.db, 'select * from product_mappings where tenant_id = $1 and id = $2', [tenantId, id]);
    return row ? toMapping(row) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.query('delete from product_mappings where tenant_id = $1 and id = $2 returning id', [tenantId, id]);
    return rows.length > 0;
  }
}

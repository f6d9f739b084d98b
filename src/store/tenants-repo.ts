import { one, type Queryable } from './database.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export class TenantsRepo {
  constructor(private readonly db: Queryable) {}

  /** Returns null when the id is taken. */
  async create(id: string, name: string): Promise<Tenant | null> {
    const row = await one<any>(
      this.db,
      'insert into tenants (id, name) values ($1, $2) on conflict (id) do nothing returning id, name, created_at',
      [id, name],
    );
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  async get(id: string): Promise<Tenant | null> {
    const row = await one<any>(this.db, 'select id, name, created_at from tenants where id = $1', [id]);
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : null;
  }

  /** Next value of the tenant's reference-number sequence (atomic across processes). */
  async nextReferenceSeq(id: string): Promise<number> {
    const row = await one<{ reference_seq: string | number }>(
      this.db,
      'update tenants set reference_seq = reference_seq + 1 where id = $1 returning reference_seq',
      [id],
    );
    if (!row) throw new Error(`tenant ${id} not found`);
    return Number(row.reference_seq);
  }
}

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

  /** The tenant's configuration version (bumped by every change of keys, connections, mappings, webhook); null: no such tenant. */
  async configVersion(id: string): Promise<string | null> {
    const row = await one<{ config_version: string | number }>(this.db, 'select config_version from tenants where id = $1', [id]);
    return row ? String(row.config_version) : null;
  }

  /** Several tenants' configuration versions in one query. */
  async configVersions(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.db.query<{ id: string; config_version: string | number }>('select id, config_version from tenants where id = any($1)', [ids]);
    return new Map(rows.map((r) => [r.id, String(r.config_version)]));
  }

  /**
   * Reserves `count` values of the tenant's reference-number sequence at once
   * (atomic across processes); returns the last one reserved.
   */
  async reserveReferenceSeq(id: string, count: number): Promise<number> {
    const row = await one<{ reference_seq: string | number }>(
      this.db,
      'update tenants set reference_seq = reference_seq + $2 where id = $1 returning reference_seq',
      [id, count],
    );
    if (!row) throw new Error(`tenant ${id} not found`);
    return Number(row.reference_seq);
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

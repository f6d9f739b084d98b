import { one, type Queryable } from './database.js';

export const ROLES = ['host', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  id: string;
  tenantId: string;
  roles: Role[];
  label: string | null;
}

/** API keys are stored as SHA-256 hashes only; the key itself is shown once. */
export class ApiKeysRepo {
  constructor(private readonly db: Queryable) {}

  async insert(key: { id: string; tenantId: string; hash: string; roles: Role[]; label: string | null }): Promise<void> {
    await this.db.query('insert into api_keys (id, tenant_id, key_hash, roles, label) values ($1, $2, $3, $4, $5)', [
      key.id,
      key.tenantId,
      key.hash,
      key.roles,
      key.label,
    ]);
  }

  /** Revokes a key; false when the tenant has no such key (or it was revoked already). */
  async revoke(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.query('update api_keys set revoked_at = now() where tenant_id = $1 and id = $2 and revoked_at is null returning id', [tenantId, id]);
    return rows.length > 0;
  }

  async findByHash(hash: string): Promise<ApiKey | null> {
    const row = await one<any>(
      this.db,
      'select id, tenant_id, roles, label from api_keys where key_hash = $1 and revoked_at is null',
      [hash],
    );
    return row ? { id: row.id, tenantId: row.tenant_id, roles: row.roles, label: row.label } : null;
  }
}

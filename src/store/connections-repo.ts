import { one, type Queryable } from './database.js';

export interface ConnectionRow {
  id: string;
  tenantId: string;
  provider: string;
  /** Settings without secrets. */
  settings: Record<string, unknown>;
  /** Sealed secrets (SecretBox). */
  secrets: string;
  healthy: boolean;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: { code: string; message: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = 'id, tenant_id, provider, settings, secrets, healthy, last_success_at, last_error_at, last_error, created_at, updated_at';

function toConnection(row: any): ConnectionRow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    provider: row.provider,
    settings: row.settings,
    secrets: row.secrets,
    healthy: row.healthy,
    lastSuccessAt: row.last_success_at,
    lastErrorAt: row.last_error_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ConnectionsRepo {
  constructor(private readonly db: Queryable) {}

  /** Creates or replaces the tenant's connection to a provider (one per provider). Health starts fresh. */
  async upsert(c: { id: string; tenantId: string; provider: string; settings: Record<string, unknown>; secrets: string }): Promise<ConnectionRow> {
    const row = await one<any>(
      this.db,
      `insert into connections (id, tenant_id, provider, settings, secrets)
       values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, provider) do update
         set settings = excluded.settings, secrets = excluded.secrets, healthy = true,
             last_error = null, last_error_at = null, updated_at = now()
       returning ${columns}`,
      [c.id, c.tenantId, c.provider, JSON.stringify(c.settings), c.secrets],
    );
    return toConnection(row);
  }

  async get(tenantId: string, provider: string): Promise<ConnectionRow | null> {
    const row = await one<any>(this.db, `select ${columns} from connections where tenant_id = $1 and provider = $2`, [tenantId, provider]);
    return row ? toConnection(row) : null;
  }

  async list(tenantId: string): Promise<ConnectionRow[]> {
    const rows = await this.db.query<any>(`select ${columns} from connections where tenant_id = $1 order by provider`, [tenantId]);
    return rows.map(toConnection);
  }

  async markSuccess(id: string): Promise<void> {
    await this.db.query('update connections set healthy = true, last_success_at = now() where id = $1', [id]);
  }

  async markError(id: string, error: { code: string; message: string }, unhealthy: boolean): Promise<void> {
    await this.db.query(
      'update connections set healthy = case when $3 then false else healthy end, last_error_at = now(), last_error = $2 where id = $1',
      [id, JSON.stringify(error), unhealthy],
    );
  }
}

import { one, type Queryable } from './database.js';

export interface ConsoleSession {
  tokenHash: string;
  tenantId: string;
  keyId: string;
  keyHash: string;
  csrfToken: string;
  locale: string;
  createdAt: Date;
  expiresAt: Date;
}

function toSession(row: any): ConsoleSession {
  return {
    tokenHash: row.token_hash,
    tenantId: row.tenant_id,
    keyId: row.key_id,
    keyHash: row.key_hash,
    csrfToken: row.csrf_token,
    locale: row.locale,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** Console sign-ins (issue 13): stored by the hash of the cookie's token only. */
export class ConsoleSessionsRepo {
  constructor(private readonly db: Queryable) {}

  async insert(s: Omit<ConsoleSession, 'createdAt'>): Promise<void> {
    await this.db.query(
      'insert into console_sessions (token_hash, tenant_id, key_id, key_hash, csrf_token, locale, expires_at) values ($1, $2, $3, $4, $5, $6, $7)',
      [s.tokenHash, s.tenantId, s.keyId, s.keyHash, s.csrfToken, s.locale, s.expiresAt],
    );
  }

  /** A live session (an expired one is as good as none). */
  async find(tokenHash: string, now: Date): Promise<ConsoleSession | null> {
    const row = await one<any>(this.db, 'select * from console_sessions where token_hash = $1 and expires_at > $2', [tokenHash, now]);
    return row ? toSession(row) : null;
  }

  async setLocale(tokenHash: string, locale: string): Promise<void> {
    await this.db.query('update console_sessions set locale = $2 where token_hash = $1', [tokenHash, locale]);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.query('delete from console_sessions where token_hash = $1', [tokenHash]);
  }

  /** Drops expired sessions (at each sign-in, so the table does not grow without bound). */
  async deleteExpired(now: Date): Promise<void> {
    await this.db.query('delete from console_sessions where expires_at <= $1', [now]);
  }
}

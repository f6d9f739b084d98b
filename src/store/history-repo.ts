import type { Queryable } from './database.js';
import type { RecordError, SyncStatus } from './records-repo.js';

export interface HistoryEntry {
  status: SyncStatus;
  message: string | null;
  error: RecordError | null;
  at: Date;
}

/** Every status a record went through, in order. */
export class HistoryRepo {
  constructor(private readonly db: Queryable) {}

  async add(recordId: string, status: SyncStatus, message: string | null, error: RecordError | null): Promise<void> {
    await this.db.query('insert into status_history (record_id, status, message, error) values ($1, $2, $3, $4)', [
      recordId,
      status,
      message,
      error ? JSON.stringify(error) : null,
    ]);
  }

  async list(recordId: string): Promise<HistoryEntry[]> {
    const rows = await this.db.query<any>('select status, message, error, at from status_history where record_id = $1 order by id', [recordId]);
    return rows.map((r) => ({ status: r.status, message: r.message, error: r.error, at: r.at }));
  }
}

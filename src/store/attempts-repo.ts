import { one, type Queryable } from './database.js';
import type { Exchange } from '../domain/exchange.js';
import type { RecordError } from './records-repo.js';

export type AttemptOutcome = 'pending' | 'created' | 'adopted' | 'edited' | 'finalized' | 'retrying' | 'in_doubt' | 'failed' | 'superseded' | 'cancelled' | 'deferred' | 'skipped';

export interface AttemptStep {
  at: string;
  step: string;
  detail?: string;
}

export interface Attempt {
  number: number;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: AttemptOutcome;
  steps: AttemptStep[];
  error: RecordError | null;
  exchanges: Exchange[];
  worker: string | null;
}

function toAttempt(row: any): Attempt {
  return {
    number: Number(row.number),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    steps: row.steps ?? [],
    error: row.error,
    exchanges: row.exchanges ?? [],
    worker: row.worker,
  };
}

/**
 * One row per try at syncing a record, written *before* any remote call
 * (outcome `pending`), so a crash mid-call leaves a trace the next try sees.
 */
export class AttemptsRepo {
  constructor(private readonly db: Queryable) {}

  async start(recordId: string, number: number, worker: string): Promise<void> {
    await this.db.query(
      `insert into sync_attempts (record_id, number, worker) values ($1, $2, $3)
       on conflict (record_id, number) do update set started_at = now(), worker = excluded.worker`,
      [recordId, number, worker],
    );
  }

  async update(recordId: string, number: number, patch: { steps?: AttemptStep[]; exchanges?: Exchange[] }): Promise<void> {
    await this.db.query(
      `update sync_attempts set steps = coalesce($3, steps), exchanges = coalesce($4, exchanges) where record_id = $1 and number = $2`,
      [recordId, number, patch.steps ? JSON.stringify(patch.steps) : null, patch.exchanges ? JSON.stringify(patch.exchanges) : null],
    );
  }

  async finish(
    recordId: string,
    number: number,
    result: { outcome: AttemptOutcome; steps: AttemptStep[]; exchanges: Exchange[]; error: RecordError | null },
  ): Promise<void> {
    await this.db.query(
      `update sync_attempts set finished_at = now(), outcome = $3, steps = $4, exchanges = $5, error = $6
        where record_id = $1 and number = $2`,
      [recordId, number, result.outcome, JSON.stringify(result.steps), JSON.stringify(result.exchanges), result.error ? JSON.stringify(result.error) : null],
    );
  }

  async list(recordId: string): Promise<Attempt[]> {
    const rows = await this.db.query<any>('select * from sync_attempts where record_id = $1 order by number', [recordId]);
    return rows.map(toAttempt);
  }

  async last(recordId: string): Promise<Attempt | null> {
    const row = await one<any>(this.db, 'select * from sync_attempts where record_id = $1 order by number desc limit 1', [recordId]);
    return row ? toAttempt(row) : null;
  }
}

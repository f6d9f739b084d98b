import type { Database } from './database.js';
import { initial } from './migrations/001-initial.js';
import { lastSent } from './migrations/002-last-sent.js';
import { revisions } from './migrations/003-revisions.js';
import { billing } from './migrations/004-billing.js';
import { billingCycle } from './migrations/005-billing-cycle.js';
import { eventSequence } from './migrations/006-event-sequence.js';
import { fastIntake } from './migrations/008-fast-intake.js';
import { consoleSessions } from './migrations/009-console-sessions.js';
import { afterSync } from './migrations/010-after-sync.js';
import { setBasedIntake } from './migrations/011-set-based-intake.js';
import { confirmedIntake } from './migrations/012-confirmed-intake.js';
import { lz4Documents } from './migrations/013-lz4-documents.js';

/** Ordered, append-only. Never edit one that has shipped: add the next. */
export const MIGRATIONS: ReadonlyArray<{ id: string; sql: string }> = [
  { id: '001-initial', sql: initial },
  { id: '002-last-sent', sql: lastSent },
  { id: '003-revisions', sql: revisions },
  { id: '004-billing', sql: billing },
  { id: '005-billing-cycle', sql: billingCycle },
  { id: '006-event-sequence', sql: eventSequence },
  { id: '008-fast-intake', sql: fastIntake },
  { id: '009-console-sessions', sql: consoleSessions },
  { id: '010-after-sync', sql: afterSync },
  { id: '011-set-based-intake', sql: setBasedIntake },
  { id: '012-confirmed-intake', sql: confirmedIntake },
  { id: '013-lz4-documents', sql: lz4Documents },
];

// Any constant works: it only has to be the same in every ledgerlink process.
const MIGRATION_LOCK = 7_318_204;

/**
 * Applies pending migrations at start. An advisory lock makes concurrent starts
 * (several API and worker processes) wait for one another instead of racing.
 */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null default now())`);
    const done = new Set((await tx.query<{ id: string }>('select id from schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migrations (id) values ($1)', [migration.id]);
      applied.push(migration.id);
    }
    return applied;
  });
}

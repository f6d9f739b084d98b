import { join } from 'node:path';
import type { Database } from './database.js';
import { migrate } from './migrations.js';
import { openPglite } from './pglite-database.js';
import { openPostgres } from './postgres-database.js';

/** PostgreSQL when DATABASE_URL is set, else embedded PostgreSQL under DATA_DIR; migrations applied. */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  const db = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openPglite(join(options.dataDir, 'pgdata'));
  await migrate(db);
  return db;
}

import { join } from 'node:path';
import type { Database } from './database.js';
import { migrate } from './migrations.js';

/**
 * PostgreSQL when DATABASE_URL is set, else embedded PostgreSQL under DATA_DIR; migrations applied.
 * Only the driver in use is loaded (each is 6-15 MB of a small install's memory).
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  const db = options.databaseUrl
    ? await (await import('./postgres-database.js')).openPostgres(options.databaseUrl)
    : await (await import('./pglite-database.js')).openPglite(join(options.dataDir, 'pgdata'));
  await migrate(db);
  return db;
}

import { mkdirSync } from 'node:fs';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';
import { initPgliteDirectory } from './pglite-init.js';

/**
 * PostgreSQL's defaults size its memory for a server of its own (128 MB of
 * shared buffers, WAL buffers to match). Embedded, it shares a small install's
 * process with everything else; ledgerlink's working set (the unfinished
 * records, one tenant's configuration) fits in far less. Measured with
 * `npm run bench` (memory): see the README.
 */
const SMALL_INSTALL_SETTINGS = ['shared_buffers = 8MB', 'wal_buffers = 512kB', 'work_mem = 2MB', 'maintenance_work_mem = 16MB', 'temp_buffers = 2MB'];

/**
 * Embedded PostgreSQL (PGlite) in DATA_DIR, or in memory when no directory is
 * given (tests). It belongs to one process: API and workers must then run in
 * the same process (`npm start`).
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  // PostgreSQL compiled to WebAssembly is ~10 MB of code. V8 compiles it twice: quickly (Liftoff),
  // then again optimised (TurboFan) in the background, which costs ~50 MB more resident memory and,
  // measured on ledgerlink's queries, no speed we could see (`npm run bench`). Only WebAssembly is
  // affected; the service's JavaScript is optimised as usual.
  v8.setFlagsFromString('--liftoff-only');
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    await initPgliteDirectory(dataDir, SMALL_INSTALL_SETTINGS);
  }
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), postgresqlconf: SMALL_INSTALL_SETTINGS });
  const run = async <T>(target: { query: PGlite['query'] }, sql: string, params?: unknown[]) =>
    (await target.query<T>(sql, params)).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => run(pglite, sql, params),
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    transaction: (fn) =>
      pglite.transaction(async (t) => {
        const tx: Queryable = {
          query: (sql, params) => run(t, sql, params),
          exec: async (sql) => {
            await t.exec(sql);
          },
        };
        return fn(tx);
      }),
    async ping() {
      await pglite.query('select 1');
    },
    async close() {
      await pglite.close();
    },
  };
}

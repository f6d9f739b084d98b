import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Creates a new embedded database directory (PostgreSQL's initdb) in a worker
 * thread that ends when it is done. initdb grows the WebAssembly memory of the
 * PGlite instance that runs it to several hundred MB, and WebAssembly memory
 * never shrinks: done in the service's own instance, a fresh install would
 * carry ~450 MB it never uses again. The thread's memory goes with the thread;
 * the service then opens the finished directory (~120 MB). Measured with
 * `npm run bench` (memory).
 */
export async function initPgliteDirectory(dataDir: string, settings: string[], timeoutMs = 120_000): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.pgliteUrl)
       .then(async ({ PGlite }) => {
         const db = await PGlite.create({ dataDir: workerData.dataDir, postgresqlconf: workerData.settings });
         await db.close();
         parentPort.postMessage('ok');
       })
       .catch((error) => parentPort.postMessage(String(error && error.stack || error)));`,
    { eval: true, workerData: { pgliteUrl, dataDir, settings } },
  );
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`creating the embedded database in ${dataDir} took over ${timeoutMs} ms`)), timeoutMs);
      worker.once('message', (m: string) => {
        clearTimeout(timer);
        resolve(m);
      });
      worker.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    if (answer !== 'ok') throw new Error(`creating the embedded database in ${dataDir} failed: ${answer}`);
  } finally {
    await worker.terminate();
  }
}

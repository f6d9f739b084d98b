import { spawn } from 'node:child_process';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { freePort, repoRoot } from '../lib/service-process.js';
import { runLoad, type LoadResult } from './load-run.js';
import { benchTenant, redisBytes, startStack, type Stack } from './stack.js';

export interface IntakeFigures {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
  /** ledgerlink's requests per second as a share of the bare Fastify's in the same run. */
  ratioToBare?: number;
}

const figures = (r: LoadResult): IntakeFigures => ({
  requestsPerSecond: Math.round(r.requestsPerSecond),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

/** A Fastify app that answers POST /v1/invoices with 202 and does nothing else: the ceiling on this machine. */
export async function bareFastify(seconds: number, connections: number): Promise<IntakeFigures> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare.ts', String(port)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => c.toString().includes('bare listening') && resolve());
      child.on('exit', () => reject(new Error('the bare Fastify exited')));
    });
    const url = `http://127.0.0.1:${port}/v1/invoices`;
    // The same requests ledgerlink gets: a new 3-line invoice each (parsed as JSON, then answered 202).
    await runLoad({ url, connections, seconds: 2, method: 'POST', invoiceBody: { prefix: 'WARM', lines: 3 } });
    return figures(await runLoad({ url, connections, seconds, method: 'POST', invoiceBody: { prefix: 'BARE', lines: 3 } }));
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * POST /v1/invoices with a new 3-line invoice per request, `connections` at a
 * time. On PostgreSQL the API process runs alone (no workers: only intake is
 * measured); on the embedded database `npm start`'s one process also syncs.
 * Also: Redis bytes per accepted (queued) invoice.
 */
export async function ledgerlinkIntake(database: 'postgres' | 'pglite', seconds: number, connections: number): Promise<IntakeFigures & { accepted: number; redisBytesPerQueuedInvoice?: number }> {
  const sandbox = await startGenericSandbox({ port: 0 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database, workers: 0 });
    const key = await benchTenant(stack, 'intake', 'generic', { baseUrl: sandbox.url, secret: sandbox.credentials.secret });
    const spec = { url: `${stack.url}/v1/invoices`, connections, method: 'POST' as const, headers: { authorization: `Bearer ${key}` } };
    const warm = await runLoad({ ...spec, seconds: 2, invoiceBody: { prefix: 'WARM', lines: 3 } });
    const result = await runLoad({ ...spec, seconds, invoiceBody: { prefix: 'BENCH', lines: 3 } });
    const out: IntakeFigures & { accepted: number; redisBytesPerQueuedInvoice?: number } = { ...figures(result), accepted: result.total - result.non2xx };
    if (database === 'postgres') {
      // No workers run: everything accepted is still queued. Redis holds the connection's wake-up, not a job per invoice.
      const held = await redisBytes('redis://127.0.0.1:6379', stack.prefix);
      out.redisBytesPerQueuedInvoice = Number((held.bytes / Math.max(1, out.accepted + warm.total - warm.non2xx)).toFixed(2));
    }
    return out;
  } finally {
    await stack?.stop();
    await sandbox.close();
  }
}

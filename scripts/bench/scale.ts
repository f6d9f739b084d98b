import { startGenericSandbox } from '../../providers/generic/index.js';
import { benchInvoice, benchTenant, postInvoices, startStack, until, type Stack } from './stack.js';

export interface ScaleRun {
  workers: number;
  invoices: number;
  seconds: number;
  invoicesPerSecond: number;
  /** Throughput relative to one worker process. */
  speedup: number;
}

/**
 * 1, 2 and 4 worker processes (8 slots each) on one PostgreSQL and one Redis,
 * syncing the same backlog of `tenants` tenants to an endpoint that answers
 * each create after `latencyMs` and is never the bottleneck (it takes any
 * number at once). The backlog is accepted first, then the workers start.
 */
export async function scale(invoices: number, tenants: number, latencyMs: number, counts = [1, 2, 4]): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (const workers of counts) {
    const endpoint = await startGenericSandbox({ port: 0 });
    endpoint.injectFault({ kind: 'latency', ms: latencyMs, on: 'create' });
    let stack: Stack | null = null;
    try {
      stack = await startStack({ database: 'postgres', workers: 0 });
      const keys: string[] = [];
      for (let t = 0; t < tenants; t++) keys.push(await benchTenant(stack, `tenant-${t}`, 'generic', { baseUrl: endpoint.url, secret: endpoint.credentials.secret, timeoutMs: latencyMs + 30_000 }));
      const perTenant = Math.ceil(invoices / tenants);
      await Promise.all(keys.map((key, t) => postInvoices(stack!, key, Array.from({ length: perTenant }, (_, i) => benchInvoice(`SCALE-${t}-${i}`, i)), 4)));
      const total = perTenant * tenants;
      await Promise.all(Array.from({ length: workers }, () => stack!.addWorker()));
      // Measured from the first tenth to the end, so the processes' start-up is not counted.
      const tenth = Math.ceil(total / 10);
      await until('the backlog to get under way', () => endpoint.invoices().length >= tenth, 10 * 60_000, 20);
      const started = Date.now();
      const from = endpoint.invoices().length;
      await until('the backlog to be synced', () => endpoint.invoices().length >= total, 30 * 60_000, 20);
      const seconds = (Date.now() - started) / 1000;
      runs.push({ workers, invoices: total, seconds: Number(seconds.toFixed(1)), invoicesPerSecond: Number(((total - from) / seconds).toFixed(1)), speedup: 1 });
    } finally {
      await stack?.stop();
      await endpoint.close();
    }
  }
  const base = runs[0]!.invoicesPerSecond;
  for (const run of runs) run.speedup = Number((run.invoicesPerSecond / base).toFixed(2));
  return runs;
}

import { startGenericSandbox } from '../../providers/generic/index.js';
import { rssMiB } from '../lib/service-process.js';
import { benchInvoice, benchTenant, npmStart, postInvoices, startStack, until, type Stack } from './stack.js';

export interface MemoryFigures {
  /** How `npm start` starts Node.js (environment and options). */
  nodeOptions: string[];
  /** `npm start` (embedded database, compiled JavaScript), 10 s after it is ready. */
  idleAtStartMiB: number;
  /** After the demo's invoice is synced, 10 s idle. */
  idleAfterDemoMiB: number;
  invoices: number;
  peakMiB: number;
  /** After `invoices` more are accepted and synced, 10 s idle. */
  idleAfterInvoicesMiB: number;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of `npm start`'s process: idle, after the demo, after many invoices. */
export async function memory(invoices: number, idleMs = 10_000): Promise<MemoryFigures> {
  const sandbox = await startGenericSandbox({ port: 0 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database: 'pglite' });
    const pid = stack.api_process.child.pid!;
    await settle(idleMs);
    const idleAtStartMiB = rssMiB(pid)!;
    const key = await benchTenant(stack, 'demo', 'generic', { baseUrl: sandbox.url, secret: sandbox.credentials.secret });
    await postInvoices(stack, key, [benchInvoice('DEMO-1296', 0)], 1);
    await until('the demo invoice to be synced', () => sandbox.invoices().length >= 1, 60_000);
    await settle(idleMs);
    const idleAfterDemoMiB = rssMiB(pid)!;
    let peak = idleAfterDemoMiB;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid) ?? 0)), 250);
    await postInvoices(stack, key, Array.from({ length: invoices }, (_, i) => benchInvoice(`MEM-${i}`, i)));
    await until('every invoice to be synced', () => sandbox.invoices().length >= invoices + 1, 30 * 60_000, 250);
    clearInterval(sampler);
    await settle(idleMs);
    return { nodeOptions: [...Object.entries(npmStart().env).map(([k, v]) => `${k}=${v}`), ...npmStart().nodeArgs], idleAtStartMiB, idleAfterDemoMiB, invoices, peakMiB: peak, idleAfterInvoicesMiB: rssMiB(pid)! };
  } finally {
    await stack?.stop();
    await sandbox.close();
  }
}

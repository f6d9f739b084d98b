import { startGenericSandbox } from '../../providers/generic/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import { benchInvoice, benchTenant, postInvoices, startStack, until, type Stack } from './stack.js';

export interface FairnessFigures {
  backlog: number;
  budgetRequestsPerSecond: number;
  /** Milliseconds from POST to synced of the other tenant's single invoice, each probe. */
  waitsMs: number[];
  maxWaitMs: number;
  /** How many of the backlog's invoices were synced when the last probe was. */
  backlogSyncedMeanwhile: number;
}

/**
 * One tenant's month-end backlog on a Procountor budget of 10 requests a
 * second, and another tenant's single invoice posted while it is under way,
 * several times: how long the single invoice waits (target: one provider
 * round trip plus scheduling, ≤ 2 s).
 */
export async function fairness(backlog: number, probes: number): Promise<FairnessFigures> {
  const books = await startProcountorSandbox({ port: 0, requestsPerSecond: 10 });
  const other = await startGenericSandbox({ port: 0 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database: 'postgres', workers: 1 });
    const monthEnd = await benchTenant(stack, 'month-end', 'procountor', { baseUrl: books.url, ...books.credentials, requestsPerSecond: 10 });
    const small = await benchTenant(stack, 'small-shop', 'generic', { baseUrl: other.url, secret: other.credentials.secret });
    const backlogIds = await postInvoices(stack, monthEnd, Array.from({ length: backlog }, (_, i) => benchInvoice(`BACKLOG-${i}`, i, 20)));
    await until('the backlog to get under way', () => books.invoices().length >= 5, 60_000).catch(async (error: Error) => {
      const first = (await stack!.api('GET', `/v1/invoices/${backlogIds[0]}`, monthEnd)).body;
      throw new Error(`${error.message}; the first is ${first.status}: ${JSON.stringify(first.lastError)}`);
    });
    const waitsMs: number[] = [];
    for (let p = 0; p < probes; p++) {
      const started = Date.now();
      const posted = await stack.api('POST', '/v1/invoices', small, benchInvoice(`SINGLE-${p}`, p));
      if (posted.status !== 202) throw new Error(`the single invoice was answered ${posted.status}`);
      await until(
        'the single invoice to be synced',
        async () => (await stack!.api('GET', `/v1/invoices/${posted.body.id}`, small)).body.status === 'synced',
        120_000,
        20,
      );
      waitsMs.push(Date.now() - started);
      await new Promise((r) => setTimeout(r, 1000));
    }
    return {
      backlog,
      budgetRequestsPerSecond: 10,
      waitsMs,
      maxWaitMs: Math.max(...waitsMs),
      backlogSyncedMeanwhile: books.invoices().length,
    };
  } finally {
    await stack?.stop();
    await books.close();
    await other.close();
  }
}

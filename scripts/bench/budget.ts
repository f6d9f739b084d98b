import { startProcountorSandbox } from '../../providers/procountor/index.js';
import { benchInvoice, benchTenant, postInvoices, startStack, until, type Stack } from './stack.js';

export interface BudgetFigures {
  invoices: number;
  newCustomers: number;
  budgetRequestsPerSecond: number;
  seconds: number;
  invoicesPerSecond: number;
  requestsPerSecond: number;
  /** Requests made ÷ what the budget allowed over the run. */
  shareOfBudget: number;
  tooManyRequests: number;
  providerRequestsPerInvoice: number;
}

/** End to end against the Procountor sandbox on a 10 requests/s budget: N invoices for M customers new to the books. */
export async function budget(invoices: number, customers: number): Promise<BudgetFigures> {
  const books = await startProcountorSandbox({ port: 0, requestsPerSecond: 10 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database: 'postgres', workers: 1 });
    const key = await benchTenant(stack, 'budget', 'procountor', { baseUrl: books.url, ...books.credentials, requestsPerSecond: 10 });
    const firstRequest = books.requests().length;
    const started = Date.now();
    await postInvoices(stack, key, Array.from({ length: invoices }, (_, i) => benchInvoice(`BUDGET-${i}`, i, customers)));
    await until('every invoice in the books', () => books.invoices().length >= invoices, 30 * 60_000, 50);
    const seconds = (Date.now() - started) / 1000;
    const requests = books.requests().slice(firstRequest);
    const tooMany = requests.filter((r) => r.status === 429).length;
    return {
      invoices,
      newCustomers: customers,
      budgetRequestsPerSecond: 10,
      seconds: Number(seconds.toFixed(1)),
      invoicesPerSecond: Number((invoices / seconds).toFixed(2)),
      requestsPerSecond: Number((requests.length / seconds).toFixed(2)),
      shareOfBudget: Number((requests.length / (10 * seconds)).toFixed(3)),
      tooManyRequests: tooMany,
      providerRequestsPerInvoice: Number((requests.length / invoices).toFixed(2)),
    };
  } finally {
    await stack?.stop();
    await books.close();
  }
}

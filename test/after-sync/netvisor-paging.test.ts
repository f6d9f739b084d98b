import { describe, expect, it } from 'vitest';
import { netvisorProvider, netvisorSettingsSchema, startNetvisorSandbox, type RunningNetvisorSandbox } from '../../providers/netvisor/index.js';
import { NETVISOR_LIST_PAGE } from '../../providers/netvisor/sales-invoice-pages.js';
import { exampleResolvedInvoice } from '../support/example-invoice.js';
import { MemoryLinkBook, testProviderContext } from '../support/provider-context.js';
import { useSandbox } from '../support/sandbox-fixture.js';

/**
 * Netvisor answers salesinvoicelist.nv with at most 500 invoices. A month-end
 * run dates more than that on one day: reconciliation's list and the status
 * read page on with invoicesabovenetvisorkey and see every invoice.
 */
describe('netvisor: the invoice list in pages', () => {
  const fx = useSandbox<RunningNetvisorSandbox>(() => startNetvisorSandbox({ port: 0 }), 'after-sync-nv-paging');

  it(`lists ${NETVISOR_LIST_PAGE + 3} invoices of one day in two pages, and reads the status of the last one`, async () => {
    const settings = netvisorSettingsSchema.parse({ baseUrl: fx.sandbox.url, ...fx.sandbox.credentials, timeoutMs: 5000 });
    const ctx = testProviderContext({ settings, redis: fx.redis, redisPrefix: fx.prefix, providerName: 'Netvisor', timeoutMs: 5000, links: new MemoryLinkBook(), secretValues: [] });
    const first = exampleResolvedInvoice({ id: '01JPAGING00000000000000000', reference: 'LL-01JPAGING00000000000000000' });
    const prepared = await netvisorProvider.prepare(ctx, first);
    const created = [];
    for (let i = 0; i < NETVISOR_LIST_PAGE + 3; i += 1) {
      const id = `01JPAGING${String(i).padStart(17, '0')}`;
      const inv = exampleResolvedInvoice({ id, reference: `LL-${id}`, externalId: `PAGE-${i}` });
      created.push(await netvisorProvider.create(ctx, netvisorProvider.buildCreateRequest(ctx, inv, prepared), inv));
    }
    const listed = await netvisorProvider.listInvoices(ctx, { from: first.invoiceDate, to: first.invoiceDate });
    expect(listed).toHaveLength(NETVISOR_LIST_PAGE + 3);
    expect(new Set(listed.map((l) => l.id)).size).toBe(NETVISOR_LIST_PAGE + 3);
    expect(listed.at(-1)).toMatchObject({ reference: `LL-01JPAGING${String(NETVISOR_LIST_PAGE + 2).padStart(17, '0')}`, total: '1506.00' });
    const listCalls = fx.sandbox.requests().filter((r) => r.path.includes('salesinvoicelist.nv') && r.path.includes('begininvoicedate'));
    expect(listCalls).toHaveLength(2);
    expect(listCalls[1]!.path).toContain('invoicesabovenetvisorkey=');

    const last = created.at(-1)!;
    fx.sandbox.sendInvoice(last.id);
    fx.sandbox.registerPayment(last.id, { amount: '6.00', date: '2026-12-01' });
    expect(await netvisorProvider.readStatus(ctx, last)).toMatchObject({ sent: true, paidAmount: '6.00', total: '1506.00' });
  }, 60_000);
});

import { exampleInvoiceDocument } from '../../src/domain/example-invoice.js';
import type { ResolvedInvoice, ResolvedLine } from '../../src/domain/resolved-invoice.js';
import { lineAmounts, totalsOf } from '../../src/domain/totals.js';

/** The #1296 example as a host posts it (shared with `npm run demo`). */
export const exampleDocument = exampleInvoiceDocument;

export interface ExampleLine {
  kind?: ResolvedLine['kind'];
  description: string;
  quantity: string;
  unit?: string;
  unitPrice: string;
  vatRate?: string;
  product?: ResolvedLine['product'];
}

/** The example as a provider adapter receives it (product, price and amounts resolved). */
export function exampleResolvedInvoice(overrides: Partial<ResolvedInvoice> & { lineSpecs?: ExampleLine[] } = {}): ResolvedInvoice {
  const { lineSpecs, ...rest } = overrides;
  const specs: ExampleLine[] = lineSpecs ?? [
    { description: '#1296 Integration of BIM tools', quantity: '12', unit: 'hour', unitPrice: '100.00', vatRate: '25.5' },
  ];
  const lines: ResolvedLine[] = specs.map((s, index) => {
    const vatRate = s.vatRate ?? '25.5';
    return {
      index,
      kind: s.kind ?? 'task_entry',
      description: s.description,
      quantity: s.quantity,
      unit: s.unit ?? 'hour',
      unitPrice: s.unitPrice,
      vatRate,
      vatTreatment: 'domestic',
      product: s.product ?? { code: 'WORK', name: 'Work', unit: s.unit ?? 'hour' },
      ...lineAmounts(s.quantity, s.unitPrice, vatRate),
      resolvedFrom: 'line',
      priceSource: 'line',
      context: { taskId: '1296', contactId: 'cust-17', teamId: 't-2' },
    };
  });
  const doc = exampleDocument() as Record<string, any>;
  return {
    id: '01JEXAMPLE0000000000000042',
    tenantId: 'acme',
    reference: 'LL-01JEXAMPLE0000000000000042',
    externalId: 'INV-2026-0042',
    revision: 1,
    type: 'invoice',
    credited: null,
    invoiceDate: '2026-11-30',
    dueDate: '2026-12-14',
    deliveryDate: null,
    paymentTermDays: 14,
    currency: 'EUR',
    currencyRate: '1',
    referenceNumber: '10168',
    customer: doc.customer,
    vatTreatment: 'domestic',
    project: doc.project,
    period: doc.period,
    notes: null,
    lines,
    totals: totalsOf(lines),
    document: doc,
    ...rest,
  };
}

/**
 * Revision `revision` of the example as invoice `externalId`, billing `hours`
 * (12 h = 1,506.00 gross, 10.75 h = 1,349.13, 10 h = 1,255.00), optionally
 * for another customer: what a host posts when it corrects an invoice.
 */
export function exampleRevision(externalId: string, revision: number, hours: string, customer?: Record<string, unknown>): Record<string, unknown> {
  const base = exampleDocument({ externalId, revision } as never) as Record<string, any>;
  const line = { ...base.lines[0] };
  delete line.bookedQuantity;
  delete line.adjustment;
  return { ...base, ...(customer ? { customer: { ...base.customer, ...customer } } : {}), lines: [{ ...line, quantity: hours }] };
}

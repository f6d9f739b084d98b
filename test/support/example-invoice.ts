import type { InvoiceDocument } from '../../src/domain/invoice-document.js';
import type { ResolvedInvoice, ResolvedLine } from '../../src/domain/resolved-invoice.js';
import { lineAmounts, totalsOf } from '../../src/domain/totals.js';

/**
 * The example every part of ledgerlink is tested with: ticket #1296
 * "Integration of BIM tools", 10.75 h booked, billed as 12 h (+1:15
 * adjustment) at 100.00 EUR/h = 1,200.00 EUR net, VAT 25.5 %.
 */
export function exampleDocument(overrides: Partial<InvoiceDocument> = {}): Record<string, unknown> {
  return {
    externalId: 'INV-2026-0042',
    revision: 1,
    type: 'invoice',
    creditedExternalId: null,
    invoiceDate: '2026-11-30',
    dueDate: '2026-12-14',
    currency: 'EUR',
    referenceNumber: null,
    customer: {
      externalId: 'cust-17',
      name: 'Esimerkki Oy',
      businessId: '1234567-1',
      customerNumber: '1017',
      email: 'laskut@esimerkki.fi',
      contactPerson: 'Maija M.',
      language: 'fi',
      address: { street: 'Katu 1', postalCode: '00100', city: 'Helsinki', country: 'FI' },
      einvoice: null,
    },
    project: { externalId: 'proj-3', name: 'Support 2026' },
    period: { from: '2026-11-01', to: '2026-11-30' },
    lines: [
      {
        kind: 'task_entry',
        description: '#1296 Integration of BIM tools',
        quantity: '12',
        bookedQuantity: '10.75',
        adjustment: '1.25',
        unit: 'hour',
        unitPrice: '100.00',
        vatRate: '25.5',
        context: { taskId: '1296', contactId: 'cust-17', membershipId: null, teamId: 't-2' },
      },
    ],
    notes: null,
    ...overrides,
  };
}

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

import type { InvoiceDocument } from './invoice-document.js';

/**
 * The example every part of ledgerlink is tested with: ticket #1296
 * "Integration of BIM tools", 10.75 h booked, billed as 12 h (+1:15
 * adjustment) at 100.00 EUR/h = 1,200.00 EUR net, VAT 25.5 %.
 */
export function exampleInvoiceDocument(overrides: Partial<InvoiceDocument> = {}): Record<string, unknown> {
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

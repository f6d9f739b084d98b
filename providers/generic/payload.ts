import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';

/**
 * The generic wire format (CONTRACT.md "The generic provider's wire protocol"):
 * the host's document plus ledgerlink's id, each line's resolved product, price
 * and amounts, and the totals. Fields the host sent of its own pass through.
 */
export function genericInvoicePayload(invoice: ResolvedInvoice, providerCustomerId: string | null): Record<string, unknown> {
  const documentLines = Array.isArray(invoice.document.lines) ? (invoice.document.lines as Record<string, unknown>[]) : [];
  return {
    ...invoice.document,
    id: invoice.id,
    reference: invoice.reference,
    provider: 'generic',
    type: invoice.type,
    creditedExternalId: invoice.credited?.externalId ?? null,
    // The endpoint's own id and number of the credited invoice, when ledgerlink synced it.
    creditedInvoice: invoice.credited?.providerInvoiceId ? { id: invoice.credited.providerInvoiceId, number: invoice.credited.providerInvoiceNumber } : null,
    invoiceDate: invoice.invoiceDate,
    dueDate: invoice.dueDate,
    currency: invoice.currency,
    referenceNumber: invoice.referenceNumber,
    customer: providerCustomerId ? { ...invoice.customer, providerCustomerId } : invoice.customer,
    lines: invoice.lines.map((line) => ({
      ...(documentLines[line.index] ?? {}),
      kind: line.kind,
      description: line.description,
      quantity: line.quantity,
      unit: line.unit,
      product: { code: line.product.code, name: line.product.name, unit: line.product.unit },
      unitPrice: line.unitPrice,
      vatRate: line.vatRate,
      vatTreatment: line.vatTreatment,
      netAmount: line.netAmount,
      vatAmount: line.vatAmount,
      grossAmount: line.grossAmount,
    })),
    totals: invoice.totals,
  };
}

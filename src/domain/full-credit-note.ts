import { dec, decimalText } from './money.js';
import type { ResolvedInvoice } from './resolved-invoice.js';
import { lineAmounts, totalsOf } from './totals.js';

export interface FullCreditNoteInput {
  /** The invoice being credited, exactly as it was sent to the provider. */
  credited: ResolvedInvoice;
  /** Where the credited invoice lives at the provider. */
  providerInvoiceId: string;
  providerInvoiceNumber: string | null;
  /** Identity of the credit note: ledgerlink's id and reference (what a lookup searches for). */
  id: string;
  reference: string;
  /** The revision that replaces the credited invoice (the credit note belongs to it). */
  revision: number;
  referenceNumber: string;
  /** The day the credit note is issued. */
  date: string;
}

/**
 * A credit note that cancels an issued invoice in full (revision policy
 * `credit_and_reissue`): every line of the invoice with its quantity negated,
 * at the invoice's own prices and VAT rates — VAT is corrected at the rate it
 * was charged — so its totals are exactly the invoice's, negated. Pure.
 */
export function fullCreditNote(input: FullCreditNoteInput): ResolvedInvoice {
  const original = input.credited;
  const lines = original.lines.map((line) => {
    const quantity = decimalText(dec(line.quantity).negated());
    return { ...line, quantity, ...lineAmounts(quantity, line.unitPrice, line.vatRate) };
  });
  const note = `Credit note for invoice ${input.providerInvoiceNumber ?? input.providerInvoiceId} (${original.externalId} revision ${original.revision}), replaced by revision ${input.revision}.`;
  return {
    ...original,
    id: input.id,
    reference: input.reference,
    revision: input.revision,
    type: 'credit_note',
    credited: { externalId: original.externalId, providerInvoiceId: input.providerInvoiceId, providerInvoiceNumber: input.providerInvoiceNumber },
    invoiceDate: input.date,
    dueDate: input.date,
    deliveryDate: original.deliveryDate ?? original.invoiceDate,
    paymentTermDays: 0,
    referenceNumber: input.referenceNumber,
    notes: note,
    lines,
    totals: totalsOf(lines),
    document: { ...original.document, type: 'credit_note', creditedExternalId: original.externalId, notes: note },
  };
}

import type { LineKind, VatTreatment } from '../../src/domain/invoice-document.js';
import { goodsOrServices, procountorVatStatus, type ProcountorVatStatusResult } from '../../src/domain/finnish/provider-vat-codes.js';
import type { ProcountorSettings } from './settings.js';

/**
 * Procountor's VAT status says how VAT is processed; it is required on every
 * sales invoice and may be overridden per row (openapi.yaml `Invoice.vatStatus`,
 * `InvoiceRow.vatStatus`). The numbers come from ledgerlink's table
 * (src/domain/finnish/provider-vat-codes.ts: 1 domestic, 3 outside the EU,
 * 5 EU sales of goods, as Procountor documents them) and the connection's
 * `vatStatuses`, which win. Treatments neither knows (EU sales of services,
 * construction reverse charge) fail the sync with a message saying what to
 * set, rather than being booked under the wrong VAT processing.
 */
export function vatStatusFor(
  treatment: VatTreatment,
  kind: LineKind,
  settings: Pick<ProcountorSettings, 'vatStatuses'>,
): ProcountorVatStatusResult & { key: string } {
  return { ...procountorVatStatus(treatment, kind, settings.vatStatuses ?? {}), key: `${treatment}.${goodsOrServices(kind)}` };
}

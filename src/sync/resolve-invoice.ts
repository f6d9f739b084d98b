import { checkFinnishRules, vatDateOf } from '../domain/finnish/document-checks.js';
import { validateBusinessId } from '../domain/finnish/business-id.js';
import { validateReferenceNumber } from '../domain/finnish/reference-number.js';
import { deriveVatTreatments } from '../domain/finnish/vat-treatment.js';
import type { InvoiceDocument, Problem } from '../domain/invoice-document.js';
import { dec, decimalText, sum } from '../domain/money.js';
import { defaultMappingFor } from '../domain/products/default-products.js';
import type { ProductMapping } from '../domain/products/product-mapping.js';
import { resolveLines, type LineResolution } from '../domain/products/resolve-line.js';
import type { CreditedInvoice, ResolvedInvoice, ResolvedLine } from '../domain/resolved-invoice.js';
import { lineAmounts, totalsOf } from '../domain/totals.js';
import { newId } from '../domain/ids.js';
import type { StoredMapping } from '../store/mappings-repo.js';
import type { Repos } from '../store/store.js';
import type { SyncWarning } from '../../providers/types.js';

export const DEFAULT_PAYMENT_TERM_DAYS = 14;

export interface ResolveInput {
  tenantId: string;
  recordId: string;
  reference: string;
  /** The record's reference number (given by the host, or generated at intake). */
  referenceNumber: string;
  document: InvoiceDocument;
  /** Connection's payment term, used when the document has no due date. */
  paymentTermDays?: number | null;
  /**
   * Create the tenant's default product mappings that are missing (intake and
   * sync). A preview passes false: it must not write anything.
   */
  createDefaults: boolean;
  /**
   * Runs before the defaults are created, and may throw to stop it: intake
   * deciding on configuration not yet confirmed confirms it there, so a key
   * revoked meanwhile writes nothing.
   */
  beforeCreatingDefaults?: () => Promise<void>;
  /** The tenant's product mappings, when the caller has them (intake's cache); read otherwise. */
  mappings?: StoredMapping[];
}

export interface ResolveOutput {
  invoice: ResolvedInvoice;
  problems: Problem[];
  warnings: SyncWarning[];
}

export function toProductMapping(m: StoredMapping): ProductMapping {
  return {
    id: m.id,
    scope: m.scope,
    scopeId: m.scopeId,
    lineKind: m.lineKind as ProductMapping['lineKind'],
    product: m.product,
    providerProducts: (m.providerProducts as ProductMapping['providerProducts']) ?? null,
    autoCreated: m.autoCreated,
  };
}

/**
 * The one resolution used by intake, preview and sync: every line's product,
 * price and VAT (issue 5 order), VAT treatment, exact amounts rounded per line,
 * totals, due date, reference number, and the credited invoice of a credit note.
 */
export async function resolveInvoice(repos: Repos, input: ResolveInput): Promise<ResolveOutput> {
  const doc = input.document;
  const vatDate = vatDateOf(doc);
  const treatments = deriveVatTreatments(doc);
  const lineTreatments = treatments.lines.map((l) => l.treatment);

  const assess = (resolution: ReturnType<typeof resolveLines>) => {
    const problems = checkFinnishRules(doc, { vatDate, lineTreatments, resolvedLines: resolution.lines });
    const warnings: SyncWarning[] = [
      ...treatments.warnings.map((w) => ({ code: w.code, path: w.path, message: w.message })),
    ];
    for (const w of resolution.warnings) {
      if (w.code === 'no_vat_rate') problems.push({ path: w.path, code: 'missing_vat_rate', message: w.message });
      else warnings.push({ code: w.code, path: w.path, message: w.message });
    }
    return { problems, warnings };
  };

  let mappings = (input.mappings ?? (await repos.mappings.list(input.tenantId))).map(toProductMapping);
  let resolution = resolveLines(doc.lines, mappings, { vatDate, vatTreatments: lineTreatments });
  let { problems, warnings } = assess(resolution);
  // Defaults are created only for an invoice that will be accepted (or synced):
  // a rejected one leaves nothing behind. The built-in default resolved above is
  // identical to the one created, so the problems do not change by creating it.
  if (resolution.needsDefaults.length && input.createDefaults && problems.length === 0) {
    await input.beforeCreatingDefaults?.();
    for (const kind of resolution.needsDefaults) {
      await repos.mappings.insertIfAbsent(input.tenantId, { id: `map_${newId()}`, ...defaultMappingFor(kind), providerProducts: null });
    }
    mappings = (await repos.mappings.list(input.tenantId)).map(toProductMapping);
    resolution = resolveLines(doc.lines, mappings, { vatDate, vatTreatments: lineTreatments });
    ({ problems, warnings } = assess(resolution));
  }

  // A credit note is negative in total (Procountor and Netvisor both want negative
  // quantities). Hosts write its lines either as on the invoice (12 h, a −2 h discount:
  // positive in total) or already negated (−12 h, +2 h): the sign of the total tells which,
  // and every line is negated together, so a discount line keeps its meaning.
  const flip =
    doc.type === 'credit_note' &&
    sum(doc.lines.map((line, index) => dec(line.quantity).times(dec((resolution.lines[index] as LineResolution).unitPrice)))).isPositive();
  const lines: ResolvedLine[] = doc.lines.map((line, index) => {
    const r = resolution.lines[index] as LineResolution;
    const quantity = flip ? dec(line.quantity).negated() : dec(line.quantity);
    const vatRate = r.vatRate ?? '0';
    const q = decimalText(quantity);
    return {
      index,
      kind: line.kind,
      description: line.description,
      quantity: q,
      unit: r.unit,
      unitPrice: r.unitPrice,
      vatRate,
      vatTreatment: lineTreatments[index] ?? treatments.invoice,
      product: r.product,
      ...lineAmounts(q, r.unitPrice, vatRate),
      resolvedFrom: r.resolvedFrom,
      priceSource: r.priceSource,
      context: (line.context as Record<string, unknown> | null | undefined) ?? null,
    };
  });

  problems.push(...amountProblems(lines));

  const paymentTermDays = input.paymentTermDays ?? DEFAULT_PAYMENT_TERM_DAYS;
  const dueDate = doc.dueDate ?? addDays(doc.invoiceDate, paymentTermDays);

  let credited: CreditedInvoice | null = null;
  if (doc.type === 'credit_note' && doc.creditedExternalId) {
    const original = await repos.records.latestSynced(input.tenantId, doc.creditedExternalId);
    credited = {
      externalId: doc.creditedExternalId,
      providerInvoiceId: original?.providerInvoiceId ?? null,
      providerInvoiceNumber: original?.providerInvoiceNumber ?? null,
    };
    if (!original) {
      warnings.push({
        code: 'credited_invoice_unknown',
        path: 'creditedExternalId',
        message: `ledgerlink has not synced invoice "${doc.creditedExternalId}", so the credit note names it only by that id`,
      });
    }
  }

  const businessId = doc.customer.businessId ? validateBusinessId(doc.customer.businessId) : null;
  const referenceNumber = doc.referenceNumber ? validateReferenceNumber(doc.referenceNumber) : null;

  const invoice: ResolvedInvoice = {
    id: input.recordId,
    tenantId: input.tenantId,
    reference: input.reference,
    externalId: doc.externalId,
    revision: doc.revision,
    type: doc.type,
    credited,
    invoiceDate: doc.invoiceDate,
    dueDate,
    deliveryDate: doc.deliveryDate ?? null,
    paymentTermDays: daysBetween(doc.invoiceDate, dueDate),
    currency: doc.currency,
    currencyRate: doc.currencyRate ?? '1',
    referenceNumber: referenceNumber?.ok ? referenceNumber.value : input.referenceNumber,
    customer: businessId?.ok ? { ...doc.customer, businessId: businessId.value } : doc.customer,
    vatTreatment: treatments.invoice,
    project: doc.project ?? null,
    period: doc.period ?? null,
    notes: doc.notes ?? null,
    lines,
    totals: totalsOf(lines),
    document: doc as unknown as Record<string, unknown>,
  };
  return { invoice, problems, warnings };
}

/** No invoice line or invoice reaches a trillion; one that does is a mistake, not a sale. */
const MAX_AMOUNT = dec('1000000000000');

function amountProblems(lines: ResolvedLine[]): Problem[] {
  const problems: Problem[] = lines
    .filter((l) => dec(l.grossAmount).abs().greaterThanOrEqualTo(MAX_AMOUNT))
    .map((l) => ({
      path: `lines[${l.index}]`,
      code: 'amount_out_of_range',
      message: `comes to ${l.grossAmount} with VAT (quantity ${l.quantity} × unit price ${l.unitPrice}); a line must stay below 1000000000000`,
    }));
  const gross = sum(lines.map((l) => dec(l.grossAmount)));
  if (problems.length === 0 && gross.abs().greaterThanOrEqualTo(MAX_AMOUNT)) {
    problems.push({ path: 'lines', code: 'amount_out_of_range', message: `come to ${decimalText(gross)} with VAT; an invoice must stay below 1000000000000` });
  }
  return problems;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

import { isCalendarDate, VAT_TREATMENTS, type InvoiceDocument, type Problem, type VatTreatment } from '../invoice-document.js';
import { decimalBoundsProblem, decimalText, isBoundedDecimal } from '../money.js';
import { parseFinnishVatNumber, validateBusinessId } from './business-id.js';
import { validateReferenceNumber } from './reference-number.js';
import { checkFinnishVatRate } from './vat-rates.js';
import { customerCountry, deriveVatTreatments, zeroRatedRateProblem } from './vat-treatment.js';

/**
 * The Finnish rules of an invoice document (issue 5, "Finnish rules"), every
 * problem at once, each naming our field path:
 * - `customer.businessId`: a Finnish business ID with a wrong check digit or
 *   format. Checked only when the customer is in Finland (no country, or FI):
 *   a foreign customer's company number follows its own country's rules.
 * - `customer.vatNumber`: a Finnish VAT number (FI…) with a wrong check digit,
 *   or one that belongs to a different business ID than `customer.businessId`.
 * - `referenceNumber`: a Finnish or RF reference with a wrong check digit.
 * - `lines[i].vatRate`: not a Finnish rate on the VAT date (only when the
 *   invoice is under Finnish VAT and the line is domestic), or non-zero on an
 *   EU-sale, construction reverse-charge or export line.
 * Problems here are 400s on intake and `valid: false` in a preview.
 */

export interface FinnishRulesOptions {
  /** The date VAT rates follow, YYYY-MM-DD. Default: deliveryDate ?? invoiceDate. */
  vatDate?: string;
  /**
   * Whether the invoice is under Finnish VAT (the seller is registered for VAT
   * in Finland), so domestic rates must be Finnish rates. Default true.
   */
  finnishVat?: boolean;
  /** Each line's treatment (deriveVatTreatments(document).lines); derived when absent. */
  lineTreatments?: ReadonlyArray<VatTreatment>;
  /**
   * Per line, the rate resolution filled in when the line has no vatRate of
   * its own (resolveLines(...).lines). When given, a rate that came from a
   * product mapping or the tenant default is checked too.
   */
  resolvedLines?: ReadonlyArray<ResolvedRate | null | undefined>;
}

/** The parts of a line resolution the checks read (LineResolution fits). */
export interface ResolvedRate {
  vatRate: string | null;
  vatRateSource: 'line' | 'treatment' | 'product' | 'tenant' | 'finnish_general' | null;
  product: { code: string };
}

/** The date a document's VAT rates follow: the delivery date, else the invoice date. */
export function vatDateOf(document: Pick<InvoiceDocument, 'deliveryDate' | 'invoiceDate'>): string {
  return document.deliveryDate ?? document.invoiceDate;
}

function present(value: string | null | undefined): value is string {
  return value != null && value.trim() !== '';
}

/** Checks the Finnish rules of a (schema-valid) document; [] when all is well. */
export function checkFinnishRules(document: InvoiceDocument, options: FinnishRulesOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const customer = document.customer;
  const country = customerCountry(customer);
  const finnishCustomer = country === null || country === 'FI';

  // Customer identifiers.
  let businessId: string | null = null;
  if (present(customer.businessId) && finnishCustomer) {
    const result = validateBusinessId(customer.businessId);
    if (result.ok) businessId = result.value;
    else problems.push({ path: 'customer.businessId', code: 'invalid_business_id', message: result.message });
  }
  if (present(customer.vatNumber) && /^\s*FI/i.test(customer.vatNumber)) {
    const result = parseFinnishVatNumber(customer.vatNumber);
    if (!result.ok) {
      problems.push({ path: 'customer.vatNumber', code: 'invalid_vat_number', message: result.message });
    } else if (businessId !== null && result.businessId !== businessId) {
      problems.push({
        path: 'customer.vatNumber',
        code: 'vat_number_mismatch',
        message: `is ${result.value}, which belongs to business ID ${result.businessId}, but customer.businessId is ${businessId} (whose VAT number is FI${businessId.replace('-', '')}); correct one of them`,
      });
    }
  }

  // Reference number, when the host gave one (otherwise ledgerlink generates it).
  if (present(document.referenceNumber)) {
    const result = validateReferenceNumber(document.referenceNumber);
    if (!result.ok) problems.push({ path: 'referenceNumber', code: 'invalid_reference_number', message: result.message });
  }

  // VAT rates per line.
  const treatments = options.lineTreatments ?? deriveVatTreatments(document).lines.map((l) => l.treatment);
  const vatDate = options.vatDate ?? vatDateOf(document);
  const finnishVat = options.finnishVat ?? true;
  document.lines.forEach((line, index) => {
    const path = `lines[${index}].vatRate`;
    const treatment = treatments[index] ?? 'domestic';
    const resolved = options.resolvedLines?.[index];
    let rate: string;
    let origin: string | null = null;
    if (line.vatRate != null) {
      rate = line.vatRate;
    } else if (resolved?.vatRate != null && (resolved.vatRateSource === 'product' || resolved.vatRateSource === 'tenant')) {
      rate = resolved.vatRate;
      origin =
        resolved.vatRateSource === 'product'
          ? `is not set on the line, so it comes from the product mapping of ${resolved.product.code}`
          : "is not set on the line, so it comes from the tenant's default VAT rate";
    } else {
      return;
    }

    const zero = zeroRatedRateProblem(treatment, rate, path, origin ?? undefined);
    if (zero) {
      problems.push(zero);
      return;
    }
    if (!finnishVat || treatment !== 'domestic') return;
    const check = checkFinnishVatRate(rate, vatDate);
    if (check.ok) return;
    problems.push({
      path,
      code: 'invalid_vat_rate',
      message: origin ? `${origin}, and ${check.message}; correct the mapping or set vatRate on the line` : check.message,
    });
  });
  return problems;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function treatmentOrNull(value: unknown): VatTreatment | null {
  return (VAT_TREATMENTS as readonly unknown[]).includes(value) ? (value as VatTreatment) : null;
}

/** A rate small enough to check (the schema reports one out of bounds), as decimal text. */
function rateOrNull(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value) && decimalBoundsProblem(value) === null) return decimalText(value);
  if (isBoundedDecimal(value)) return value.trim();
  return null;
}

/**
 * The Finnish rules of a document that did not pass the schema, so that a
 * preview can list every problem at once instead of these only after the
 * field problems are fixed. Only values that are themselves well-formed are
 * checked (a business ID that is text, a VAT rate that is a number, a real
 * VAT date); the rest is left to the schema's problems. Never throws.
 */
export function checkFinnishRulesOfUnparsed(input: unknown): Problem[] {
  const doc = record(input);
  if (!doc) return [];
  const rawCustomer = record(doc.customer) ?? {};
  const rawAddress = record(rawCustomer.address);
  const country = typeof rawAddress?.country === 'string' && /^[A-Z]{2}$/.test(rawAddress.country) ? rawAddress.country : null;
  const vatDate = [doc.deliveryDate, doc.invoiceDate].find((d): d is string => typeof d === 'string' && isCalendarDate(d)) ?? null;
  const rawLines = Array.isArray(doc.lines) ? doc.lines : [];
  const sanitized = {
    invoiceDate: vatDate ?? '2000-01-01',
    deliveryDate: null,
    referenceNumber: textOrNull(doc.referenceNumber),
    vatTreatment: treatmentOrNull(doc.vatTreatment),
    customer: {
      businessId: textOrNull(rawCustomer.businessId),
      vatNumber: textOrNull(rawCustomer.vatNumber),
      address: country ? { country } : null,
    },
    lines: rawLines.map((raw) => {
      const line = record(raw) ?? {};
      // Without a real VAT date no rate can be checked.
      return { vatRate: vatDate ? rateOrNull(line.vatRate) : null, vatTreatment: treatmentOrNull(line.vatTreatment) };
    }),
  } as unknown as InvoiceDocument;
  try {
    return checkFinnishRules(sanitized, vatDate ? { vatDate } : {});
  } catch {
    return [];
  }
}

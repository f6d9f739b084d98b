import { dec } from '../money.js';
import type { InvoiceCustomer, InvoiceDocument, Problem, VatTreatment } from '../invoice-document.js';
import { isEuMemberState, normaliseCountryCode } from './eu-member-states.js';

/**
 * VAT treatment of an invoice and its lines, from what the host said and who
 * the customer is.
 *
 * Order: the line's `vatTreatment`, else the document's, else derived from the
 * customer:
 * - country absent or FI → domestic;
 * - another EU member state → eu_sale when the customer has a VAT number (or a
 *   business ID), else domestic with a warning: without the buyer's VAT number
 *   the sale cannot be a 0 % intra-Community supply (vero.fi invoicing
 *   requirements: an invoice for an EU sale must show the buyer's VAT number);
 * - any other country → outside_eu.
 * The customer's country is `address.country`, or, when there is no address
 * country, the prefix of a foreign VAT number ("DE123456789" → DE).
 *
 * Construction reverse charge (AVL 8 c §) depends on what is sold and to whom,
 * not on where the customer is, so it is never derived: the host sets it.
 *
 * `eu_sale`, `reverse_charge_construction` and `outside_eu` lines carry 0 %
 * VAT: the buyer accounts for the VAT (reverse charge) or the sale is an
 * export. A non-zero rate on such a line is a problem, not something to fix up
 * silently.
 */

/** Where a line's treatment came from (preview can show it). */
export type VatTreatmentSource = 'line' | 'document' | 'customer';

export interface LineVatTreatment {
  treatment: VatTreatment;
  source: VatTreatmentSource;
}

export interface VatTreatmentResult {
  /** The invoice's treatment: the document's, else the customer's (ResolvedInvoice.vatTreatment). */
  invoice: VatTreatment;
  /** Per line, in document order. */
  lines: LineVatTreatment[];
  /** Things a finance person should look at; they do not stop the invoice. */
  warnings: Problem[];
}

/** Treatments whose lines must carry 0 % VAT. */
export const ZERO_RATED_TREATMENTS: ReadonlyArray<VatTreatment> = ['eu_sale', 'reverse_charge_construction', 'outside_eu'];

export function isZeroRatedTreatment(treatment: VatTreatment): boolean {
  return ZERO_RATED_TREATMENTS.includes(treatment);
}

const TREATMENT_WORDS: Record<VatTreatment, string> = {
  domestic: 'a domestic sale',
  eu_sale: 'an EU sale (intra-Community supply, reverse charge)',
  reverse_charge_construction: 'a construction service under reverse charge',
  outside_eu: 'a sale outside the EU (export)',
};

/** The customer's country: address.country, else a foreign VAT number's prefix; null when unknown. */
export function customerCountry(customer: Pick<InvoiceCustomer, 'address' | 'vatNumber'>): string | null {
  const fromAddress = customer.address?.country;
  if (fromAddress) return normaliseCountryCode(fromAddress);
  const prefix = /^\s*([A-Za-z]{2})/.exec(customer.vatNumber ?? '')?.[1];
  return prefix ? normaliseCountryCode(prefix) : null;
}

function hasText(value: string | null | undefined): boolean {
  return value != null && value.trim() !== '';
}

/** The treatment the customer alone implies, with any warning about it. */
export function customerVatTreatment(
  customer: Pick<InvoiceCustomer, 'address' | 'vatNumber' | 'businessId'>,
): { treatment: VatTreatment; warnings: Problem[] } {
  const country = customerCountry(customer);
  if (country === null || country === 'FI') return { treatment: 'domestic', warnings: [] };
  if (country === 'AX') {
    return {
      treatment: 'domestic',
      warnings: [
        {
          path: 'customer.address.country',
          code: 'aland_customer',
          message:
            'the customer is on Åland, which is outside the EU VAT area: goods delivered there are exports (set vatTreatment to "outside_eu" on those lines); services are taxed as domestic sales, which is what ledgerlink assumed',
        },
      ],
    };
  }
  if (isEuMemberState(country)) {
    if (hasText(customer.vatNumber) || hasText(customer.businessId)) return { treatment: 'eu_sale', warnings: [] };
    return {
      treatment: 'domestic',
      warnings: [
        {
          path: 'customer.vatNumber',
          code: 'eu_customer_without_vat_number',
          message: `the customer is in ${country} but has no VAT number, so the invoice is treated as a domestic sale with Finnish VAT; add the customer's VAT number to invoice it as a 0 % EU sale`,
        },
      ],
    };
  }
  return { treatment: 'outside_eu', warnings: [] };
}

/** Warnings when an explicit treatment does not fit the customer. */
function explicitTreatmentWarnings(
  treatment: VatTreatment,
  path: string,
  customer: InvoiceDocument['customer'],
): Problem[] {
  const country = customerCountry(customer);
  const where = country === null ? 'has no country (so is taken to be in Finland)' : `is in ${country}`;
  const warnings: Problem[] = [];
  const warn = (code: string, message: string) => warnings.push({ path, code, message });
  switch (treatment) {
    case 'eu_sale':
      if (country === null || country === 'FI' || !isEuMemberState(country)) {
        warn('treatment_country_mismatch', `is ${TREATMENT_WORDS.eu_sale} but the customer ${where}; an EU sale needs a customer in another EU member state`);
      }
      if (!hasText(customer.vatNumber)) {
        warn('missing_customer_vat_number', 'is an EU sale, but the customer has no VAT number: the invoice must show the buyer\'s VAT number (customer.vatNumber)');
      }
      break;
    case 'outside_eu':
      if (country === null || isEuMemberState(country)) {
        warn('treatment_country_mismatch', `is ${TREATMENT_WORDS.outside_eu} but the customer ${where}`);
      }
      break;
    case 'reverse_charge_construction':
      if (country !== null && country !== 'FI') {
        warn('treatment_country_mismatch', `is ${TREATMENT_WORDS.reverse_charge_construction}, which applies between Finnish businesses, but the customer ${where}`);
      }
      if (!hasText(customer.businessId) && !hasText(customer.vatNumber)) {
        warn('missing_customer_business_id', 'is a construction service under reverse charge, but the customer has no business ID: the invoice must show the buyer\'s business ID or VAT number');
      }
      break;
    case 'domestic':
      break;
  }
  return warnings;
}

/**
 * The treatment of the invoice and of every line (line ?? document ?? customer),
 * with warnings. Warnings about an explicit treatment are given once: for the
 * document's, and for the first line that sets each other treatment of its own
 * (a hundred EU-sale lines give one warning, not a hundred).
 */
export function deriveVatTreatments(
  document: Pick<InvoiceDocument, 'vatTreatment' | 'customer' | 'lines'>,
): VatTreatmentResult {
  const fromCustomer = customerVatTreatment(document.customer);
  const warnings: Problem[] = [];
  const invoice = document.vatTreatment ?? fromCustomer.treatment;
  if (document.vatTreatment != null) {
    warnings.push(...explicitTreatmentWarnings(document.vatTreatment, 'vatTreatment', document.customer));
  } else {
    // The invoice's own treatment comes from the customer, so its warnings apply.
    warnings.push(...fromCustomer.warnings);
  }
  const warned = new Set<VatTreatment>([invoice]);
  const lines = document.lines.map((line, index): LineVatTreatment => {
    if (line.vatTreatment != null) {
      if (!warned.has(line.vatTreatment)) {
        warned.add(line.vatTreatment);
        warnings.push(...explicitTreatmentWarnings(line.vatTreatment, `lines[${index}].vatTreatment`, document.customer));
      }
      return { treatment: line.vatTreatment, source: 'line' };
    }
    if (document.vatTreatment != null) return { treatment: document.vatTreatment, source: 'document' };
    return { treatment: fromCustomer.treatment, source: 'customer' };
  });
  return { invoice, lines, warnings };
}

/**
 * The problem with a line's VAT rate under its treatment, or null: a line that
 * is an EU sale, a reverse-charge construction service or an export must carry
 * 0 % VAT. `path` names the field ("lines[2].vatRate"); `origin` says where a
 * rate the line did not carry itself came from ("comes from the product
 * mapping of WORK").
 */
export function zeroRatedRateProblem(treatment: VatTreatment, vatRate: string, path: string, origin?: string): Problem | null {
  if (!isZeroRatedTreatment(treatment) || dec(vatRate).isZero()) return null;
  const what = origin ? `${origin}: ${vatRate} %` : `is ${vatRate} %`;
  return {
    path,
    code: 'vat_rate_must_be_zero',
    message: `${what}, but the line is ${TREATMENT_WORDS[treatment]}, which carries 0 % VAT (the buyer accounts for the VAT or the sale is an export); set vatRate to 0, or set vatTreatment to "domestic" if Finnish VAT is due`,
  };
}

import { Dec, dec } from '../../src/domain/money.js';
import type { Problem } from '../../src/domain/invoice-document.js';
import { exactJson, JsonDecimal } from '../http/exact-json.js';
import type { InvoiceCustomer, LineKind, VatTreatment } from '../../src/domain/invoice-document.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import type { FieldProblem } from '../errors/provider-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { SyncWarning } from '../types.js';
import {
  LIMITS,
  type ProcountorAddress,
  type ProcountorCounterParty,
  type ProcountorInvoiceRequest,
  type ProcountorInvoiceRow,
} from './api-types.js';
import { procountorCountry } from './countries.js';
import { LANGUAGES, type InvoiceChannel, type ProcountorLanguage, type ProcountorSettings } from './settings.js';
import { TextFitter } from './text-fitter.js';
import { FALLBACK_UNIT, procountorUnit } from './units.js';
import { vatStatusFor } from './vat-status.js';

/** What `prepare` settled that the request needs. */
export interface MappingInput {
  invoice: ResolvedInvoice;
  settings: ProcountorSettings;
  /** The business partner the invoice is linked to (null only when mapping before the customer is known). */
  partnerId: number | null;
  /** Per line: the Procountor product id and code from the product mapping, when any. */
  products: Array<{ id: number; code: string | null } | null>;
  channel: InvoiceChannel;
}

export interface MappedInvoice {
  /** The request body to send: JSON whose numbers carry each decimal's own digits. */
  json: string;
  /** The same body as Procountor's JSON reader gets it (for checks and tests). */
  body: ProcountorInvoiceRequest;
  /** Text that had to be cleaned or cut, units and countries that had to be guessed. */
  warnings: SyncWarning[];
}

/** The invoice language: the customer's, else the connection's, else Finnish. */
export function invoiceLanguage(invoice: ResolvedInvoice, settings: Pick<ProcountorSettings, 'language'>): ProcountorLanguage {
  return LANGUAGES[invoice.customer.language ?? settings.language ?? 'fi'];
}

/**
 * Builds Procountor's `Invoice` (type SALES_INVOICE) for a resolved invoice,
 * field by field from openapi.yaml. Pure; throws ProviderValidationError when
 * the invoice cannot be expressed (a VAT treatment the connection has no
 * Procountor VAT status for).
 */
export function mapInvoice(input: MappingInput): MappedInvoice {
  const { invoice, settings, channel } = input;
  const numberProblems = procountorNumberProblems(invoice);
  if (numberProblems.length > 0) throw unrepresentable(numberProblems);
  const text = new TextFitter();
  const warnings: SyncWarning[] = [];
  const language = invoiceLanguage(invoice, settings);

  const address = mapAddress(invoice.customer, text, warnings);
  const counterParty: ProcountorCounterParty = {
    ...optional('contactPersonName', text.fit(invoice.customer.contactPerson, { path: 'customer.contactPerson', max: LIMITS.contactPersonName })),
    ...optional('identifier', text.fit(invoice.customer.businessId, { path: 'customer.businessId' })),
    ...optional('taxCode', text.fit(invoice.customer.vatNumber, { path: 'customer.vatNumber' })),
    ...optional('customerNumber', text.fit(invoice.customer.customerNumber, { path: 'customer.customerNumber' })),
    ...optional('email', invoice.customer.email ?? undefined),
    counterPartyAddress: address,
    ...(invoice.customer.einvoice
      ? {
          einvoiceAddress: {
            address: invoice.customer.einvoice.address.replace(/\s+/g, ''),
            operator: invoice.customer.einvoice.operator.replace(/\s+/g, ''),
          },
        }
      : {}),
  };

  const { header, rowStatuses } = vatStatuses(input);
  const rows = invoice.lines.map((line, i): ProcountorInvoiceRow<JsonDecimal> => {
    const product = input.products[i] ?? null;
    const name =
      text.fit(line.product.name, { path: `lines[${i}].product.name` }) ??
      text.fit(line.description, { path: `lines[${i}].description`, max: LIMITS.rowComment });
    if (!name) throw new ProviderValidationError({ code: 'procountor_validation', message: `Line ${i + 1} has no product name or description for Procountor.`, details: [{ path: `lines[${i}].product.name`, message: 'must not be empty' }] });
    let unit = procountorUnit(line.unit);
    if (!unit) {
      unit = FALLBACK_UNIT;
      warnings.push({
        code: 'unit_unknown',
        path: `lines[${i}].unit`,
        message: `Procountor has no unit "${line.unit}", so line ${i + 1} was sent with unit ${FALLBACK_UNIT}. Use a unit such as hour, km, pcs, day or month.`,
      });
    }
    const description = line.description.trim() === line.product.name.trim() ? undefined : line.description;
    const rowStatus = rowStatuses[i]!;
    return {
      ...(product ? { productId: product.id } : {}),
      product: name,
      ...(product?.code ? { productCode: product.code } : {}),
      quantity: new JsonDecimal(line.quantity),
      unit,
      unitPrice: new JsonDecimal(line.unitPrice),
      discountPercent: 0,
      vatPercent: new JsonDecimal(line.vatRate),
      ...(rowStatus === header ? {} : { vatStatus: rowStatus }),
      ...optional('comment', text.fit(description, { path: `lines[${i}].description`, max: LIMITS.rowComment, multiline: true })),
    };
  });

  if (!/^[\x20-\x7e]{1,40}$/.test(invoice.reference)) {
    throw new ProviderValidationError({
      code: 'procountor_reference_invalid',
      message: `ledgerlink's reference "${invoice.reference}" does not fit Procountor's originalInvoiceNumber (at most ${LIMITS.originalInvoiceNumber} plain characters); this is a ledgerlink fault, please report it.`,
      details: [{ path: 'reference', message: `must be 1 to ${LIMITS.originalInvoiceNumber} ASCII characters` }],
    });
  }

  const credited = invoice.type === 'credit_note' && invoice.credited ? invoice.credited.providerInvoiceNumber ?? invoice.credited.externalId : null;
  const creditedText = credited ? text.fit(credited, { path: 'creditedExternalId', max: 100 }) : undefined;
  const visible = [creditedText ? creditNoteLine(language, creditedText) : null, invoice.notes?.trim() || null].filter(Boolean).join('\n');
  const internal = [
    `ledgerlink ${invoice.reference} (${invoice.externalId}, revision ${invoice.revision})`,
    creditedText ? `Credit note for invoice ${creditedText}` : null,
    invoice.project?.name ? `Project: ${text.fit(invoice.project.name, { path: 'project.name', max: 200 })}` : null,
    invoice.period ? `Period: ${invoice.period.from} to ${invoice.period.to}` : null,
  ]
    .filter(Boolean)
    .join('\n');

  const deliveryStart = invoice.period?.from ?? invoice.deliveryDate ?? undefined;
  const deliveryEnd = invoice.period?.to ?? invoice.deliveryDate ?? undefined;
  const referenceCode = invoice.referenceNumber.replace(/\s+/g, '');

  const request: ProcountorInvoiceRequest<JsonDecimal> = {
    type: 'SALES_INVOICE',
    ...(input.partnerId === null ? {} : { partnerId: input.partnerId }),
    date: invoice.invoiceDate,
    counterParty,
    billingAddress: { ...address },
    paymentInfo: {
      paymentMethod: 'BANK_TRANSFER',
      currency: invoice.currency,
      bankAccount: { accountNumber: settings.bankAccount },
      dueDate: invoice.dueDate,
      currencyRate: new JsonDecimal(invoice.currencyRate),
      ...(referenceCode ? { bankReferenceCode: referenceCode } : {}),
    },
    // Accounting by row lets rows linked to products use the accounts of Procountor's product register.
    extraInfo: { accountingByRow: rows.some((r) => r.productId !== undefined), unitPricesIncludeVat: false },
    discountPercent: 0,
    invoiceRows: rows,
    vatStatus: header,
    originalInvoiceNumber: invoice.reference,
    ...(deliveryStart ? { deliveryStartDate: deliveryStart } : {}),
    ...(deliveryEnd ? { deliveryEndDate: deliveryEnd } : {}),
    invoiceChannel: channel,
    language,
    ...optional('additionalInformation', text.fit(visible || undefined, { path: 'notes', max: LIMITS.additionalInformation, multiline: true })),
    notes: internal.slice(0, LIMITS.notes),
  };
  const json = exactJson(request);
  return { json, body: JSON.parse(json) as ProcountorInvoiceRequest, warnings: [...text.warnings, ...warnings] };
}

function creditNoteLine(language: ProcountorLanguage, credited: string): string {
  switch (language) {
    case 'FINNISH':
      return `Hyvityslasku laskulle ${credited}`;
    case 'SWEDISH':
      return `Kreditfaktura för faktura ${credited}`;
    default:
      return `Credit note for invoice ${credited}`;
  }
}

/** The counterparty (= billing) address; Procountor requires its name. */
export function mapAddress(customer: InvoiceCustomer, text: TextFitter, warnings: SyncWarning[]): ProcountorAddress {
  const name = text.fit(customer.name, { path: 'customer.name', max: LIMITS.addressName });
  if (!name) {
    throw new ProviderValidationError({
      code: 'procountor_validation',
      message: 'The customer name has no characters Procountor can store.',
      details: [{ path: 'customer.name', message: 'must contain letters Procountor accepts' }],
    });
  }
  const a = customer.address ?? {};
  let country: string | undefined;
  if (a.country) {
    const word = procountorCountry(a.country);
    if (word) country = word;
    else {
      warnings.push({
        code: 'country_unknown',
        path: 'customer.address.country',
        message: `Procountor has no country for the code "${a.country}", so the address was sent without a country.`,
      });
    }
  }
  return {
    name,
    ...optional('street', text.fit(a.street, { path: 'customer.address.street', max: LIMITS.street })),
    ...optional('zip', text.fit(a.postalCode, { path: 'customer.address.postalCode', max: LIMITS.zip })),
    ...optional('city', text.fit(a.city, { path: 'customer.address.city', max: LIMITS.city })),
    ...optional('country', country),
  };
}

/** Header VAT status and each row's, from the treatments; refuses treatments with no known Procountor status. */
function vatStatuses(input: MappingInput): { header: number; rowStatuses: number[] } {
  const { invoice, settings } = input;
  const problems: FieldProblem[] = [];
  const missing = new Set<string>();
  const resolve = (treatment: VatTreatment, kind: LineKind, path: string): number => {
    const result = vatStatusFor(treatment, kind, settings);
    if (result.ok) return result.vatStatus;
    problems.push({ path, message: `${result.message} (the "vatStatuses" setting of the Procountor connection).` });
    missing.add(result.key);
    return 0;
  };
  const kinds = invoice.lines.map((l) => l.kind);
  // The header follows the invoice's treatment; it counts as goods only when every line is goods.
  const headerKind: LineKind = kinds.every((k) => k === 'goods') ? 'goods' : kinds.find((k) => k !== 'goods') ?? 'task_entry';
  const header = resolve(invoice.vatTreatment, headerKind, 'vatTreatment');
  const rowStatuses = invoice.lines.map((line, i) => resolve(line.vatTreatment, line.kind, `lines[${i}].vatTreatment`));
  if (problems.length > 0) {
    const keys = [...missing].map((k) => `"${k}"`).join(' and ');
    throw new ProviderValidationError({
      code: 'procountor_vat_status_missing',
      message: `ledgerlink does not know which Procountor VAT status to use for ${keys}. Look it up in Procountor (Management > Accounting info > VAT defaults; status "vat_N" is N) and set ${keys} under vatStatuses in the Procountor connection, then sync again.`,
      details: problems,
    });
  }
  return { header, rowStatuses };
}

/** Procountor's limits on a sales invoice's currency rate (openapi.yaml PaymentInfo.currencyRate). */
const CURRENCY_RATE = { exclusiveMinimum: dec(0), maximum: dec(1_000_000) };

/**
 * What Procountor cannot take exactly, every field at once. Its JSON numbers
 * are written digit for digit (exactJson), but a reader working in binary
 * floating point — as JSON readers commonly do — changes a decimal with more
 * digits than a double holds (1234567.0000000001 becomes 1234567): such a
 * value is refused rather than booked as something else. Run at intake and in
 * preview (Provider.checkInvoice) and again when the request is built.
 */
export function procountorNumberProblems(invoice: Pick<ResolvedInvoice, 'lines' | 'currencyRate'>): Problem[] {
  const problems: Problem[] = [];
  const check = (value: string, path: string) => {
    const exact = dec(value);
    const read = Number(value);
    if (!Number.isFinite(read) || !new Dec(read).equals(exact)) {
      problems.push({
        path,
        code: 'procountor_number_unrepresentable',
        message: `is ${value}, which has more digits than Procountor reads exactly (it would be read as ${Number.isFinite(read) ? new Dec(read).toFixed() : 'nothing'}); round it to fewer digits`,
      });
    }
  };
  invoice.lines.forEach((line, i) => {
    check(line.quantity, `lines[${i}].quantity`);
    check(line.unitPrice, `lines[${i}].unitPrice`);
    check(line.vatRate, `lines[${i}].vatRate`);
  });
  const rate = dec(invoice.currencyRate);
  if (!rate.greaterThan(CURRENCY_RATE.exclusiveMinimum) || rate.greaterThan(CURRENCY_RATE.maximum)) {
    problems.push({ path: 'currencyRate', code: 'procountor_number_unrepresentable', message: `is ${invoice.currencyRate}; Procountor takes a currency rate above 0 and at most 1000000` });
  } else {
    check(invoice.currencyRate, 'currencyRate');
  }
  return problems;
}

function unrepresentable(problems: Problem[]): ProviderValidationError {
  return new ProviderValidationError({
    code: 'procountor_number_unrepresentable',
    message: `Procountor cannot take ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
    details: problems.map((p) => ({ path: p.path, message: p.message })),
  });
}

function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return value === undefined || value === null || value === '' ? {} : ({ [key]: value } as { [P in K]?: V });
}

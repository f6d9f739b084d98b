import type { InvoiceLine, LineKind, VatTreatment } from '../invoice-document.js';
import { dec, decimalText, isDecimalString } from '../money.js';
import type { ResolvedLine, ResolvedProduct } from '../resolved-invoice.js';
import { finnishGeneralVatRate } from '../finnish/vat-rates.js';
import { isZeroRatedTreatment } from '../finnish/vat-treatment.js';
import { DEFAULT_PRODUCTS } from './default-products.js';
import { MAPPING_SCOPES, SCOPE_CONTEXT_FIELD, type MappedProduct, type ProductMapping } from './product-mapping.js';

/**
 * Product, price and VAT rate of one invoice line (issue 5, "Resolution order"
 * and "Price"; CONTRACT.md "Product mappings and preview").
 *
 * Product: a line with its own `product` keeps it (`line`). Otherwise the
 * first mapping for the line's kind found by context, in this order: task
 * (`context.taskId`), contact, membership, team, tenant. A tenant mapping that
 * ledgerlink created itself (`autoCreated`) reports `default`. When nothing
 * matches, the built-in default product for the kind is used (`default`) and
 * `needsDefault` tells the caller to create that tenant default — see
 * resolveLines for the race-free way to do that.
 *
 * Price: the line's own `unitPrice` (`line`), else the product's price
 * (`product`; a default product's default price), else the task's unit price
 * (`task`), else 0 with a `zero_price` warning (`none`). Never a silent zero,
 * never an exception.
 *
 * VAT rate: the line's `vatRate`; else 0 when the line's treatment is
 * zero-rated (EU sale, construction reverse charge, export); else the
 * product's rate; else the tenant default from the options; else the Finnish
 * general rate on the VAT date (25.5 % since 2024-09-01).
 */

/** The parts of a document line resolution reads. */
export type ResolvableLine = Pick<InvoiceLine, 'kind' | 'unit' | 'unitPrice' | 'vatRate' | 'product' | 'context'>;

export interface ResolutionWarning {
  code: 'zero_price' | 'no_vat_rate' | 'invalid_mapping_value';
  /** Our field path, e.g. "lines[3].unitPrice". */
  path: string;
  message: string;
}

export interface ResolveLineOptions {
  /** The line's position in the document (for warning paths). */
  index: number;
  /** The date the VAT rate follows, YYYY-MM-DD: deliveryDate ?? invoiceDate. */
  vatDate: string;
  /** The tenant's default VAT rate; when absent, the Finnish general rate on vatDate. */
  defaultVatRate?: string | null;
  /** The line's VAT treatment (deriveVatTreatments); zero-rated treatments default the rate to 0. */
  vatTreatment?: VatTreatment | null;
}

export type PriceSource = ResolvedLine['priceSource'];
export type ResolvedFrom = ResolvedLine['resolvedFrom'];
export type VatRateSource = 'line' | 'treatment' | 'product' | 'tenant' | 'finnish_general';

export interface LineResolution {
  product: ResolvedProduct;
  resolvedFrom: ResolvedFrom;
  /** The mapping used; null for a line's own product or the built-in default. */
  mappingId: string | null;
  /** The line's unit, else the product's. */
  unit: string;
  /** Canonical decimal text ("100", "5", "0"). */
  unitPrice: string;
  priceSource: PriceSource;
  /** Canonical decimal text ("25.5"); null only when no rate could be found (see warnings). */
  vatRate: string | null;
  vatRateSource: VatRateSource | null;
  warnings: ResolutionWarning[];
  /** Set when the tenant default for this kind does not exist yet and must be created. */
  needsDefault?: LineKind;
}

function hasId(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Stored mappings are validated on write; still, a bad value must not crash a sync. */
function storedDecimal(
  value: string | null | undefined,
  what: string,
  mapping: ProductMapping,
  path: string,
  warnings: ResolutionWarning[],
): string | null {
  if (value == null || value === '') return null;
  if (isDecimalString(value.trim())) return decimalText(dec(value));
  warnings.push({
    code: 'invalid_mapping_value',
    path,
    message: `ignored the ${what} "${value}" of product mapping ${mapping.id} (${mapping.product.code}): it is not a decimal number; fix the mapping`,
  });
  return null;
}

/** Picks one mapping when several match (the store should prevent that): admin-made first, then lowest id. */
function pick(candidates: ProductMapping[]): ProductMapping | undefined {
  return [...candidates].sort((a, b) => Number(a.autoCreated) - Number(b.autoCreated) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

/** The mapping for a line by its context, in scope order, or undefined. */
export function findMapping(
  line: Pick<ResolvableLine, 'kind' | 'context'>,
  mappings: ReadonlyArray<ProductMapping>,
): ProductMapping | undefined {
  const ofKind = mappings.filter((m) => m.lineKind === line.kind);
  for (const scope of MAPPING_SCOPES) {
    if (scope === 'tenant') {
      const found = pick(ofKind.filter((m) => m.scope === 'tenant'));
      if (found) return found;
      continue;
    }
    const id = line.context?.[SCOPE_CONTEXT_FIELD[scope]];
    if (!hasId(id)) continue;
    const found = pick(ofKind.filter((m) => m.scope === scope && m.scopeId === id));
    if (found) return found;
  }
  return undefined;
}

function productOf(mapped: MappedProduct, providerProducts: ProductMapping['providerProducts']): ResolvedProduct {
  const product: ResolvedProduct = { code: mapped.code, name: mapped.name, unit: mapped.unit };
  if (providerProducts) product.providerProducts = providerProducts;
  return product;
}

/** Resolves one line against the tenant's mappings. Pure; never throws on data. */
export function resolveLine(
  line: ResolvableLine,
  mappings: ReadonlyArray<ProductMapping>,
  options: ResolveLineOptions,
): LineResolution {
  const at = `lines[${options.index}]`;
  const warnings: ResolutionWarning[] = [];

  // 1. Product.
  let product: ResolvedProduct;
  let resolvedFrom: ResolvedFrom;
  let mapping: ProductMapping | undefined;
  let productPrice: string | null = null;
  let productVatRate: string | null = null;
  let needsDefault: LineKind | undefined;
  if (line.product) {
    product = {
      code: line.product.code,
      name: line.product.name,
      unit: line.product.unit ?? line.unit ?? DEFAULT_PRODUCTS[line.kind].unit,
    };
    resolvedFrom = 'line';
  } else {
    mapping = findMapping(line, mappings);
    if (mapping) {
      product = productOf(mapping.product, mapping.providerProducts);
      resolvedFrom = mapping.scope === 'tenant' ? (mapping.autoCreated ? 'default' : 'tenant') : mapping.scope;
      productPrice = storedDecimal(mapping.product.unitPrice, 'unit price', mapping, `${at}.unitPrice`, warnings);
      productVatRate = storedDecimal(mapping.product.vatRate, 'VAT rate', mapping, `${at}.vatRate`, warnings);
    } else {
      const builtIn = DEFAULT_PRODUCTS[line.kind];
      product = productOf(builtIn, null);
      resolvedFrom = 'default';
      productPrice = builtIn.unitPrice ?? null;
      productVatRate = builtIn.vatRate ?? null;
      needsDefault = line.kind;
    }
  }

  // 2. Price: line, product, task, else zero with a warning.
  let unitPrice: string;
  let priceSource: PriceSource;
  const taskPrice = line.context?.taskUnitPrice;
  if (line.unitPrice != null) {
    unitPrice = decimalText(line.unitPrice);
    priceSource = 'line';
  } else if (productPrice != null) {
    unitPrice = decimalText(productPrice);
    priceSource = 'product';
  } else if (taskPrice != null) {
    unitPrice = decimalText(taskPrice);
    priceSource = 'task';
  } else {
    unitPrice = '0';
    priceSource = 'none';
    warnings.push({
      code: 'zero_price',
      path: `${at}.unitPrice`,
      message: `has no price: neither the line, its product ${product.code} ("${product.name}") nor its task gives one, so it is priced at 0.00; set unitPrice on the line, a price on the product mapping, or the task's unit price`,
    });
  }

  // 3. VAT rate: line, zero-rated treatment, product, tenant default, Finnish general rate.
  let vatRate: string | null;
  let vatRateSource: VatRateSource | null;
  if (line.vatRate != null) {
    vatRate = decimalText(line.vatRate);
    vatRateSource = 'line';
  } else if (options.vatTreatment && isZeroRatedTreatment(options.vatTreatment)) {
    vatRate = '0';
    vatRateSource = 'treatment';
  } else if (productVatRate != null) {
    vatRate = productVatRate;
    vatRateSource = 'product';
  } else if (options.defaultVatRate != null && isDecimalString(options.defaultVatRate.trim())) {
    vatRate = decimalText(options.defaultVatRate);
    vatRateSource = 'tenant';
  } else {
    vatRate = finnishGeneralVatRate(options.vatDate);
    vatRateSource = vatRate === null ? null : 'finnish_general';
    if (vatRate === null) {
      warnings.push({
        code: 'no_vat_rate',
        path: `${at}.vatRate`,
        message: `has no VAT rate and ledgerlink has no Finnish general rate for ${options.vatDate}; set vatRate on the line`,
      });
    }
  }

  const result: LineResolution = {
    product,
    resolvedFrom,
    mappingId: mapping?.id ?? null,
    unit: line.unit ?? product.unit,
    unitPrice,
    priceSource,
    vatRate,
    vatRateSource,
    warnings,
  };
  if (needsDefault) result.needsDefault = needsDefault;
  return result;
}

export interface ResolveLinesOptions {
  vatDate: string;
  defaultVatRate?: string | null;
  /** Per line, in document order (deriveVatTreatments(...).lines.map(l => l.treatment)). */
  vatTreatments?: ReadonlyArray<VatTreatment | null | undefined>;
}

export interface LinesResolution {
  lines: LineResolution[];
  /** Every line's warnings, in line order. */
  warnings: ResolutionWarning[];
  /** Line kinds whose tenant default must be created (each once, in first-seen order). */
  needsDefaults: LineKind[];
}

/**
 * Resolves all lines of a document.
 *
 * Creating missing defaults, race-free: when `needsDefaults` is not empty,
 * insert `defaultMappingFor(kind)` for each kind with
 * `INSERT … ON CONFLICT (tenant_id, scope, scope_id, line_kind) DO NOTHING`
 * (a unique index with scope_id NULLS NOT DISTINCT, or coalesce(scope_id, '')),
 * reload the mappings and resolve again. Whoever wins a concurrent insert, both
 * callers then read the same stored default, and an admin's own tenant mapping
 * is never overwritten. The built-in default used meanwhile is identical to the
 * one created, so a preview (which must not write) can show this result as is.
 */
export function resolveLines(
  lines: ReadonlyArray<ResolvableLine>,
  mappings: ReadonlyArray<ProductMapping>,
  options: ResolveLinesOptions,
): LinesResolution {
  const resolved = lines.map((line, index) =>
    resolveLine(line, mappings, {
      index,
      vatDate: options.vatDate,
      defaultVatRate: options.defaultVatRate ?? null,
      vatTreatment: options.vatTreatments?.[index] ?? null,
    }),
  );
  const needsDefaults: LineKind[] = [];
  for (const r of resolved) if (r.needsDefault && !needsDefaults.includes(r.needsDefault)) needsDefaults.push(r.needsDefault);
  return { lines: resolved, warnings: resolved.flatMap((r) => r.warnings), needsDefaults };
}

import type { LineKind } from '../invoice-document.js';
import { dec, decimalText, isDecimalString } from '../money.js';

/**
 * A product mapping: "lines of this kind, for this task / contact / membership
 * / team / the whole tenant, are billed as this product" (CONTRACT.md
 * "Product mappings and preview").
 */

/** Scopes from the most specific to the least; resolution tries them in this order. */
export const MAPPING_SCOPES = ['task', 'contact', 'membership', 'team', 'tenant'] as const;
export type MappingScope = (typeof MAPPING_SCOPES)[number];

/** The line-context field each scope is matched against (tenant has none). */
export const SCOPE_CONTEXT_FIELD = {
  task: 'taskId',
  contact: 'contactId',
  membership: 'membershipId',
  team: 'teamId',
} as const satisfies Record<Exclude<MappingScope, 'tenant'>, string>;

/** The product a mapping assigns. Prices and rates are canonical decimal strings or null. */
export interface MappedProduct {
  code: string;
  name: string;
  unit: string;
  /** Default unit price; null/absent: the product has no price of its own. */
  unitPrice?: string | null;
  /** VAT percentage for the product; null/absent: use the tenant default. */
  vatRate?: string | null;
}

/** Provider-side identities of the product, when an admin gave them. */
export interface ProviderProducts {
  procountor?: { id?: string | null; code?: string | null } | null;
  netvisor?: { code?: string | null } | null;
}

/** A stored mapping. */
export interface ProductMapping {
  id: string;
  scope: MappingScope;
  /** The host's id of the task, contact, membership or team; null for tenant. */
  scopeId: string | null;
  lineKind: LineKind;
  product: MappedProduct;
  providerProducts?: ProviderProducts | null;
  /** True for the tenant defaults ledgerlink created itself (admins may edit them). */
  autoCreated: boolean;
}

/** A mapping before it is stored (no id yet): what PUT, CSV and JSON import produce. */
export type ProductMappingInput = Omit<ProductMapping, 'id' | 'autoCreated'>;

/**
 * The natural key of a mapping: at most one mapping per (scope, scopeId,
 * lineKind) per tenant. The database should enforce it with a unique index
 * (with scopeId null for tenant), which is also what makes creating the
 * auto-created default race-free (INSERT … ON CONFLICT DO NOTHING).
 */
export function mappingKey(m: Pick<ProductMapping, 'scope' | 'scopeId' | 'lineKind'>): string {
  return `${m.scope}\u0000${m.scopeId ?? ''}\u0000${m.lineKind}`;
}

function sameDecimal(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (v: string | null | undefined) => (v == null || v === '' ? null : isDecimalString(v.trim()) ? decimalText(dec(v)) : v);
  return norm(a) === norm(b);
}

/** Provider products without empty fields and entries, keys sorted: null when nothing is left. */
function providerProductsText(value: ProviderProducts | null | undefined): string | null {
  if (!value) return null;
  const out: Record<string, Record<string, string>> = {};
  for (const provider of Object.keys(value).sort()) {
    const entry = (value as Record<string, unknown>)[provider];
    if (!entry || typeof entry !== 'object') continue;
    const fields: Record<string, string> = {};
    for (const field of Object.keys(entry).sort()) {
      const v = (entry as Record<string, unknown>)[field];
      if (v != null && v !== '') fields[field] = String(v);
    }
    if (Object.keys(fields).length) out[provider] = fields;
  }
  return Object.keys(out).length ? JSON.stringify(out) : null;
}

/**
 * Whether two mappings of the same key assign the same product, price, VAT
 * rate and provider products ("5.00" and "5" are the same price). An import
 * skips such a row, so an export imported back changes nothing — an
 * auto-created default stays auto-created.
 */
export function sameMappingContent(a: Pick<ProductMapping, 'product' | 'providerProducts'>, b: Pick<ProductMapping, 'product' | 'providerProducts'>): boolean {
  return (
    a.product.code === b.product.code &&
    a.product.name === b.product.name &&
    a.product.unit === b.product.unit &&
    sameDecimal(a.product.unitPrice, b.product.unitPrice) &&
    sameDecimal(a.product.vatRate, b.product.vatRate) &&
    providerProductsText(a.providerProducts) === providerProductsText(b.providerProducts)
  );
}

import { z } from 'zod';
import { decimalField, LINE_KINDS, problemsFromZod, type Problem } from '../invoice-document.js';
import type { Decimal } from 'decimal.js';
import { dec, isBoundedDecimal } from '../money.js';
import { MAPPING_SCOPES, mappingKey, type ProductMapping, type ProductMappingInput } from './product-mapping.js';

/**
 * The JSON form of a product mapping: the body of `PUT /v1/product-mappings`
 * and each item of a JSON bulk import (CONTRACT.md "Product mappings and
 * preview"):
 *
 *   { scope, scopeId?, lineKind,
 *     product: { code, name, unit, unitPrice?, vatRate? },
 *     providerProducts?: { procountor?: { id?, code? }, netvisor?: { code? } } }
 *
 * `scopeId` is required for task, contact, membership and team, and must be
 * left out (or null) for tenant. Objects are strict: an admin who types
 * "unitprice" gets told, instead of a mapping that silently has no price.
 * Prices and rates are decimal strings or JSON numbers, stored as canonical
 * decimal text ("12.50" → "12.5").
 */

const text = (max: number) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** Procountor product ids are integers; accept them as JSON numbers or digit strings, keep them as text. */
const procountorId = z
  .union([z.string().trim().regex(/^\d{1,18}$/, 'must be a Procountor product id (digits)'), z.number().int().nonnegative()], {
    error: 'must be a Procountor product id (digits)',
  })
  .transform((v) => String(v));

const optionalText = (max: number) => text(max).nullish();

function decimalOrNull(value: unknown): Decimal | null {
  return isBoundedDecimal(value) ? dec(value) : null;
}

export const mappedProductSchema = z
  .strictObject({
    code: text(40),
    name: text(200),
    unit: text(20),
    unitPrice: decimalField('a unit price').nullish(),
    vatRate: decimalField('a VAT percentage').nullish(),
  })
  .superRefine((p, ctx) => {
    // zod runs this refinement even when a field above failed, with that field
    // untransformed: only look at values that are decimals.
    const price = decimalOrNull(p.unitPrice);
    const rate = decimalOrNull(p.vatRate);
    if (price?.isNegative()) {
      ctx.addIssue({ code: 'custom', path: ['unitPrice'], message: 'must not be negative' });
    }
    if (rate && (rate.isNegative() || rate.greaterThan(100))) {
      ctx.addIssue({ code: 'custom', path: ['vatRate'], message: 'must be a percentage between 0 and 100' });
    }
  });

export const providerProductsSchema = z.strictObject({
  procountor: z.strictObject({ id: procountorId.nullish(), code: optionalText(40) }).nullish(),
  netvisor: z.strictObject({ code: optionalText(50) }).nullish(),
});

export const productMappingInputSchema = z
  .strictObject({
    scope: z.enum(MAPPING_SCOPES, { error: `must be one of ${MAPPING_SCOPES.join(', ')}` }),
    scopeId: z
      .union([z.string(), z.number().int()], { error: 'must be text: the host\'s id' })
      .transform((v) => String(v).trim())
      .pipe(z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'))
      .nullish(),
    lineKind: z.enum(LINE_KINDS, { error: `must be one of ${LINE_KINDS.join(', ')}` }),
    product: mappedProductSchema,
    providerProducts: providerProductsSchema.nullish(),
  })
  .superRefine(
    (m, ctx) => {
      // Runs even when another field failed (see `when`), so that every problem
      // is reported at once; then fields may be unparsed: only trust a known scope.
      if (!(MAPPING_SCOPES as readonly unknown[]).includes(m.scope)) return;
      if (m.scope === 'tenant' && m.scopeId != null) {
        ctx.addIssue({ code: 'custom', path: ['scopeId'], message: 'must be left out for scope "tenant": a tenant mapping applies to the whole tenant' });
      }
      if (m.scope !== 'tenant' && m.scopeId == null) {
        ctx.addIssue({ code: 'custom', path: ['scopeId'], message: `is required for scope "${m.scope}": the host's ${m.scope} id` });
      }
    },
    { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
  );

/** Normalises a parsed mapping to the stored shape (nulls instead of absent fields). */
export function mappingInputFrom(parsed: z.output<typeof productMappingInputSchema>): ProductMappingInput {
  const providerProducts = parsed.providerProducts
    ? {
        ...(parsed.providerProducts.procountor
          ? { procountor: { id: parsed.providerProducts.procountor.id ?? null, code: parsed.providerProducts.procountor.code ?? null } }
          : {}),
        ...(parsed.providerProducts.netvisor ? { netvisor: { code: parsed.providerProducts.netvisor.code ?? null } } : {}),
      }
    : null;
  return {
    scope: parsed.scope,
    scopeId: parsed.scope === 'tenant' ? null : (parsed.scopeId ?? null),
    lineKind: parsed.lineKind,
    product: {
      code: parsed.product.code,
      name: parsed.product.name,
      unit: parsed.product.unit,
      unitPrice: parsed.product.unitPrice ?? null,
      vatRate: parsed.product.vatRate ?? null,
    },
    providerProducts: providerProducts && Object.keys(providerProducts).length > 0 ? providerProducts : null,
  };
}

export type MappingParseResult = { ok: true; mapping: ProductMappingInput } | { ok: false; problems: Problem[] };

/** Parses one mapping (a PUT body). Problems name their fields: "product.unitPrice". */
export function parseProductMapping(input: unknown): MappingParseResult {
  const result = productMappingInputSchema.safeParse(input);
  if (!result.success) return { ok: false, problems: problemsFromZod(result.error) };
  return { ok: true, mapping: mappingInputFrom(result.data) };
}

export type MappingListParseResult = { ok: true; mappings: ProductMappingInput[] } | { ok: false; problems: Problem[] };

/**
 * Parses a JSON bulk import: an array of mappings (or `{ mappings: [...] }`,
 * the shape exportMappingsJson writes). Every problem of every item is
 * reported at once, with paths like "[3].product.code"; two items for the same
 * (scope, scopeId, lineKind) are a problem on the second. The `id` and
 * `autoCreated` an export writes are ignored, so an export imports back as is.
 */
export function parseProductMappingList(input: unknown): MappingListParseResult {
  const list = Array.isArray(input)
    ? input
    : input !== null && typeof input === 'object' && Array.isArray((input as { mappings?: unknown }).mappings)
      ? ((input as { mappings: unknown[] }).mappings)
      : null;
  if (list === null) {
    return { ok: false, problems: [{ path: '(document)', code: 'invalid_type', message: 'must be a list of product mappings' }] };
  }
  const problems: Problem[] = [];
  const mappings: ProductMappingInput[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const result = productMappingInputSchema.safeParse(withoutExportOnlyFields(item));
    if (!result.success) {
      problems.push(...problemsFromZod(result.error, [i]));
      return;
    }
    const mapping = mappingInputFrom(result.data);
    const key = mappingKey(mapping);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        path: `[${i}]`,
        code: 'duplicate_mapping',
        message: `maps the same ${mapping.scope}${mapping.scopeId ? ` ${mapping.scopeId}` : ''} and line kind ${mapping.lineKind} as item [${first}]; keep one`,
      });
      return;
    }
    seen.set(key, i);
    mappings.push(mapping);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, mappings };
}

/** Drops the fields an export adds (id, autoCreated): the import matches mappings by their natural key. */
function withoutExportOnlyFields(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  const { id: _id, autoCreated: _autoCreated, ...rest } = item as Record<string, unknown>;
  return rest;
}

/** The JSON export of stored mappings: the import shape plus id and autoCreated. */
export function exportMappingsJson(mappings: ReadonlyArray<ProductMapping>): { mappings: Array<ProductMapping> } {
  return {
    mappings: mappings.map((m) => ({
      id: m.id,
      scope: m.scope,
      scopeId: m.scopeId,
      lineKind: m.lineKind,
      product: { ...m.product, unitPrice: m.product.unitPrice ?? null, vatRate: m.product.vatRate ?? null },
      providerProducts: m.providerProducts ?? null,
      autoCreated: m.autoCreated,
    })),
  };
}

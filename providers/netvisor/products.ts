import type { ResolvedLine } from '../../src/domain/resolved-invoice.js';
import { ProviderError } from '../errors/provider-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { callNetvisor, expectOk, netvisorRequest, type NetvisorContext, type NetvisorDeps } from './client.js';
import { withDefaults } from './settings.js';
import { buildProductXml } from './xml/build-product.js';
import { netvisorProductCode } from './xml/build-invoice.js';
import { insertedIdentifier, parseProducts } from './xml/parse-response.js';

/** getproduct.nv?code=…: the product's NetvisorKey, or null when Netvisor has no product with that code. */
export async function findNetvisorProduct(ctx: NetvisorContext, code: string, deps: NetvisorDeps): Promise<string | null> {
  const request = netvisorRequest(ctx.settings, {
    method: 'GET',
    resource: 'getproduct.nv',
    query: [['code', code]],
    write: false,
    label: `look the product ${code} up in Netvisor`,
  });
  const answer = await callNetvisor(ctx, request, deps);
  // Netvisor answers an unknown id with INVALID_DATA ("… not found …", in the interface language) or
  // with an empty <Product/>. Taking any INVALID_DATA to a read by code as "not found" is safe: the
  // add that follows is checked by Netvisor, and a DUPLICATE_DATA answer leads back to a lookup.
  if (!answer.parsed.status.ok && answer.parsed.status.code === 'INVALID_DATA') return null;
  const products = parseProducts(expectOk(ctx, request, answer));
  // Only a product that carries the code asked for: one whose <ProductCode> is empty may be any
  // product, and linking it would put every line of this code on the wrong product.
  const exact = products.find((p) => !!p.code && p.code.trim().toUpperCase() === code.trim().toUpperCase());
  return exact?.netvisorKey ?? null;
}

/**
 * Makes sure Netvisor has every product the invoice's lines name (by code, as
 * invoices reference them with `productidentifier type="customer"`): a linked
 * product is trusted, an unlinked one is looked up with getproduct.nv?code=
 * and added with product.nv?method=add only when Netvisor lacks it. Each found
 * or added product is linked, so the next invoice needs no lookup.
 * Returns product code → NetvisorKey (or the link value).
 */
export async function ensureNetvisorProducts(ctx: NetvisorContext, lines: readonly ResolvedLine[], deps: NetvisorDeps): Promise<Record<string, string>> {
  const s = withDefaults(ctx.settings);
  const result: Record<string, string> = {};
  for (const line of lines) {
    const code = netvisorProductCode(line);
    if (result[code]) continue;
    const linked = await ctx.links.product(code);
    if (linked) {
      result[code] = linked;
      continue;
    }
    const existing = await findNetvisorProduct(ctx, code, deps);
    if (existing) {
      await ctx.links.saveProduct(code, existing);
      result[code] = existing;
      continue;
    }
    const request = netvisorRequest(s, {
      method: 'POST',
      resource: 'product.nv',
      query: [['method', 'add']],
      body: buildProductXml({ line, code, group: s.productGroup, encoding: s.encoding, warn: (w) => ctx.warn(w) }),
      write: true,
      label: `add the product ${code} to Netvisor`,
    });
    let answer;
    try {
      answer = await callNetvisor(ctx, request, deps);
    } catch (error) {
      if (error instanceof ProviderError && error.category === 'unknown_outcome') {
        throw new ProviderTransientError({
          code: 'netvisor_product_unknown',
          message: `${error.message} The next try looks the product ${code} up before adding it.`,
          cause: error,
        });
      }
      throw error;
    }
    if (!answer.parsed.status.ok && answer.parsed.status.code === 'DUPLICATE_DATA') {
      const meanwhile = await findNetvisorProduct(ctx, code, deps);
      if (meanwhile) {
        await ctx.links.saveProduct(code, meanwhile);
        result[code] = meanwhile;
        continue;
      }
    }
    const key = insertedIdentifier(expectOk(ctx, request, answer)) ?? code;
    await ctx.links.saveProduct(code, key);
    result[code] = key;
  }
  return result;
}

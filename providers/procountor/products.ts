import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import type { ProcountorProduct, SearchResult } from './api-types.js';
import type { ProcountorClient, ProcountorContext } from './client.js';

/** A row's link to Procountor's product register. */
export interface ProductLink {
  id: number;
  code: string | null;
}

/**
 * The Procountor product of each line, when the product mapping names one:
 * by id as given, or by code — from the link book, else `GET /products?code=`
 * (a substring search, so only an exact code counts) and then remembered.
 * A code Procountor does not know leaves the row without a product and says
 * so; rows always carry name, unit, price and VAT themselves.
 */
export async function resolveProducts(
  client: ProcountorClient,
  ctx: ProcountorContext,
  invoice: ResolvedInvoice,
): Promise<Array<ProductLink | null>> {
  const byCode = new Map<string, Promise<number | null>>();
  const lookup = (code: string): Promise<number | null> => {
    let pending = byCode.get(code);
    if (!pending) {
      pending = findProductId(client, ctx, code);
      byCode.set(code, pending);
    }
    return pending;
  };
  const links: Array<ProductLink | null> = [];
  for (const [i, line] of invoice.lines.entries()) {
    const mapped = line.product.providerProducts?.procountor;
    const code = mapped?.code?.trim() || null;
    const givenId = mapped?.id?.trim() || null;
    if (givenId) {
      if (/^\d+$/.test(givenId)) {
        links.push({ id: Number(givenId), code });
        continue;
      }
      ctx.warn({
        code: 'product_id_invalid',
        path: `lines[${i}].product`,
        message: `The product mapping of "${line.product.code}" names Procountor product id "${givenId}", which is not a number; line ${i + 1} was sent without a Procountor product.`,
      });
      links.push(null);
      continue;
    }
    if (!code) {
      links.push(null);
      continue;
    }
    const id = await lookup(code);
    if (id === null) {
      ctx.warn({
        code: 'product_not_found',
        path: `lines[${i}].product`,
        message: `Procountor has no product with code "${code}" (named by the product mapping of "${line.product.code}"); line ${i + 1} was sent without a Procountor product, with its own name, unit, price and VAT.`,
      });
      links.push(null);
    } else {
      links.push({ id, code });
    }
  }
  return links;
}

async function findProductId(client: ProcountorClient, ctx: ProcountorContext, code: string): Promise<number | null> {
  const cached = await ctx.links.product(code);
  if (cached && /^\d+$/.test(cached)) return Number(cached);
  const result = await client.call<SearchResult<ProcountorProduct>>({
    method: 'GET',
    path: '/products',
    query: { code },
    write: false,
    label: 'find product by code',
  });
  const exact = (result?.results ?? [])
    .filter((p) => p.code === code && p.active !== false && (p.type == null || p.type === 'SALES'))
    .sort((a, b) => a.id - b.id);
  const found = exact[0];
  if (!found) return null;
  await ctx.links.saveProduct(code, String(found.id));
  return found.id;
}

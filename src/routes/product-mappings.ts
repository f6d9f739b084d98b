import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LINE_KINDS } from '../domain/invoice-document.js';
import { newId } from '../domain/ids.js';
import { exportMappingsCsv, importMappingsCsv } from '../domain/products/mapping-csv.js';
import { exportMappingsJson, parseProductMapping, parseProductMappingList, productMappingInputSchema } from '../domain/products/mapping-schema.js';
import { MAPPING_SCOPES, type ProductMappingInput } from '../domain/products/product-mapping.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import type { StoredMapping } from '../store/mappings-repo.js';
import type { AppDeps } from '../app-deps.js';
import { applyMappingImport } from '../sync/mapping-import.js';
import { toProductMapping } from '../sync/resolve-invoice.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

const listQuery = z.strictObject({
  scope: z.enum(MAPPING_SCOPES).optional(),
  scopeId: z.string().max(100).optional(),
  lineKind: z.enum(LINE_KINDS).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  delimiter: z.enum([',', ';']).default(','),
});

/** The repository filter of a list or export query (scope, scopeId, lineKind). */
function filterOf(q: z.output<typeof listQuery>): { scope?: string; scopeId?: string; lineKind?: string } {
  return {
    ...(q.scope ? { scope: q.scope } : {}),
    ...(q.scopeId !== undefined ? { scopeId: q.scopeId } : {}),
    ...(q.lineKind ? { lineKind: q.lineKind } : {}),
  };
}

function view(m: StoredMapping) {
  return {
    id: m.id,
    scope: m.scope,
    scopeId: m.scopeId,
    lineKind: m.lineKind,
    product: m.product,
    providerProducts: m.providerProducts,
    autoCreated: m.autoCreated,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** Admin routes: which product and price each kind of work is billed with, per scope. */
export function mappingRoutes(app: FastifyInstance, deps: AppDeps): void {
  const admin = requireRole(deps.auth, 'admin');
  const repos = deps.store.repos;

  const save = async (tenantId: string, input: ProductMappingInput) =>
    repos.mappings.upsert(tenantId, { id: `map_${newId()}`, ...input, providerProducts: (input.providerProducts as Record<string, unknown> | null) ?? null, autoCreated: false });

  app.put(
    '/v1/product-mappings',
    { preHandler: admin, schema: { tags: ['mappings'], summary: 'Create or replace the mapping of a (scope, scopeId, lineKind)', body: deps.docs.schema(productMappingInputSchema) } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const parsed = parseProductMapping(request.body);
      if (!parsed.ok) throw ApiError.badInput(parsed.problems);
      const { mapping, created } = await save(tenantId, parsed.mapping);
      await repos.audit.record({ tenantId, actor: actorOf(request), action: created ? 'mapping.create' : 'mapping.replace', target: mapping.id, details: parsed.mapping });
      return reply.code(created ? 201 : 200).send(view(mapping));
    },
  );

  app.get('/v1/product-mappings', { preHandler: admin, schema: { tags: ['mappings'], summary: 'List mappings (JSON or CSV with ?format=csv)' } }, async (request, reply) => {
    const tenantId = tenantOf(request);
    const q = parseOr400(listQuery, request.query);
    const mappings = await repos.mappings.list(tenantId, filterOf(q));
    if (q.format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="product-mappings.csv"')
        .send(exportMappingsCsv(mappings.map(toProductMapping), { delimiter: q.delimiter }));
    }
    return { mappings: mappings.map(view) };
  });

  app.get('/v1/product-mappings/export', { preHandler: admin, schema: { tags: ['mappings'], summary: 'Export the mappings (JSON, or CSV with ?format=csv; filter like the list)' } }, async (request, reply) => {
    const q = parseOr400(listQuery, request.query);
    const mappings = (await repos.mappings.list(tenantOf(request), filterOf(q))).map(toProductMapping);
    if (q.format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').send(exportMappingsCsv(mappings, { delimiter: q.delimiter }));
    }
    return exportMappingsJson(mappings);
  });

  app.post(
    '/v1/product-mappings/import',
    { preHandler: admin, schema: { tags: ['mappings'], summary: 'Bulk import (JSON list or CSV); all or nothing' } },
    async (request) => {
      const tenantId = tenantOf(request);
      const isCsv = typeof request.body === 'string' || /text\/(csv|plain)/.test(String(request.headers['content-type'] ?? ''));
      let inputs: ProductMappingInput[];
      if (isCsv) {
        const result = importMappingsCsv(String(request.body ?? ''));
        if (!result.ok) {
          throw ApiError.badInput(result.problems.map((p) => ({ path: `row ${p.row}${p.column ? `, ${p.column}` : ''}`, code: 'invalid_csv', message: p.message })));
        }
        inputs = result.mappings;
      } else {
        const result = parseProductMappingList(request.body);
        if (!result.ok) throw ApiError.badInput(result.problems);
        inputs = result.mappings;
      }
      const counts = (await applyMappingImport(deps.store, tenantId, inputs, { actor: actorOf(request), format: isCsv ? 'csv' : 'json' }))!;
      return { ...counts, total: inputs.length };
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/product-mappings/:id', { preHandler: admin, schema: { tags: ['mappings'], summary: 'Delete a mapping' } }, async (request, reply) => {
    const tenantId = tenantOf(request);
    const deleted = await repos.mappings.delete(tenantId, request.params.id);
    if (!deleted) throw ApiError.notFound(`Product mapping ${request.params.id}`);
    await repos.audit.record({ tenantId, actor: actorOf(request), action: 'mapping.delete', target: request.params.id });
    return reply.code(204).send();
  });
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fromTimeSchema as fromTime, toTimeSchema as toTime } from '../domain/dates.js';
import { invoiceDocumentSchema, PROVIDER_IDS } from '../domain/invoice-document.js';
import { ApiError } from '../http/api-error.js';
import { unstorableInputs } from '../http/input-guard.js';
import { readMultipart, type MultipartForm } from '../http/multipart.js';
import { parseOr400 } from '../http/parse.js';
import { STATUSES } from '../store/records-repo.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, requireRoleFromCache, tenantOf, unconfirmedVersionOf } from '../http/auth.js';
import { ConfigChanged } from '../store/config-cache.js';
import type { AcceptResult } from '../sync/invoice-service.js';

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(STATUSES, { error: `must be one or more of ${STATUSES.join(', ')}` })));

export const listQuery = z.strictObject({
  status: statusList.optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
  /** Every revision of one invoice of the host (`ledgerlink status <externalId>`). */
  externalId: z.string().min(1).max(200).optional(),
  from: fromTime.optional(),
  to: toTime.optional(),
  cursor: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const bulkResyncBody = z.strictObject({
  status: z.union([z.enum(STATUSES), z.array(z.enum(STATUSES))]).optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
  from: fromTime.optional(),
  to: toTime.optional(),
  /** Count what would be resynced, change nothing (the CLI asks for confirmation with it). */
  dryRun: z.boolean().optional(),
});

/**
 * `?status=&provider=&from=&to=&cursor=` (the contract's own form, and what URL
 * templates send for filters not used): an empty value is no filter, not a 400.
 */
function withoutEmptyValues(query: unknown): unknown {
  if (!query || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query as Record<string, unknown>).filter(([, value]) => value !== ''));
}

/**
 * A multipart invoice: the document as JSON in the text field `invoice` (or a
 * file part named `invoice`), every other file a PDF to attach.
 */
function invoiceFromForm(form: MultipartForm): { body: unknown; files: MultipartForm['files'] } {
  const asFile = form.files.find((f) => f.field === 'invoice');
  const field = form.fields.get('invoice') ?? (asFile ? { value: asFile.data.toString('utf8'), truncated: asFile.truncated } : undefined);
  if (!field) throw ApiError.badInput([{ path: 'invoice', code: 'required', message: 'is required: the invoice document as JSON in the form field "invoice"' }]);
  if (field.truncated) throw ApiError.badInput([{ path: 'invoice', code: 'too_large', message: 'must be at most 1 MiB of JSON' }]);
  let body: unknown;
  try {
    body = JSON.parse(field.value);
  } catch (error) {
    throw ApiError.badInput([{ path: 'invoice', code: 'invalid_json', message: `must be the invoice document as JSON: ${(error as Error).message}` }]);
  }
  // The JSON in a form field is checked like a JSON body is before any route runs (app.ts).
  const unstorable = unstorableInputs(body);
  if (unstorable.length) throw ApiError.badInput(unstorable);
  return { body, files: form.files.filter((f) => f !== asFile) };
}

/** Host and finance routes: intake, preview, records, resync. */
export function invoiceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const auth = deps.auth;
  const host = requireRole(auth, 'host');
  const hostFromCache = requireRoleFromCache(auth, 'host');
  const reader = requireRole(auth, 'host', 'finance');
  const finance = requireRole(auth, 'finance');
  const documentSchema = deps.docs.schema(invoiceDocumentSchema);

  app.post(
    '/v1/invoices',
    {
      // A key known to this process is trusted here; the write confirms it (acceptUnconfirmed).
      preHandler: hostFromCache,
      // Room for PDFs in `attachments` (base64); multipart files have their own limits.
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['invoices'],
        summary: 'Accept an invoice for sync (202; 200 when already accepted) — JSON (optionally with `attachments`), or multipart: the invoice JSON in the field `invoice`, PDFs as files',
        body: documentSchema,
      },
    },
    async (request, reply) => {
      const header = request.headers['idempotency-key'];
      const idempotencyKey = Array.isArray(header) ? header[0] : header;
      const posted = request.isMultipart() ? invoiceFromForm(await readMultipart(request)) : { body: request.body, files: [] };
      let result: AcceptResult | null = null;
      const version = unconfirmedVersionOf(request);
      if (version !== null) {
        try {
          result = await deps.invoices.acceptUnconfirmed(tenantOf(request), version, posted.body, idempotencyKey);
        } catch (error) {
          if (!(error instanceof ConfigChanged)) throw error;
          // The key or the tenant's configuration changed: the key is checked again (revoked: 401), then the invoice.
          await host(request, reply);
        }
      }
      result ??= await deps.invoices.accept(tenantOf(request), posted.body, idempotencyKey, posted.files);
      const { record } = result;
      return reply
        .code(result.statusCode)
        .header('location', `/v1/invoices/${record.id}`)
        .send({ id: record.id, status: record.status, externalId: record.externalId, revision: record.revision, provider: record.provider, reference: record.reference, referenceNumber: record.referenceNumber, totals: record.totals, warnings: record.warnings });
    },
  );

  app.post(
    '/v1/invoices/preview',
    { preHandler: reader, schema: { tags: ['invoices'], summary: 'Validate and resolve without posting anything', body: documentSchema } },
    async (request) => deps.invoices.preview(tenantOf(request), request.body),
  );

  app.get('/v1/invoices', { preHandler: reader, schema: { tags: ['invoices'], summary: 'List sync records, newest first' } }, async (request) => {
    const q = parseOr400(listQuery, withoutEmptyValues(request.query));
    return deps.invoices.list(
      tenantOf(request),
      { ...(q.status ? { status: q.status } : {}), ...(q.provider ? { provider: q.provider } : {}), ...(q.externalId ? { externalId: q.externalId } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) },
      { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) },
    );
  });

  app.get<{ Params: { id: string } }>('/v1/invoices/:id', { preHandler: reader, schema: { tags: ['invoices'], summary: 'One sync record with attempts, history and events' } }, async (request) =>
    deps.invoices.detail(tenantOf(request), request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/invoices/:id/resync',
    { preHandler: finance, schema: { tags: ['invoices'], summary: 'Sync again (never creates a second copy)' } },
    async (request, reply) => {
      const record = await deps.invoices.resync(tenantOf(request), request.params.id, actorOf(request));
      return reply.code(202).send({ id: record.id, status: record.status });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/invoices/:id/cancel',
    { preHandler: reader, schema: { tags: ['invoices'], summary: 'Cancel an invoice that is not at the provider yet (409 already_at_provider otherwise)' } },
    async (request, reply) => {
      const { statusCode, record } = await deps.invoices.cancel(tenantOf(request), request.params.id, actorOf(request));
      return reply.code(statusCode).send({ id: record.id, status: record.status, cancelRequested: record.status !== 'cancelled' });
    },
  );

  app.post(
    '/v1/invoices/resync',
    { preHandler: finance, schema: { tags: ['invoices'], summary: 'Resync every record matching a filter (default: failed)', body: deps.docs.schema(bulkResyncBody) } },
    async (request, reply) => {
      const body = parseOr400(bulkResyncBody, request.body ?? {});
      const status = body.status === undefined ? undefined : Array.isArray(body.status) ? body.status : [body.status];
      const filter = { ...(status ? { status } : {}), ...(body.provider ? { provider: body.provider } : {}), ...(body.from ? { from: body.from } : {}), ...(body.to ? { to: body.to } : {}) };
      if (body.dryRun) return reply.code(200).send({ count: await deps.invoices.countResyncable(tenantOf(request), filter), dryRun: true });
      return reply.code(202).send(await deps.invoices.bulkResync(tenantOf(request), filter, actorOf(request)));
    },
  );
}

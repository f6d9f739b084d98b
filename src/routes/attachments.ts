import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { AttachmentsRepo, type AttachmentRow } from '../store/attachments-repo.js';
import type { AppDeps } from '../app-deps.js';
import { requireRole, tenantOf } from './auth.js';

/** The largest PDF a host may attach (decoded). Procountor takes up to 10,000,000 bytes; we stay well under. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const attachmentBody = z.strictObject({
  filename: z.string().min(1).max(200).regex(/^[^\\/\u0000-\u001f]+$/, 'must be a file name without path or control characters'),
  contentType: z.literal('application/pdf', { error: 'must be application/pdf' }),
  /** The PDF, base64. */
  data: z.string().min(1).max(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 4, `must be at most ${MAX_ATTACHMENT_BYTES} bytes once decoded`),
});

/** `{"source": "billing"}`: the PDF of the billing invoice this record was released from. */
export const billingPdfBody = z.strictObject({ source: z.literal('billing', { error: 'must be "billing" (or send filename, contentType and data)' }) });

const view = (a: AttachmentRow) => ({
  id: a.id,
  filename: a.filename,
  name: a.name,
  contentType: a.contentType,
  size: a.size,
  status: a.status,
  providerAttachmentId: a.providerAttachmentId,
  error: a.error,
  createdAt: a.createdAt.toISOString(),
  doneAt: a.doneAt ? a.doneAt.toISOString() : null,
});

/**
 * Host routes: a PDF for an invoice (JSON with base64 data, or the raw
 * `application/pdf` body with `?filename=`), sent to the provider once the
 * invoice is there — exactly once (see AttachmentSender).
 */
export function attachmentRoutes(app: FastifyInstance, deps: AppDeps): void {
  const writer = requireRole(deps.auth, 'host', 'finance');
  app.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_request, body, done) => done(null, body));

  app.post<{ Params: { id: string }; Querystring: { filename?: string } }>(
    '/v1/invoices/:id/attachments',
    {
      preHandler: writer,
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['invoices'],
        summary: 'Attach a PDF to an invoice — posted, or {"source": "billing"} for the billing PDF (sent to the provider exactly once, when the invoice is there)',
        body: deps.docs.schema(z.union([attachmentBody, billingPdfBody])),
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const record = await deps.store.repos.records.get(tenantId, request.params.id);
      if (!record) throw ApiError.notFound(`Invoice record ${request.params.id}`);
      let filename: string;
      let data: Buffer;
      if (Buffer.isBuffer(request.body)) {
        filename = parseOr400(attachmentBody.shape.filename, request.query?.filename, ['filename']);
        data = request.body;
      } else if (request.body && typeof request.body === 'object' && 'source' in request.body) {
        parseOr400(billingPdfBody, request.body);
        const rows = await deps.store.db.query<{ id: string }>('select id from billing_invoices where tenant_id = $1 and sync_record_id = $2', [tenantId, record.id]);
        if (!rows[0]) {
          throw ApiError.badInput([{ path: 'source', code: 'not_from_billing', message: `invoice record ${record.id} was not released from ledgerlink's billing, so it has no billing PDF; post the PDF itself` }]);
        }
        const pdf = await deps.billing.sending.pdf(tenantId, rows[0].id);
        filename = pdf.filename;
        data = pdf.pdf;
      } else {
        const body = parseOr400(attachmentBody, request.body);
        filename = body.filename;
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body.data.replace(/\s+/g, ''))) throw ApiError.badInput([{ path: 'data', code: 'invalid', message: 'must be base64' }]);
        data = Buffer.from(body.data, 'base64');
      }
      const problems = [];
      if (data.length > MAX_ATTACHMENT_BYTES) problems.push({ path: 'data', code: 'too_large', message: `must be at most ${MAX_ATTACHMENT_BYTES} bytes, got ${data.length}` });
      if (!data.subarray(0, 5).equals(Buffer.from('%PDF-'))) problems.push({ path: 'data', code: 'not_pdf', message: 'must be a PDF (it does not start with %PDF-)' });
      if (problems.length) throw ApiError.badInput(problems);
      const id = `att_${newId(deps.clock())}`;
      const saved = await new AttachmentsRepo(deps.store.db).add({ id, recordId: record.id, tenantId, name: `${record.reference}-${id}.pdf`, filename, contentType: 'application/pdf', data });
      return reply.code(202).send(view(saved));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/invoices/:id/attachments',
    { preHandler: requireRole(deps.auth, 'host', 'finance', 'admin'), schema: { tags: ['invoices'], summary: "An invoice's attachments and whether each reached the provider" } },
    async (request) => {
      const record = await deps.store.repos.records.get(tenantOf(request), request.params.id);
      if (!record) throw ApiError.notFound(`Invoice record ${request.params.id}`);
      return { items: (await new AttachmentsRepo(deps.store.db).forRecord(record.id)).map(view) };
    },
  );
}

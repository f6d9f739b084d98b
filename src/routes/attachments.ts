import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { newId } from '../domain/ids.js';
import { attachmentName, decodePdfJson, decodePdfPart, MAX_ATTACHMENT_BYTES, pdfFilenameSchema, pdfJsonSchema, type PostedPdf } from '../domain/pdf-attachment.js';
import { ApiError } from '../http/api-error.js';
import { readMultipart } from '../http/multipart.js';
import { parseOr400 } from '../http/parse.js';
import type { AttachmentRow } from '../store/attachments-repo.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

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
 * Host routes: a PDF for an invoice (JSON with base64 data, the raw
 * `application/pdf` body with `?filename=`, or a multipart file), sent to the provider once the
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
        body: deps.docs.schema(z.union([pdfJsonSchema, billingPdfBody])),
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const record = await deps.store.repos.records.get(tenantId, request.params.id);
      if (!record) throw ApiError.notFound(`Invoice record ${request.params.id}`);
      let pdf: PostedPdf;
      if (request.isMultipart()) {
        // One PDF as the form's file (any field name; the part's file name is kept).
        const form = await readMultipart(request);
        if (form.files.length !== 1) throw ApiError.badInput([{ path: 'file', code: form.files.length ? 'too_many_files' : 'required', message: `must be exactly one PDF file, got ${form.files.length}` }]);
        const one = decodePdfPart(form.files[0]!);
        if (!one.pdf) throw ApiError.badInput(one.problems);
        pdf = one.pdf;
      } else if (Buffer.isBuffer(request.body)) {
        const filename = parseOr400(pdfFilenameSchema, request.query?.filename, ['filename']);
        const one = decodePdfPart({ field: 'data', filename, contentType: 'application/pdf', data: request.body, truncated: false });
        if (!one.pdf) throw ApiError.badInput(one.problems);
        pdf = one.pdf;
      } else if (request.body && typeof request.body === 'object' && 'source' in request.body) {
        parseOr400(billingPdfBody, request.body);
        const rows = await deps.store.db.query<{ id: string }>('select id from billing_invoices where tenant_id = $1 and sync_record_id = $2', [tenantId, record.id]);
        if (!rows[0]) {
          throw ApiError.badInput([{ path: 'source', code: 'not_from_billing', message: `invoice record ${record.id} was not released from ledgerlink's billing, so it has no billing PDF; post the PDF itself` }]);
        }
        const billed = await deps.billing.sending.pdf(tenantId, rows[0].id);
        pdf = { filename: billed.filename, data: billed.pdf };
      } else {
        const one = decodePdfJson(request.body);
        if (!one.pdf) throw ApiError.badInput(one.problems);
        pdf = one.pdf;
      }
      const id = `att_${newId(deps.clock())}`;
      const saved = await deps.store.repos.attachments.add({ id, recordId: record.id, tenantId, name: attachmentName(record.reference, id), filename: pdf.filename, contentType: 'application/pdf', data: pdf.data });
      return reply.code(202).send(view(saved));
    },
  );

  app.delete<{ Params: { id: string; attachmentId: string } }>(
    '/v1/invoices/:id/attachments/:attachmentId',
    { preHandler: writer, schema: { tags: ['invoices'], summary: 'Take back an attachment that has not gone to the provider yet (pending or failed); 409 once it is on its way or there' } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const record = await deps.store.repos.records.get(tenantId, request.params.id);
      if (!record) throw ApiError.notFound(`Invoice record ${request.params.id}`);
      const provider = deps.registry[record.provider as keyof typeof deps.registry]?.displayName ?? record.provider;
      // The deletion and its audit entry commit together: a record of everything.
      const result = await deps.store.transaction(async (tx) => {
        const taken = await tx.attachments.deleteUnsent(tenantId, record.id, request.params.attachmentId);
        if (taken && 'deleted' in taken) {
          const a = taken.deleted;
          await tx.audit.record({ tenantId, actor: actorOf(request), action: 'invoice.attachment_delete', target: a.id, details: { recordId: record.id, filename: a.filename, status: a.status, size: a.size } });
        }
        return taken;
      });
      if (!result) throw ApiError.notFound(`Attachment ${request.params.attachmentId} of invoice record ${record.id}`);
      if ('kept' in result) {
        const a = result.kept;
        if (a.status === 'done') {
          throw new ApiError(409, 'attachment_sent', `${a.filename} is already attached to the invoice in ${provider} (attachment id ${a.providerAttachmentId}); remove it there if it should not be.`);
        }
        if (a.status === 'failed') {
          throw new ApiError(
            409,
            'attachment_maybe_sent',
            `${a.filename} was on its way to ${provider} before it failed, so it may have arrived: it cannot be taken back here. Check the invoice in ${provider} and remove it there if it should not be.`,
          );
        }
        throw new ApiError(
          409,
          'attachment_sending',
          `${a.filename} is on its way to ${provider} right now (its upload started, or is being confirmed), so it can no longer be taken back here; if it should not be there, remove it in ${provider} once it has arrived.`,
        );
      }
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/invoices/:id/attachments',
    { preHandler: requireRole(deps.auth, 'host', 'finance', 'admin'), schema: { tags: ['invoices'], summary: "An invoice's attachments and whether each reached the provider" } },
    async (request) => {
      const record = await deps.store.repos.records.get(tenantOf(request), request.params.id);
      if (!record) throw ApiError.notFound(`Invoice record ${request.params.id}`);
      return { items: (await deps.store.repos.attachments.forRecord(record.id)).map(view) };
    },
  );
}

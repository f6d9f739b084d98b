import type { FastifyRequest } from 'fastify';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_INVOICE, type PostedFilePart } from '../domain/pdf-attachment.js';
import type { Problem } from '../domain/invoice-document.js';
import { ApiError } from './api-error.js';

/** What a multipart/form-data request held: text fields and files (each read up to the size limit). */
export interface MultipartForm {
  fields: Map<string, { value: string; truncated: boolean }>;
  files: PostedFilePart[];
}

/** Limits of every multipart request (registered with @fastify/multipart in app.ts). */
export const MULTIPART_LIMITS = {
  fileSize: MAX_ATTACHMENT_BYTES,
  files: MAX_ATTACHMENTS_PER_INVOICE,
  /** The invoice JSON in a text field. */
  fieldSize: 1024 * 1024,
  fields: 10,
  parts: 20,
  headerPairs: 200,
};

/**
 * Reads a whole multipart/form-data body. A file over the size limit is
 * reported (truncated), not thrown, so every problem can be named at once;
 * more parts than the limits allow is a 400 naming the limit.
 */
export async function readMultipart(request: FastifyRequest): Promise<MultipartForm> {
  const form: MultipartForm = { fields: new Map(), files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        const counted = form.files.filter((f) => f.field === part.fieldname).length;
        form.files.push({
          field: counted ? `${part.fieldname}[${counted}]` : part.fieldname,
          filename: part.filename,
          contentType: part.mimetype,
          data,
          truncated: part.file.truncated,
        });
      } else {
        form.fields.set(part.fieldname, { value: String(part.value), truncated: part.valueTruncated });
      }
    }
  } catch (error) {
    throw ApiError.badInput([multipartProblem(error)]);
  }
  return form;
}

function multipartProblem(error: unknown): Problem {
  const code = (error as { code?: string }).code;
  if (code === 'FST_FILES_LIMIT') return { path: '(form)', code: 'too_many_files', message: `must hold at most ${MULTIPART_LIMITS.files} files` };
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return { path: '(form)', code: 'too_many_parts', message: `must hold at most ${MULTIPART_LIMITS.fields} fields and ${MULTIPART_LIMITS.parts} parts` };
  return { path: '(form)', code: 'invalid_multipart', message: `is not a readable multipart/form-data body: ${(error as Error).message}` };
}

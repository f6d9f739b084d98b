import { z } from 'zod';
import { formatPath, problemsFromZod, type Problem } from './invoice-document.js';

/** The largest PDF a host may attach (decoded). Procountor takes up to 10,000,000 bytes; we stay well under. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
/** How many PDFs may come with one invoice (JSON `attachments` or multipart files). */
export const MAX_ATTACHMENTS_PER_INVOICE = 5;

/** A PDF as the host posted it, decoded. */
export interface PostedPdf {
  filename: string;
  data: Buffer;
}

export const pdfFilenameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\\/\u0000-\u001f]+$/, 'must be a file name without path or control characters');

/** `{filename, contentType, data}`: a PDF in JSON, base64. */
export const pdfJsonSchema = z.strictObject({
  filename: pdfFilenameSchema,
  contentType: z.literal('application/pdf', { error: 'must be application/pdf' }),
  /** The PDF, base64. */
  data: z.string().min(1).max(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 4, `must be at most ${MAX_ATTACHMENT_BYTES} bytes once decoded`),
});

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What a decoded file must be: a PDF, no larger than the limit. `path` names the field in the problems. */
export function checkPdf(data: Buffer, path: string): Problem[] {
  const problems: Problem[] = [];
  if (data.length > MAX_ATTACHMENT_BYTES) problems.push({ path, code: 'too_large', message: `must be at most ${MAX_ATTACHMENT_BYTES} bytes, got ${data.length}` });
  if (!data.subarray(0, 5).equals(Buffer.from('%PDF-'))) problems.push({ path, code: 'not_pdf', message: 'must be a PDF (it does not start with %PDF-)' });
  return problems;
}

/** A JSON attachment (`pdfJsonSchema`) decoded and checked; every problem names its field under `prefix`. */
export function decodePdfJson(input: unknown, prefix: ReadonlyArray<PropertyKey> = []): { pdf: PostedPdf | null; problems: Problem[] } {
  const parsed = pdfJsonSchema.safeParse(input);
  if (!parsed.success) return { pdf: null, problems: problemsFromZod(parsed.error, prefix) };
  const dataPath = formatPath([...prefix, 'data']);
  const base64 = parsed.data.data.replace(/\s+/g, '');
  if (!BASE64.test(base64)) return { pdf: null, problems: [{ path: dataPath, code: 'invalid', message: 'must be base64' }] };
  const data = Buffer.from(base64, 'base64');
  const problems = checkPdf(data, dataPath);
  return { pdf: problems.length ? null : { filename: parsed.data.filename, data }, problems };
}

/**
 * The `attachments` of an invoice posted as JSON: at most
 * MAX_ATTACHMENTS_PER_INVOICE PDFs, every problem of every one at once.
 */
export function decodeInvoiceAttachments(input: unknown): { pdfs: PostedPdf[]; problems: Problem[] } {
  if (input === undefined) return { pdfs: [], problems: [] };
  if (!Array.isArray(input)) return { pdfs: [], problems: [{ path: 'attachments', code: 'invalid_type', message: 'must be an array of {filename, contentType, data}' }] };
  const problems: Problem[] = [];
  if (input.length > MAX_ATTACHMENTS_PER_INVOICE) {
    problems.push({ path: 'attachments', code: 'too_big', message: `must have at most ${MAX_ATTACHMENTS_PER_INVOICE} items, got ${input.length}` });
  }
  const pdfs: PostedPdf[] = [];
  input.forEach((item, i) => {
    const one = decodePdfJson(item, ['attachments', i]);
    problems.push(...one.problems);
    if (one.pdf) pdfs.push(one.pdf);
  });
  return { pdfs, problems };
}

/** The attachment's unique name at the provider: what a lookup finds it by. */
export function attachmentName(reference: string, attachmentId: string): string {
  return `${reference}-${attachmentId}.pdf`;
}

/** A file part of a multipart request, read up to the size limit (`truncated`: it was larger). */
export interface PostedFilePart {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
  truncated: boolean;
}

/** A multipart file checked like a JSON attachment; problems name its form field. */
export function decodePdfPart(part: PostedFilePart): { pdf: PostedPdf | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const name = pdfFilenameSchema.safeParse(part.filename);
  if (!name.success) problems.push(...problemsFromZod(name.error, [`${part.field}.filename`]));
  if (part.contentType !== 'application/pdf') problems.push({ path: `${part.field}.contentType`, code: 'invalid_value', message: `must be application/pdf, got "${part.contentType}"` });
  if (part.truncated) problems.push({ path: part.field, code: 'too_large', message: `must be at most ${MAX_ATTACHMENT_BYTES} bytes` });
  else problems.push(...checkPdf(part.data, part.field));
  return { pdf: problems.length ? null : { filename: part.filename, data: part.data }, problems };
}

import type { Problem } from '../domain/invoice-document.js';

/**
 * An error the API answers with: a stable `code` clients can branch on, a
 * message a person can act on, and — for bad input — every problem with its
 * field path. Shape: `{ "error": { "code", "message", "details"? } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Problem[] | Array<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badInput(problems: Problem[], message?: string): ApiError {
    const summary = problems
      .slice(0, 5)
      .map((p) => `${p.path} ${p.message}`)
      .join('; ');
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    return new ApiError(400, 'validation_failed', message ?? `The request has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${summary}${more}.`, problems);
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, 'not_found', `${what} was not found.`);
  }

  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

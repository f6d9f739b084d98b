/**
 * How the sync engine must react to a failed provider call.
 *
 * - `validation`      the provider refused the data; a person must fix it → failed
 * - `auth`            credentials refused; connection marked unhealthy → failed
 * - `rate_limit`      too many requests; retry after `retryAfterMs`
 * - `transient`       the request certainly did not take effect; retry with backoff
 * - `unknown_outcome` the request may have taken effect (timeout, reset, 5xx after
 *                     sending): the record goes `in_doubt` and the next step is a lookup
 */
export type ErrorCategory = 'validation' | 'auth' | 'rate_limit' | 'transient' | 'unknown_outcome';

/** A problem with one field, in words a finance person can act on. */
export interface FieldProblem {
  /** Path in our invoice document when known ("lines[0].vatRate"), else the provider's field name. */
  path: string;
  message: string;
  /** The provider's own code for it, e.g. Procountor "DUE_DATE_BEFORE_BILL_DATE". */
  providerCode?: string;
}

export interface ProviderErrorOptions {
  /** Stable machine code, e.g. "procountor_validation", "netvisor_period_lock". */
  code: string;
  /** Plain words for a finance person: what happened and how to fix it. */
  message: string;
  details?: FieldProblem[];
  retryAfterMs?: number;
  /** HTTP status the provider answered, when there was one. */
  status?: number;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly details: FieldProblem[];
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(category: ErrorCategory, options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = category;
    this.code = options.code;
    this.details = options.details ?? [];
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  toJSON(): { code: string; category: ErrorCategory; message: string; details: FieldProblem[]; status?: number } {
    return {
      code: this.code,
      category: this.category,
      message: this.message,
      details: this.details,
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

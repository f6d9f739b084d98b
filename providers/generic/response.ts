import { ProviderAuthError } from '../errors/auth-error.js';
import { ProviderRateLimitError } from '../errors/rate-limit-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { ProviderError } from '../errors/provider-error.js';
import { retryAfterMs, type OutboundResponse } from '../http/outbound-http.js';

/** The endpoint's own words about a failure, from the usual JSON error shapes or plain text. */
export function endpointMessage(data: unknown): string | null {
  if (typeof data === 'string') return data.trim().slice(0, 500) || null;
  if (data && typeof data === 'object') {
    const d = data as Record<string, any>;
    const msg = d.error?.message ?? d.message ?? d.error ?? d.detail ?? d.title;
    if (typeof msg === 'string') return msg.slice(0, 500);
  }
  return null;
}

/** Classifies a non-2xx answer of the generic endpoint. */
export function classifyResponse(
  response: OutboundResponse,
  options: { write: boolean; what: string; connectionLabel: string; now: Date },
): ProviderError {
  const { status } = response;
  const said = endpointMessage(response.data);
  const suffix = said ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return new ProviderAuthError({
      code: 'generic_auth',
      status,
      message: `The accounting endpoint refused ${options.connectionLabel} (HTTP ${status})${suffix}. Check that the endpoint knows the connection's signing secret.`,
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(response.headers['retry-after'], options.now, 30_000);
    return new ProviderRateLimitError({
      code: 'generic_rate_limited',
      status,
      retryAfterMs: wait,
      message: `The accounting endpoint asked ledgerlink to slow down; it will try again in ${Math.ceil(wait / 1000)} s.`,
    });
  }
  if (status === 409 && options.write) {
    // An endpoint that honours Idempotency-Key may say "already exists / in progress": look it up.
    return new ProviderUnknownOutcomeError({
      code: 'generic_conflict',
      status,
      message: `The accounting endpoint answered 409 to "${options.what}"${suffix}; ledgerlink will look the invoice up before doing anything else.`,
    });
  }
  // 408 Request Timeout is the endpoint giving up on the request, not refusing the invoice.
  if (status >= 400 && status < 500 && status !== 408) {
    const details = fieldDetails(response.data);
    return new ProviderValidationError({
      code: 'generic_rejected',
      status,
      details,
      message: `The accounting endpoint refused the invoice (HTTP ${status})${suffix}. Fix the invoice and resync it.`,
    });
  }
  if (options.write) {
    return new ProviderUnknownOutcomeError({
      code: 'generic_server_error',
      status,
      message: `The accounting endpoint failed (HTTP ${status}) while trying to ${options.what}; it may have stored the invoice. ledgerlink will check before trying again.`,
    });
  }
  return new ProviderTransientError({
    code: 'generic_server_error',
    status,
    message: `The accounting endpoint failed (HTTP ${status}) while trying to ${options.what}; ledgerlink will try again.`,
  });
}

function fieldDetails(data: unknown) {
  const list = (data as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(list)) return [];
  return list
    .filter((d): d is { path: string; message: string } => typeof d?.path === 'string' && typeof d?.message === 'string')
    .map((d) => ({ path: d.path, message: d.message }));
}

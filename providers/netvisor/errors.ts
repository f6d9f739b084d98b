import { ProviderAuthError } from '../errors/auth-error.js';
import type { ProviderError } from '../errors/provider-error.js';
import { ProviderRateLimitError } from '../errors/rate-limit-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import { retryAfterMs } from '../http/outbound-http.js';

/** Retry waits for Netvisor's "come back later" answers. */
export const MAINTENANCE_RETRY_MS = 10 * 60_000;
export const SERVICE_ACCESS_RETRY_MS = 5 * 60_000;

export interface FailureContext {
  /** What we were doing, in words: "create the invoice", "look the customer up". */
  what: string;
  /** True when the request may change data in Netvisor (an `add`). */
  write: boolean;
  connectionLabel: string;
  status: number;
  /** For PERIOD_LOCK: the date Netvisor refused. */
  invoiceDate?: string;
  retryAfterHeader?: string;
  now: Date;
}

/**
 * Turns Netvisor's FAILED answer (its code and its own words) into the error
 * the sync engine acts on. Netvisor's message is always quoted, so the finance
 * person sees what Netvisor said.
 */
export function netvisorFailure(code: string, said: string, ctx: FailureContext): ProviderError {
  const quoted = said ? `: "${said}"` : '';
  const details = [{ path: 'netvisor', message: said || code, providerCode: code }];
  switch (code) {
    case 'AUTHENTICATION_FAILED':
      return new ProviderAuthError({
        code: 'netvisor_auth',
        status: ctx.status,
        details,
        message: `Netvisor refused the credentials of ${ctx.connectionLabel} (AUTHENTICATION_FAILED)${quoted}. Check the customer id and key, the partner id and key, the organisation ID (business ID) and the sender in the connection, and that the API identifier is still active in Netvisor (Company menu > API identifiers).`,
      });
    case 'INVALID_DATA':
    case 'INVALID_DATA_SIZE':
    case 'DUPLICATE_DATA':
      return new ProviderValidationError({
        code: `netvisor_${code.toLowerCase()}`,
        status: ctx.status,
        details,
        message: `Netvisor refused to ${ctx.what} (${code})${quoted}. Correct the data and sync again.`,
      });
    case 'PERIOD_LOCK':
      return new ProviderValidationError({
        code: 'netvisor_period_lock',
        status: ctx.status,
        details: [{ path: 'invoiceDate', message: said || 'accounting period is locked', providerCode: code }],
        message: `The accounting period ${ctx.invoiceDate ? `of ${ctx.invoiceDate} ` : ''}is locked in Netvisor, so Netvisor refused to ${ctx.what}${quoted}. Ask your accountant to open the period in Netvisor, or give the invoice a date in an open period, then resync it.`,
      });
    case 'SYSTEM_MAINTENANCE':
      return new ProviderTransientError({
        code: 'netvisor_maintenance',
        status: ctx.status,
        retryAfterMs: MAINTENANCE_RETRY_MS,
        message: `Netvisor is under maintenance and did not ${ctx.what}${quoted}. ledgerlink will try again in ${MAINTENANCE_RETRY_MS / 60_000} minutes.`,
      });
    case 'SERVICE_ACCESS_ERROR':
      return new ProviderTransientError({
        code: 'netvisor_service_access',
        status: ctx.status,
        retryAfterMs: SERVICE_ACCESS_RETRY_MS,
        message: `Netvisor refused access while trying to ${ctx.what} (SERVICE_ACCESS_ERROR)${quoted}. ledgerlink will try again in ${SERVICE_ACCESS_RETRY_MS / 60_000} minutes; if this keeps happening, allow the integration's resources in Netvisor (Company menu > Access rights for interface resources).`,
      });
    case 'REQUEST_NOT_UNIQUE':
      return new ProviderTransientError({
        code: 'netvisor_request_not_unique',
        status: ctx.status,
        message: `Netvisor kept refusing the request to ${ctx.what} as not unique (REQUEST_NOT_UNIQUE)${quoted}, although each try had a new transaction id; ledgerlink will try again later.`,
      });
    case 'TECHNICAL_ERROR':
      return ctx.write
        ? new ProviderUnknownOutcomeError({
            code: 'netvisor_technical_error',
            status: ctx.status,
            message: `Netvisor failed with a technical error while trying to ${ctx.what}${quoted}; it may have been done. ledgerlink will check before trying again.`,
          })
        : new ProviderTransientError({
            code: 'netvisor_technical_error',
            status: ctx.status,
            message: `Netvisor failed with a technical error while trying to ${ctx.what}${quoted}; ledgerlink will try again.`,
          });
    default:
      // A FAILED answer means Netvisor did not accept the request; a person must read its words.
      return new ProviderValidationError({
        code: 'netvisor_error',
        status: ctx.status,
        details,
        message: `Netvisor refused to ${ctx.what} (${code})${quoted}.`,
      });
  }
}

/**
 * An answer that is not Netvisor's XML (a gateway page, an empty body): only
 * the HTTP status speaks. A write that may have reached Netvisor is an unknown
 * outcome; a read is retried.
 */
export function nonNetvisorAnswer(ctx: FailureContext & { problem: string }): ProviderError {
  const { status } = ctx;
  if (status === 429) {
    const wait = retryAfterMs(ctx.retryAfterHeader, ctx.now, 60_000);
    return new ProviderRateLimitError({
      code: 'netvisor_rate_limited',
      status,
      retryAfterMs: wait,
      message: `Netvisor asked ledgerlink to slow down while trying to ${ctx.what}; it will try again in ${Math.ceil(wait / 1000)} s.`,
    });
  }
  if (status === 401 || status === 403) {
    return new ProviderAuthError({
      code: 'netvisor_auth',
      status,
      message: `Netvisor refused ${ctx.connectionLabel} (HTTP ${status}) while trying to ${ctx.what}. Check the connection's credentials and organisation ID.`,
    });
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new ProviderValidationError({
      code: 'netvisor_bad_answer',
      status,
      message: `Netvisor answered HTTP ${status} without its usual XML while trying to ${ctx.what} (${ctx.problem}). Check the connection's baseUrl (it should be like https://integration.netvisor.fi).`,
    });
  }
  if (ctx.write) {
    return new ProviderUnknownOutcomeError({
      code: status >= 500 ? 'netvisor_server_error' : 'netvisor_unreadable_answer',
      status,
      message: `Netvisor answered HTTP ${status} without a readable result while trying to ${ctx.what} (${ctx.problem}); it may have been done. ledgerlink will check before trying again.`,
    });
  }
  return new ProviderTransientError({
    code: status >= 500 ? 'netvisor_server_error' : 'netvisor_unreadable_answer',
    status,
    message: `Netvisor answered HTTP ${status} without a readable result while trying to ${ctx.what} (${ctx.problem}); ledgerlink will try again.`,
  });
}

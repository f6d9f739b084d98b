import { jobCatalog, backoffMs } from '../queue/catalog.js';
import type { RecordError, SyncRecord, SyncStatus } from '../store/records-repo.js';
import { ProviderError } from '../../providers/errors/provider-error.js';

/** What the engine does with a failed attempt. */
export interface FailureDecision {
  status: Extract<SyncStatus, 'retrying' | 'in_doubt' | 'failed'>;
  error: RecordError;
  /** When to run again (null: a person must act). */
  runAfterMs: number | null;
  /** The connection's credentials were refused. */
  connectionUnhealthy: boolean;
  message: string;
}

const policy = jobCatalog['sync-invoice'].retry;

export function toRecordError(error: ProviderError): RecordError {
  return {
    code: error.code,
    category: error.category,
    message: error.message,
    ...(error.details.length ? { details: error.details } : {}),
    ...(error.status === undefined ? {} : { status: error.status }),
  };
}

/**
 * Turns an error into the record's next state:
 * validation → failed · auth → failed + connection unhealthy · rate limit →
 * retrying after the time the provider gave · transient → retrying with
 * backoff and jitter (never sooner than the provider asked) · unknown
 * outcome → in_doubt, then a lookup. Anything else is a fault of ours:
 * retried like a transient error, so it is never lost.
 */
export function classifyFailure(
  error: unknown,
  record: Pick<SyncRecord, 'attemptCount' | 'retryBase' | 'createSent'>,
  random: () => number = Math.random,
): FailureDecision {
  const attempt = record.attemptCount - record.retryBase;
  const exhausted = attempt >= policy.maxAttempts;
  const giveUp = (recordError: RecordError, why: string): FailureDecision => ({
    status: 'failed',
    error: {
      ...recordError,
      code: 'gave_up',
      message: `${recordError.message} ledgerlink gave up after ${attempt} attempts (${why}); resync the invoice to try again${
        record.createSent ? ' — it will first check whether the provider already has it' : ''
      }.`,
    },
    runAfterMs: null,
    connectionUnhealthy: false,
    message: 'gave up',
  });

  if (!(error instanceof ProviderError)) {
    const recordError: RecordError = {
      code: 'internal_error',
      category: 'transient',
      message: `ledgerlink hit an unexpected problem (${(error as Error)?.message ?? String(error)}); it will try again.`,
    };
    if (exhausted) return giveUp(recordError, 'unexpected errors');
    // After a create may have reached the provider (e.g. its answer could not be read),
    // the record is in doubt, and says so: the next step is a lookup, not a plain retry.
    return {
      status: record.createSent ? 'in_doubt' : 'retrying',
      error: recordError,
      runAfterMs: backoffMs(policy, attempt, random),
      connectionUnhealthy: false,
      message: 'unexpected error',
    };
  }

  const recordError = toRecordError(error);
  switch (error.category) {
    case 'validation':
      return { status: 'failed', error: recordError, runAfterMs: null, connectionUnhealthy: false, message: 'refused' };
    case 'auth':
      return { status: 'failed', error: recordError, runAfterMs: null, connectionUnhealthy: true, message: 'credentials refused' };
    case 'rate_limit': {
      if (exhausted) return giveUp(recordError, 'rate limited');
      const wait = Math.max(error.retryAfterMs ?? 0, 1000);
      return { status: 'retrying', error: recordError, runAfterMs: wait, connectionUnhealthy: false, message: 'rate limited' };
    }
    case 'transient':
      if (error.code === 'lookup_settling') {
        // Not a failure: the engine waits until a lookup that finds nothing can be believed.
        return { status: 'in_doubt', error: recordError, runAfterMs: Math.max(1000, error.retryAfterMs ?? 0), connectionUnhealthy: false, message: 'waiting before deciding' };
      }
      if (exhausted) return giveUp(recordError, 'the provider kept failing');
      // A lookup that failed while in doubt stays in doubt: the question is still open.
      // A provider that said how long it will be away (maintenance) is not asked sooner.
      return {
        status: record.createSent ? 'in_doubt' : 'retrying',
        error: recordError,
        runAfterMs: Math.max(backoffMs(policy, attempt, random), error.retryAfterMs ?? 0),
        connectionUnhealthy: false,
        message: 'temporary failure',
      };
    case 'unknown_outcome':
      if (exhausted) return giveUp(recordError, 'the outcome stayed unknown');
      if (!record.createSent) {
        // Uncertain, but not about the invoice (e.g. creating the customer): adapters find
        // before they create, so a plain retry is safe and the invoice is not "in doubt".
        return { status: 'retrying', error: recordError, runAfterMs: backoffMs(policy, attempt, random), connectionUnhealthy: false, message: 'temporary failure' };
      }
      return {
        status: 'in_doubt',
        error: recordError,
        runAfterMs: Math.max(jobCatalog['sync-invoice'].inDoubtDelayMs, backoffMs(policy, attempt, random) / 4),
        connectionUnhealthy: false,
        message: 'outcome unknown: will look it up before anything else',
      };
  }
}

import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../src/sync/classify-failure.js';
import { jobCatalog } from '../../../src/queue/catalog.js';
import {
  ProviderAuthError,
  ProviderRateLimitError,
  ProviderTransientError,
  ProviderUnknownOutcomeError,
  ProviderValidationError,
} from '../../../providers/errors/index.js';

const fresh = { attemptCount: 1, retryBase: 0, createSent: false };
const sent = { attemptCount: 1, retryBase: 0, createSent: true };
const half = () => 0.5;
const policy = jobCatalog['sync-invoice'];

describe('classifyFailure: each kind of failure lands in the status a finance person expects', () => {
  it.each([
    {
      name: 'validation → failed, the provider message kept',
      error: new ProviderValidationError({ code: 'generic_rejected', status: 422, message: 'The accounting endpoint refused the invoice: lines[0].vatRate is not valid.', details: [{ path: 'lines[0].vatRate', message: 'is not valid' }] }),
      record: sent,
      expected: { status: 'failed', runAfterMs: null, connectionUnhealthy: false, error: { code: 'generic_rejected', category: 'validation', status: 422, details: [{ path: 'lines[0].vatRate', message: 'is not valid' }] } },
    },
    {
      name: 'auth → failed and the connection marked unhealthy',
      error: new ProviderAuthError({ code: 'generic_auth', status: 401, message: 'refused the connection' }),
      record: fresh,
      expected: { status: 'failed', runAfterMs: null, connectionUnhealthy: true, error: { code: 'generic_auth', category: 'auth' } },
    },
    {
      name: 'rate limit → retrying after exactly the time the provider gave',
      error: new ProviderRateLimitError({ code: 'generic_rate_limited', status: 429, retryAfterMs: 7000, message: 'slow down' }),
      record: fresh,
      expected: { status: 'retrying', runAfterMs: 7000, connectionUnhealthy: false, error: { category: 'rate_limit' } },
    },
    {
      name: 'rate limit with "0 seconds" → still waits a second',
      error: new ProviderRateLimitError({ code: 'generic_rate_limited', status: 429, retryAfterMs: 0, message: 'slow down' }),
      record: fresh,
      expected: { status: 'retrying', runAfterMs: 1000 },
    },
    {
      name: 'transient before anything was sent → retrying with backoff',
      error: new ProviderTransientError({ code: 'provider_unreachable', message: 'could not be reached' }),
      record: fresh,
      expected: { status: 'retrying', runAfterMs: policy.retry.baseMs, error: { category: 'transient' } },
    },
    {
      name: 'transient with the provider\'s own wait (maintenance) → retrying no sooner than it asked',
      error: new ProviderTransientError({ code: 'netvisor_maintenance', retryAfterMs: 30 * 60_000, message: 'Netvisor is under maintenance.' }),
      record: fresh,
      expected: { status: 'retrying', runAfterMs: 30 * 60_000 },
    },
    {
      name: 'transient while a create may have been sent (a failed lookup) → stays in doubt',
      error: new ProviderTransientError({ code: 'generic_server_error', status: 503, message: 'lookup failed' }),
      record: sent,
      expected: { status: 'in_doubt', runAfterMs: policy.retry.baseMs },
    },
    {
      name: 'unknown outcome → in doubt, looked up after a pause',
      error: new ProviderUnknownOutcomeError({ code: 'provider_timeout', message: 'did not answer in time' }),
      record: sent,
      expected: { status: 'in_doubt', runAfterMs: policy.inDoubtDelayMs, error: { code: 'provider_timeout', category: 'unknown_outcome' } },
    },
    {
      name: 'unknown outcome of something other than the invoice (a new customer) → retrying, not in doubt',
      error: new ProviderUnknownOutcomeError({ code: 'provider_timeout', message: 'did not answer in time' }),
      record: fresh,
      expected: { status: 'retrying', runAfterMs: policy.retry.baseMs },
    },
    {
      name: 'a lookup that found nothing too soon → stays in doubt until exactly when it can be believed',
      error: new ProviderTransientError({ code: 'lookup_settling', retryAfterMs: 42_000, message: 'does not show the invoice yet' }),
      record: sent,
      expected: { status: 'in_doubt', runAfterMs: 42_000 },
    },
  ])('$name', ({ error, record, expected }) => {
    const decision = classifyFailure(error, record, half);
    expect(decision).toMatchObject(expected);
    expect(decision.error.message).toBe(error.message);
  });

  it('treats a bug of ours as temporary: retried, never lost, and says so', () => {
    const decision = classifyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"), fresh, half);
    expect(decision).toMatchObject({ status: 'retrying', runAfterMs: policy.retry.baseMs, error: { code: 'internal_error', category: 'transient' } });
    expect(decision.error.message).toMatch(/unexpected problem .*reading 'id'.*try again/);
    expect(classifyFailure('a thrown string', fresh, half).error.message).toContain('a thrown string');
  });

  it('says in_doubt, not retrying, when a bug of ours hits after the create may have reached the provider', () => {
    const decision = classifyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"), sent, half);
    expect(decision).toMatchObject({ status: 'in_doubt', error: { code: 'internal_error' } });
  });

  it('backs off further with each attempt of the current budget', () => {
    const at = (attemptCount: number, retryBase = 0) =>
      classifyFailure(new ProviderTransientError({ code: 'x', message: 'm' }), { attemptCount, retryBase, createSent: false }, half).runAfterMs;
    expect([at(1), at(2), at(3), at(4)]).toEqual([5000, 10_000, 20_000, 40_000]);
    // A resync starts a new budget: attempt 11 after a resync at 10 backs off like a first attempt.
    expect(at(11, 10)).toBe(5000);
  });

  it('gives up after the budget, saying how many attempts and what resync will do', () => {
    const max = policy.retry.maxAttempts;
    const transient = classifyFailure(new ProviderTransientError({ code: 'generic_server_error', message: 'The endpoint failed (HTTP 503).' }), { attemptCount: max, retryBase: 0, createSent: false }, half);
    expect(transient).toMatchObject({ status: 'failed', runAfterMs: null, error: { code: 'gave_up', category: 'transient' } });
    expect(transient.error.message).toBe(`The endpoint failed (HTTP 503). ledgerlink gave up after ${max} attempts (the provider kept failing); resync the invoice to try again.`);

    const doubt = classifyFailure(new ProviderUnknownOutcomeError({ code: 'provider_timeout', message: 'No answer.' }), { attemptCount: max, retryBase: 0, createSent: true }, half);
    expect(doubt.status).toBe('failed');
    expect(doubt.error.message).toMatch(/outcome stayed unknown.*first check whether the provider already has it/);

    const limited = classifyFailure(new ProviderRateLimitError({ code: 'r', retryAfterMs: 1000, message: 'Slow down.' }), { attemptCount: max + 3, retryBase: 3, createSent: false }, half);
    expect(limited).toMatchObject({ status: 'failed', error: { code: 'gave_up' } });
    // One short of the budget still retries.
    expect(classifyFailure(new ProviderTransientError({ code: 'x', message: 'm' }), { attemptCount: max - 1, retryBase: 0, createSent: false }, half).status).toBe('retrying');
  });

  it('never gives up on validation or auth with "gave up": a person must fix the cause', () => {
    const record = { attemptCount: 99, retryBase: 0, createSent: false };
    expect(classifyFailure(new ProviderValidationError({ code: 'v', message: 'm' }), record).error.code).toBe('v');
    expect(classifyFailure(new ProviderAuthError({ code: 'a', message: 'm' }), record).error.code).toBe('a');
  });
});

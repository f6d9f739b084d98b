import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../../providers/generic/response.js';

const now = new Date('2026-11-30T10:00:00Z');
const answer = (status: number, data: unknown = {}, headers: Record<string, string> = {}) => ({ status, data, headers });
const classify = (status: number, write: boolean, data?: unknown, headers?: Record<string, string>) =>
  classifyResponse(answer(status, data, headers), { write, what: 'create the invoice', connectionLabel: 'the connection of tenant "acme"', now });

describe('generic endpoint answers → what ledgerlink does next', () => {
  it('reads a 4xx as a refusal of the invoice, with the endpoint\'s own words and fields', () => {
    const error = classify(422, true, { error: { message: 'vat missing', details: [{ path: 'lines[0].vatRate', message: 'is required' }] } });
    expect(error.category).toBe('validation');
    expect(error.message).toContain('vat missing');
    expect(error.details).toEqual([{ path: 'lines[0].vatRate', message: 'is required' }]);
  });

  it('never reads a 408 or a 5xx after a create as "not created"', () => {
    expect(classify(408, true).category).toBe('unknown_outcome');
    expect(classify(502, true).category).toBe('unknown_outcome');
    expect(classify(409, true).category).toBe('unknown_outcome');
    expect(classify(408, false).category).toBe('transient');
  });

  it('waits as long as a 429 says, and reports credentials refused on 401/403', () => {
    const limited = classify(429, true, {}, { 'retry-after': '7' });
    expect(limited.category).toBe('rate_limit');
    expect(limited.retryAfterMs).toBe(7000);
    expect(classify(401, true).category).toBe('auth');
    expect(classify(403, false).category).toBe('auth');
  });
});

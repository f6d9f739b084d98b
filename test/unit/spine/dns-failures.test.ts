import { describe, expect, it } from 'vitest';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { createOutboundHttp } from '../../../providers/http/outbound-http.js';
import { checkOutboundUrl, type UrlPolicy } from '../../../src/http/url-guard.js';

/**
 * Issue 9 item 8: a host name that does not resolve *right now* (the resolver
 * timed out, answered SERVFAIL or "try again", or briefly had no record) is a
 * transient failure to retry — not `url_not_allowed`, which failed the record
 * for good, even while it was in doubt. A name that resolves to a private
 * address is still refused.
 */
const failing = (code: string): UrlPolicy['resolve'] => async () => {
  throw Object.assign(new Error(`lookup failed: ${code}`), { code });
};

/** Resolves once (the pre-send check) and then fails (the socket's own lookup at connect time). */
const failingOnConnect = (code: string): UrlPolicy['resolve'] => {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls === 1) return ['93.184.216.34'];
    throw Object.assign(new Error(`lookup failed: ${code}`), { code });
  };
};

const send = (resolve: UrlPolicy['resolve'], write = true) =>
  createOutboundHttp({ providerName: 'Procountor', urlPolicy: { allowPrivateUrls: false, resolve }, timeoutMs: 2000 })
    .send({ method: 'POST', url: 'https://books.example.com/api/invoices', body: { a: 1 }, write, label: 'create invoice' })
    .then(
      () => null,
      (error: unknown) => error,
    );

describe('DNS failures are transient; private answers are still refused', () => {
  it.each(['EAI_AGAIN', 'ENOTFOUND', 'ESERVFAIL', 'ETIMEOUT', 'ENODATA', 'EAI_FAIL'])('the pre-send check meeting %s says "unresolved", not "not allowed"', async (code) => {
    const check = await checkOutboundUrl('https://books.example.com/api', { allowPrivateUrls: false, resolve: failing(code) });
    expect(check).toMatchObject({ ok: false, unresolved: code });
  });

  it.each(['EAI_AGAIN', 'ENOTFOUND', 'ESERVFAIL', 'ETIMEOUT'])('a create whose host meets %s before sending is retried (transient), naming the host', async (code) => {
    const error = await send(failing(code));
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderTransientError).code).toBe('provider_dns_unresolved');
    expect((error as Error).message).toContain('books.example.com');
    expect((error as Error).message).toMatch(/try again/);
  });

  it.each(['EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'ENOTFOUND'])('a create whose socket lookup meets %s at connect time is retried: nothing was sent', async (code) => {
    const error = await send(failingOnConnect(code));
    expect(error).toBeInstanceOf(ProviderTransientError);
  });

  it('a name that resolves to a private address is still refused for good', async () => {
    const error = await send(async () => ['10.0.0.7']);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderValidationError).code).toBe('url_not_allowed');
    const check = await checkOutboundUrl('https://books.example.com/api', { allowPrivateUrls: false, resolve: async () => ['93.184.216.34', 'fd00::1'] });
    expect(check).toMatchObject({ ok: false });
    expect(check.ok === false && check.unresolved).toBeFalsy();
  });
});

import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ProviderAuthError } from '../../../providers/errors/auth-error.js';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { tokenKey } from '../../../providers/procountor/token-cache.js';
import { useProcountorSandbox } from './fixture.js';
import { example, procountorContext, sandboxSettings, syncOnce } from './helpers.js';

describe('Procountor authentication', () => {
  const fixture = useProcountorSandbox('procountor-auth');

  const tokenRequests = () => fixture.sandbox.requests().filter((r) => r.path.endsWith('/oauth/token'));
  const lookup = (ctx: ReturnType<typeof procountorContext>) =>
    procountorProvider.findByReference(ctx, example(), { since: new Date() });

  it('says the client id and secret were refused, naming the connection', async () => {
    const ctx = fixture.context({ clientSecret: 'wrong-secret' });
    const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.code).toBe('procountor_auth');
    expect(error.message).toContain('the Procountor connection of tenant acme');
    expect(error.message).toMatch(/client id "ledgerlink-sandbox-client" and client secret/);
    expect(error.message).toMatch(/Check clientId and clientSecret/);
  });

  it('says the API key was refused when only the API key is wrong', async () => {
    const ctx = fixture.context({ apiKey: 'revoked-api-key' });
    const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toMatch(/refused the API key of the Procountor connection of tenant acme/);
    expect(error.message).not.toMatch(/client secret/);
  });

  it('checks new credentials even when a token for the same API key is cached', async () => {
    const good = fixture.context();
    await procountorProvider.verifyConnection(good);
    const wrongSecret = fixture.context({ clientSecret: 'typo' });
    await expect(procountorProvider.verifyConnection(wrongSecret)).rejects.toBeInstanceOf(ProviderAuthError);
  });

  it('shares one cached token between workers, kept in Redis a little less than its lifetime', async () => {
    const settings = sandboxSettings(fixture.sandbox);
    const workerA = procountorContext({ settings, redis: fixture.redis, prefix: fixture.prefix });
    const workerB = procountorContext({ settings, redis: fixture.redis, prefix: fixture.prefix });
    await lookup(workerA);
    await lookup(workerB);
    await lookup(workerA);
    expect(tokenRequests()).toHaveLength(1);
    const key = tokenKey(fixture.prefix, settings.baseUrl, settings.clientId, settings.apiKey);
    const ttl = await fixture.redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_000_000);
    expect(ttl).toBeLessThanOrEqual(3_540_000);
  });

  it('fetches only one token when many workers start at once', async () => {
    const settings = sandboxSettings(fixture.sandbox);
    await Promise.all(Array.from({ length: 6 }, () => lookup(procountorContext({ settings, redis: fixture.redis, prefix: fixture.prefix }))));
    expect(tokenRequests()).toHaveLength(1);
  });

  it('after a 401 fetches a new token once and retries the request', async () => {
    const ctx = fixture.context();
    await lookup(ctx);
    fixture.sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    await expect(lookup(ctx)).resolves.toBeNull();
    expect(tokenRequests()).toHaveLength(2);
    const searches = fixture.sandbox.requests().filter((r) => r.path.includes('/invoices?'));
    expect(searches).toHaveLength(3);
  });

  it('when the new token is refused too, fails with an auth error naming the connection, without looping', async () => {
    const ctx = fixture.context();
    fixture.sandbox.injectFault({ kind: 'unauthorized', times: 5 });
    const error = (await lookup(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.code).toBe('procountor_auth');
    expect(error.message).toContain('the Procountor connection of tenant acme');
    expect(tokenRequests()).toHaveLength(2);
    expect(fixture.sandbox.requests().filter((r) => r.path.includes('/invoices?'))).toHaveLength(2);
  });

  it('records no secret, API key or access token in the exchanges of a whole sync', async () => {
    const settings = sandboxSettings(fixture.sandbox, { afterCreate: 'approve_and_send' });
    const ctx = procountorContext({ settings, redis: fixture.redis, prefix: fixture.prefix });
    const { created } = await syncOnce(ctx, example());
    await procountorProvider.finalize!(ctx, example(), created);
    const token = await fixture.redis.get(tokenKey(fixture.prefix, settings.baseUrl, settings.clientId, settings.apiKey));
    expect(token).toBeTruthy();
    const recorded = JSON.stringify(ctx.exchanges);
    expect(ctx.exchanges.some((e) => e.label === 'get an access token')).toBe(true);
    for (const secret of [settings.clientSecret, settings.apiKey, token!]) expect(recorded).not.toContain(secret);
    for (const e of ctx.exchanges.filter((x) => x.label !== 'get an access token')) expect(e.requestHeaders.Authorization).toBe('[redacted]');
  });

  it('names all three credentials when Procountor does not say which one it refused', async () => {
    const BASE = 'https://procountor-auth.nock.test/api';
    nock.disableNetConnect();
    try {
      nock(BASE).post('/oauth/token').reply(400, { error: 'invalid_grant' });
      const ctx = fixture.context({ baseUrl: BASE });
      const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
      expect(error).toBeInstanceOf(ProviderAuthError);
      expect(error.message).toMatch(/refused the client id, client secret or API key of the Procountor connection of tenant acme/);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
});

import type { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderAuthError } from '../../../providers/errors/auth-error.js';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { startProcountorSandbox } from '../../../providers/procountor/sandbox/start.js';
import { tokenKey } from '../../../providers/procountor/token-cache.js';
import type { RunningSandbox } from '../../../providers/types.js';

import { dropPrefix, freshPrefix, testRedis } from '../../support/redis.js';
import { example, procountorContext, sandboxSettings, syncOnce } from './helpers.js';

describe('Procountor authentication', () => {
  let sandbox: RunningSandbox;
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    sandbox = await startProcountorSandbox({ port: 0 });
    redis = testRedis();
  });
  afterAll(async () => {
    await sandbox.close();
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = freshPrefix('procountor-auth');
    sandbox.reset();
  });
  afterEach(async () => {
    sandbox.clearFaults();
    await dropPrefix(redis, prefix);
  });

  const tokenRequests = () => sandbox.requests().filter((r) => r.path.endsWith('/oauth/token'));
  const lookup = (ctx: ReturnType<typeof procountorContext>) =>
    procountorProvider.findByReference(ctx, example(), { since: new Date() });

  it('says the client id and secret were refused, naming the connection', async () => {
    const ctx = procountorContext({ settings: sandboxSettings(sandbox, { clientSecret: 'wrong-secret' }), redis, prefix });
    const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.code).toBe('procountor_auth');
    expect(error.message).toContain('the Procountor connection of tenant acme');
    expect(error.message).toMatch(/client id "ledgerlink-sandbox-client" and client secret/);
    expect(error.message).toMatch(/Check clientId and clientSecret/);
  });

  it('says the API key was refused when only the API key is wrong', async () => {
    const ctx = procountorContext({ settings: sandboxSettings(sandbox, { apiKey: 'revoked-api-key' }), redis, prefix });
    const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toMatch(/refused the API key of the Procountor connection of tenant acme/);
    expect(error.message).not.toMatch(/client secret/);
  });

  it('checks new credentials even when a token for the same API key is cached', async () => {
    const good = procountorContext({ settings: sandboxSettings(sandbox), redis, prefix });
    await procountorProvider.verifyConnection(good);
    const wrongSecret = procountorContext({ settings: sandboxSettings(sandbox, { clientSecret: 'typo' }), redis, prefix });
    await expect(procountorProvider.verifyConnection(wrongSecret)).rejects.toBeInstanceOf(ProviderAuthError);
  });

  it('shares one cached token between workers, kept in Redis a little less than its lifetime', async () => {
    const settings = sandboxSettings(sandbox);
    const workerA = procountorContext({ settings, redis, prefix });
    const workerB = procountorContext({ settings, redis, prefix });
    await lookup(workerA);
    await lookup(workerB);
    await lookup(workerA);
    expect(tokenRequests()).toHaveLength(1);
    const key = tokenKey(prefix, settings.baseUrl, settings.clientId, settings.apiKey);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_000_000);
    expect(ttl).toBeLessThanOrEqual(3_540_000);
  });

  it('fetches only one token when many workers start at once', async () => {
    const settings = sandboxSettings(sandbox);
    await Promise.all(Array.from({ length: 6 }, () => lookup(procountorContext({ settings, redis, prefix }))));
    expect(tokenRequests()).toHaveLength(1);
  });

  it('after a 401 fetches a new token once and retries the request', async () => {
    const ctx = procountorContext({ settings: sandboxSettings(sandbox), redis, prefix });
    await lookup(ctx);
    sandbox.injectFault({ kind: 'unauthorized', times: 1 });
    await expect(lookup(ctx)).resolves.toBeNull();
    expect(tokenRequests()).toHaveLength(2);
    const searches = sandbox.requests().filter((r) => r.path.includes('/invoices?'));
    expect(searches).toHaveLength(3);
  });

  it('when the new token is refused too, fails with an auth error naming the connection, without looping', async () => {
    const ctx = procountorContext({ settings: sandboxSettings(sandbox), redis, prefix });
    sandbox.injectFault({ kind: 'unauthorized', times: 5 });
    const error = (await lookup(ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.code).toBe('procountor_auth');
    expect(error.message).toContain('the Procountor connection of tenant acme');
    expect(tokenRequests()).toHaveLength(2);
    expect(sandbox.requests().filter((r) => r.path.includes('/invoices?'))).toHaveLength(2);
  });

  it('records no secret, API key or access token in the exchanges of a whole sync', async () => {
    const settings = sandboxSettings(sandbox, { afterCreate: 'approve_and_send' });
    const ctx = procountorContext({ settings, redis, prefix });
    const { created } = await syncOnce(ctx, example());
    await procountorProvider.finalize!(ctx, example(), created);
    const token = await redis.get(tokenKey(prefix, settings.baseUrl, settings.clientId, settings.apiKey));
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
      const ctx = procountorContext({ settings: sandboxSettings(sandbox, { baseUrl: BASE }), redis, prefix });
      const error = (await procountorProvider.verifyConnection(ctx).catch((e: unknown) => e)) as ProviderError;
      expect(error).toBeInstanceOf(ProviderAuthError);
      expect(error.message).toMatch(/refused the client id, client secret or API key of the Procountor connection of tenant acme/);
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });
});

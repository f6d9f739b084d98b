import { afterEach, describe, expect, it } from 'vitest';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { netvisorProvider } from '../../../providers/netvisor/adapter.js';
import { orgLockKey, withOrgLock } from '../../../providers/netvisor/org-lock.js';
import { startNetvisorSandbox } from '../../../providers/netvisor/sandbox/netvisor-sandbox.js';
import { dropPrefix, freshPrefix } from '../../support/redis.js';
import { useSandbox } from '../../support/sandbox-fixture.js';
import { sandboxContext, sandboxSettings } from './support.js';

const ORG_A = '2345678-0';
const ORG_B = '7654321-2';

const fixture = useSandbox(
  () => startNetvisorSandbox({ port: 0, organisations: [ORG_A, ORG_B], credentials: { organisationId: ORG_A } }),
  'netvisor-lock',
);
/** Other prefixes a test used, dropped after it like the fixture's own. */
const extraPrefixes: string[] = [];

afterEach(async () => {
  for (const p of extraPrefixes.splice(0)) await dropPrefix(fixture.redis, p);
});

/** One "worker": its own HTTP client, the shared Redis. */
const worker = (organisationId = ORG_A, redisPrefix = fixture.prefix) =>
  sandboxContext(fixture.redis, redisPrefix, sandboxSettings(fixture.sandbox, { organisationId }));

describe('one request at a time per Netvisor organisation', () => {
  it('two workers firing at one organisation never overlap, and every request succeeds', async () => {
    fixture.sandbox.injectFault({ kind: 'latency', ms: 30 });
    const [a, b] = [worker(), worker()];
    const calls = Array.from({ length: 5 }, () => [netvisorProvider.verifyConnection(a), netvisorProvider.verifyConnection(b)]).flat();
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const stats = fixture.sandbox.stats();
    expect(stats.refusedOverlapping).toBe(0);
    expect(stats.answeredByOrganisation[ORG_A]).toBe(10);
    expect(stats.maxConcurrentByOrganisation[ORG_A]).toBe(1);
  });

  it('without a shared lock the same load does overlap, and Netvisor (the sandbox) refuses it', async () => {
    // Workers that do not share a lock namespace: what ledgerlink would do without the lock.
    fixture.sandbox.injectFault({ kind: 'latency', ms: 30 });
    const other = freshPrefix('netvisor-lock-other');
    extraPrefixes.push(other);
    const [a, b] = [worker(ORG_A, fixture.prefix), worker(ORG_A, other)];
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => [netvisorProvider.verifyConnection(a), netvisorProvider.verifyConnection(b)]).flat());
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ProviderTransientError);
    expect(fixture.sandbox.stats().refusedOverlapping).toBe(refused.length);
  });

  it('different organisations still run in parallel', async () => {
    fixture.sandbox.injectFault({ kind: 'latency', ms: 200 });
    await Promise.all([netvisorProvider.verifyConnection(worker(ORG_A)), netvisorProvider.verifyConnection(worker(ORG_B))]);
    const stats = fixture.sandbox.stats();
    expect(stats.maxConcurrent).toBe(2);
    expect(stats.maxConcurrentByOrganisation).toEqual({ [ORG_A]: 1, [ORG_B]: 1 });
    expect(stats.refusedOverlapping).toBe(0);
  });
});

describe('the organisation lock', () => {
  const env = { baseUrl: 'https://integration.netvisor.fi', customerId: 'U', organisationId: ORG_A };

  it('is keyed by environment and organisation, without showing them', () => {
    const key = orgLockKey('ll:', env);
    expect(key).toMatch(/^ll:netvisor:lock:[0-9a-f]{64}$/);
    expect(orgLockKey('ll:', { ...env, organisationId: ORG_B })).not.toBe(key);
    expect(orgLockKey('ll:', { ...env, baseUrl: 'https://isvapi.netvisor.fi' })).not.toBe(key);
  });

  it('gives up after its bounded wait with a transient error, and leaves the holder\'s lock alone', async () => {
    const key = orgLockKey(fixture.prefix, env);
    await fixture.redis.set(key, 'someone-else', 'PX', 10_000);
    const error = await withOrgLock(fixture.redis, key, { ttlMs: 5000, waitMs: 100, what: 'the Netvisor organisation 2345678-0' }, async () => 'ran').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderTransientError).code).toBe('netvisor_busy');
    expect(await fixture.redis.get(key)).toBe('someone-else');
  });

  it('is released when the work fails, and expires on its own if a worker dies', async () => {
    const key = orgLockKey(fixture.prefix, env);
    await expect(withOrgLock(fixture.redis, key, { ttlMs: 5000, waitMs: 100, what: 'x' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await fixture.redis.exists(key)).toBe(0);
    let ttl = -1;
    await withOrgLock(fixture.redis, key, { ttlMs: 5000, waitMs: 100, what: 'x' }, async () => {
      ttl = await fixture.redis.pttl(key);
    });
    expect(ttl).toBeGreaterThan(4000);
    expect(ttl).toBeLessThanOrEqual(5000);
  });
});

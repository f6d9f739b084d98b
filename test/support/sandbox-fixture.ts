import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { RunningSandbox } from '../../providers/types.js';
import { dropPrefix, freshPrefix, testRedis } from './redis.js';

export interface SandboxFixture<S extends RunningSandbox> {
  /** The running sandbox (one for all the tests in scope), reset before each test. */
  sandbox: S;
  /** The test Redis, shared by all the tests in scope. */
  redis: Redis;
  /** This test's own Redis key prefix, dropped after it. */
  prefix: string;
}

/**
 * The setup every adapter test against a provider sandbox needs, for the file
 * or describe it is called in: one sandbox (from `startSandbox`) and one Redis
 * client for all its tests; before each test a fresh key prefix and an emptied
 * sandbox; after each, faults cleared and the prefix's keys dropped. So no test
 * sees another's invoices, faults, tokens, locks or rate windows.
 *
 * The fields are filled in by the hooks: read them inside tests and hooks (or
 * in functions they call), not while the file is being collected.
 *
 * @param startSandbox starts the sandbox, on a free port (`{ port: 0 }`).
 * @param prefixName names the Redis prefix (`lltest:<prefixName>:<random>:`), so leftovers show which file made them.
 */
export function useSandbox<S extends RunningSandbox>(startSandbox: () => Promise<S>, prefixName: string): SandboxFixture<S> {
  const fixture: SandboxFixture<S> = { sandbox: undefined as unknown as S, redis: undefined as unknown as Redis, prefix: '' };

  beforeAll(async () => {
    fixture.sandbox = await startSandbox();
    fixture.redis = testRedis();
  });
  afterAll(async () => {
    await fixture.sandbox.close();
    fixture.redis.disconnect();
  });
  beforeEach(() => {
    fixture.prefix = freshPrefix(prefixName);
    fixture.sandbox.reset();
  });
  afterEach(async () => {
    fixture.sandbox.clearFaults();
    await dropPrefix(fixture.redis, fixture.prefix);
  });

  return fixture;
}

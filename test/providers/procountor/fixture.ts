import type { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startProcountorSandbox } from '../../../providers/procountor/sandbox/start.js';
import type { ProcountorSettings, ProcountorSettingsInput } from '../../../providers/procountor/settings.js';
import type { RunningSandbox } from '../../../providers/types.js';
import type { MemoryLinkBook, TestContext } from '../../support/provider-context.js';
import { dropPrefix, freshPrefix, testRedis } from '../../support/redis.js';
import { useSandbox, type SandboxFixture } from '../../support/sandbox-fixture.js';
import { procountorContext, sandboxSettings } from './helpers.js';

/**
 * Set-up shared by the Procountor adapter tests: useProcountorSandbox for those
 * against the sandbox, useNockedProcountor for those that need answers the
 * sandbox never gives. Each is called once in a describe and registers its own
 * before/after hooks there, so a test file keeps only what its tests are about.
 */

type ContextOptions = { links?: MemoryLinkBook; timeoutMs?: number };

export interface ProcountorSandboxFixture extends SandboxFixture<RunningSandbox> {
  /** A provider context ("one worker") on the sandbox: its settings with `overrides`, the shared Redis, this test's prefix. */
  context(overrides?: Partial<ProcountorSettingsInput>, options?: ContextOptions): TestContext<ProcountorSettings>;
}

/**
 * The Procountor sandbox for the describe it is called in, set up and cleaned
 * up around each test as useSandbox (test/support/sandbox-fixture.ts) says,
 * plus `context()`: the provider context most tests start from.
 */
export function useProcountorSandbox(prefixName: string): ProcountorSandboxFixture {
  const fixture = useSandbox(() => startProcountorSandbox({ port: 0 }), prefixName);
  // The same object the hooks fill in, with context() added.
  return Object.assign(fixture, {
    context: (overrides: Partial<ProcountorSettingsInput> = {}, options: ContextOptions = {}) =>
      procountorContext({ settings: sandboxSettings(fixture.sandbox, overrides), redis: fixture.redis, prefix: fixture.prefix, ...options }),
  });
}

export interface ProcountorNockFixture {
  /** The test Redis, shared by every test of the describe. */
  redis: Redis;
  /** This test's own Redis key prefix, dropped after it. */
  prefix: string;
}

/**
 * The setup of a describe that plays Procountor with nock instead of the
 * sandbox, for answers the sandbox never gives: real network off for the
 * describe, a Redis client, and before each test a fresh key prefix and a nocked
 * token endpoint at `${baseUrl}/oauth/token`; after each, every interceptor
 * removed and the prefix's keys dropped. Each test nocks the calls it expects.
 *
 * The fields are filled in by the hooks: read them inside tests, not when the
 * describe is being collected.
 */
export function useNockedProcountor(baseUrl: string, prefixName: string): ProcountorNockFixture {
  const fixture: ProcountorNockFixture = { redis: undefined as unknown as Redis, prefix: '' };

  beforeAll(() => {
    fixture.redis = testRedis();
    nock.disableNetConnect();
  });
  afterAll(() => {
    nock.enableNetConnect();
    fixture.redis.disconnect();
  });
  beforeEach(() => {
    fixture.prefix = freshPrefix(prefixName);
    nock(baseUrl).post('/oauth/token').reply(200, { access_token: 'nock-token', expires_in: 3600 });
  });
  afterEach(async () => {
    nock.cleanAll();
    await dropPrefix(fixture.redis, fixture.prefix);
  });

  return fixture;
}

import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../../src/store/api-keys-repo.js';
import { ConfigCache } from '../../../src/store/config-cache.js';
import type { Repos } from '../../../src/store/store.js';

/**
 * A key is kept under the configuration version it was read at or before —
 * never a later one: intake trusts a kept key until its write finds the
 * version moved, so a key kept under a version that already includes its own
 * revocation would be trusted for good.
 */
describe('the configuration cache, a key revoked while it is being read', () => {
  function world() {
    const state = { version: 6, revoked: false, reads: 0, revokeAfterRead: 0 };
    const key: ApiKey = { id: 'key_1', tenantId: 'acme', roles: ['host'], label: null };
    const version = async () => String(state.version);
    const repos = {
      apiKeys: {
        findByHash: async () => {
          state.reads += 1;
          const found = state.revoked ? null : key;
          // The revocation commits (and bumps the version) right after this read, before the version is read.
          if (state.reads === state.revokeAfterRead) Object.assign(state, { revoked: true, version: state.version + 1 });
          return found;
        },
      },
      tenants: {
        configVersion: version,
        configVersions: async (ids: string[]) => new Map(ids.map((id) => [id, String(state.version)])),
      },
    } as unknown as Repos;
    const cache = new ConfigCache(repos);
    /** Whether intake would accept an invoice on the key as this process keeps it: its write confirms the version. */
    const intakeWouldTrust = () => {
      const peeked = cache.peekKey('hash');
      return peeked !== null && peeked.version === String(state.version);
    };
    /** Reads the key while the revocation commits right after the next key read; then nothing may trust it. */
    const readDuringRevocation = async () => {
      state.revokeAfterRead = state.reads + 1;
      await cache.apiKey('hash');
      expect(state.revoked).toBe(true);
      expect(intakeWouldTrust()).toBe(false);
      expect(await cache.apiKey('hash')).toBeNull();
    };
    return { state, cache, intakeWouldTrust, readDuringRevocation };
  }

  it('a key unknown to the process: the revocation between reading it and reading the version is not kept as valid', async () => {
    await world().readDuringRevocation();
  });

  it('a key the process knew, read again after another change: the same', async () => {
    const { state, cache, readDuringRevocation } = world();
    expect(await cache.apiKey('hash')).not.toBeNull();
    state.version += 1; // a mapping edited: the kept key is read again on its next use
    await readDuringRevocation();
  });

  it('a key nobody touches is kept, and trusted without asking', async () => {
    const { state, cache, intakeWouldTrust } = world();
    expect(await cache.apiKey('hash')).not.toBeNull();
    const reads = state.reads;
    expect(intakeWouldTrust()).toBe(true);
    expect(await cache.apiKey('hash')).not.toBeNull();
    expect(state.reads).toBe(reads);
  });
});

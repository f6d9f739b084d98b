import { MicroBatcher } from '../lib/micro-batcher.js';
import type { ApiKey } from './api-keys-repo.js';
import type { ConnectionRow } from './connections-repo.js';
import type { StoredMapping } from './mappings-repo.js';
import type { Repos } from './store.js';
import type { WebhookEndpoint } from './webhooks-repo.js';

interface TenantEntries {
  /** The tenant's config_version these entries were read at. */
  version: string;
  /** When that version was last confirmed against the database. */
  checkedAt: number;
  values: Map<string, unknown>;
}

/**
 * A request was decided on configuration that is no longer current (read from
 * this process's cache without asking, and found moved when its write checked
 * the version): nothing was written; decide it again on the configuration now.
 */
export class ConfigChanged extends Error {
  constructor(readonly tenantId: string) {
    super(`the configuration of tenant ${tenantId} changed while a request was decided on it`);
  }
}

/** A tenant's configuration as a request reads it. */
export interface TenantConfig {
  /**
   * The config_version the values belong to when they were taken from this
   * process's cache without asking the database (the write checks it); null
   * when each read is confirmed against the database.
   */
  readonly unconfirmedVersion: string | null;
  connections(): Promise<ConnectionRow[]>;
  mappings(): Promise<StoredMapping[]>;
  webhook(): Promise<WebhookEndpoint | null>;
}

/**
 * How long a confirmed version is trusted without asking again: long enough
 * for one request (its key check confirms the version; intake's reads follow
 * within milliseconds), short enough that work outside a request (a worker
 * releasing a billing invoice) asks anew.
 */
const CONFIRMED_FOR_MS = 100;

/**
 * Per-process cache of the configuration a request reads: API keys, a
 * tenant's connections, product mappings and webhook. Correct across
 * processes without any messaging: every change bumps the tenant's
 * `config_version` in the same transaction (triggers, migration 008), and
 * each request first reads that one number (`current`); entries read at an
 * older version are dropped. So a request that starts after a key was revoked
 * or a mapping edited — in any process — sees it, at the cost of one small
 * query instead of one per kind of configuration.
 */
export class ConfigCache {
  private readonly keys = new Map<string, { key: ApiKey; version: string }>();
  private readonly tenants = new Map<string, TenantEntries>();

  private readonly versions: MicroBatcher<string, string | null>;

  constructor(
    private readonly repos: Repos,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.versions = new MicroBatcher(
      async (tenantIds) => {
        const found = await repos.tenants.configVersions([...new Set(tenantIds)]);
        return tenantIds.map((id) => found.get(id) ?? null);
      },
      (tenantId) => repos.tenants.configVersion(tenantId),
      500,
      2,
    );
  }

  /**
   * The key with this hash, if it is valid now. A known key costs one query
   * (its tenant's version); an unknown one, three. Unknown keys are not
   * remembered, so a new key works at once.
   */
  async apiKey(hash: string): Promise<ApiKey | null> {
    const known = this.keys.get(hash);
    let version: string | null = null;
    if (known) {
      version = await this.current(known.key.tenantId);
      if (version === known.version) return known.key;
    }
    this.keys.delete(hash);
    let key = await this.repos.apiKeys.findByHash(hash);
    if (!key) return null;
    if (!known || known.key.tenantId !== key.tenantId) {
      // Its tenant's version is read now, and the key once more after it: a key is only ever kept
      // under a version read before it (a revocation committed in between is then a newer version,
      // seen by the next check — intake's write included), never under one that may include it.
      version = await this.current(key.tenantId);
      key = await this.repos.apiKeys.findByHash(hash);
      if (!key) return null;
    }
    if (version !== null) this.remember(this.keys, hash, { key, version });
    return key;
  }

  /**
   * The key with this hash as this process last confirmed it, and the version
   * it was confirmed at — without asking the database. Null when unknown here
   * or read at another version than the tenant's entries. Only for a request
   * whose answer waits for that version to be confirmed (intake's write does).
   */
  peekKey(hash: string): { key: ApiKey; version: string } | null {
    const known = this.keys.get(hash);
    if (!known) return null;
    const entries = this.tenants.get(known.key.tenantId);
    return entries && entries.version === known.version ? known : null;
  }

  /** Whether the tenant's configuration is still at `version` (asks the database). */
  async isCurrent(tenantId: string, version: string): Promise<boolean> {
    return (await this.current(tenantId)) === version;
  }

  /** The tenant's configuration, every read confirmed against the database as it always is. */
  confirmed(tenantId: string): TenantConfig {
    return this.configAt(tenantId, null);
  }

  /**
   * The tenant's configuration at `version` from this process's cache, without
   * asking whether it is still current: the caller's write confirms `version`
   * (ConfigChanged otherwise). A value not cached yet is read from the
   * database. Throws ConfigChanged when this process holds another version now.
   */
  unconfirmed(tenantId: string, version: string): TenantConfig {
    return this.configAt(tenantId, version);
  }

  private configAt(tenantId: string, unconfirmedVersion: string | null): TenantConfig {
    return {
      unconfirmedVersion,
      connections: () => this.tenantValue(tenantId, unconfirmedVersion, 'connections', () => this.repos.connections.list(tenantId)),
      mappings: () => this.tenantValue(tenantId, unconfirmedVersion, 'mappings', () => this.repos.mappings.list(tenantId)),
      webhook: () => this.tenantValue(tenantId, unconfirmedVersion, 'webhook', () => this.repos.webhooks.endpoint(tenantId)),
    };
  }

  /**
   * The tenant's configuration version now, from the database; entries of an
   * older version are dropped. Null when the tenant does not exist.
   */
  async current(tenantId: string): Promise<string | null> {
    // Asked together with the requests that arrived at the same moment — never joined to a
    // question already sent, which could predate a change this request must see.
    const version = await this.versions.submit(tenantId);
    const entries = this.tenants.get(tenantId);
    if (version === null) {
      this.tenants.delete(tenantId);
      return null;
    }
    if (!entries || entries.version !== version) this.remember(this.tenants, tenantId, { version, checkedAt: this.now(), values: new Map() });
    else entries.checkedAt = this.now();
    return version;
  }

  /**
   * A value of the tenant's configuration. With `unconfirmedVersion` null: at
   * the version `current` confirmed (a request confirms it first, through its
   * key; otherwise it is confirmed here). With a version: as this process holds
   * it at that version, unasked (ConfigChanged if it holds another now). Read
   * and kept when missing; if the version moved meanwhile, not kept. A value
   * read may be newer than the version it is kept under — never older, so a
   * write confirming that version finds it moved and the request is decided again.
   */
  private async tenantValue<T>(tenantId: string, unconfirmedVersion: string | null, what: string, load: () => Promise<T>): Promise<T> {
    let entries = this.tenants.get(tenantId);
    if (unconfirmedVersion !== null) {
      if (!entries || entries.version !== unconfirmedVersion) throw new ConfigChanged(tenantId);
    } else if (!entries || this.now() - entries.checkedAt > CONFIRMED_FOR_MS) {
      await this.current(tenantId);
      entries = this.tenants.get(tenantId);
    }
    if (entries?.values.has(what)) return entries.values.get(what) as T;
    const value = await load();
    if (entries && this.tenants.get(tenantId) === entries) entries.values.set(what, value);
    return value;
  }

  private remember<K, V>(map: Map<K, V>, key: K, value: V): void {
    map.delete(key);
    map.set(key, value);
    // Oldest first: a tenant not seen for a while is the first to go.
    if (map.size > this.maxEntries) map.delete(map.keys().next().value as K);
  }
}

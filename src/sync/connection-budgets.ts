import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import type { UrlPolicy } from '../http/url-guard.js';
import type { ConnectionKey } from '../queue/connection-runs.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { loadConnection, type LoadedConnection } from './connection-store.js';
import { buildProviderContext } from './provider-context-factory.js';

export interface ConnectionBudgetsDeps {
  store: Store;
  secretBox: SecretBox;
  registry: ProviderRegistry;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
}

/**
 * What scheduling needs to know about a connection: how many of its invoices
 * may be synced at once, and how long until its request budget lets another
 * sync start. Both come from the connection's settings through its provider;
 * the settings are kept a few seconds (they only shape pacing — the limits
 * themselves are enforced where the requests are made).
 */
export class ConnectionBudgets {
  private readonly loaded = new Map<string, { at: number; connection: LoadedConnection | null }>();

  constructor(
    private readonly deps: ConnectionBudgetsDeps,
    private readonly keepMs = 10_000,
  ) {}

  async runners(c: ConnectionKey): Promise<number> {
    const provider = this.deps.registry[c.provider as keyof ProviderRegistry];
    const connection = await this.connection(c);
    if (!provider || !connection) return 1;
    return Math.max(1, Math.floor(provider.parallelSyncs(connection.settings)));
  }

  /** Milliseconds until the connection may start another sync (0: now). */
  async waitMs(c: ConnectionKey): Promise<number> {
    const provider = this.deps.registry[c.provider as keyof ProviderRegistry];
    if (!provider?.budgetWaitMs) return 0;
    const connection = await this.connection(c);
    if (!connection) return 0;
    const { ctx } = buildProviderContext(
      { repos: this.deps.store.repos, redis: this.deps.redis, redisPrefix: this.deps.redisPrefix, urlPolicy: this.deps.urlPolicy, clock: this.deps.clock, log: this.deps.log },
      connection,
      { providerName: provider.displayName },
    );
    return provider.budgetWaitMs(ctx);
  }

  private async connection(c: ConnectionKey): Promise<LoadedConnection | null> {
    const key = `${c.tenantId}\u001f${c.provider}`;
    const kept = this.loaded.get(key);
    if (kept && Date.now() - kept.at < this.keepMs) return kept.connection;
    const connection = await loadConnection(this.deps.store.repos, this.deps.secretBox, c.tenantId, c.provider);
    this.loaded.set(key, { at: Date.now(), connection });
    if (this.loaded.size > 10_000) this.loaded.delete(this.loaded.keys().next().value as string);
    return connection;
  }
}

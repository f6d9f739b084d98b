import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import type { UrlPolicy } from '../http/url-guard.js';
import type { Repos } from '../store/store.js';
import { createOutboundHttp, type Exchange } from '../../providers/http/outbound-http.js';
import type { LinkBook, ProviderContext, SyncWarning } from '../../providers/types.js';
import type { LoadedConnection } from './connection-store.js';

export interface ContextDeps {
  repos: Repos;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
  /** Called with every provider exchange (metrics). */
  onExchange?: (provider: string, exchange: Exchange) => void;
}

/** Customer and product links kept in the database, for one tenant and provider. */
export function databaseLinkBook(repos: Repos, tenantId: string, provider: string): LinkBook {
  return {
    async customer(externalId) {
      return (await repos.links.customer(tenantId, provider, externalId))?.providerCustomerId ?? null;
    },
    async saveCustomer(externalId, providerCustomerId, how) {
      await repos.links.setCustomer(tenantId, { provider, customerExternalId: externalId, providerCustomerId, how });
    },
    product: (code) => repos.links.product(tenantId, provider, code),
    saveProduct: (code, id) => repos.links.setProduct(tenantId, provider, code, id),
  };
}

export interface BuiltContext {
  ctx: ProviderContext<any>;
  exchanges: Exchange[];
  warnings: SyncWarning[];
}

/** A ProviderContext for one operation on one connection; collects exchanges and warnings. */
export function buildProviderContext(
  deps: ContextDeps,
  connection: LoadedConnection,
  options: { links?: LinkBook; providerName: string; signal?: AbortSignal; maxBudgetWaitMs?: number },
): BuiltContext {
  const exchanges: Exchange[] = [];
  const warnings: SyncWarning[] = [];
  const { row, settings } = connection;
  const ctx: ProviderContext<any> = {
    settings,
    connection: { id: row.id, tenantId: row.tenantId, label: `the ${options.providerName} connection of tenant "${row.tenantId}"` },
    http: createOutboundHttp({
      providerName: options.providerName,
      urlPolicy: deps.urlPolicy,
      timeoutMs: typeof settings.timeoutMs === 'number' ? settings.timeoutMs : 30_000,
      secretValues: connection.secretValues,
      now: deps.clock,
      ...(options.signal ? { signal: options.signal } : {}),
      record: (exchange) => {
        exchanges.push(exchange);
        deps.onExchange?.(row.provider, exchange);
      },
    }),
    redis: deps.redis,
    redisPrefix: deps.redisPrefix,
    links: options.links ?? databaseLinkBook(deps.repos, row.tenantId, row.provider),
    clock: deps.clock,
    log: deps.log.child({ provider: row.provider, tenant: row.tenantId }),
    ...(options.maxBudgetWaitMs === undefined ? {} : { maxBudgetWaitMs: options.maxBudgetWaitMs }),
    warn: (w) => {
      if (!warnings.some((x) => x.code === w.code && x.path === w.path && x.message === w.message)) warnings.push(w);
    },
  };
  return { ctx, exchanges, warnings };
}

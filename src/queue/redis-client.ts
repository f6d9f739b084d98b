import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * The Redis ledgerlink talks to: one server, or a Redis Cluster. In a cluster
 * every key ledgerlink and BullMQ write must share a hash slot (their Lua
 * scripts touch several keys at once), so `QUEUE_PREFIX` must then be a hash
 * tag such as `{ledgerlink}`: every key starts with it.
 */
// The same union the provider port (providers/types.ts) names: queue code stays below providers.
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url: string;
  /** REDIS_URL names one node of a Redis Cluster (the others are discovered from it). */
  cluster?: boolean;
}

export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if (!target.cluster) return new Redis(target.url, options);
  const url = new URL(target.url);
  const { maxRetriesPerRequest, enableOfflineQueue, lazyConnect, connectTimeout, retryStrategy, ...rest } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...rest,
      ...(connectTimeout !== undefined ? { connectTimeout } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    ...(maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
  };
  return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], clusterOptions);
}

/** A prefix whose keys all land in one cluster hash slot: the whole prefix is `{tag}`. */
export function isHashTagged(prefix: string): boolean {
  return /^\{[^{}]+\}$/.test(prefix);
}

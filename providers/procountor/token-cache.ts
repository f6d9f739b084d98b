import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../types.js';

/** A fresh access token as the token endpoint gave it. */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  redis: RedisClient;
  /** Redis key holding the token; the lock lives next to it. */
  key: string;
  /** Asks Procountor for a new token (throttled and error-mapped by the caller). */
  fetch: () => Promise<IssuedToken>;
  /** How long one worker may hold the fetch lock. */
  lockMs?: number;
  /** How long others wait for that worker's token before fetching their own. */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Redis key of the token of one Procountor API key at one base URL (the secret is not part of it: the token is the same). */
export function tokenKey(redisPrefix: string, baseUrl: string, clientId: string, apiKey: string): string {
  const digest = createHash('sha256').update(`${baseUrl}|${clientId}|${apiKey}`).digest('hex');
  return `${redisPrefix}procountor:token:${digest}`;
}

const DELETE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The access token of a connection, shared by every worker through Redis.
 * Procountor M2M tokens last `expires_in` seconds (3600) and cannot be
 * refreshed, only fetched again (dev.procountor.com/m2m-authentication); the
 * cached copy expires a minute early so nobody sends one that is about to die.
 * A short lock makes one worker fetch while the others wait for its token.
 */
export class SharedTokenCache {
  private readonly lockKey: string;
  private readonly lockMs: number;
  private readonly waitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TokenCacheOptions) {
    this.lockKey = `${options.key}:lock`;
    this.lockMs = options.lockMs ?? 15_000;
    this.waitMs = options.waitMs ?? 15_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The cached token, or a new one. */
  async get(): Promise<string> {
    const started = Date.now();
    for (;;) {
      const cached = await this.options.redis.get(this.options.key);
      if (cached) return cached;
      const owner = randomBytes(8).toString('hex');
      const locked = await this.options.redis.set(this.lockKey, owner, 'PX', this.lockMs, 'NX');
      if (locked === 'OK') {
        try {
          return await this.fetchAndStore();
        } finally {
          await this.options.redis.eval(DELETE_IF_EQUAL, 1, this.lockKey, owner);
        }
      }
      if (Date.now() - started > this.waitMs) return this.fetchAndStore();
      await this.sleep(50);
    }
  }

  /**
   * After Procountor refused `stale`: forgets it (unless another worker already
   * replaced it) and returns a token that is not `stale`.
   */
  async renew(stale: string): Promise<string> {
    await this.options.redis.eval(DELETE_IF_EQUAL, 1, this.options.key, stale);
    const token = await this.get();
    return token === stale ? this.fetchAndStore() : token;
  }

  /** Fetches a new token regardless of the cache (saving a connection checks the credentials themselves). */
  async fetchAndStore(): Promise<string> {
    const issued = await this.options.fetch();
    const lifetimeMs = Math.max(0, issued.expiresInSeconds * 1000);
    const ttlMs = lifetimeMs > 120_000 ? lifetimeMs - 60_000 : Math.floor(lifetimeMs * 0.8);
    if (ttlMs >= 1000) await this.options.redis.set(this.options.key, issued.accessToken, 'PX', ttlMs);
    return issued.accessToken;
  }

  async forget(): Promise<void> {
    await this.options.redis.del(this.options.key);
  }
}

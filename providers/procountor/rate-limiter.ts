import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../types.js';
import { ProviderRateLimitError } from '../errors/rate-limit-error.js';
import { BUDGET_WAIT } from '../types.js';

/**
 * A sliding-window limit shared by every worker through Redis: at most
 * `limit` requests in any window of `windowMs`, and never two closer than
 * `windowMs / limit`, counted on Redis's clock so workers on different
 * machines agree. Callers wait for a slot; the limit is
 * never exceeded, because Procountor may suspend a client that exceeds it.
 *
 * One script answers both questions: with a member it records the request
 * when there is room (a peek passes none and records nothing); otherwise it says
 * how long until there is (the oldest request leaves the window, or the
 * spacing after the newest has passed).
 */
const WAIT_OR_TAKE = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local wait = 0
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  wait = tonumber(oldest[2]) + window - now
end
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] then
  local gap = tonumber(newest[2]) + math.floor(window / limit) - now
  if gap > wait then wait = gap end
end
if wait > 0 then return wait end
if ARGV[3] ~= '' then
  local at = now
  if count == 0 or ARGV[5] == '1' then at = now + tonumber(ARGV[4]) end
  redis.call('ZADD', key, at, ARGV[3])
  redis.call('PEXPIRE', key, window + 1000)
end
return 0
`;

/**
 * Procountor counts on its own clock and requests reach it with varying delay,
 * so our window is a little longer than a second, and requests are spread
 * evenly over it (one every window ÷ N) instead of going in bursts: N requests
 * per 1.05 s, each 105 ms (at N = 10) after the one before, keep any second
 * Procountor sees at or below N as long as their delays on the way vary by
 * less than 50 ms. That uses 95 % of the budget; bursts under a 1.1 s window
 * (before) used at most 91 %, and in practice 85-89 % (`npm run bench`).
 */
export const WINDOW_MS = 1050;

/**
 * A cold request reaches Procountor later than the rest: the first this
 * process sends to a Procountor client (a new connection, code not yet warm),
 * or the first after the window emptied (a pause: the connection may be
 * gone). Measured on a local sandbox, 61-104 ms from slot to arrival against
 * 4 ms (p50) and 9-13 ms (p99) for the rest — past the 50 ms the window
 * allows, and the eleventh request after it drew a 429. Its slot is counted
 * this much later, so the ones after it keep their distance from when it
 * really arrives; that is what lets the wake-up jitter be small.
 */
export const COLD_REQUEST_ALLOWANCE_MS = 150;

/** Limiter keys this process has already sent a request under (its connection is warm). */
const warmKeys = new Set<string>();

export interface RateLimiterOptions {
  redis: RedisClient;
  /** Full Redis key of the window, shared by everyone using the same Procountor client. */
  key: string;
  limit: number;
  windowMs?: number;
  /** Longest a caller waits for a slot before giving up with a rate-limit error. */
  maxWaitMs?: number;
  /**
   * A caller that may not sleep long (a sync under a connection runner): when the
   * wait would be longer than this, it fails at once with code `budget_wait`
   * and the wait, instead of holding its worker.
   */
  maxBudgetWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Redis key of the shared window for one Procountor API client at one base URL. */
export function rateLimitKey(redisPrefix: string, baseUrl: string, clientId: string): string {
  const digest = createHash('sha256').update(`${baseUrl}|${clientId}`).digest('hex').slice(0, 32);
  return `${redisPrefix}procountor:rate:${digest}`;
}

export class SharedRateLimiter {
  private readonly windowMs: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RateLimiterOptions) {
    this.windowMs = options.windowMs ?? WINDOW_MS;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Milliseconds until a request could be sent (0: now); records nothing. */
  async waitMs(): Promise<number> {
    return Number(await this.options.redis.eval(WAIT_OR_TAKE, 1, this.options.key, this.options.limit, this.windowMs, '', COLD_REQUEST_ALLOWANCE_MS, '0'));
  }

  /** Resolves when this caller may send one request. */
  async acquire(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
      const wait = Number(
        await this.options.redis.eval(WAIT_OR_TAKE, 1, this.options.key, this.options.limit, this.windowMs, member, COLD_REQUEST_ALLOWANCE_MS, warmKeys.has(this.options.key) ? '0' : '1'),
      );
      if (wait <= 0) {
        warmKeys.add(this.options.key);
        return;
      }
      if (this.options.maxBudgetWaitMs !== undefined && Date.now() - started + wait > this.options.maxBudgetWaitMs) {
        throw new ProviderRateLimitError({
          code: BUDGET_WAIT,
          message: `ledgerlink keeps to ${this.options.limit} Procountor requests a second; the next slot is free in ${wait} ms.`,
          retryAfterMs: wait,
        });
      }
      if (Date.now() - started + wait > this.maxWaitMs) {
        throw new ProviderRateLimitError({
          code: 'procountor_throttled',
          message: `ledgerlink is holding back requests to Procountor to stay under ${this.options.limit} a second, and this one waited too long for its turn; it will try again shortly.`,
          retryAfterMs: Math.max(wait, 1000),
        });
      }
      // A little jitter so waiting workers do not all retry in the same millisecond. Every ms of it is a
      // ms of budget lost: 0-15 ms held the share at ~89-90 %, 0-3 ms lets it reach ~93 %.
      await this.sleep(wait + Math.floor(Math.random() * 3));
    }
  }
}

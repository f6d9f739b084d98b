import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

/**
 * Who may sync a connection's invoices right now. Work is not queued per
 * invoice: the database holds what is due, and a few *runners* per connection
 * (a tenant's provider) take it from there. This module keeps, in Redis:
 *
 * - the connection's runner slots (a sorted set of runner tokens by expiry:
 *   at most `max` live at once — 1 for Netvisor, which takes one request at a
 *   time per organisation; more for endpoints that take more), and
 * - a wake counter, bumped by every kick, so a runner that found nothing to do
 *   gives its slot back only if nothing was added meanwhile (no lost wake-up).
 *
 * A runner's slot expires unless it is renewed, so a runner that died frees
 * its slot on its own. Both keys share a hash tag: Redis Cluster keeps them
 * in one slot.
 */
export interface ConnectionKey {
  tenantId: string;
  provider: string;
}

/** Bumps the wake counter; takes a runner slot for `token` when one is free (1), else 0. */
const KICK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
`;

/** Renews `token`'s slot, or takes a free one: 1 when it holds a slot now, else 0. */
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZSCORE', KEYS[2], ARGV[3]) or redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
`;

/** Gives `token`'s slot back if nobody kicked since the runner read `seen`: 1 when released. */
const RELEASE_IF_QUIET = `
local wake = redis.call('GET', KEYS[1]) or '0'
if wake ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`;

const RELEASE = `redis.call('ZREM', KEYS[2], ARGV[1]) return 1`;

export class ConnectionRuns {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    /**
     * How long a runner's slot lasts without renewal (renewed before every sync). A runner in a worker
     * that died holds its connection's slot until then: short, so a crash does not hold the
     * connection up; a sync that outlasts it only lets another runner start on other records.
     */
    private readonly slotMs = 8_000,
  ) {}

  /** A short, stable id of the connection (for job ids and keys: tenant ids never reach Redis key names raw). */
  static idOf(c: ConnectionKey): string {
    return createHash('sha256').update(`${c.tenantId}\u001f${c.provider}`).digest('hex').slice(0, 20);
  }

  static newToken(): string {
    return randomBytes(9).toString('base64url');
  }

  private keys(c: ConnectionKey): [string, string] {
    const tag = `{${ConnectionRuns.idOf(c)}}`;
    return [`${this.redisPrefix}run:${tag}:wake`, `${this.redisPrefix}run:${tag}:slots`];
  }

  /** Records a kick; returns a new runner token when a slot was free (start a runner with it), else null. */
  async kick(c: ConnectionKey, max: number): Promise<string | null> {
    const token = ConnectionRuns.newToken();
    const taken = Number(await this.redis.eval(KICK, 2, ...this.keys(c), max, this.slotMs, token));
    return taken === 1 ? token : null;
  }

  /** Renews (or takes) the runner's slot; false: enough runners are on the connection already. */
  async hold(c: ConnectionKey, token: string, max: number): Promise<boolean> {
    return Number(await this.redis.eval(HOLD, 2, ...this.keys(c), max, this.slotMs, token)) === 1;
  }

  async wakeCount(c: ConnectionKey): Promise<string> {
    return (await this.redis.get(this.keys(c)[0])) ?? '0';
  }

  /** Releases the slot unless a kick came after `seen` (then the runner looks again). */
  async releaseIfQuiet(c: ConnectionKey, token: string, seen: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE_IF_QUIET, 2, ...this.keys(c), seen, token)) === 1;
  }

  async release(c: ConnectionKey, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 2, ...this.keys(c), token);
  }
}

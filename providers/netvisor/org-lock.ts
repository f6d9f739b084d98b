import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RedisClient } from '../types.js';
import { ProviderTransientError } from '../errors/transient-error.js';

/**
 * Netvisor: "Send one call at a time and wait for a response before sending
 * the next call. Overlapping calls to the same customer environment cause
 * various error situations." Every request to one Netvisor environment and
 * organisation therefore runs under one Redis lock shared by all workers;
 * other organisations have other locks and run in parallel.
 */
export interface OrgLockOptions {
  /** Lock lifetime: longer than the request timeout, so a crashed worker's lock expires on its own. */
  ttlMs: number;
  /** How long to wait for the lock before giving up with a transient error. */
  waitMs: number;
  /** For the message: "the Netvisor organisation 1234567-1". */
  what: string;
  sleep?: (ms: number) => Promise<void>;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The lock key of one Netvisor environment + organisation (hashed: the key never shows ids). */
export function orgLockKey(prefix: string, env: { baseUrl: string; customerId: string; organisationId: string }): string {
  const digest = createHash('sha256').update(`${env.baseUrl}|${env.customerId}|${env.organisationId}`).digest('hex');
  return `${prefix}netvisor:lock:${digest}`;
}

/** Runs `fn` holding the lock; waits with a small growing backoff while another worker holds it. */
export async function withOrgLock<T>(redis: RedisClient, key: string, options: OrgLockOptions, fn: () => Promise<T>): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const token = randomBytes(16).toString('hex');
  const started = performance.now();
  let backoff = 5;
  for (;;) {
    const acquired = await redis.set(key, token, 'PX', options.ttlMs, 'NX');
    if (acquired === 'OK') break;
    if (performance.now() - started >= options.waitMs) {
      throw new ProviderTransientError({
        code: 'netvisor_busy',
        retryAfterMs: 30_000,
        message: `Another ledgerlink worker has been talking to ${options.what} for over ${Math.round(options.waitMs / 1000)} s (Netvisor takes one request at a time); ledgerlink will try again shortly.`,
      });
    }
    await sleep(backoff + Math.floor(Math.random() * backoff));
    backoff = Math.min(backoff * 2, 100);
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}

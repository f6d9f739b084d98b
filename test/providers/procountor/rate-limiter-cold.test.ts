import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { COLD_REQUEST_ALLOWANCE_MS, SharedRateLimiter, WINDOW_MS } from '../../../providers/procountor/rate-limiter.js';
import { testRedis } from '../../support/redis.js';

/**
 * A cold request (the first this process sends under a limiter key, or the
 * first after the window emptied) reaches Procountor later than its slot, so
 * its slot is counted later; the requests after it keep their spacing from
 * that. A warm request's slot is counted when it is taken.
 */
describe('Procountor rate limit: cold requests', () => {
  const redis = testRedis();
  const keys: string[] = [];
  const limiter = () => {
    const key = `lltest:rate:${randomBytes(6).toString('hex')}`;
    keys.push(key);
    return new SharedRateLimiter({ redis, key, limit: 10 });
  };
  afterAll(async () => {
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const spacing = WINDOW_MS / 10;

  it('after a cold request, the next slot is the allowance plus the spacing away', async () => {
    const l = limiter();
    await l.acquire();
    const wait = await l.waitMs();
    expect(wait).toBeGreaterThan(COLD_REQUEST_ALLOWANCE_MS + spacing - 20);
    expect(wait).toBeLessThanOrEqual(COLD_REQUEST_ALLOWANCE_MS + spacing);
  });

  it('after a warm request, only the spacing', async () => {
    const l = limiter();
    await l.acquire(); // cold
    await l.acquire(); // warm: this process has sent under the key, and the window is not empty
    const wait = await l.waitMs();
    expect(wait).toBeGreaterThan(spacing - 20);
    expect(wait).toBeLessThanOrEqual(spacing);
  });
});

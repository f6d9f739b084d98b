import { describe, expect, it } from 'vitest';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { useProcountorSandbox } from './fixture.js';
import { example } from './helpers.js';

/** Most requests the sandbox received within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 1000) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('Procountor client-side rate limit', () => {
  // The sandbox itself allows 20 a second, like Procountor.
  const fixture = useProcountorSandbox('procountor-rate');

  /** Two workers (own contexts, one Redis) each looking up `perWorker` invoices at once. */
  async function twoWorkersBurst(requestsPerSecond: number, perWorker: number) {
    const workers = [fixture.context({ requestsPerSecond }), fixture.context({ requestsPerSecond })];
    await Promise.all(
      workers.flatMap((ctx) => Array.from({ length: perWorker }, () => procountorProvider.findByReference(ctx, example(), { since: new Date() }))),
    );
    const seen = fixture.sandbox.requests().map((r) => Date.parse(r.at));
    const statuses = workers.flatMap((w) => w.exchanges.map((e) => e.status));
    return { seen, statuses, workers };
  }

  it('keeps two workers together at or under the configured requests per second', async () => {
    const { seen, statuses, workers } = await twoWorkersBurst(5, 7);
    expect(seen).toHaveLength(15); // one token request and 14 searches
    expect(busiestSecond(seen)).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    // Spread evenly, not in bursts: the searches (after the token) at least 1050 ms ÷ 5 apart, less timer slack.
    const searches = fixture.sandbox.requests().filter((r) => r.path.startsWith('/invoices')).map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const gaps = searches.slice(1).map((t, i) => t - searches[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
    expect(workers.every((w) => w.exchanges.some((e) => e.label === 'find invoice by reference'))).toBe(true);
  });

  it('without the shared limit the same burst would exceed it (control)', async () => {
    const { seen } = await twoWorkersBurst(20, 7);
    expect(busiestSecond(seen)).toBeGreaterThan(5);
  });
});

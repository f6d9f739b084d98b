import { z } from 'zod';

/**
 * Every job ledgerlink runs, in one typed catalog: its queue, payload schema,
 * how long one run may take, and the retry policy the *engine* applies (the
 * database decides when to try again; BullMQ only times it).
 */
export interface RetryPolicy {
  /** First delay; doubles each time up to maxMs, with ±20 % jitter. */
  baseMs: number;
  maxMs: number;
  /** Tries before giving up (the record or delivery is then marked failed). */
  maxAttempts: number;
}

export const jobCatalog = {
  /**
   * One runner of a connection (a tenant's provider): syncs the connection's due
   * records, one at a time, for a slice of time, then goes to the back of the
   * queue (so connections take turns), or leaves when nothing is due or the
   * provider's budget says wait.
   */
  'sync-connection': {
    queue: 'sync',
    payload: z.object({ tenantId: z.string().min(1), provider: z.string().min(1), token: z.string().min(1) }),
    /** How long a runner works before it lets the next connection have the worker. */
    sliceMs: 2_000,
    /** Records reserved per look at what is due (a slice's worth: the rest stays free for other runners). */
    batch: 5,
  },
  /** A connection's records come due later (a retry, a lookup that must wait): kick it then. */
  'wake-connection': {
    queue: 'sync',
    payload: z.object({ tenantId: z.string().min(1), provider: z.string().min(1) }),
  },
  /** One attempt at one record (what a runner does for each record it takes). */
  'sync-invoice': {
    /** A Netvisor request may take 120 s and a sync makes several. */
    timeoutMs: 10 * 60_000,
    retry: { baseMs: 5_000, maxMs: 30 * 60_000, maxAttempts: 12 } satisfies RetryPolicy,
    /** After an unknown outcome, wait a little before the lookup so the provider has settled. */
    inDoubtDelayMs: 3_000,
  },
  'deliver-event': {
    queue: 'events',
    payload: z.object({ deliveryId: z.string().min(1) }),
    timeoutMs: 60_000,
    /** Webhooks retry for about three days: doubling from 2 s, then hourly, 80 tries in all. */
    retry: { baseMs: 2_000, maxMs: 60 * 60_000, maxAttempts: 80 } satisfies RetryPolicy,
    requestTimeoutMs: 10_000,
  },
  'billing-operation': {
    queue: 'billing',
    payload: z.object({ operationId: z.string().min(1), tenantId: z.string().min(1) }),
    /** A compile of a large backlog works through it in batches, each its own transaction. */
    timeoutMs: 30 * 60_000,
    /** A run that shows no sign of life for this long is taken over by the next one. */
    staleAfterMs: 10 * 60_000,
  },
} as const;

/** Jobs that go through a queue (the catalog also holds the policy of a record's sync attempt). */
export type JobName = { [N in keyof typeof jobCatalog]: (typeof jobCatalog)[N] extends { queue: string } ? N : never }[keyof typeof jobCatalog];
export type JobPayload<N extends JobName> = z.output<(typeof jobCatalog)[N]['payload']>;
export const QUEUE_NAMES = ['sync', 'events', 'billing'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Exponential backoff with ±20 % jitter; `random` is injected so tests can pin it. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + random() * 0.4;
  return Math.round(Math.min(policy.maxMs, exp * jitter));
}

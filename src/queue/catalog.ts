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
  'sync-invoice': {
    queue: 'sync',
    payload: z.object({ recordId: z.string().min(1), tenantId: z.string().min(1) }),
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

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.output<(typeof jobCatalog)[N]['payload']>;
export const QUEUE_NAMES = ['sync', 'events', 'billing'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Exponential backoff with ±20 % jitter; `random` is injected so tests can pin it. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + random() * 0.4;
  return Math.round(Math.min(policy.maxMs, exp * jitter));
}

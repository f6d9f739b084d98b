import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { MicroBatcher } from '../lib/micro-batcher.js';
import { ConnectionRuns, type ConnectionKey } from './connection-runs.js';
import { jobCatalog, type JobName, type JobPayload, type QueueName } from './catalog.js';

/**
 * Puts work on BullMQ. Invoices are not queued one by one: the database holds
 * what is due, and `scheduleSync` kicks the record's connection — a runner
 * takes its due records (see ConnectionRuns and jobs/sync-connection.ts); a
 * kick with a delay wakes the connection then. Webhook deliveries are jobs of
 * their own, with ids derived from the row (delivery id + attempt), so
 * enqueueing one twice — from a worker and the sweep at once — yields one job.
 */
export interface Scheduler {
  /** The connection has work due (now, or after `delayMs`): make sure a runner comes. */
  scheduleSync(connection: ConnectionKey, delayMs?: number): Promise<void>;
  scheduleDelivery(deliveryId: string, attempt: number, delayMs?: number): Promise<void>;
}

/** Billing operations (compile, generate) are queued by operation id: one job per operation. */
export interface BillingScheduler {
  scheduleBillingOperation(operationId: string, tenantId: string, delayMs?: number): Promise<void>;
}

export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `deliver-${deliveryId}-${attempt}`;
}

export class BullScheduler implements Scheduler, BillingScheduler {
  readonly queues: Record<QueueName, Queue>;
  private readonly kicks: MicroBatcher<ConnectionKey, void>;
  private readonly adders: Record<QueueName, MicroBatcher<{ name: string; data: unknown; opts: JobsOptions }, void>>;
  private readonly enqueueTimeoutMs: number;

  /**
   * `enqueueTimeoutMs` bounds how long scheduling waits for Redis: BullMQ waits
   * for a connection indefinitely, but the row is already committed and the
   * sweep enqueues it later, so callers (intake, resync, a worker's next step)
   * must get a prompt error instead of hanging while Redis is away.
   */
  constructor(
    connection: ConnectionOptions,
    prefix: string,
    private readonly runs: ConnectionRuns,
    /** How many runners a connection may have at once (1 for Netvisor: one request at a time). */
    private readonly runnersFor: (connection: ConnectionKey) => Promise<number>,
    options: { enqueueTimeoutMs?: number; onError?: (error: Error) => void } = {},
  ) {
    this.enqueueTimeoutMs = options.enqueueTimeoutMs ?? 2000;
    // Kicks of one connection in the same turn of the event loop (a burst of intake) are one kick.
    this.kicks = new MicroBatcher<ConnectionKey, void>(
      async (connections) => {
        const seen = new Map<string, ConnectionKey>();
        for (const c of connections) seen.set(ConnectionRuns.idOf(c), c);
        await Promise.all([...seen.values()].map((c) => this.kickNow(c)));
        return connections.map(() => undefined);
      },
      (c) => this.kickNow(c),
    );
    const make = (name: QueueName) => {
      const queue = new Queue(name, {
        connection,
        prefix,
        defaultJobOptions: {
          // The database is the record; finished jobs need not stay in Redis,
          // and a removed id can be scheduled again by the sweep if still needed.
          removeOnComplete: true,
          removeOnFail: true,
          // Only for crashes of the processor itself (e.g. the database went away).
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
        },
      });
      // Without a listener, a connection error is re-thrown by BullMQ as an unhandled rejection.
      queue.on('error', (error) => options.onError?.(error));
      return queue;
    };
    this.queues = { sync: make('sync'), events: make('events'), billing: make('billing') };
    // Jobs scheduled at the same moment (a burst of intake, a sweep) go to Redis in one round trip.
    const adder = (queue: Queue) =>
      new MicroBatcher<{ name: string; data: unknown; opts: JobsOptions }, void>(
        async (jobs) => {
          await queue.addBulk(jobs);
          return jobs.map(() => undefined);
        },
        async (job) => {
          await queue.add(job.name, job.data, job.opts);
        },
      );
    this.adders = { sync: adder(this.queues.sync), events: adder(this.queues.events), billing: adder(this.queues.billing) };
  }

  private async add<N extends JobName>(name: N, payload: JobPayload<N>, jobId: string, delayMs: number): Promise<void> {
    const spec = jobCatalog[name];
    const data = spec.payload.parse(payload);
    // If the add completes after the deadline, the job id makes it the same job the sweep would add.
    await this.bounded(this.adders[spec.queue].submit({ name, data, opts: { jobId, delay: Math.max(0, Math.round(delayMs)) } }), `accept job ${jobId}`);
  }

  private async bounded<T>(work: Promise<T>, what: string): Promise<T> {
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not ${what} within ${this.enqueueTimeoutMs} ms`)), this.enqueueTimeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  scheduleSync(connection: ConnectionKey, delayMs = 0): Promise<void> {
    const c = { tenantId: connection.tenantId, provider: connection.provider };
    if (delayMs > 0) {
      // One wake-up per connection and tenth of a second at most.
      const due = Math.ceil((Date.now() + delayMs) / 100);
      return this.add('wake-connection', c, `wake-${ConnectionRuns.idOf(c)}-${due}`, due * 100 - Date.now());
    }
    return this.bounded(this.kicks.submit(c), 'kick a connection');
  }

  /** A kick: when a runner slot is free, a new runner is queued (at the back: connections take turns). */
  private async kickNow(c: ConnectionKey): Promise<void> {
    const token = await this.runs.kick(c, await this.runnersFor(c));
    if (token) await this.addRunner(c, token);
  }

  /** Queues a runner holding `token` (a new one, or one that used its slice and lets others go first). */
  addRunner(c: ConnectionKey, token: string, delayMs = 0): Promise<void> {
    return this.add('sync-connection', { ...c, token }, `run-${ConnectionRuns.idOf(c)}-${token}-${Date.now()}`, delayMs);
  }

  scheduleDelivery(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    return this.add('deliver-event', { deliveryId }, deliveryJobId(deliveryId, attempt), delayMs);
  }

  scheduleBillingOperation(operationId: string, tenantId: string, delayMs = 0): Promise<void> {
    return this.add('billing-operation', { operationId, tenantId }, `billing-${operationId}`, delayMs);
  }

  async depth(): Promise<Array<{ queue: QueueName; state: string; count: number }>> {
    const out: Array<{ queue: QueueName; state: string; count: number }> = [];
    for (const [queue, q] of Object.entries(this.queues) as Array<[QueueName, Queue]>) {
      const counts = await this.bounded(q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'), `report the ${queue} queue's depth`);
      for (const [state, count] of Object.entries(counts)) out.push({ queue, state, count });
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}

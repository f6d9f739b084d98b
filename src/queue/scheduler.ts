import { Queue, type ConnectionOptions } from 'bullmq';
import { jobCatalog, type JobName, type JobPayload, type QueueName } from './catalog.js';

/**
 * Puts work on BullMQ. Job ids are derived from the database row (record id +
 * scheduling generation, delivery id + attempt), so enqueueing the same work
 * twice — from the API, a worker and the sweep at once — yields one job.
 */
export interface Scheduler {
  scheduleSync(recordId: string, tenantId: string, generation: number, delayMs?: number): Promise<void>;
  scheduleDelivery(deliveryId: string, attempt: number, delayMs?: number): Promise<void>;
}

export function syncJobId(recordId: string, generation: number): string {
  return `sync-${recordId}-${generation}`;
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
  private readonly enqueueTimeoutMs: number;

  /**
   * `enqueueTimeoutMs` bounds how long scheduling waits for Redis: BullMQ waits
   * for a connection indefinitely, but the row is already committed and the
   * sweep enqueues it later, so callers (intake, resync, a worker's next step)
   * must get a prompt error instead of hanging while Redis is away.
   */
  constructor(connection: ConnectionOptions, prefix: string, options: { enqueueTimeoutMs?: number; onError?: (error: Error) => void } = {}) {
    this.enqueueTimeoutMs = options.enqueueTimeoutMs ?? 2000;
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
  }

  private async add<N extends JobName>(name: N, payload: JobPayload<N>, jobId: string, delayMs: number): Promise<void> {
    const spec = jobCatalog[name];
    const data = spec.payload.parse(payload);
    // If the add completes after the deadline, the job id makes it the same job the sweep would add.
    await this.bounded(this.queues[spec.queue].add(name, data, { jobId, delay: Math.max(0, Math.round(delayMs)) }), `accept job ${jobId}`);
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

  scheduleSync(recordId: string, tenantId: string, generation: number, delayMs = 0): Promise<void> {
    return this.add('sync-invoice', { recordId, tenantId }, syncJobId(recordId, generation), delayMs);
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

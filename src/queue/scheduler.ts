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

export function deliveryJobId(deliveryId: string, attempt: number): string {
  return `deliver-${deliveryId}-${attempt}`;
}

export class BullScheduler implements Scheduler {
  readonly queues: Record<QueueName, Queue>;

  constructor(connection: ConnectionOptions, prefix: string) {
    const make = (name: QueueName) =>
      new Queue(name, {
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
    this.queues = { sync: make('sync'), events: make('events') };
  }

  private async add<N extends JobName>(name: N, payload: JobPayload<N>, jobId: string, delayMs: number): Promise<void> {
    const spec = jobCatalog[name];
    const data = spec.payload.parse(payload);
    await this.queues[spec.queue].add(name, data, { jobId, delay: Math.max(0, Math.round(delayMs)) });
  }

  scheduleSync(recordId: string, tenantId: string, generation: number, delayMs = 0): Promise<void> {
    return this.add('sync-invoice', { recordId, tenantId }, syncJobId(recordId, generation), delayMs);
  }

  scheduleDelivery(deliveryId: string, attempt: number, delayMs = 0): Promise<void> {
    return this.add('deliver-event', { deliveryId }, deliveryJobId(deliveryId, attempt), delayMs);
  }

  async depth(): Promise<Array<{ queue: QueueName; state: string; count: number }>> {
    const out: Array<{ queue: QueueName; state: string; count: number }> = [];
    for (const [queue, q] of Object.entries(this.queues) as Array<[QueueName, Queue]>) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, count] of Object.entries(counts)) out.push({ queue, state, count });
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}

import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { billingOperationProcessor } from './billing-operation.js';
import { deliverEventProcessor, type DeliverDeps } from './deliver-event.js';
import { syncConnectionProcessor, type ConnectionRunnerDeps } from './sync-connection.js';
import type { Billing } from '../src/billing/billing.js';
import { jobCatalog } from '../src/queue/catalog.js';

export interface Workers {
  /** Stops taking jobs, waits for the active ones, closes connections. */
  close(): Promise<void>;
  sync: Worker;
  events: Worker;
  billing: Worker | null;
}

export function startWorkers(options: {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** The connection runners' dependencies (engine, store, scheduler, slots). */
  runners: ConnectionRunnerDeps;
  deliver: DeliverDeps;
  /** Billing operations (compile); absent, the billing queue is not worked here. */
  billing?: Billing;
  log: Logger;
}): Workers {
  const common = { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency };
  const sync = new Worker(jobCatalog['sync-connection'].queue, syncConnectionProcessor(options.runners), {
    ...common,
    // The job's lock is renewed while it runs; the database leases are the real guard.
    lockDuration: 60_000,
  });
  const events = new Worker(jobCatalog['deliver-event'].queue, deliverEventProcessor(options.deliver), {
    ...common,
    concurrency: Math.max(2, options.concurrency),
    lockDuration: 30_000,
  });
  const billing = options.billing
    ? new Worker(jobCatalog['billing-operation'].queue, billingOperationProcessor(options.billing), {
        ...common,
        // A compile is database work in batches; two at once per process is plenty.
        concurrency: 2,
        lockDuration: 60_000,
      })
    : null;
  for (const worker of billing ? [sync, events, billing] : [sync, events]) {
    worker.on('failed', (job, err) => options.log.warn({ err, jobId: job?.id, queue: worker.name }, 'job failed; it will be retried'));
    worker.on('error', (err) => options.log.warn({ err, queue: worker.name }, 'worker error'));
  }
  return {
    sync,
    events,
    billing,
    async close() {
      const all = billing ? [sync, events, billing] : [sync, events];
      // A worker closed before its connections are up rejects on them unobserved: let them come up first.
      // Bounded: with Redis away they never come up, and closing must not wait for it.
      await Promise.all(all.map((w) => Promise.race([w.waitUntilReady().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())])));
      await Promise.all(all.map((w) => w.close()));
    },
  };
}

import type { Job } from 'bullmq';
import { jobCatalog } from '../src/queue/catalog.js';
import type { SyncEngine } from '../src/sync/sync-engine.js';

/** BullMQ processor for `sync-invoice`: one attempt at one record; the engine owns all state. */
export function syncInvoiceProcessor(engine: SyncEngine) {
  return async (job: Job): Promise<string> => {
    const { recordId } = jobCatalog['sync-invoice'].payload.parse(job.data);
    const result = await engine.run(recordId);
    return result.ran ? result.status : `skipped: ${result.reason}`;
  };
}

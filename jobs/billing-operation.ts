import type { Job } from 'bullmq';
import type { Billing } from '../src/billing/billing.js';
import { jobCatalog } from '../src/queue/catalog.js';

/** BullMQ processor for `billing-operation` (compile): decode, run; the operation row holds the outcome. */
export function billingOperationProcessor(billing: Billing) {
  return async (job: Job): Promise<string> => {
    const { operationId } = jobCatalog['billing-operation'].payload.parse(job.data);
    return billing.compile.run(operationId);
  };
}

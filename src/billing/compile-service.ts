import type { Logger } from 'pino';
import { z } from 'zod';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/parse.js';
import { jobCatalog } from '../queue/catalog.js';
import type { BillingScheduler } from '../queue/scheduler.js';
import { compileEntries, emptyOutcome, mergeOutcome } from './compiler.js';
import { localDate } from './domain/local-date.js';
import type { BillingOperation } from './domain/types.js';
import { hostId } from './domain/work-schemas.js';
import type { BillingStore } from './store/billing-store.js';

export interface CompileDeps {
  store: BillingStore;
  scheduler: BillingScheduler;
  clock: () => Date;
  log: Logger;
}

export const compileBody = z.strictObject({
  projectExternalIds: z.array(hostId, { error: 'must be a list of project ids' }).max(1000).optional(),
});

const BATCH = 200;

export function operationView(op: BillingOperation) {
  return {
    id: op.id,
    kind: op.kind,
    status: op.status,
    params: op.params,
    counts: op.counts,
    problems: op.problems,
    error: op.error,
    createdAt: op.createdAt.toISOString(),
    startedAt: op.startedAt?.toISOString() ?? null,
    finishedAt: op.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Compile as an operation: the row is written, then the job queued (a lost
 * job is re-queued by the billing sweep). The job works in batches, each one
 * transaction that locks the entries it takes, skipping entries another
 * compile holds — so compiles run at once share the work, none twice.
 */
export class CompileService {
  constructor(private readonly deps: CompileDeps) {}

  async start(tenantId: string, body: unknown): Promise<BillingOperation> {
    const params = parseOr400(compileBody, body ?? {});
    const op = await this.deps.store.repos.operations.insert(tenantId, { id: `op_${newId(this.deps.clock())}`, kind: 'compile', params });
    await this.deps.scheduler.scheduleBillingOperation(op.id, tenantId).catch((err: unknown) => {
      this.deps.log.warn({ err, operationId: op.id }, 'could not queue the compile; the billing sweep will');
    });
    return op;
  }

  async get(tenantId: string, id: string): Promise<BillingOperation> {
    const op = await this.deps.store.repos.operations.get(tenantId, id);
    if (!op) throw ApiError.notFound(`Operation ${id}`);
    return op;
  }

  /** Runs a queued operation (the job's body). A finished or live one is left alone. */
  async run(operationId: string): Promise<BillingOperation['status'] | 'skipped'> {
    const repos = this.deps.store.repos;
    const staleBefore = new Date(this.deps.clock().getTime() - jobCatalog['billing-operation'].staleAfterMs);
    const op = await repos.operations.start(operationId, staleBefore);
    if (!op) return 'skipped';
    try {
      const result = await this.compile(op);
      await repos.operations.finish(op.id, 'done', result);
      return 'done';
    } catch (error) {
      this.deps.log.error({ err: error, operationId }, 'billing operation failed');
      await repos.operations.finish(op.id, 'failed', {
        counts: {},
        problems: [],
        error: { code: 'compile_failed', message: `The compile stopped: ${(error as Error).message}. What it had compiled is kept; start it again to finish.` },
      });
      return 'failed';
    }
  }

  private async compile(op: BillingOperation) {
    const tenantId = op.tenantId;
    const { store, clock } = this.deps;
    const settings = await store.repos.settings.get(tenantId);
    const today = localDate(clock(), settings.timeZone);
    const projectExternalIds = Array.isArray(op.params.projectExternalIds) ? (op.params.projectExternalIds as string[]) : undefined;
    const total = emptyOutcome();
    for (let round = 0; round < 100_000; round++) {
      const batch = await store.transaction(async (b) => {
        const entries = await b.entries.claimCompilable(tenantId, projectExternalIds ? { projectExternalIds } : {}, BATCH);
        if (!entries.length) return null;
        return compileEntries(b, tenantId, entries, { kind: 'auto' }, today);
      });
      if (!batch) break;
      mergeOutcome(total, batch);
      if (batch.entries === 0 && batch.items === 0) break;
    }
    const problems: BillingOperation['problems'] = [];
    for (const t of await store.repos.entries.tasksWithoutContact(tenantId)) {
      problems.push({
        code: 'no_contact',
        taskExternalId: t.taskExternalId,
        path: `tasks.${t.taskExternalId}.context.contactId`,
        message: `task ${t.taskExternalId} "${t.title}" has ${t.entries} stopped ${t.entries === 1 ? 'entry' : 'entries'} but no client contact (context.contactId), so its work was not compiled; set the contact and compile again`,
      });
    }
    for (const z of total.zeroPriced) {
      problems.push({
        code: 'zero_price',
        taskExternalId: z.taskExternalId,
        path: `entries.${z.entryExternalId}`,
        message: `entry ${z.entryExternalId} (${z.lineKind}) of task ${z.taskExternalId} has no price: it is on the draft at 0.00; give the entry a unitPrice, or set the task's unitPrice, the project's hourlyRate or a product price`,
      });
    }
    return { counts: { entries: total.entries, items: total.items, drafts: total.drafts.size, tasksWithoutContact: problems.filter((p) => p.code === 'no_contact').length }, problems };
  }
}

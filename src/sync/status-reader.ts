import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import { progressSteps, type AfterSyncStatus, type ProgressStep } from '../domain/payment-progress.js';
import type { UrlPolicy } from '../http/url-guard.js';
import type { ConnectionKey } from '../queue/connection-runs.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { SyncRecord } from '../store/records-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import { StatusChecksRepo } from '../store/status-checks-repo.js';
import { reposFor, type Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { BUDGET_WAIT, type ProviderInvoiceStatus } from '../../providers/types.js';
import { loadConnection } from './connection-store.js';
import { buildProviderContext } from './provider-context-factory.js';
import { changeStatus } from './transitions.js';

/**
 * How often an open invoice is read, by its age (time since it was synced):
 * often while it is new and payments are likely, rarely once it is old;
 * past the last step it is no longer read (reconciliation still covers it).
 */
export interface PollSchedule {
  byAge: Array<{ untilAgeMs: number; everyMs: number }>;
  /** After a failed read: doubling from this, up to `failureMaxMs`. */
  failureBaseMs: number;
  failureMaxMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  byAge: [
    { untilAgeMs: DAY, everyMs: 15 * MINUTE },
    { untilAgeMs: 7 * DAY, everyMs: HOUR },
    { untilAgeMs: 30 * DAY, everyMs: 6 * HOUR },
    { untilAgeMs: 400 * DAY, everyMs: DAY },
  ],
  failureBaseMs: MINUTE,
  failureMaxMs: 6 * HOUR,
};

export interface StatusReaderDeps {
  store: Store;
  registry: ProviderRegistry;
  secretBox: SecretBox;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  scheduler: Pick<Scheduler, 'scheduleDelivery'>;
  /** How long until the connection's request budget has room (0: now); reads only use room syncs leave. */
  budgetWaitMs: (c: ConnectionKey) => Promise<number>;
  clock: () => Date;
  log: Logger;
  schedule?: PollSchedule;
  /** Reads per connection per round when no sync is waiting (default 10); with syncs waiting, 1. */
  readsPerRound?: number;
}

export type ReadOutcome = 'changed' | 'unchanged' | 'failed' | 'gone' | 'deferred' | 'skipped';

/**
 * Reads back what happened to synced invoices at the provider — sent, partly
 * paid, paid — and moves each record forward, with its status events, in
 * order. A read that fails, or that the adapter could not read in full,
 * changes nothing but the time of the next read (users of other connectors
 * have had real payments voided by a transient read error). Reads take only
 * the room the connection's budget has left: with syncs waiting, one read
 * per round, and never a wait for the budget inside a read.
 */
export class StatusReader {
  private readonly schedule: PollSchedule;

  constructor(private readonly deps: StatusReaderDeps) {
    this.schedule = deps.schedule ?? DEFAULT_POLL_SCHEDULE;
  }

  /** One round over every connection with invoices due for a read. */
  async pollOnce(): Promise<Record<ReadOutcome, number>> {
    const counts: Record<ReadOutcome, number> = { changed: 0, unchanged: 0, failed: 0, gone: 0, deferred: 0, skipped: 0 };
    const checks = new StatusChecksRepo(this.deps.store.db);
    for (const c of await checks.dueConnections(200)) {
      const share = (await checks.syncsWaiting(c.tenantId, c.provider)) ? 1 : (this.deps.readsPerRound ?? 10);
      const taken = await checks.take(c.tenantId, c.provider, share, 5 * MINUTE);
      for (let i = 0; i < taken.length; i += 1) {
        const wait = await this.deps.budgetWaitMs(c);
        if (wait > 0) {
          // The budget is the syncs' first: what is left is read when it has room.
          const at = new Date(this.deps.clock().getTime() + wait);
          for (const rest of taken.slice(i)) await checks.putBack(rest.id, at);
          counts.deferred += taken.length - i;
          break;
        }
        counts[await this.readOne(taken[i]!)] += 1;
      }
    }
    return counts;
  }

  /** Reads one record's invoice and applies what it shows. */
  async readOne(record: SyncRecord): Promise<ReadOutcome> {
    const { deps } = this;
    const checks = new StatusChecksRepo(deps.store.db);
    const provider = deps.registry[record.provider as keyof ProviderRegistry];
    const connection = provider ? await loadConnection(deps.store.repos, deps.secretBox, record.tenantId, record.provider) : null;
    if (!provider || !connection || !record.providerInvoiceId) {
      await checks.schedule(record.id, new Date(deps.clock().getTime() + DAY), { code: 'no_connection', message: `no ${record.provider} connection to read the invoice from`, inRow: 1 });
      return 'skipped';
    }
    const { ctx } = buildProviderContext(
      { repos: deps.store.repos, redis: deps.redis, redisPrefix: deps.redisPrefix, urlPolicy: deps.urlPolicy, clock: deps.clock, log: deps.log },
      connection,
      { providerName: provider.displayName, maxBudgetWaitMs: 250 },
    );
    let observed: ProviderInvoiceStatus | null;
    try {
      observed = await provider.readStatus(ctx, { id: record.providerInvoiceId, number: record.providerInvoiceNumber, state: record.providerState });
    } catch (error) {
      if (error instanceof ProviderError && error.code === BUDGET_WAIT) {
        await checks.putBack(record.id, new Date(deps.clock().getTime() + (error.retryAfterMs ?? 1000)));
        return 'deferred';
      }
      const inRow = (await checks.failuresInRow(record.id)) + 1;
      const wait = Math.min(this.schedule.failureMaxMs, this.schedule.failureBaseMs * 2 ** (inRow - 1));
      const described = error instanceof ProviderError ? { code: error.code, category: error.category, message: error.message } : { code: 'status_read_failed', message: (error as Error).message };
      await checks.schedule(record.id, new Date(deps.clock().getTime() + wait), { ...described, inRow });
      deps.log.info({ recordId: record.id, err: error }, 'reading the invoice status failed; nothing changed, it is read again later');
      return 'failed';
    }
    if (observed === null) {
      // Deleted at the provider: not a payment fact. Reconciliation reports it; nothing changes here.
      await checks.schedule(record.id, this.nextRead(record), { code: 'not_at_provider', message: 'the provider no longer has the invoice; see reconciliation', inRow: 0 });
      return 'gone';
    }
    return this.apply(record, observed);
  }

  private async apply(record: SyncRecord, observed: ProviderInvoiceStatus): Promise<ReadOutcome> {
    const { deps } = this;
    const now = deps.clock();
    const today = now.toISOString().slice(0, 10);
    const { steps, note } = progressSteps(
      { status: record.status as AfterSyncStatus, gross: String(record.totals.gross), paidAmount: record.paidAmount },
      observed,
      today,
    );
    if (note) deps.log.warn({ recordId: record.id }, note);
    const result = await deps.store.db.transaction(async (tx) => {
      const repos = reposFor(tx);
      const checks = new StatusChecksRepo(tx);
      // The same lock a sync's claim takes: no revision acts on this invoice while its status moves.
      await repos.records.lockChain(record.tenantId, record.externalId);
      const current = await repos.records.getForUpdate(record.id);
      const chainLeased = (await repos.records.chain(record.tenantId, record.externalId)).some((r) => r.leaseUntil && r.leaseUntil > now);
      if (!current || chainLeased || current.status !== record.status || current.providerInvoiceId !== record.providerInvoiceId || current.paidAmount !== record.paidAmount) {
        return { outcome: 'skipped' as const, deliveries: [] as string[] };
      }
      const deliveries: string[] = [];
      let latest = current;
      for (const step of steps) {
        const { record: changed, deliveryId } = await changeStatus(repos, record.id, step.status, {
          patch: patchFor(step, latest, observed, now),
          message: messageFor(step, observed, latest),
          now,
        });
        latest = changed;
        deliveries.push(...deliveryId.filter((d): d is string => d !== null));
      }
      if (observed.state && observed.state !== latest.providerState) {
        latest = await repos.records.setStatus(record.id, latest.status, { providerState: observed.state });
      }
      await checks.schedule(record.id, latest.status === 'paid' ? null : this.nextRead(latest), null);
      return { outcome: steps.length ? ('changed' as const) : ('unchanged' as const), deliveries };
    });
    await Promise.allSettled(result.deliveries.map((id) => deps.scheduler.scheduleDelivery(id, 0)));
    return result.outcome;
  }

  /** When an invoice of this age is read next; null once it is too old to poll. */
  private nextRead(record: SyncRecord): Date | null {
    const now = this.deps.clock().getTime();
    const age = now - (record.syncedAt ?? record.createdAt).getTime();
    const step = this.schedule.byAge.find((s) => age < s.untilAgeMs);
    return step ? new Date(now + step.everyMs) : null;
  }
}

function patchFor(step: ProgressStep, record: SyncRecord, observed: ProviderInvoiceStatus, now: Date) {
  const sentAt = record.sentAt ?? (observed.sent ? now : null);
  if (step.status === 'sent') return { sentAt: now };
  return { paidAmount: step.paidAmount, paidAt: step.paidAt, ...(sentAt ? { sentAt } : {}) };
}

function messageFor(step: ProgressStep, observed: ProviderInvoiceStatus, record: SyncRecord): string {
  const state = observed.state ? ` (provider status ${observed.state})` : '';
  if (step.status === 'sent') return `sent to the customer${state}`;
  const gross = String(record.totals.gross);
  if (step.status === 'paid') return `paid in full: ${step.paidAmount} of ${gross}, latest payment ${step.paidAt}${state}`;
  return `partly paid: ${step.paidAmount} of ${gross}, latest payment ${step.paidAt}${state}`;
}

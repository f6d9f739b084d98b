import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import { dec } from '../domain/money.js';
import { newId } from '../domain/ids.js';
import { ApiError } from '../http/api-error.js';
import type { UrlPolicy } from '../http/url-guard.js';
import type { Scheduler } from '../queue/scheduler.js';
import { ReconciliationRepo, type DriftItem, type ReconciliationRun } from '../store/reconciliation-repo.js';
import { toRecord } from '../store/records-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Queryable } from '../store/database.js';
import { reposFor, type Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { loadConnection } from './connection-store.js';
import { buildProviderContext } from './provider-context-factory.js';

export interface ReconciliationDeps {
  store: Store;
  registry: ProviderRegistry;
  secretBox: SecretBox;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  scheduler: Pick<Scheduler, 'scheduleDelivery'>;
  clock: () => Date;
  log: Logger;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first and last day of a month written YYYY-MM; null when it is not one. */
export function periodDays(period: string): { from: string; to: string } | null {
  const m = PERIOD.exec(period);
  if (!m) return null;
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

/** ledgerlink's references look like this ("LL-" + record id, "-CN" for a credit note a revision made). */
const OUR_REFERENCE = /^LL-[0-9A-Z]{20,}/;

/**
 * Compares ledgerlink's records of a period with the invoices the provider
 * holds for it, and reports what differs — an invoice deleted or invalidated
 * at the provider, a total that differs, an invoice carrying ledgerlink's
 * reference that ledgerlink did not create — as drift, with the event
 * `reconciliation.drift` to the host. It changes nothing: every drift needs a
 * person's judgement (a deleted invoice may have been replaced by hand).
 */
export class Reconciliation {
  constructor(private readonly deps: ReconciliationDeps) {}

  /** Reconciles one period for the tenant's connections (or one provider). */
  async run(tenantId: string, period: string, options: { provider?: string; trigger: string }): Promise<Array<{ run: ReconciliationRun; drift: DriftItem[] }>> {
    const days = periodDays(period);
    if (!days) throw ApiError.badInput([{ path: 'period', code: 'invalid', message: 'must be a month written YYYY-MM, e.g. 2026-11' }]);
    const connections = (await this.deps.store.repos.connections.list(tenantId)).filter((c) => !options.provider || c.provider === options.provider);
    if (options.provider && connections.length === 0) {
      throw ApiError.badInput([{ path: 'provider', code: 'not_connected', message: `the tenant has no ${options.provider} connection` }]);
    }
    const out: Array<{ run: ReconciliationRun; drift: DriftItem[] }> = [];
    for (const c of connections) out.push(await this.runOne(tenantId, c.provider, period, days, options.trigger));
    return out;
  }

  private async runOne(tenantId: string, providerId: string, period: string, days: { from: string; to: string }, trigger: string) {
    const { deps } = this;
    const repo = new ReconciliationRepo(deps.store.db);
    const runId = `rec_${newId(deps.clock())}`;
    await repo.start({ id: runId, tenantId, provider: providerId, period, trigger });
    try {
      const provider = deps.registry[providerId as keyof ProviderRegistry];
      const connection = await loadConnection(deps.store.repos, deps.secretBox, tenantId, providerId);
      if (!provider || !connection) throw new Error(`no ${providerId} connection`);
      const { ctx } = buildProviderContext(
        { repos: deps.store.repos, redis: deps.redis, redisPrefix: deps.redisPrefix, urlPolicy: deps.urlPolicy, clock: deps.clock, log: deps.log },
        connection,
        { providerName: provider.displayName },
      );
      const listed = await provider.listInvoices(ctx, days);
      const byId = new Map(listed.map((l) => [l.id, l]));
      const records = (await repo.recordsInPeriod(tenantId, providerId, days.from, days.to)).map(toRecord);
      const ours = await repo.ours(tenantId, providerId);
      const drift: DriftItem[] = [];
      const name = provider.displayName;
      for (const record of records) {
        const id = record.providerInvoiceId!;
        const at = { recordId: record.id, externalId: record.externalId, providerInvoiceId: id, providerInvoiceNumber: record.providerInvoiceNumber };
        const describe = `${record.externalId} revision ${record.revision} (${name} invoice ${record.providerInvoiceNumber ?? id})`;
        let seen = byId.get(id);
        if (!seen) {
          // Not in the period's list: ask for it by id before calling it gone (its date may have been changed by hand).
          const status = await provider.readStatus(ctx, { id, number: record.providerInvoiceNumber, state: record.providerState });
          if (status === null) {
            drift.push({ ...at, kind: 'deleted_at_provider', expected: 'present', actual: 'missing', message: `${describe} is no longer in ${name}; it was deleted there. ledgerlink changed nothing: post a new revision to invoice it again, or cancel it in your system.` });
            continue;
          }
          seen = { id, number: record.providerInvoiceNumber, reference: null, state: status.state, void: status.void, total: status.total, date: null };
        }
        if (seen.void) {
          drift.push({ ...at, kind: 'invalidated_at_provider', expected: 'valid', actual: seen.state ?? 'invalidated', message: `${describe} was invalidated in ${name} (${seen.state ?? 'invalidated'}). ledgerlink changed nothing.` });
          continue;
        }
        const expected = dec(String(record.totals.gross)).toFixed(2);
        if (seen.total !== null && !dec(seen.total).equals(dec(expected))) {
          drift.push({ ...at, kind: 'totals_differ', expected, actual: seen.total, message: `${describe} totals ${seen.total} in ${name}, but ${expected} was synced. Someone changed it there; ledgerlink changed nothing.` });
        }
      }
      for (const l of listed) {
        if (!l.reference || !OUR_REFERENCE.test(l.reference) || ours.invoiceIds.has(l.id)) continue;
        drift.push({
          kind: 'not_created_by_ledgerlink',
          recordId: null,
          externalId: null,
          providerInvoiceId: l.id,
          providerInvoiceNumber: l.number,
          expected: null,
          actual: l.reference,
          message: `${name} invoice ${l.number ?? l.id} carries ledgerlink's reference ${l.reference}, but ledgerlink did not create it (a copy made by hand, or by another system). ledgerlink changed nothing; check it for a duplicate.`,
        });
      }
      const run = await deps.store.db.transaction(async (tx) => {
        const finished = await new ReconciliationRepo(tx).finish(runId, { checked: records.length, drift, tenantId, provider: providerId, period });
        const deliveryId = drift.length ? await this.driftEvent(tx, finished, drift) : null;
        return { finished, deliveryId };
      });
      if (run.deliveryId) await deps.scheduler.scheduleDelivery(run.deliveryId, 0).catch(() => undefined);
      return { run: run.finished, drift };
    } catch (error) {
      const described = error instanceof ProviderError ? error.toJSON() : { code: 'reconciliation_failed', message: (error as Error).message };
      deps.log.warn({ err: error, tenantId, provider: providerId, period }, 'reconciliation failed');
      return { run: await repo.fail(runId, described), drift: [] };
    }
  }

  /** The `reconciliation.drift` event for the tenant's webhook, in the run's transaction (an outbox). */
  private async driftEvent(tx: Queryable, run: ReconciliationRun, drift: DriftItem[]): Promise<string | null> {
    const repos = reposFor(tx);
    const endpoint = await repos.webhooks.endpoint(run.tenantId);
    if (!endpoint) return null;
    const now = this.deps.clock();
    const id = `msg_${newId(now)}`;
    await repos.webhooks.addDelivery({
      id,
      tenantId: run.tenantId,
      recordId: null,
      eventType: 'reconciliation.drift',
      payload: { type: 'reconciliation.drift', timestamp: now.toISOString(), data: { runId: run.id, provider: run.provider, period: run.period, checked: run.checked, count: drift.length, drift } },
    });
    return id;
  }

  /** The daily run: every tenant's connections, for one period. A failure of one connection does not stop the others. */
  async runAll(period: string, trigger: string): Promise<number> {
    const tenants = await this.deps.store.db.query<{ tenant_id: string }>('select distinct tenant_id from connections order by tenant_id');
    let runs = 0;
    for (const t of tenants) {
      try {
        runs += (await this.run(t.tenant_id, period, { trigger })).length;
      } catch (error) {
        this.deps.log.warn({ err: error, tenantId: t.tenant_id, period }, 'daily reconciliation of a tenant failed');
      }
    }
    return runs;
  }

  /** The drift of the newest run per provider and period. */
  async list(tenantId: string, filter: { period?: string; provider?: string }) {
    const repo = new ReconciliationRepo(this.deps.store.db);
    const runs = await repo.latestRuns(tenantId, filter);
    const drift = await repo.driftOf(runs.map((r) => r.id));
    return { runs, drift };
  }
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import type { UrlPolicy } from '../http/url-guard.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { AttemptOutcome, AttemptStep } from '../store/attempts-repo.js';
import type { RecordError, SyncRecord } from '../store/records-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Repos, Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import { ProviderTransientError } from '../../providers/errors/transient-error.js';
import { ProviderValidationError } from '../../providers/errors/validation-error.js';
import type { Exchange } from '../../providers/http/outbound-http.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { ProviderInvoice, SyncWarning } from '../../providers/types.js';
import { classifyFailure } from './classify-failure.js';
import { loadConnection } from './connection-store.js';
import type { InvoiceResolver } from './invoice-resolver.js';
import { buildProviderContext } from './provider-context-factory.js';
import { LeaseLostError } from './lease-lost-error.js';
import { transition } from './transitions.js';
import { newId } from '../domain/ids.js';

export interface SyncEngineDeps {
  store: Store;
  scheduler: Scheduler;
  registry: ProviderRegistry;
  resolver: InvoiceResolver;
  secretBox: SecretBox;
  redis: Redis;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
  /** Identifies this worker in leases and attempts. */
  workerId: string;
  leaseMs?: number;
  random?: () => number;
  metrics?: {
    syncOutcome(provider: string, status: string): void;
    syncDuration(provider: string, seconds: number): void;
    exchange(provider: string, exchange: Exchange): void;
  };
}

export type RunResult = { ran: false; reason: string } | { ran: true; status: SyncRecord['status'] };

/**
 * Syncs one record, exactly once at the provider:
 *
 * 1. claim the record (a database lease: one worker at a time);
 * 2. write the attempt row before any remote call;
 * 3. if an earlier create may have reached the provider, look it up by our
 *    reference first and adopt what is found — never re-send blindly;
 * 4. otherwise prepare (customer, products), build the request, mark
 *    "create sent" in the database, and send it;
 * 5. store the provider's ids at once, then finalize (approve/send) if asked;
 * 6. on failure, classify and move to retrying / in_doubt / failed.
 */
export class SyncEngine {
  private readonly leaseMs: number;

  constructor(private readonly deps: SyncEngineDeps) {
    this.leaseMs = deps.leaseMs ?? 120_000;
  }

  async run(recordId: string): Promise<RunResult> {
    const { store } = this.deps;
    // The lease belongs to this run, not to the process: one process runs several jobs at
    // once (BullMQ concurrency), and a second job of the same record (a resync, a stalled
    // job) must find the lease taken instead of "re-claiming" it and syncing in parallel.
    const workerId = `${this.deps.workerId}#${newId().slice(-8)}`;
    const record = await store.repos.records.claim(recordId, workerId, this.leaseMs);
    if (!record) return { ran: false, reason: 'finished, or being synced by another worker' };
    if (record.nextAttemptAt && record.nextAttemptAt.getTime() > this.deps.clock().getTime() + 1000) {
      // Early (e.g. the sweep re-enqueued it): the scheduled job will come.
      await store.repos.records.release(recordId, workerId);
      return { ran: false, reason: 'not due yet' };
    }
    const heartbeat = setInterval(() => {
      store.repos.records.renewLease(recordId, workerId, this.leaseMs).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    const started = Date.now();
    try {
      const status = await this.attempt(record, workerId);
      this.deps.metrics?.syncOutcome(record.provider, status);
      return { ran: true, status };
    } finally {
      clearInterval(heartbeat);
      this.deps.metrics?.syncDuration(record.provider, (Date.now() - started) / 1000);
      await store.repos.records.release(recordId, workerId).catch(() => undefined);
    }
  }

  private async attempt(claimed: SyncRecord, owner: string): Promise<SyncRecord['status']> {
    const { store, registry, clock } = this.deps;
    const repos = store.repos;
    const attemptNo = await repos.records.bumpAttempt(claimed.id);
    let record: SyncRecord = { ...claimed, attemptCount: attemptNo };
    await repos.attempts.start(record.id, attemptNo, owner);

    const steps: AttemptStep[] = [];
    const step = (name: string, detail?: string) => steps.push({ at: clock().toISOString(), step: name, ...(detail ? { detail } : {}) });
    let exchanges: Exchange[] = [];
    let warnings: SyncWarning[] = [];
    let outcome: AttemptOutcome = 'failed';
    let error: RecordError | null = null;
    // The attempt's outcome commits with the status it led to, so the record
    // never shows a final status next to an attempt still "pending".
    let attemptStored = false;
    const storeAttempt = (tx: Repos) => tx.attempts.finish(record.id, attemptNo, { outcome, steps, exchanges, error });

    try {
      const provider = registry[record.provider as keyof ProviderRegistry];
      if (!provider) {
        throw new ProviderValidationError({ code: 'unknown_provider', message: `ledgerlink has no provider called "${record.provider}".` });
      }
      const connection = await loadConnection(repos, this.deps.secretBox, record.tenantId, record.provider);
      if (!connection) {
        throw new ProviderValidationError({
          code: 'no_connection',
          message: `Tenant "${record.tenantId}" has no ${provider.displayName} connection. An admin must create it (PUT /v1/connections/${record.provider}); then resync the invoice.`,
        });
      }
      const built = buildProviderContext(
        { repos, redis: this.deps.redis, redisPrefix: this.deps.redisPrefix, urlPolicy: this.deps.urlPolicy, clock, log: this.deps.log, onExchange: this.deps.metrics?.exchange },
        connection,
        { providerName: provider.displayName },
      );
      exchanges = built.exchanges;
      warnings = built.warnings;
      const { ctx } = built;

      let existing: ProviderInvoice | null = record.providerInvoiceId
        ? { id: record.providerInvoiceId, number: record.providerInvoiceNumber, state: record.providerState }
        : null;
      let invoice: ResolvedInvoice;

      if (!existing && record.createSent) {
        // An earlier create may have reached the provider: find out before anything else.
        if (record.status !== 'in_doubt') {
          record = (await transition(this.deps, record.id, 'in_doubt', { patch: { inDoubtSince: clock() }, message: 'an earlier attempt may have reached the provider; looking it up' })).record;
        }
        invoice = this.frozenInvoice(record);
        step('lookup', `by reference ${record.reference}`);
        const found = await provider.findByReference(ctx, invoice, { since: record.firstSentAt ?? record.createdAt });
        if (found) {
          step('adopted', describeInvoice(found));
          outcome = 'adopted';
          existing = found;
          record = await keepProviderInvoice(repos, record, found);
        } else {
          // A provider may still be working on a request we stopped waiting for: "not found"
          // only counts once it has had time to finish (twice the request timeout).
          const settledAt = settleTime(record, connection.settings);
          if (settledAt && settledAt.getTime() > clock().getTime()) {
            step('not found yet', `waiting until ${settledAt.toISOString()} before deciding it was not created`);
            throw new ProviderTransientError({
              code: 'lookup_settling',
              message: `${provider.displayName} does not show the invoice yet; ledgerlink looks again at ${settledAt.toISOString()} before deciding that the earlier attempt did not create it.`,
              retryAfterMs: settledAt.getTime() - clock().getTime(),
            });
          }
          step('not found', 'the earlier attempt did not create it; creating now');
          record = await repos.records.setStatus(record.id, record.status, { createSent: false });
        }
      } else {
        invoice = existing ? this.frozenInvoice(record) : (null as never);
      }

      if (!existing) {
        if (record.status !== 'syncing') {
          record = (await transition(this.deps, record.id, 'syncing', { message: `attempt ${attemptNo}` })).record;
        }
        const resolved = await this.deps.resolver.resolveForSync(repos, record, connection);
        for (const w of resolved.warnings) ctx.warn(w);
        if (resolved.problems.length) {
          throw new ProviderValidationError({
            code: 'invalid_invoice',
            message: `The invoice cannot be sent: ${resolved.problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
            details: resolved.problems.map((p) => ({ path: p.path, message: p.message })),
          });
        }
        invoice = resolved.invoice;
        step('prepare');
        const prepared = await provider.prepare(ctx, invoice);
        const request = provider.buildCreateRequest(ctx, invoice, prepared);
        // Recorded before the call: if anything happens from here on, the next try looks up first.
        await repos.records.setStatus(record.id, record.status, { resolved: invoice, totals: invoice.totals, warnings: mergeWarnings(record.warnings, warnings) });
        if (!(await repos.records.markCreateSent(record.id, owner))) throw new LeaseLostError(record.id);
        record = { ...record, createSent: true, lastSentAt: clock() };
        step('create sent', `${request.method} ${redactUrl(request.url)}`);
        await repos.attempts.update(record.id, attemptNo, { steps, exchanges });
        let created: ProviderInvoice;
        try {
          created = await provider.create(ctx, request, invoice);
        } catch (refusal) {
          if (refusal instanceof ProviderError && NOT_CREATED.has(refusal.category)) {
            // The provider answered "no" (or the request never left): that settles it, nothing
            // was created. The next try creates without a lookup, and nothing is "in doubt".
            record = await repos.records.setStatus(record.id, record.status, { createSent: false });
          }
          throw refusal;
        }
        step('created', describeInvoice(created));
        outcome = 'created';
        existing = created;
        record = await keepProviderInvoice(repos, record, created);
      }

      if (provider.finalize) {
        const before = existing;
        const finalized = await provider.finalize(ctx, invoice, before).catch((e: unknown) => {
          throw alreadyCreated(e, provider.displayName, before);
        });
        if (finalized.state && finalized.state !== before.state) step('finalized', `state ${finalized.state}`);
        existing = { ...before, ...finalized };
        if (existing.state !== record.providerState) {
          record = await repos.records.setStatus(record.id, record.status, { providerState: existing.state ?? null });
        }
      }

      record = (
        await transition(this.deps, record.id, 'synced', {
          patch: {
            providerInvoiceId: existing.id,
            providerInvoiceNumber: existing.number ?? record.providerInvoiceNumber,
            providerState: existing.state ?? record.providerState,
            lastError: null,
            nextAttemptAt: null,
            inDoubtSince: null,
            syncedAt: clock(),
            warnings: mergeWarnings(record.warnings, warnings),
          },
          message: outcome === 'adopted' ? 'found at the provider and adopted' : 'created at the provider',
          alsoInTransaction: storeAttempt,
        })
      ).record;
      attemptStored = true;
      await repos.connections.markSuccess(connection.row.id).catch(() => undefined);
      return record.status;
    } catch (thrown) {
      if (thrown instanceof LeaseLostError) {
        // Another worker may be on the record: change nothing, send nothing.
        outcome = 'skipped';
        step('lease lost', thrown.message);
        this.deps.log.warn({ recordId: record.id }, thrown.message);
        return record.status;
      }
      const decision = classifyFailure(thrown, record, this.deps.random);
      error = decision.error;
      outcome = decision.status === 'failed' ? 'failed' : decision.status;
      if (!(thrown instanceof ProviderError)) this.deps.log.error({ err: thrown, recordId: record.id }, 'sync attempt hit an unexpected error');
      step(decision.status, decision.error.message);
      if (decision.connectionUnhealthy) {
        const row = await repos.connections.get(record.tenantId, record.provider);
        if (row) await repos.connections.markError(row.id, { code: decision.error.code, message: decision.error.message }, true);
      }
      const next = decision.runAfterMs === null ? null : new Date(clock().getTime() + decision.runAfterMs);
      record = (
        await transition(this.deps, record.id, decision.status, {
          patch: {
            lastError: decision.error,
            nextAttemptAt: next,
            warnings: mergeWarnings(record.warnings, warnings),
            ...(decision.status === 'in_doubt' && !record.inDoubtSince ? { inDoubtSince: clock() } : {}),
          },
          message: decision.message,
          runAfterMs: decision.runAfterMs,
          alsoInTransaction: storeAttempt,
        })
      ).record;
      attemptStored = true;
      return record.status;
    } finally {
      if (!attemptStored) {
        await storeAttempt(repos).catch((e: unknown) => {
          this.deps.log.error({ err: e, recordId: record.id }, 'could not store the attempt');
        });
      }
    }
  }

  /** The invoice exactly as it was sent: lookups and finalize must use what the provider got. */
  private frozenInvoice(record: SyncRecord): ResolvedInvoice {
    if (!record.resolved) throw new Error(`record ${record.id} has no stored invoice snapshot`);
    return record.resolved as ResolvedInvoice;
  }
}

/** Stores the provider's ids at once: from here on the record knows the invoice exists. */
function keepProviderInvoice(repos: Repos, record: SyncRecord, invoice: ProviderInvoice): Promise<SyncRecord> {
  return repos.records.setStatus(record.id, record.status, {
    providerInvoiceId: invoice.id,
    providerInvoiceNumber: invoice.number ?? null,
    providerState: invoice.state ?? null,
    createSent: false,
  });
}

function describeInvoice(invoice: ProviderInvoice): string {
  return `${invoice.id}${invoice.number ? ` (number ${invoice.number})` : ''}`;
}

/**
 * When a lookup that finds nothing may be believed: twice the connection's
 * request timeout after the latest create was sent (a provider may finish a
 * request after the client gave up on it), and at least 3 s.
 */
function settleTime(record: SyncRecord, settings: Record<string, unknown>): Date | null {
  const sent = record.lastSentAt ?? record.firstSentAt;
  if (!sent) return null;
  const timeoutMs = typeof settings.timeoutMs === 'number' ? settings.timeoutMs : 30_000;
  return new Date(sent.getTime() + Math.max(3000, 2 * timeoutMs + 1000));
}

/**
 * Error categories that mean a create did not take effect (providers/errors): the
 * provider refused it (validation, auth, rate limit) or it certainly was not
 * processed (transient). Only `unknown_outcome` leaves the create in doubt.
 */
const NOT_CREATED: ReadonlySet<ProviderError['category']> = new Set(['validation', 'auth', 'rate_limit', 'transient']);

/** A failure after the invoice exists at the provider says so, so nobody re-creates it by hand. */
function alreadyCreated(error: unknown, providerName: string, invoice: ProviderInvoice): unknown {
  if (!(error instanceof ProviderError)) return error;
  const Ctor = error.constructor as new (options: ConstructorParameters<typeof ProviderValidationError>[0]) => ProviderError;
  const copy = new Ctor({
    code: error.code,
    message: `The invoice was created in ${providerName} (id ${invoice.id}${invoice.number ? `, number ${invoice.number}` : ''}), but the next step failed: ${error.message}`,
    details: error.details,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.status === undefined ? {} : { status: error.status }),
  } as never);
  return copy;
}

function mergeWarnings(existing: SyncWarning[], added: SyncWarning[]): SyncWarning[] {
  const out = [...existing];
  for (const w of added) if (!out.some((x) => x.code === w.code && x.path === w.path && x.message === w.message)) out.push(w);
  return out;
}

function redactUrl(url: string): string {
  return url.replace(/([?&][^=]*(?:key|secret|token)[^=]*=)[^&]*/gi, '$1[redacted]');
}

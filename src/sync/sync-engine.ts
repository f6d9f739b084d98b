import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import type { UrlPolicy } from '../http/url-guard.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { AttemptOutcome, AttemptStep } from '../store/attempts-repo.js';
import { CLOSED, type RecordError, type RecordPatch, type SyncRecord } from '../store/records-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Repos, Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import { ProviderTransientError } from '../../providers/errors/transient-error.js';
import { ProviderValidationError } from '../../providers/errors/validation-error.js';
import type { Exchange } from '../../providers/http/outbound-http.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { BUDGET_WAIT, type InvoiceFile, type Prepared, type ProviderInvoice, type SyncWarning } from '../../providers/types.js';
import { classifyFailure } from './classify-failure.js';
import { loadConnection } from './connection-store.js';
import { createOnce, describeInvoice, settleMsFor } from './create-once.js';
import type { InvoiceResolver } from './invoice-resolver.js';
import { buildProviderContext } from './provider-context-factory.js';
import { LeaseLostError } from './lease-lost-error.js';
import { reviseLive, sentInvoiceOf, settleOlderRevisions, stepAside, supersede, wake, type RevisionScope } from './revisions.js';
import { changeStatus, fencedWrite, transition } from './transitions.js';
import { newId } from '../domain/ids.js';
import { jobCatalog } from '../queue/catalog.js';

export interface SyncEngineDeps {
  store: Store;
  scheduler: Scheduler;
  registry: ProviderRegistry;
  resolver: InvoiceResolver;
  secretBox: SecretBox;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
  /** Identifies this worker in leases and attempts. */
  workerId: string;
  leaseMs?: number;
  /** The most one run may take (default: the job catalog's); then its call in flight is aborted. */
  runDeadlineMs?: number;
  /**
   * The longest a sync that has started waits inside a worker for its
   * connection's request budget between its requests (default 3 s: runners only
   * start a sync when the budget has room); beyond it the record is deferred
   * and the worker let go.
   */
  budgetWaitMs?: number;
  random?: () => number;
  metrics?: {
    syncOutcome(provider: string, status: string): void;
    syncDuration(provider: string, seconds: number): void;
    exchange(provider: string, exchange: Exchange): void;
  };
}

export type RunResult =
  | { ran: false; reason: string }
  /** `deferMs`: the provider's budget is spent; the record is due again after that long. */
  | { ran: true; status: SyncRecord['status']; deferMs?: number };

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
  private readonly runDeadlineMs: number;
  private readonly budgetWaitMs: number;

  constructor(private readonly deps: SyncEngineDeps) {
    this.budgetWaitMs = deps.budgetWaitMs ?? 3000;
    this.leaseMs = deps.leaseMs ?? 12_000;
    this.runDeadlineMs = deps.runDeadlineMs ?? jobCatalog['sync-invoice'].timeoutMs;
  }

  /**
   * One attempt at one record. `owner` is the lease owner of a connection
   * runner that reserved the record (its lease is then already this owner's).
   */
  async run(recordId: string, options: { owner?: string } = {}): Promise<RunResult> {
    const { store } = this.deps;
    // The lease belongs to this run (or to the runner that reserved the record), not to the
    // process: one process runs several runners at once, and anyone else must find the lease
    // taken instead of "re-claiming" it and syncing in parallel.
    const workerId = options.owner ?? `${this.deps.workerId}#${newId().slice(-8)}`;
    const record = await this.claim(recordId, workerId);
    if (!record) return this.notClaimed(recordId);
    if (record.nextAttemptAt && record.nextAttemptAt.getTime() > this.deps.clock().getTime() + 1000) {
      // Early (e.g. the sweep re-enqueued it): the scheduled job will come.
      await store.repos.records.release(recordId, workerId);
      return { ran: false, reason: 'not due yet' };
    }
    // The run stops (its call in flight aborted, nothing more written) when its lease is gone or
    // its time is up. A renewal that answers "no" means another worker has the record; renewals
    // that fail (the database is away) are given until the lease would have run out.
    const stop = new AbortController();
    let leaseValidUntil = Date.now() + this.leaseMs;
    const heartbeat = setInterval(() => {
      store.repos.records.renewLease(recordId, workerId, this.leaseMs).then(
        (held) => {
          if (held) leaseValidUntil = Date.now() + this.leaseMs;
          else stop.abort(new LeaseLostError(recordId));
        },
        () => {
          if (Date.now() >= leaseValidUntil - Math.floor(this.leaseMs / 3)) stop.abort(new LeaseLostError(recordId));
        },
      );
    }, Math.max(500, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    const deadline = setTimeout(() => {
      stop.abort(
        new ProviderTransientError({
          code: 'sync_deadline',
          message: `The sync of this invoice took longer than ${Math.round(this.runDeadlineMs / 1000)} s and was stopped; ledgerlink will try again${record.createSent ? ', looking it up first' : ''}.`,
        }),
      );
    }, this.runDeadlineMs);
    deadline.unref();
    const started = Date.now();
    try {
      const info: { deferMs?: number } = {};
      const status = await this.attempt(record, workerId, stop.signal, info);
      this.deps.metrics?.syncOutcome(record.provider, info.deferMs === undefined ? status : 'deferred');
      return info.deferMs === undefined ? { ran: true, status } : { ran: true, status, deferMs: info.deferMs };
    } finally {
      clearInterval(heartbeat);
      clearTimeout(deadline);
      this.deps.metrics?.syncDuration(record.provider, (Date.now() - started) / 1000);
      await store.repos.records.release(recordId, workerId).catch(() => undefined);
      await this.wakeWaitingRevisions(record).catch(() => undefined);
    }
  }

  /**
   * Takes the record's lease — and with it the whole invoice: no other revision
   * of the same externalId may be leased meanwhile (decided under the chain's
   * lock, so two claims in one chain cannot both win).
   */
  private claim(recordId: string, owner: string): Promise<SyncRecord | null> {
    return this.deps.store.transaction(async (tx) => {
      const key = await tx.records.chainKeyOf(recordId);
      if (!key) return null;
      await tx.records.lockChain(key.tenantId, key.externalId);
      return tx.records.claim(recordId, owner, this.leaseMs);
    });
  }

  /** Another revision of the same invoice is being synced: come back when its run ends (it wakes this one, too). */
  private async notClaimed(recordId: string): Promise<RunResult> {
    const blocker = await this.deps.store.repos.records.claimBlocker(recordId);
    if (blocker.why !== 'chain') return { ran: false, reason: 'finished, or being synced by another worker' };
    const key = await this.deps.store.repos.records.chainKeyOf(recordId);
    if (key) {
      const wait = Math.min(5000, Math.max(500, (blocker.until?.getTime() ?? 0) - this.deps.clock().getTime()));
      // The connection is woken after the wait (and when the other run ends).
      await this.deps.scheduler.scheduleSync(key, wait).catch(() => undefined);
    }
    return { ran: false, reason: 'another revision of this invoice is being synced' };
  }

  /** After a run, the other revisions of the invoice that waited for it go on at once. */
  private async wakeWaitingRevisions(record: SyncRecord): Promise<void> {
    for (const other of await this.deps.store.repos.records.waitingInChain(record.tenantId, record.externalId, record.id)) await wake(this.deps, other);
  }

  private async attempt(claimed: SyncRecord, owner: string, signal: AbortSignal, info: { deferMs?: number }): Promise<SyncRecord['status']> {
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
        { providerName: provider.displayName, signal, maxBudgetWaitMs: this.budgetWaitMs },
      );
      exchanges = built.exchanges;
      warnings = built.warnings;
      const { ctx } = built;
      const settleMs = settleMsFor(connection.settings);
      const scope = (): RevisionScope => ({ deps: this.deps, provider, ctx, settings: connection.settings, record, owner, settleMs, step });

      // A cancel asked for while the record was busy or in doubt: carried out now, unless it is at the provider.
      if (record.cancelRequestedAt && !record.providerInvoiceId) {
        const cancelled = await this.carryOutCancel(scope(), (status) => (outcome = status));
        if (cancelled) {
          attemptStored = cancelled.attemptStored;
          return cancelled.status;
        }
        record = (await repos.records.getById(record.id))!;
      }

      const chain = await repos.records.chain(record.tenantId, record.externalId);
      const newest = chain[chain.length - 1]!;
      if (newest.id !== record.id) {
        // An older revision never acts at the provider: the newest takes its place.
        const status = await stepAside(scope(), newest);
        outcome = status === 'superseded' ? 'superseded' : 'adopted';
        record = { ...record, status };
        return status;
      }

      let existing: ProviderInvoice | null = record.providerInvoiceId
        ? { id: record.providerInvoiceId, number: record.providerInvoiceNumber, state: record.providerState }
        : null;
      let invoice: ResolvedInvoice = this.frozenInvoice(record);

      if (!existing) {
        const olderAtProvider = record.createSent ? [] : await settleOlderRevisions(scope(), chain);
        let prepared: Prepared | null = null;
        const resolveAndPrepare = async () => {
          if (prepared) return prepared;
          if (record.status !== 'syncing') {
            record = (await transition(this.deps, record.id, 'syncing', { message: `attempt ${attemptNo}`, fence: { recordId: record.id, owner } })).record;
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
          prepared = (await provider.prepare(ctx, invoice)) as Prepared;
          return prepared;
        };

        if (olderAtProvider.length) {
          const ready = await resolveAndPrepare();
          const revision = await reviseLive(scope(), olderAtProvider, invoice, ready);
          if (revision.kind === 'edited') {
            outcome = 'edited';
            existing = revision.invoice;
            record = await fencedWrite(this.deps.store, record.id, owner, (tx) =>
              tx.actions.record(record.id, 'edited', revision.target.id, actionResult(revision.invoice)).then(() =>
                keepProviderInvoice(tx, record, revision.invoice, { resolved: invoice, totals: invoice.totals, warnings: mergeWarnings(record.warnings, warnings) }),
              ),
            );
          }
        }

        if (!existing) {
          const result = await createOnce({
            provider,
            ctx,
            sentInvoice: () => this.frozenInvoice(record),
            ledger: {
              sent: record.createSent,
              sentAt: record.lastSentAt,
              beforeLookup: async () => {
                if (record.status !== 'in_doubt') {
                  record = (
                    await transition(this.deps, record.id, 'in_doubt', {
                      patch: { inDoubtSince: clock() },
                      message: 'an earlier attempt may have reached the provider; looking it up',
                      fence: { recordId: record.id, owner },
                    })
                  ).record;
                }
              },
              markSent: async () => {
                // Recorded before the call: if anything happens from here on, the next try looks up first.
                const snapshot = { resolved: invoice, totals: invoice.totals, warnings: mergeWarnings(record.warnings, warnings) };
                await fencedWrite(store, record.id, owner, (tx) => tx.records.setStatus(record.id, record.status, snapshot));
                const marked = await repos.records.markCreateSent(record.id, owner, clock());
                if (marked) {
                  record = { ...record, createSent: true, lastSentAt: null };
                  await repos.attempts.update(record.id, attemptNo, { steps, exchanges });
                }
                return marked;
              },
              onWire: async (at) => {
                const marked = await repos.records.markCreateOnWire(record.id, owner, at);
                if (marked) record = { ...record, lastSentAt: at };
                return marked;
              },
              unsend: async () => {
                record = await fencedWrite(store, record.id, owner, (tx) => tx.records.setStatus(record.id, record.status, { createSent: false }));
              },
            },
            leaseHolder: record.id,
            settleMs,
            clock,
            step,
            what: 'the invoice',
            build: async () => {
              const ready = await resolveAndPrepare();
              // A provider that takes attachments only inside the invoice gets them here, so they arrive with it, once.
              const files = provider.attachesWithCreate ? (await repos.attachments.forCreate(record.id)).map(attachmentFile) : undefined;
              return { request: provider.buildCreateRequest(ctx, invoice, ready, files), invoice };
            },
            refused: () => this.createRefused(scope(), (status) => (outcome = status)),
          });
          outcome = result.how;
          existing = result.invoice;
          record = await fencedWrite(this.deps.store, record.id, owner, (tx) =>
            tx.actions.record(record.id, result.how, null, actionResult(result.invoice)).then(() => keepProviderInvoice(tx, record, result.invoice)),
          );
        }
      }

      if (provider.finalize) {
        const before = existing;
        const finalized = await provider.finalize(ctx, invoice, before).catch((e: unknown) => {
          throw alreadyCreated(e, provider.displayName, before);
        });
        if (finalized.state && finalized.state !== before.state) step('finalized', `state ${finalized.state}`);
        existing = { ...before, ...finalized };
        if (existing.state !== record.providerState) {
          const state = existing.state ?? null;
          record = await fencedWrite(store, record.id, owner, (tx) => tx.records.setStatus(record.id, record.status, { providerState: state }));
        }
      }

      const at = existing;
      record = (
        await transition(this.deps, record.id, 'synced', {
          patch: {
            providerInvoiceId: at.id,
            providerInvoiceNumber: at.number ?? record.providerInvoiceNumber,
            providerState: at.state ?? record.providerState,
            lastError: null,
            nextAttemptAt: null,
            inDoubtSince: null,
            syncedAt: clock(),
            warnings: mergeWarnings(record.warnings, warnings),
            ...(record.cancelRequestedAt ? { cancelRequestedAt: null, cancelRequestedBy: null } : {}),
          },
          message:
            (outcome === 'adopted' ? 'found at the provider and adopted' : outcome === 'edited' ? 'the older revision was updated in place' : 'created at the provider') +
            (record.cancelRequestedAt ? '; the cancel asked for could not be carried out: the invoice is at the provider (credit it instead)' : ''),
          fence: { recordId: record.id, owner },
          // The older revision whose invoice this one now is (edited in place) is superseded in the same commit.
          alsoInTransaction: async (tx) => {
            await storeAttempt(tx);
            if (provider.attachesWithCreate && outcome !== 'edited') await tx.attachments.doneWithInvoice(record.id, at.id);
            return record.revision > 1 ? supersedeSameInvoice(tx, record, at.id, clock()) : [];
          },
        })
      ).record;
      attemptStored = true;
      await repos.connections.markSuccess(connection.row.id).catch(() => undefined);
      return record.status;
    } catch (thrown) {
      if (thrown instanceof RunSettled) return thrown.status;
      if (thrown instanceof ProviderError && thrown.code === BUDGET_WAIT) {
        // The connection's request budget is spent for now: no failure, no event — the record is
        // due again when the budget allows, and the worker goes to other work meanwhile.
        const waitMs = Math.max(50, thrown.retryAfterMs ?? 1000);
        outcome = 'deferred';
        step('deferred', thrown.message);
        try {
          await fencedWrite(store, record.id, owner, async (tx) => {
            const back = record.status === 'syncing' && (claimed.status === 'queued' || claimed.status === 'retrying') ? claimed.status : record.status;
            await tx.records.defer(record.id, back, new Date(clock().getTime() + waitMs));
            await storeAttempt(tx);
          });
          attemptStored = true;
          info.deferMs = waitMs;
        } catch (fenceError) {
          if (!(fenceError instanceof LeaseLostError)) throw fenceError;
          outcome = 'skipped';
        }
        return record.status;
      }
      if (thrown instanceof LeaseLostError) {
        // Another worker may be on the record: change nothing, send nothing.
        outcome = 'skipped';
        step('lease lost', thrown.message);
        this.deps.log.warn({ recordId: record.id }, thrown.message);
        return record.status;
      }
      // A cancel asked for while this run was on the record, and nothing reached the provider: cancelled now.
      const fresh = await repos.records.getById(record.id);
      if (fresh?.cancelRequestedAt && !fresh.createSent && !fresh.providerInvoiceId && !(CLOSED as readonly string[]).includes(fresh.status)) {
        try {
          outcome = 'cancelled';
          step('failed', thrown instanceof Error ? thrown.message : String(thrown));
          return await this.cancelNow(fresh, owner, step);
        } catch (cancelError) {
          if (!(cancelError instanceof LeaseLostError)) throw cancelError;
          outcome = 'skipped';
          return record.status;
        }
      }
      // A credit note of credit_and_reissue may be in doubt while the record's own create is not.
      const creditInDoubt = !record.createSent && (await repos.actions.list(record.id)).some((a) => a.status === 'sent' && a.kind === 'credited');
      const decision = classifyFailure(thrown, { ...record, createSent: record.createSent || creditInDoubt }, this.deps.random);
      error = decision.error;
      outcome = decision.status === 'failed' ? 'failed' : decision.status;
      if (!(thrown instanceof ProviderError)) this.deps.log.error({ err: thrown, recordId: record.id }, 'sync attempt hit an unexpected error');
      step(decision.status, decision.error.message);
      if (decision.connectionUnhealthy) {
        const row = await repos.connections.get(record.tenantId, record.provider);
        if (row) await repos.connections.markError(row.id, { code: decision.error.code, message: decision.error.message }, true);
      }
      const next = decision.runAfterMs === null ? null : new Date(clock().getTime() + decision.runAfterMs);
      try {
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
            fence: { recordId: record.id, owner },
            alsoInTransaction: storeAttempt,
          })
        ).record;
        attemptStored = true;
      } catch (fenceError) {
        if (!(fenceError instanceof LeaseLostError)) throw fenceError;
        outcome = 'skipped';
        step('lease lost', fenceError.message);
      }
      return record.status;
    } finally {
      if (!attemptStored) {
        await storeAttempt(repos).catch((e: unknown) => {
          this.deps.log.error({ err: e, recordId: record.id }, 'could not store the attempt');
        });
      }
    }
  }

  /**
   * markCreateSent said no. Why decides what happens: the lease is gone (stop,
   * change nothing), a newer revision was accepted (it takes this one's place),
   * or someone asked to cancel (cancelled: nothing was sent).
   */
  private async createRefused(scope: RevisionScope, setOutcome: (o: AttemptOutcome) => void): Promise<never> {
    const repos = this.deps.store.repos;
    const { record, owner } = scope;
    if (!(await repos.records.holdsLease(record.id, owner))) throw new LeaseLostError(record.id);
    const current = (await repos.records.getById(record.id))!;
    if (current.cancelRequestedAt) {
      const done = await this.cancelNow(current, owner, scope.step);
      setOutcome('cancelled');
      throw new RunSettled(done);
    }
    const newest = (await repos.records.chain(record.tenantId, record.externalId)).at(-1)!;
    await supersede(scope, current, newest, `superseded by revision ${newest.revision} (${newest.id}) before it reached the provider`);
    await wake(this.deps, newest);
    setOutcome('superseded');
    throw new RunSettled('superseded');
  }

  /**
   * Carries out a cancel asked for earlier. In doubt: looked up first — found,
   * the invoice is at the provider and the run goes on (the cancel cannot be
   * done); not found, cancelled. Returns null when the run must go on.
   */
  private async carryOutCancel(scope: RevisionScope, setOutcome: (o: AttemptOutcome) => void): Promise<{ status: SyncRecord['status']; attemptStored: boolean } | null> {
    const { record } = scope;
    if (record.createSent) {
      const sent = this.frozenInvoice(record);
      scope.step('lookup', `before cancelling: by reference ${sent.reference}`);
      const found = await scope.provider.findByReference(scope.ctx, sent, { since: record.firstSentAt ?? record.createdAt });
      if (found) {
        scope.step('adopted', `${describeInvoice(found)}; it is at the provider, so it cannot be cancelled`);
        await fencedWrite(this.deps.store, record.id, scope.owner, (tx) =>
          tx.actions.record(record.id, 'adopted', null, actionResult(found)).then(() => keepProviderInvoice(tx, record, found)),
        );
        return null;
      }
      const sentAt = record.lastSentAt;
      if (sentAt && sentAt.getTime() + scope.settleMs > this.deps.clock().getTime()) {
        throw new ProviderTransientError({
          code: 'lookup_settling',
          message: `Cancelling: ${scope.provider.displayName} does not show the invoice yet; ledgerlink looks again at ${new Date(sentAt.getTime() + scope.settleMs).toISOString()} and cancels it only if the earlier attempt did not create it.`,
          retryAfterMs: sentAt.getTime() + scope.settleMs - this.deps.clock().getTime(),
        });
      }
    }
    setOutcome('cancelled');
    return { status: await this.cancelNow(record, scope.owner, scope.step), attemptStored: false };
  }

  /** Cancelled: final, and no queued job syncs it afterwards (claims take only unfinished records). */
  private async cancelNow(record: SyncRecord, owner: string, step: (name: string) => void): Promise<SyncRecord['status']> {
    const { record: cancelled } = await transition(this.deps, record.id, 'cancelled', {
      patch: { nextAttemptAt: null, createSent: false, lastError: null },
      message: `cancelled${record.cancelRequestedBy ? ` by ${record.cancelRequestedBy}` : ''} before it reached the provider`,
      fence: { recordId: record.id, owner },
    });
    step('cancelled');
    return cancelled.status;
  }

  /** The invoice exactly as it was accepted: lookups and finalize must use what the provider got. */
  private frozenInvoice(record: SyncRecord): ResolvedInvoice {
    return sentInvoiceOf(record);
  }
}

/** Thrown to end a run that settled its record itself (superseded, cancelled) from inside a step. */
class RunSettled extends Error {
  constructor(readonly status: SyncRecord['status']) {
    super(`run settled: ${status}`);
  }
}

function attachmentFile(a: { name: string; filename: string; data: Buffer }): InvoiceFile {
  return { name: a.name, filename: a.filename, contentType: 'application/pdf', data: a.data };
}

function actionResult(invoice: ProviderInvoice) {
  return { providerInvoiceId: invoice.id, providerInvoiceNumber: invoice.number ?? null, providerState: invoice.state ?? null };
}

/**
 * Older revisions whose provider invoice is now this record's (it was edited in
 * place) are superseded by it, in the caller's transaction. Returns their events.
 */
async function supersedeSameInvoice(tx: Repos, record: SyncRecord, providerInvoiceId: string, now: Date): Promise<string[]> {
  const events: string[] = [];
  for (const older of await tx.records.chain(record.tenantId, record.externalId)) {
    if (older.revision >= record.revision || older.providerInvoiceId !== providerInvoiceId) continue;
    if ((CLOSED as readonly string[]).includes(older.status)) continue;
    const { deliveryId } = await changeStatus(tx, older.id, 'superseded', {
      patch: { supersededBy: record.id, nextAttemptAt: null },
      message: `updated in place by revision ${record.revision} (${record.id}): the invoice now holds revision ${record.revision}`,
      now,
    });
    events.push(...deliveryId.filter((id): id is string => id !== null));
  }
  return events;
}

/** Stores the provider's ids at once: from here on the record knows the invoice exists. */
function keepProviderInvoice(repos: Repos, record: SyncRecord, invoice: ProviderInvoice, extra: RecordPatch = {}): Promise<SyncRecord> {
  return repos.records.setStatus(record.id, record.status, {
    ...extra,
    providerInvoiceId: invoice.id,
    providerInvoiceNumber: invoice.number ?? null,
    providerState: invoice.state ?? null,
    createSent: false,
  });
}

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



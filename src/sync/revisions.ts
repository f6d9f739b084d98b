import type { Logger } from 'pino';
import { finnishReferenceFromBase } from '../domain/finnish/reference-number.js';
import { fullCreditNote } from '../domain/full-credit-note.js';
import { dec } from '../domain/money.js';
import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import type { Scheduler } from '../queue/scheduler.js';
import { CLOSED, type SyncRecord } from '../store/records-repo.js';
import type { Repos, Store } from '../store/store.js';
import { ProviderNotEditableError } from '../../providers/errors/not-editable-error.js';
import { ProviderTransientError } from '../../providers/errors/transient-error.js';
import { ProviderValidationError } from '../../providers/errors/validation-error.js';
import type { Prepared, Provider, ProviderContext, ProviderInvoice } from '../../providers/types.js';
import { createOnce, describeInvoice } from './create-once.js';
import { LeaseLostError } from './lease-lost-error.js';
import { fencedWrite, transition, TransitionRefused } from './transitions.js';

/** What the revision steps need from the run they belong to. */
export interface RevisionScope {
  deps: { store: Store; scheduler: Scheduler; clock: () => Date; log: Logger };
  provider: Provider<any, any>;
  ctx: ProviderContext<any>;
  settings: Record<string, unknown>;
  /** The record this run syncs. */
  record: SyncRecord;
  /** The run's lease owner: every write after a remote call is fenced by it. */
  owner: string;
  settleMs: number;
  step: (name: string, detail?: string) => void;
}

/** Our reference of the credit note a revision issues for the invoice it replaces. */
export const creditReferenceFor = (reference: string) => `${reference}-CN`;

const providerName = (scope: RevisionScope) => scope.provider.displayName;

/** The invoice a record sent (or would have sent), as it was frozen at intake. */
export function sentInvoiceOf(record: SyncRecord): ResolvedInvoice {
  if (!record.resolved) throw new Error(`record ${record.id} has no stored invoice snapshot`);
  return record.resolved as ResolvedInvoice;
}

function atProvider(record: SyncRecord): ProviderInvoice {
  return { id: record.providerInvoiceId!, number: record.providerInvoiceNumber, state: record.providerState };
}

/**
 * Closes an older revision as superseded by `by` — fenced by this run's lease,
 * and only if nobody else is working on it and it did not change meanwhile.
 */
export async function supersede(scope: RevisionScope, older: SyncRecord, by: SyncRecord, message: string): Promise<void> {
  try {
    await transition(scope.deps, older.id, 'superseded', {
      patch: { supersededBy: by.id, nextAttemptAt: null, createSent: false },
      message,
      fence: { recordId: scope.record.id, owner: scope.owner },
      onlyIf: (current) => {
        if ((CLOSED as readonly string[]).includes(current.status)) return `it is already ${current.status}`;
        if (current.leaseOwner && current.leaseOwner !== scope.owner && current.leaseUntil && current.leaseUntil.getTime() > scope.deps.clock().getTime()) {
          return 'a worker is syncing it right now';
        }
        return null;
      },
    });
    scope.step('superseded', `revision ${older.revision} (${older.id}): ${message}`);
  } catch (error) {
    if (!(error instanceof TransitionRefused)) throw error;
    scope.deps.log.info({ recordId: older.id, reason: error.message }, 'older revision not superseded');
  }
}

/** Makes sure a runner comes for a record's connection now (the newer revision that must take over). */
export async function wake(deps: RevisionScope['deps'], record: Pick<SyncRecord, 'id' | 'tenantId' | 'provider'>): Promise<void> {
  try {
    await deps.scheduler.scheduleSync({ tenantId: record.tenantId, provider: record.provider }, 0);
  } catch (error) {
    // The sweep puts it on the queue when Redis is back.
    deps.log.warn({ err: error, recordId: record.id }, 'could not schedule the newer revision; the sweep will');
  }
}

/**
 * Looks up whether an older revision whose create may have reached the
 * provider did create it. Found: the record keeps the provider's ids and is
 * synced (it is at the provider: the newer revision revises it). Not found,
 * and the provider had time to finish: null. Too early to tell: throws, so
 * the run comes back when a "not found" can be believed.
 */
async function settleInDoubt(scope: RevisionScope, older: SyncRecord, checkedBy: string): Promise<SyncRecord | null> {
  const { provider, ctx, deps } = scope;
  const sent = sentInvoiceOf(older);
  scope.step('lookup', `revision ${older.revision} by reference ${sent.reference}`);
  const found = await provider.findByReference(ctx, sent, { since: older.firstSentAt ?? older.createdAt });
  if (found) {
    scope.step('adopted', `revision ${older.revision}: ${describeInvoice(found)}`);
    const { record } = await transition(deps, older.id, 'synced', {
      patch: {
        providerInvoiceId: found.id,
        providerInvoiceNumber: found.number ?? null,
        providerState: found.state ?? null,
        createSent: false,
        lastError: null,
        nextAttemptAt: null,
        inDoubtSince: null,
        syncedAt: deps.clock(),
      },
      message: `found at the provider and adopted (${checkedBy})`,
      fence: { recordId: scope.record.id, owner: scope.owner },
      alsoInTransaction: (tx) => tx.actions.record(older.id, 'adopted', null, { providerInvoiceId: found.id, providerInvoiceNumber: found.number ?? null, providerState: found.state ?? null }).then(() => undefined),
    });
    return record;
  }
  const sentAt = older.lastSentAt;
  const settledAt = sentAt ? sentAt.getTime() + scope.settleMs : 0;
  if (settledAt > deps.clock().getTime()) {
    throw new ProviderTransientError({
      code: 'waiting_for_earlier_revision',
      message: `Revision ${older.revision} of invoice ${older.externalId} may still be arriving at ${providerName(scope)}; ledgerlink looks again at ${new Date(settledAt).toISOString()} before it decides what revision ${scope.record.revision} must do.`,
      retryAfterMs: settledAt - deps.clock().getTime(),
    });
  }
  return null;
}

/**
 * A record that is not the newest revision never creates anything: the newest
 * takes its place. Not at the provider: superseded now. In doubt: looked up
 * first — found, it is synced (at the provider; the newest revises it), not
 * found, superseded. Then the newest revision is woken to take over.
 */
export async function stepAside(scope: RevisionScope, newest: SyncRecord): Promise<SyncRecord['status']> {
  const { record } = scope;
  let status: SyncRecord['status'];
  if (record.providerInvoiceId) {
    const { record: synced } = await transition(scope.deps, record.id, 'synced', {
      patch: { nextAttemptAt: null, lastError: null, syncedAt: record.syncedAt ?? scope.deps.clock() },
      message: `at the provider; revision ${newest.revision} takes it from here`,
      fence: { recordId: record.id, owner: scope.owner },
    });
    status = synced.status;
  } else if (record.createSent) {
    const found = await settleInDoubt(scope, record, 'checked before revision ' + newest.revision + ' takes over');
    if (found) status = found.status;
    else {
      await supersede(scope, record, newest, `superseded by revision ${newest.revision} (${newest.id}); the earlier attempt had not created it`);
      status = 'superseded';
    }
  } else {
    await supersede(scope, record, newest, `superseded by revision ${newest.revision} (${newest.id}) before it reached the provider`);
    status = 'superseded';
  }
  await wake(scope.deps, newest);
  return status;
}

/**
 * Before the newest revision acts: every older revision that never reached the
 * provider is superseded, every one in doubt is looked up, and the ones at the
 * provider are returned (oldest first) for `reviseLive`.
 */
export async function settleOlderRevisions(scope: RevisionScope, chain: SyncRecord[]): Promise<SyncRecord[]> {
  const { record } = scope;
  const atTheProvider: SyncRecord[] = [];
  for (const older of chain) {
    if (older.revision >= record.revision || (CLOSED as readonly string[]).includes(older.status)) continue;
    if (older.providerInvoiceId) {
      atTheProvider.push(older);
      continue;
    }
    if (older.createSent) {
      const found = await settleInDoubt(scope, older, `checked by revision ${record.revision}`);
      if (found) {
        atTheProvider.push(found);
        continue;
      }
      await supersede(scope, older, record, `superseded by revision ${record.revision} (${record.id}); the earlier attempt had not created it`);
      continue;
    }
    await supersede(scope, older, record, `superseded by revision ${record.revision} (${record.id}) before it reached the provider`);
  }
  return atTheProvider;
}

export type Revision = { kind: 'edited'; invoice: ProviderInvoice; target: SyncRecord } | { kind: 'create' };

/**
 * What the newest revision does with the invoice an older one left at the
 * provider (issue 8): edit it in place, replace it (invalidate, then create),
 * or — when it is issued — what the connection's revisionPolicy says: refuse
 * (`already_issued`) or credit it in full, then create. Each provider action is
 * a recorded step, so a run that dies between two steps resumes instead of
 * repeating. An invoice no longer live (void at the provider, or fully credited
 * by credit notes synced through ledgerlink) is simply superseded.
 */
export async function reviseLive(scope: RevisionScope, olderAtProvider: SyncRecord[], invoice: ResolvedInvoice, prepared: Prepared): Promise<Revision> {
  const { record, provider, ctx, deps } = scope;
  const live: Array<{ older: SyncRecord; current: ProviderInvoice }> = [];
  for (const older of olderAtProvider) {
    if (await fullyCredited(scope, older)) {
      await supersede(scope, older, record, `credited in full by credit notes synced through ledgerlink; revision ${record.revision} (${record.id}) takes its place`);
      continue;
    }
    scope.step('read', `revision ${older.revision}'s invoice ${describeInvoice(atProvider(older))}`);
    const current = await provider.readInvoice(ctx, atProvider(older));
    if (!current || provider.planRevision(current, prepared.customer) === 'void') {
      await supersede(scope, older, record, `no longer live at ${providerName(scope)} (${current ? current.state : 'gone'}); revision ${record.revision} (${record.id}) takes its place`);
      continue;
    }
    live.push({ older, current });
  }
  if (live.length === 0) return { kind: 'create' };
  if (live.length > 1) {
    throw new ProviderValidationError({
      code: 'several_live_invoices',
      message: `${providerName(scope)} holds ${live.length} live invoices for ${record.externalId} (${live
        .map((l) => `revision ${l.older.revision}: ${describeInvoice(l.current)}`)
        .join('; ')}); ledgerlink will not add another. Invalidate or credit the extra ones, then resync revision ${record.revision}.`,
    });
  }
  const { older, current } = live[0]!;
  let plan = provider.planRevision(current, prepared.customer);

  if (plan === 'edit') {
    scope.step('edit', `${describeInvoice(current)} with revision ${record.revision}`);
    try {
      const edited = await provider.edit(ctx, current, invoice, prepared);
      scope.step('edited', describeInvoice(edited));
      return { kind: 'edited', invoice: { ...current, ...edited }, target: older };
    } catch (error) {
      if (!(error instanceof ProviderNotEditableError)) throw error;
      scope.step('not editable', error.message);
      plan = 'issued';
    }
  }

  if (plan === 'replace') {
    await invalidate(scope, older, current);
    await supersede(scope, older, record, `invalidated in ${providerName(scope)} (${describeInvoice(current)}) and replaced by revision ${record.revision} (${record.id})`);
    return { kind: 'create' };
  }

  // Issued: sent or approved, so it has reached (or is about to reach) the customer.
  const policy = scope.settings.revisionPolicy === 'credit_and_reissue' ? 'credit_and_reissue' : 'refuse';
  if (policy === 'refuse') {
    throw new ProviderValidationError({
      code: 'already_issued',
      message: `Invoice ${record.externalId} revision ${older.revision} is already ${issuedWord(current)} in ${providerName(scope)} (id ${current.id}${current.number ? `, number ${current.number}` : ''}), so revision ${record.revision} cannot change it. Issue a credit note for it (post a credit_note with creditedExternalId "${record.externalId}"), or set the connection's revisionPolicy to credit_and_reissue and resync revision ${record.revision}: ledgerlink then credits it in full and creates revision ${record.revision} as a new invoice.`,
      details: [{ path: 'revision', message: `revision ${older.revision} is ${issuedWord(current)} as ${providerName(scope)} invoice ${current.number ?? current.id}` }],
    });
  }
  await creditInFull(scope, older, current);
  await supersede(scope, older, record, `credited in full in ${providerName(scope)} and replaced by revision ${record.revision} (${record.id})`);
  return { kind: 'create' };
}

function issuedWord(current: ProviderInvoice): string {
  const state = (current.state ?? '').toUpperCase();
  if (state === 'NOT_SENT' || state === 'APPROVED') return 'approved';
  if (state.includes('PAID')) return 'paid';
  return state ? `sent (${current.state})` : 'issued';
}

/** Whether credit notes synced through ledgerlink credit the older revision in full. */
async function fullyCredited(scope: RevisionScope, older: SyncRecord): Promise<boolean> {
  const gross = dec(older.totals.gross);
  if (!gross.isPositive()) return false;
  const credited = await scope.deps.store.repos.records.creditedGross(older.tenantId, older.externalId, older.syncedAt ?? older.createdAt);
  return gross.plus(dec(credited)).lessThanOrEqualTo(0);
}

/** Step 1 of a replace: the older invoice invalidated at the provider, exactly once. */
async function invalidate(scope: RevisionScope, older: SyncRecord, current: ProviderInvoice): Promise<void> {
  const { provider, ctx, deps, record, owner } = scope;
  if (!provider.invalidate) throw new Error(`${provider.displayName} planned a replace but cannot invalidate`);
  const repos = deps.store.repos;
  const action = await repos.actions.plan(record.id, 'invalidated', older.id);
  if (action.status !== 'done') {
    if (!(await repos.actions.markSent(action.id, owner))) throw new LeaseLostError(record.id);
    scope.step('invalidate', describeInvoice(current));
    const after = await provider.invalidate(ctx, current);
    await fenced(scope, (tx) => tx.actions.done(action.id, { providerInvoiceId: current.id, providerInvoiceNumber: current.number ?? null, providerState: after.state ?? null }));
    scope.step('invalidated', describeInvoice(after));
  }
}

/**
 * The credit note of `credit_and_reissue`, created exactly once: it has its own
 * reference (a lookup finds it before it is ever sent again) and is frozen on
 * its action row, so a retry sends the very same document.
 */
async function creditInFull(scope: RevisionScope, older: SyncRecord, current: ProviderInvoice): Promise<void> {
  const { provider, ctx, deps, record, owner } = scope;
  const repos = deps.store.repos;
  let action = await repos.actions.find(record.id, 'credited', older.id);
  if (!action) {
    const reference = creditReferenceFor(record.reference);
    const creditNote = fullCreditNote({
      credited: sentInvoiceOf(older),
      providerInvoiceId: current.id,
      providerInvoiceNumber: current.number ?? older.providerInvoiceNumber,
      id: `${record.id}-CN`,
      reference,
      revision: record.revision,
      referenceNumber: finnishReferenceFromBase(String(1000 + (await repos.tenants.nextReferenceSeq(record.tenantId)))),
      date: deps.clock().toISOString().slice(0, 10),
    });
    action = await repos.actions.plan(record.id, 'credited', older.id, { reference, invoice: creditNote, detail: `credits ${describeInvoice(current)} in full` });
  }
  const creditNote = action.invoice as ResolvedInvoice;
  let created: ProviderInvoice;
  if (action.status === 'done') {
    created = { id: action.providerInvoiceId!, number: action.providerInvoiceNumber, state: action.providerState };
  } else {
    const actionId = action.id;
    const result = await createOnce({
      provider,
      ctx,
      sentInvoice: () => creditNote,
      ledger: {
        sent: action.status === 'sent',
        sentAt: action.sentAt,
        markSent: () => repos.actions.markSent(actionId, owner),
        onWire: (at) => repos.actions.markOnWire(actionId, owner, at),
        unsend: () => fencedWrite(deps.store, record.id, owner, (tx) => tx.actions.unsend(actionId)),
      },
      leaseHolder: record.id,
      settleMs: scope.settleMs,
      clock: deps.clock,
      step: scope.step,
      what: 'the credit note',
      build: async () => {
        const prepared = await provider.prepare(ctx, creditNote);
        return { request: provider.buildCreateRequest(ctx, creditNote, prepared), invoice: creditNote };
      },
      refused: async () => {
        throw new LeaseLostError(record.id);
      },
    });
    created = result.invoice;
    await fenced(scope, (tx) =>
      tx.actions.done(actionId, { providerInvoiceId: created.id, providerInvoiceNumber: created.number ?? null, providerState: created.state ?? null }),
    );
  }
  if (provider.finalize) {
    // Approve and send it as the connection says (again if a finalize failed last time; it reads the state first).
    const finalized = await provider.finalize(ctx, creditNote, created);
    if (finalized.state && finalized.state !== created.state) {
      const state = finalized.state;
      await fenced(scope, (tx) => tx.actions.done(action.id, { providerState: state }));
      scope.step('finalized', `the credit note: state ${finalized.state}`);
    }
  }
}

/** A write after a remote call: it commits only while this run still holds its lease. */
function fenced<T>(scope: RevisionScope, write: (tx: Repos) => Promise<T>): Promise<T> {
  return fencedWrite(scope.deps.store, scope.record.id, scope.owner, write);
}

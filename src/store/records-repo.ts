import { one, type Queryable } from './database.js';
import type { SyncWarning } from '../domain/sync-warning.js';
import type { Totals } from '../domain/resolved-invoice.js';

export const STATUSES = ['queued', 'syncing', 'retrying', 'in_doubt', 'synced', 'failed', 'superseded', 'cancelled', 'sent', 'partially_paid', 'paid'] as const;
export type SyncStatus = (typeof STATUSES)[number];
/** Statuses whose record still has work to do; the sweep re-enqueues them. */
export const UNFINISHED: readonly SyncStatus[] = ['queued', 'syncing', 'retrying', 'in_doubt'];
/** Final statuses a record never leaves: a newer revision took its place, or it was cancelled before reaching the provider. */
export const CLOSED: readonly SyncStatus[] = ['superseded', 'cancelled'];
/**
 * The invoice is in the books: synced, and what followed there (issue 14) —
 * sent to the customer, partly paid, paid. Whatever counts a synced invoice
 * counts these too.
 */
export const AT_PROVIDER: readonly SyncStatus[] = ['synced', 'sent', 'partially_paid', 'paid'];
const AT_PROVIDER_SQL = `('synced', 'sent', 'partially_paid', 'paid')`;

export interface RecordError {
  code: string;
  category: string;
  message: string;
  details?: Array<{ path: string; message: string; providerCode?: string }>;
  status?: number;
}

export interface SyncRecord {
  id: string;
  tenantId: string;
  externalId: string;
  revision: number;
  idempotencyKey: string | null;
  bodyHash: string;
  document: Record<string, any>;
  provider: string;
  type: 'invoice' | 'credit_note';
  status: SyncStatus;
  reference: string;
  referenceNumber: string;
  providerInvoiceId: string | null;
  providerInvoiceNumber: string | null;
  providerState: string | null;
  totals: Totals;
  resolved: Record<string, any> | null;
  warnings: SyncWarning[];
  lastError: RecordError | null;
  attemptCount: number;
  /** attemptCount when the retry budget last started (a resync starts a new one). */
  retryBase: number;
  scheduleSeq: number;
  nextAttemptAt: Date | null;
  inDoubtSince: Date | null;
  /** A create request may have reached the provider and no answer settled it. */
  createSent: boolean;
  firstSentAt: Date | null;
  /**
   * When the latest create's bytes went out (null: it was marked, but never left
   * the process — nothing can have reached the provider).
   */
  lastSentAt: Date | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** The newer revision that took this record's place (status superseded). */
  supersededBy: string | null;
  /** A cancel a worker still has to carry out (the record was busy or in doubt when it was asked for). */
  cancelRequestedAt: Date | null;
  cancelRequestedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  syncedAt: Date | null;
  /** When ledgerlink learned the invoice was sent (status sent or later). */
  sentAt: Date | null;
  /** Paid so far at the provider, 2 places (partially_paid, paid). */
  paidAmount: string | null;
  /** Date of the latest payment (YYYY-MM-DD): the provider's, or the day ledgerlink saw it when the provider gives none. */
  paidAt: string | null;
}

/**
 * `resolved` is written without its copy of the document when that copy is
 * the row's own `document` (always so at intake): intake sends, and PostgreSQL
 * parses, compresses and logs, a fifth less per invoice. Reading puts it back.
 */
function storedResolved(resolved: unknown, document: unknown): unknown {
  if (!resolved || typeof resolved !== 'object' || (resolved as { document?: unknown }).document !== document) return resolved;
  const { document: _same, ...rest } = resolved as Record<string, unknown>;
  return rest;
}

function readResolved(row: any): Record<string, any> | null {
  const r = row.resolved;
  return r && typeof r === 'object' && !('document' in r) ? { ...r, document: row.document } : r;
}

export function toRecord(row: any): SyncRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    externalId: row.external_id,
    revision: Number(row.revision),
    idempotencyKey: row.idempotency_key,
    bodyHash: row.body_hash,
    document: row.document,
    provider: row.provider,
    type: row.type,
    status: row.status,
    reference: row.reference,
    referenceNumber: row.reference_number,
    providerInvoiceId: row.provider_invoice_id,
    providerInvoiceNumber: row.provider_invoice_number,
    providerState: row.provider_state,
    totals: row.totals,
    resolved: readResolved(row),
    warnings: row.warnings ?? [],
    lastError: row.last_error,
    attemptCount: Number(row.attempt_count),
    retryBase: Number(row.retry_base),
    scheduleSeq: Number(row.schedule_seq),
    nextAttemptAt: row.next_attempt_at,
    inDoubtSince: row.in_doubt_since,
    createSent: row.create_sent,
    firstSentAt: row.first_sent_at,
    lastSentAt: row.last_sent_at ?? null,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    supersededBy: row.superseded_by ?? null,
    cancelRequestedAt: row.cancel_requested_at ?? null,
    cancelRequestedBy: row.cancel_requested_by ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    syncedAt: row.synced_at,
    sentAt: row.sent_at ?? null,
    paidAmount: row.paid_amount ?? null,
    paidAt: row.paid_at ?? null,
  };
}

/** What intake's write found: the record inserted, an earlier one with the same key, or a newer revision. */
export type AcceptOutcome =
  | { outcome: 'inserted'; createdAt: Date }
  | { outcome: 'existing'; naturalId: string | null; keyId: string | null }
  | { outcome: 'stale'; newest: { id: string; revision: number; status: SyncStatus } }
  /** Nothing written: the tenant's configuration is no longer at the version the invoice was decided on (`configVersion`). */
  | { outcome: 'config_changed' };

/** One invoice for acceptMany; `configVersion`: the tenant's configuration version it was decided on, checked in the write. */
export interface AcceptItem {
  record: NewRecord;
  queuedEvent: { id: string; payload: unknown } | null;
  configVersion?: string | null;
}

/** A record as intake has just inserted it (status queued, nothing tried yet). */
export function freshRecord(r: NewRecord, createdAt: Date): SyncRecord {
  return {
    id: r.id,
    tenantId: r.tenantId,
    externalId: r.externalId,
    revision: r.revision,
    idempotencyKey: r.idempotencyKey,
    bodyHash: r.bodyHash,
    document: r.document as Record<string, any>,
    provider: r.provider,
    type: r.type as SyncRecord['type'],
    status: 'queued',
    reference: r.reference,
    referenceNumber: r.referenceNumber,
    providerInvoiceId: null,
    providerInvoiceNumber: null,
    providerState: null,
    totals: r.totals,
    resolved: r.resolved as Record<string, any> | null,
    warnings: r.warnings,
    lastError: null,
    attemptCount: 0,
    retryBase: 0,
    scheduleSeq: 1,
    nextAttemptAt: null,
    inDoubtSince: null,
    createSent: false,
    firstSentAt: null,
    lastSentAt: null,
    leaseOwner: null,
    leaseUntil: null,
    supersededBy: null,
    cancelRequestedAt: null,
    cancelRequestedBy: null,
    createdAt,
    updatedAt: createdAt,
    syncedAt: null,
    sentAt: null,
    paidAmount: null,
    paidAt: null,
  };
}

/** What the sweep needs to put a record back on the queue: its connection, and when it is due. */
export interface UnfinishedWork {
  id: string;
  tenantId: string;
  provider: string;
  nextAttemptAt: Date | null;
}

export interface NewRecord {
  id: string;
  tenantId: string;
  externalId: string;
  revision: number;
  idempotencyKey: string | null;
  bodyHash: string;
  document: Record<string, unknown>;
  provider: string;
  type: string;
  reference: string;
  referenceNumber: string;
  totals: Totals;
  resolved: unknown;
  warnings: SyncWarning[];
}

export interface RecordFilter {
  status?: SyncStatus[];
  provider?: string;
  externalId?: string;
  from?: Date;
  to?: Date;
}

/** Fields the sync engine changes together with a status. */
export interface RecordPatch {
  providerInvoiceId?: string | null;
  providerInvoiceNumber?: string | null;
  providerState?: string | null;
  lastError?: RecordError | null;
  warnings?: SyncWarning[];
  resolved?: unknown;
  totals?: Totals;
  nextAttemptAt?: Date | null;
  inDoubtSince?: Date | null;
  createSent?: boolean;
  syncedAt?: Date | null;
  supersededBy?: string | null;
  cancelRequestedAt?: Date | null;
  cancelRequestedBy?: string | null;
  sentAt?: Date | null;
  paidAmount?: string | null;
  paidAt?: string | null;
}

const patchColumns: Record<keyof RecordPatch, { column: string; json?: boolean }> = {
  providerInvoiceId: { column: 'provider_invoice_id' },
  providerInvoiceNumber: { column: 'provider_invoice_number' },
  providerState: { column: 'provider_state' },
  lastError: { column: 'last_error', json: true },
  warnings: { column: 'warnings', json: true },
  resolved: { column: 'resolved', json: true },
  totals: { column: 'totals', json: true },
  nextAttemptAt: { column: 'next_attempt_at' },
  inDoubtSince: { column: 'in_doubt_since' },
  createSent: { column: 'create_sent' },
  syncedAt: { column: 'synced_at' },
  supersededBy: { column: 'superseded_by' },
  cancelRequestedAt: { column: 'cancel_requested_at' },
  cancelRequestedBy: { column: 'cancel_requested_by' },
  sentAt: { column: 'sent_at' },
  paidAmount: { column: 'paid_amount' },
  paidAt: { column: 'paid_at' },
};

const UNFINISHED_SQL = `('queued', 'syncing', 'retrying', 'in_doubt')`;

export class RecordsRepo {
  constructor(private readonly db: Queryable) {}

  /**
   * Inserts a record unless one exists for (tenant, externalId, revision) or
   * (tenant, idempotency key). Returns null when it already existed.
   */
  async insert(r: NewRecord): Promise<SyncRecord | null> {
    const row = await one<any>(
      this.db,
      `insert into sync_records (id, tenant_id, external_id, revision, idempotency_key, body_hash, document, provider, type,
                                 status, reference, reference_number, totals, resolved, warnings)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $11, $12, $13, $14)
       on conflict do nothing
       returning *`,
      [
        r.id,
        r.tenantId,
        r.externalId,
        r.revision,
        r.idempotencyKey,
        r.bodyHash,
        JSON.stringify(r.document),
        r.provider,
        r.type,
        r.reference,
        r.referenceNumber,
        JSON.stringify(r.totals),
        JSON.stringify(storedResolved(r.resolved, r.document)),
        JSON.stringify(r.warnings),
      ],
    );
    return row ? toRecord(row) : null;
  }

  /**
   * Intake's write in one round trip (a batch of one, `ledgerlink_accept_set`):
   * under the invoice's lock, an existing (externalId, revision) or
   * Idempotency-Key is reported, a revision lower than the newest is refused,
   * and otherwise the record is inserted (scheduling generation 1) with its
   * history entry and, when given, its `invoice.queued` event (sequence 1).
   */
  async acceptNew(r: NewRecord, queuedEvent: { id: string; payload: unknown } | null): Promise<AcceptOutcome> {
    return (await this.acceptMany([{ record: r, queuedEvent }]))[0]!;
  }

  /**
   * Several acceptances in one round trip and one transaction
   * (`ledgerlink_accept_set`, migration 011): intake batches the requests that arrive
   * together. Outcomes come back in the order of `items`. If any item breaks a
   * constraint the whole batch rolls back (the caller then accepts one by one).
   *
   * Items with a `configVersion` go through `ledgerlink_accept_confirmed`
   * (migration 012): when a tenant's configuration moved, its items come back
   * `config_changed` and the rest of the batch is written in a second round trip.
   */
  async acceptMany(items: AcceptItem[]): Promise<AcceptOutcome[]> {
    const checked = items.some((item) => item.configVersion != null);
    const payload = items.map(({ record: r, queuedEvent, configVersion }) => ({
      r: {
        id: r.id,
        tenant_id: r.tenantId,
        external_id: r.externalId,
        revision: r.revision,
        idempotency_key: r.idempotencyKey,
        body_hash: r.bodyHash,
        document: r.document,
        provider: r.provider,
        type: r.type,
        reference: r.reference,
        reference_number: r.referenceNumber,
        totals: r.totals,
        resolved: storedResolved(r.resolved, r.document),
        warnings: r.warnings,
      },
      delivery: queuedEvent,
      ...(configVersion != null ? { cv: configVersion } : {}),
    }));
    const rows = await this.db.query<any>(`select * from ${checked ? 'ledgerlink_accept_confirmed' : 'ledgerlink_accept_set'}($1::jsonb)`, [JSON.stringify(payload)]);
    const outcomes: AcceptOutcome[] = new Array(items.length);
    const again: number[] = [];
    for (const row of rows) {
      const i = Number(row.idx);
      if (row.outcome === 'not_written') again.push(i);
      else
        outcomes[i] =
          row.outcome === 'existing'
            ? { outcome: 'existing', naturalId: row.natural_id, keyId: row.key_id }
            : row.outcome === 'stale'
              ? { outcome: 'stale', newest: { id: row.newest_id, revision: Number(row.newest_revision), status: row.newest_status } }
              : row.outcome === 'config_changed'
                ? { outcome: 'config_changed' }
                : { outcome: 'inserted', createdAt: row.created_at };
    }
    if (again.length) {
      // Written alongside items whose configuration moved: not written yet, so written now (at least one item fewer each time).
      const written = await this.acceptMany(again.map((i) => items[i]!));
      again.forEach((i, k) => (outcomes[i] = written[k]!));
    }
    return outcomes;
  }

  async get(tenantId: string, id: string): Promise<SyncRecord | null> {
    const row = await one<any>(this.db, 'select * from sync_records where tenant_id = $1 and id = $2', [tenantId, id]);
    return row ? toRecord(row) : null;
  }

  async getById(id: string): Promise<SyncRecord | null> {
    const row = await one<any>(this.db, 'select * from sync_records where id = $1', [id]);
    return row ? toRecord(row) : null;
  }

  async findByNaturalKey(tenantId: string, externalId: string, revision: number): Promise<SyncRecord | null> {
    const row = await one<any>(this.db, 'select * from sync_records where tenant_id = $1 and external_id = $2 and revision = $3', [
      tenantId,
      externalId,
      revision,
    ]);
    return row ? toRecord(row) : null;
  }

  async findByIdempotencyKey(tenantId: string, key: string): Promise<SyncRecord | null> {
    const row = await one<any>(this.db, 'select * from sync_records where tenant_id = $1 and idempotency_key = $2', [tenantId, key]);
    return row ? toRecord(row) : null;
  }

  /** The newest synced revision of an invoice (what a credit note credits). */
  async latestSynced(tenantId: string, externalId: string): Promise<SyncRecord | null> {
    const row = await one<any>(
      this.db,
      `select * from sync_records where tenant_id = $1 and external_id = $2 and status in ${AT_PROVIDER_SQL} order by revision desc limit 1`,
      [tenantId, externalId],
    );
    return row ? toRecord(row) : null;
  }

  /** Newest first; the cursor is the last id of the previous page (ids sort by creation time). */
  async list(tenantId: string, filter: RecordFilter, page: { limit: number; before?: string }): Promise<SyncRecord[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    addFilter(filter, where, params);
    if (page.before) {
      params.push(page.before);
      where.push(`id < $${params.length}`);
    }
    params.push(page.limit);
    const rows = await this.db.query<any>(
      `select * from sync_records where ${where.join(' and ')} order by id desc limit $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  async ids(tenantId: string, filter: RecordFilter, limit: number): Promise<string[]> {
    const where = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    addFilter(filter, where, params);
    params.push(limit);
    const rows = await this.db.query<{ id: string }>(
      `select id from sync_records where ${where.join(' and ')} order by id limit $${params.length}`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Takes the record for one worker: only when it has work to do, nobody holds
   * a live lease on it, and nobody holds one on another revision of the same
   * invoice (one worker per externalId, so two revisions never act at the
   * provider at once). Run it after `lockChain` in the same transaction, so two
   * claims in one chain see each other's lease.
   */
  async claim(id: string, owner: string, leaseMs: number): Promise<SyncRecord | null> {
    const row = await one<any>(
      this.db,
      `update sync_records r
          set lease_owner = $2, lease_until = now() + ($3::text || ' milliseconds')::interval
        where r.id = $1
          and r.status in ${UNFINISHED_SQL}
          and (r.lease_until is null or r.lease_until < now() or r.lease_owner = $2)
          and not exists (select 1 from sync_records o
                           where o.tenant_id = r.tenant_id and o.external_id = r.external_id and o.id <> r.id and o.lease_until > now()
                             and o.lease_owner is distinct from $2)
        returning *`,
      [id, owner, leaseMs],
    );
    return row ? toRecord(row) : null;
  }

  /**
   * A connection runner reserves the connection's due records, oldest due
   * first: their lease is given to `owner` for a while, so the connection's
   * other runners take other records (and a runner that dies lets them go when
   * the lease runs out). The runner then syncs them one by one under the same
   * owner. Returns their ids, in due order.
   */
  async reserveDue(tenantId: string, provider: string, owner: string, leaseMs: number, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string; due: Date }>(
      `update sync_records r set lease_owner = $3, lease_until = now() + ($4::text || ' milliseconds')::interval
         from (select id from sync_records
                where tenant_id = $1 and provider = $2 and status in ${UNFINISHED_SQL}
                  and (lease_until is null or lease_until < now() or lease_owner = $3)
                  and (next_attempt_at is null or next_attempt_at <= now())
                order by coalesce(next_attempt_at, created_at)
                limit $5
                -- NO KEY UPDATE: a row held only by a foreign-key check (an attachment or history row being
                -- added) is not skipped; one being changed is, and the runner comes back for it (nextDueAt).
                for no key update skip locked) due
        where r.id = due.id
        returning r.id, coalesce(r.next_attempt_at, r.created_at) as due`,
      [tenantId, provider, owner, leaseMs, limit],
    );
    return rows.sort((a, b) => a.due.getTime() - b.due.getTime() || (a.id < b.id ? -1 : 1)).map((r) => r.id);
  }

  /**
   * When the connection's next free record comes due (null: none is waiting). A time not after
   * `now` means one is due already but was busy (locked by a change in progress) when a runner looked.
   */
  async nextDueAt(tenantId: string, provider: string): Promise<Date | null> {
    const row = await one<{ at: Date | null }>(
      this.db,
      `select min(coalesce(next_attempt_at, created_at)) as at from sync_records
        where tenant_id = $1 and provider = $2 and status in ${UNFINISHED_SQL}
          and (lease_until is null or lease_until < now())`,
      [tenantId, provider],
    );
    return row?.at ?? null;
  }

  /**
   * Why a claim failed: the record is finished, it is leased itself, or another
   * revision of the same invoice is (then: until when that lease runs).
   */
  async claimBlocker(id: string): Promise<{ why: 'finished' | 'leased' | 'chain'; until: Date | null }> {
    const row = await one<any>(
      this.db,
      `select r.status, r.lease_until,
              (select max(o.lease_until) from sync_records o
                where o.tenant_id = r.tenant_id and o.external_id = r.external_id and o.id <> r.id and o.lease_until > now()) as chain_until,
              r.lease_until > now() as leased
         from sync_records r where r.id = $1`,
      [id],
    );
    if (!row || !(UNFINISHED as readonly string[]).includes(row.status)) return { why: 'finished', until: null };
    if (row.leased) return { why: 'leased', until: row.lease_until };
    if (row.chain_until) return { why: 'chain', until: row.chain_until };
    return { why: 'leased', until: null };
  }

  /** The (tenant, externalId) of a record — the key of its chain of revisions — and its provider. */
  async chainKeyOf(id: string): Promise<{ tenantId: string; externalId: string; provider: string } | null> {
    const row = await one<any>(this.db, 'select tenant_id, external_id, provider from sync_records where id = $1', [id]);
    return row ? { tenantId: row.tenant_id, externalId: row.external_id, provider: row.provider } : null;
  }

  /**
   * Serialises everything that decides over one invoice's revisions (intake's
   * order check, claims) until the transaction ends. A transaction-scoped
   * advisory lock in its own key space (two int keys), so it needs no row.
   */
  async lockChain(tenantId: string, externalId: string): Promise<void> {
    await this.db.query(`select pg_advisory_xact_lock(7318, hashtext($1 || chr(31) || $2))`, [tenantId, externalId]);
  }

  /** Every revision of an invoice, oldest first. */
  async chain(tenantId: string, externalId: string): Promise<SyncRecord[]> {
    const rows = await this.db.query<any>('select * from sync_records where tenant_id = $1 and external_id = $2 order by revision', [tenantId, externalId]);
    return rows.map(toRecord);
  }

  /** The highest revision accepted for an invoice, with its record id. */
  async newest(tenantId: string, externalId: string): Promise<{ id: string; revision: number; status: SyncStatus } | null> {
    const row = await one<any>(
      this.db,
      'select id, revision, status from sync_records where tenant_id = $1 and external_id = $2 order by revision desc limit 1',
      [tenantId, externalId],
    );
    return row ? { id: row.id, revision: Number(row.revision), status: row.status } : null;
  }

  /** Other revisions of an invoice that are due and free: what a finished run wakes (only what scheduling needs). */
  async waitingInChain(tenantId: string, externalId: string, exceptId: string): Promise<Array<{ id: string; tenantId: string; provider: string }>> {
    const rows = await this.db.query<any>(
      `select id, tenant_id, provider from sync_records
        where tenant_id = $1 and external_id = $2 and id <> $3 and status in ${UNFINISHED_SQL}
          and (lease_until is null or lease_until < now())
          and (next_attempt_at is null or next_attempt_at <= now() + interval '1 second')`,
      [tenantId, externalId, exceptId],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, provider: r.provider }));
  }

  /** Records a newer revision superseded, oldest first. */
  async supersededBy(id: string): Promise<SyncRecord[]> {
    const rows = await this.db.query<any>('select * from sync_records where superseded_by = $1 order by revision', [id]);
    return rows.map(toRecord);
  }

  /**
   * The gross total of the credit notes synced through ledgerlink that credit an
   * invoice (a negative amount), counting those accepted after `since` — the
   * credit notes that can be meant for the revision synced then.
   */
  async creditedGross(tenantId: string, externalId: string, since: Date): Promise<string> {
    const row = await one<any>(
      this.db,
      `select coalesce(sum((totals->>'gross')::numeric), 0)::text as gross from sync_records
        where tenant_id = $1 and type = 'credit_note' and document->>'creditedExternalId' = $2 and status in ${AT_PROVIDER_SQL} and created_at >= $3`,
      [tenantId, externalId, since],
    );
    return row?.gross ?? '0';
  }

  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `update sync_records set lease_until = now() + ($3::text || ' milliseconds')::interval
        where id = $1 and lease_owner = $2 returning id`,
      [id, owner, leaseMs],
    );
    return rows.length > 0;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.db.query('update sync_records set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2', [id, owner]);
  }

  /** Sets a new status (and fields that go with it); returns the updated record. */
  async setStatus(id: string, status: SyncStatus, patch: RecordPatch = {}, options: { resetRetries?: boolean } = {}): Promise<SyncRecord> {
    const sets = ['status = $2', 'updated_at = now()'];
    if (options.resetRetries) sets.push('retry_base = attempt_count');
    const params: unknown[] = [id, status];
    for (const [key, value] of Object.entries(patch) as Array<[keyof RecordPatch, unknown]>) {
      if (value === undefined) continue;
      const spec = patchColumns[key];
      params.push(spec.json && value !== null ? JSON.stringify(value) : value);
      sets.push(`${spec.column} = $${params.length}`);
    }
    const row = await one<any>(this.db, `update sync_records set ${sets.join(', ')} where id = $1 returning *`, params);
    if (!row) throw new Error(`sync record ${id} not found`);
    return toRecord(row);
  }

  /**
   * Marks that a create is about to be sent — only while `owner` still holds a
   * live lease, no newer revision of the invoice was accepted meanwhile (that
   * one takes this one's place), and nobody asked to cancel it. From then on,
   * the next step after any failure is a lookup. False means "send nothing":
   * the caller reads the record again to learn which it was.
   */
  async markCreateSent(id: string, owner: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update sync_records r
          set create_sent = true, first_sent_at = coalesce(first_sent_at, $3), last_sent_at = null, updated_at = now()
        where r.id = $1 and r.lease_owner = $2 and r.lease_until > now() and r.cancel_requested_at is null
          and not exists (select 1 from sync_records n where n.tenant_id = r.tenant_id and n.external_id = r.external_id and n.revision > r.revision)
        returning r.id`,
      [id, owner, at],
    );
    return rows.length > 0;
  }

  /**
   * The create's bytes are about to go out (the outbound HTTP layer calls this
   * after every wait — organisation lock, token, rate limit): the settle window
   * starts now, by the process clock that later decides whether it has passed.
   * Fenced by the lease: false means send nothing.
   */
  async markCreateOnWire(id: string, owner: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update sync_records set last_sent_at = $3 where id = $1 and lease_owner = $2 and lease_until > now() and create_sent returning id`,
      [id, owner, at],
    );
    return rows.length > 0;
  }

  /**
   * A run that had to wait for the connection's request budget: the record is
   * due again at `until`, back in `status` (quietly: no history, no event), and
   * the attempt does not count against the retry budget.
   */
  async defer(id: string, status: SyncStatus, until: Date): Promise<void> {
    await this.db.query(`update sync_records set status = $2, next_attempt_at = $3, retry_base = retry_base + 1, updated_at = now() where id = $1`, [id, status, until]);
  }

  /** Whether `owner` still holds a live lease on the record. */
  async holdsLease(id: string, owner: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from sync_records where id = $1 and lease_owner = $2 and lease_until > now()', [id, owner]);
    return rows.length > 0;
  }

  /**
   * In a transaction: locks the record's row if `owner` still holds its live
   * lease, so nobody can take the lease before the transaction commits (the
   * fence for writes after a remote call). False: the lease is gone.
   */
  async lockIfLeased(id: string, owner: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from sync_records where id = $1 and lease_owner = $2 and lease_until > now() for update', [id, owner]);
    return rows.length > 0;
  }

  /** Reads a record and locks its row until the transaction ends (resync decides on a stable state). */
  async getForUpdate(id: string): Promise<SyncRecord | null> {
    const row = await one<any>(this.db, 'select * from sync_records where id = $1 for update', [id]);
    return row ? toRecord(row) : null;
  }

  async bumpAttempt(id: string): Promise<number> {
    return this.increment(id, 'attempt_count');
  }

  /** A new scheduling generation: the job id for the next run of this record. */
  async bumpSchedule(id: string): Promise<number> {
    return this.increment(id, 'schedule_seq');
  }

  private async increment(id: string, column: 'attempt_count' | 'schedule_seq'): Promise<number> {
    const row = await one<Record<string, number | string>>(this.db, `update sync_records set ${column} = ${column} + 1 where id = $1 returning ${column}`, [id]);
    if (!row) throw new Error(`sync record ${id} not found`);
    return Number(row[column]);
  }

  /**
   * The connections that have unfinished records nobody holds, each with when
   * its first one comes due: the sweep's work list (it kicks each connection;
   * its runners take the records). One row per connection, however many records.
   */
  async connectionsWithWork(limit: number): Promise<Array<{ tenantId: string; provider: string; dueAt: Date }>> {
    const rows = await this.db.query<any>(
      `select tenant_id, provider, min(coalesce(next_attempt_at, created_at)) as due_at from sync_records
        where status in ${UNFINISHED_SQL}
          and (lease_until is null or lease_until < now())
        group by tenant_id, provider
        order by min(coalesce(next_attempt_at, created_at)) limit $1`,
      [limit],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, provider: row.provider, dueAt: row.due_at }));
  }

  /**
   * Records whose worker is gone: unfinished, with a lease that ran out (a live
   * run renews it, a finished one clears it; a runner's reservation too). Their
   * lease is cleared in one statement, so each is taken over once; returns the
   * connections to kick.
   */
  async reclaimOrphans(limit: number): Promise<Array<{ tenantId: string; provider: string }>> {
    const rows = await this.db.query<any>(
      `with orphans as (
         update sync_records set lease_owner = null, lease_until = null
          where id in (select id from sync_records
                        where status in ${UNFINISHED_SQL} and lease_until is not null and lease_until < now()
                        order by lease_until limit $1 for update skip locked)
          returning tenant_id, provider)
       select distinct tenant_id, provider from orphans`,
      [limit],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, provider: row.provider }));
  }

  async countByStatus(): Promise<Array<{ provider: string; status: string; count: number }>> {
    const rows = await this.db.query<any>('select provider, status, count(*)::int as count from sync_records group by provider, status');
    return rows.map((r) => ({ provider: r.provider, status: r.status, count: Number(r.count) }));
  }
}

function addFilter(filter: RecordFilter, where: string[], params: unknown[]): void {
  if (filter.status?.length) {
    params.push(filter.status);
    where.push(`status = any($${params.length})`);
  }
  if (filter.provider) {
    params.push(filter.provider);
    where.push(`provider = $${params.length}`);
  }
  if (filter.externalId) {
    params.push(filter.externalId);
    where.push(`external_id = $${params.length}`);
  }
  if (filter.from) {
    params.push(filter.from);
    where.push(`created_at >= $${params.length}`);
  }
  if (filter.to) {
    params.push(filter.to);
    where.push(`created_at < $${params.length}`);
  }
}

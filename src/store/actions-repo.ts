import { one, type Queryable } from './database.js';

/** What a record did at the provider (issue 8): shown on the record, and what a resumed run reads. */
export type ActionKind = 'created' | 'adopted' | 'edited' | 'invalidated' | 'credited';

/**
 * planned: decided, nothing sent yet · sent: the request may have reached the
 * provider (the next run looks it up before sending again) · done: the
 * provider did it (ids known).
 */
export type ActionStatus = 'planned' | 'sent' | 'done';

export interface ProviderAction {
  id: number;
  recordId: string;
  /** The older revision the action was taken on (edited, invalidated, credited). */
  targetRecordId: string | null;
  kind: ActionKind;
  status: ActionStatus;
  /** Our reference of what the action creates (a credit note), for the lookup. */
  reference: string | null;
  /** The document the action sends (a credit note), frozen so a retry sends the same. */
  invoice: Record<string, any> | null;
  providerInvoiceId: string | null;
  providerInvoiceNumber: string | null;
  providerState: string | null;
  detail: string | null;
  /** When the action's request went out (null while planned, or marked but never sent). */
  sentAt: Date | null;
  doneAt: Date | null;
  createdAt: Date;
}

function toAction(row: any): ProviderAction {
  return {
    id: Number(row.id),
    recordId: row.record_id,
    targetRecordId: row.target_record_id,
    kind: row.kind,
    status: row.status,
    reference: row.reference,
    invoice: row.invoice,
    providerInvoiceId: row.provider_invoice_id,
    providerInvoiceNumber: row.provider_invoice_number,
    providerState: row.provider_state,
    detail: row.detail,
    sentAt: row.sent_at,
    doneAt: row.done_at,
    createdAt: row.created_at,
  };
}

export interface ActionResult {
  providerInvoiceId?: string | null;
  providerInvoiceNumber?: string | null;
  providerState?: string | null;
  detail?: string | null;
}

/** One row per provider action of a record, at most one per (record, kind, target). */
export class ActionsRepo {
  constructor(private readonly db: Queryable) {}

  async list(recordId: string): Promise<ProviderAction[]> {
    const rows = await this.db.query<any>('select * from provider_actions where record_id = $1 order by id', [recordId]);
    return rows.map(toAction);
  }

  async find(recordId: string, kind: ActionKind, targetRecordId: string | null): Promise<ProviderAction | null> {
    const row = await one<any>(
      this.db,
      `select * from provider_actions where record_id = $1 and kind = $2 and coalesce(target_record_id, '') = coalesce($3, '')`,
      [recordId, kind, targetRecordId],
    );
    return row ? toAction(row) : null;
  }

  /** The action, planned now unless it already exists (then as it is: a resumed run continues it). */
  async plan(
    recordId: string,
    kind: ActionKind,
    targetRecordId: string | null,
    extra: { reference?: string | null; invoice?: unknown; detail?: string | null } = {},
  ): Promise<ProviderAction> {
    await this.db.query(
      `insert into provider_actions (record_id, target_record_id, kind, reference, invoice, detail)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (record_id, kind, coalesce(target_record_id, '')) do nothing`,
      [recordId, targetRecordId, kind, extra.reference ?? null, extra.invoice === undefined ? null : JSON.stringify(extra.invoice), extra.detail ?? null],
    );
    const action = await this.find(recordId, kind, targetRecordId);
    if (!action) throw new Error(`provider action ${kind} of ${recordId} vanished`);
    return action;
  }

  /**
   * Marks that the action's request is about to leave — only while `owner` holds
   * the record's live lease (false: the run lost it and must send nothing).
   */
  async markSent(id: number, owner: string): Promise<boolean> {
    const rows = await this.db.query(
      `update provider_actions a set status = 'sent', sent_at = null
        from sync_records r
       where a.id = $1 and r.id = a.record_id and r.lease_owner = $2 and r.lease_until > now()
       returning a.id`,
      [id, owner],
    );
    return rows.length > 0;
  }

  /** The action's request is leaving now (after every wait): its settle window starts at `at`. Fenced by the lease. */
  async markOnWire(id: number, owner: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update provider_actions a set sent_at = $3
        from sync_records r
       where a.id = $1 and a.status = 'sent' and r.id = a.record_id and r.lease_owner = $2 and r.lease_until > now()
       returning a.id`,
      [id, owner, at],
    );
    return rows.length > 0;
  }

  /** The provider certainly did not do it (it refused, or a lookup settled that): back to planned. */
  async unsend(id: number): Promise<void> {
    await this.db.query(`update provider_actions set status = 'planned' where id = $1 and status = 'sent'`, [id]);
  }

  async done(id: number, result: ActionResult): Promise<ProviderAction> {
    const row = await one<any>(
      this.db,
      `update provider_actions set status = 'done', done_at = coalesce(done_at, now()),
              provider_invoice_id = coalesce($2, provider_invoice_id), provider_invoice_number = coalesce($3, provider_invoice_number),
              provider_state = coalesce($4, provider_state), detail = coalesce($5, detail)
        where id = $1 returning *`,
      [id, result.providerInvoiceId ?? null, result.providerInvoiceNumber ?? null, result.providerState ?? null, result.detail ?? null],
    );
    if (!row) throw new Error(`provider action ${id} not found`);
    return toAction(row);
  }

  /** Records an action that happened in one go (created, adopted, edited). */
  async record(recordId: string, kind: ActionKind, targetRecordId: string | null, result: ActionResult): Promise<ProviderAction> {
    const planned = await this.plan(recordId, kind, targetRecordId);
    return this.done(planned.id, result);
  }
}

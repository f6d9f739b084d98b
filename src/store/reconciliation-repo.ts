import type { Queryable } from './database.js';

export type DriftKind = 'deleted_at_provider' | 'invalidated_at_provider' | 'totals_differ' | 'not_created_by_ledgerlink';

export interface DriftItem {
  kind: DriftKind;
  recordId: string | null;
  externalId: string | null;
  providerInvoiceId: string | null;
  providerInvoiceNumber: string | null;
  expected: string | null;
  actual: string | null;
  message: string;
}

export interface ReconciliationRun {
  id: string;
  tenantId: string;
  provider: string;
  period: string;
  status: 'running' | 'done' | 'failed';
  trigger: string;
  checked: number;
  driftCount: number;
  error: unknown;
  startedAt: Date;
  finishedAt: Date | null;
}

const toRun = (r: any): ReconciliationRun => ({
  id: r.id,
  tenantId: r.tenant_id,
  provider: r.provider,
  period: r.period,
  status: r.status,
  trigger: r.trigger,
  checked: Number(r.checked),
  driftCount: Number(r.drift_count),
  error: r.error ?? null,
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? null,
});

/** Reconciliation runs and the drift each found (migration 010). Drift is only ever reported, never acted on. */
export class ReconciliationRepo {
  constructor(private readonly db: Queryable) {}

  async start(run: { id: string; tenantId: string; provider: string; period: string; trigger: string }): Promise<void> {
    await this.db.query('insert into reconciliation_runs (id, tenant_id, provider, period, trigger) values ($1, $2, $3, $4, $5)', [
      run.id,
      run.tenantId,
      run.provider,
      run.period,
      run.trigger,
    ]);
  }

  async finish(runId: string, result: { checked: number; drift: DriftItem[]; tenantId: string; provider: string; period: string }): Promise<ReconciliationRun> {
    for (const d of result.drift) {
      await this.db.query(
        `insert into reconciliation_drift (run_id, tenant_id, provider, period, kind, record_id, external_id, provider_invoice_id, provider_invoice_number, expected, actual, message)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [runId, result.tenantId, result.provider, result.period, d.kind, d.recordId, d.externalId, d.providerInvoiceId, d.providerInvoiceNumber, d.expected, d.actual, d.message],
      );
    }
    const rows = await this.db.query<any>(
      `update reconciliation_runs set status = 'done', checked = $2, drift_count = $3, finished_at = now() where id = $1 returning *`,
      [runId, result.checked, result.drift.length],
    );
    return toRun(rows[0]);
  }

  async fail(runId: string, error: unknown): Promise<ReconciliationRun> {
    const rows = await this.db.query<any>(`update reconciliation_runs set status = 'failed', error = $2, finished_at = now() where id = $1 returning *`, [runId, JSON.stringify(error)]);
    return toRun(rows[0]);
  }

  /** The newest finished run per provider and period of a tenant (optionally one period / provider). */
  async latestRuns(tenantId: string, filter: { period?: string; provider?: string }): Promise<ReconciliationRun[]> {
    const rows = await this.db.query<any>(
      `select distinct on (provider, period) * from reconciliation_runs
        where tenant_id = $1 and status <> 'running' and ($2::text is null or period = $2) and ($3::text is null or provider = $3)
        order by provider, period, started_at desc`,
      [tenantId, filter.period ?? null, filter.provider ?? null],
    );
    return rows.map(toRun);
  }

  async driftOf(runIds: string[]): Promise<Array<DriftItem & { runId: string; provider: string; period: string; foundAt: Date }>> {
    if (runIds.length === 0) return [];
    const rows = await this.db.query<any>('select * from reconciliation_drift where run_id = any($1) order by id', [runIds]);
    return rows.map((r) => ({
      runId: r.run_id,
      provider: r.provider,
      period: r.period,
      kind: r.kind,
      recordId: r.record_id,
      externalId: r.external_id,
      providerInvoiceId: r.provider_invoice_id,
      providerInvoiceNumber: r.provider_invoice_number,
      expected: r.expected,
      actual: r.actual,
      message: r.message,
      foundAt: r.found_at,
    }));
  }

  /** Records of a connection at the provider whose invoice is dated in the period. */
  async recordsInPeriod(tenantId: string, provider: string, from: string, to: string): Promise<any[]> {
    return this.db.query<any>(
      `select * from sync_records where tenant_id = $1 and provider = $2 and provider_invoice_id is not null
          and status in ('synced', 'sent', 'partially_paid', 'paid') and document->>'invoiceDate' between $3 and $4 order by id`,
      [tenantId, provider, from, to],
    );
  }

  /** Every reference and provider invoice id ledgerlink made for a tenant and provider (records and their provider actions). */
  async ours(tenantId: string, provider: string): Promise<{ references: Set<string>; invoiceIds: Set<string> }> {
    const rows = await this.db.query<any>(
      `select r.reference, r.provider_invoice_id from sync_records r where r.tenant_id = $1 and r.provider = $2
       union all
       select a.reference, a.provider_invoice_id from provider_actions a join sync_records r on r.id = a.record_id where r.tenant_id = $1 and r.provider = $2`,
      [tenantId, provider],
    );
    const references = new Set<string>();
    const invoiceIds = new Set<string>();
    for (const r of rows) {
      if (r.reference) references.add(r.reference);
      if (r.provider_invoice_id) invoiceIds.add(r.provider_invoice_id);
    }
    return { references, invoiceIds };
  }
}

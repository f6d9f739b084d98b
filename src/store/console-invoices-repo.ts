import type { Queryable } from './database.js';
import { toRecord, type RecordFilter, type SyncRecord, type SyncStatus } from './records-repo.js';

/** The console's filter: the API's, plus text on externalId or customer name/id. */
export interface ConsoleInvoiceFilter extends RecordFilter {
  text?: string;
}

/** `0`: failed or in doubt (a person has to look), `1`: the rest. Same expression as the index. */
const PRIORITY = `(case when status in ('failed', 'in_doubt') then 0 else 1 end)`;

/** A page position: priority and id of the last row shown. */
export interface ConsoleCursor {
  priority: number;
  id: string;
}

export function encodeCursor(c: ConsoleCursor): string {
  return `${c.priority}.${c.id}`;
}

export function decodeCursor(raw: string | undefined): ConsoleCursor | null {
  const match = raw ? /^([01])\.([0-9A-Za-z]{1,40})$/.exec(raw) : null;
  return match ? { priority: Number(match[1]), id: match[2]! } : null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function where(tenantId: string, filter: ConsoleInvoiceFilter, options: { withStatus: boolean }): { sql: string; params: unknown[] } {
  const parts = ['tenant_id = $1'];
  const params: unknown[] = [tenantId];
  if (options.withStatus && filter.status?.length) {
    params.push(filter.status);
    parts.push(`status = any($${params.length})`);
  }
  if (filter.provider) {
    params.push(filter.provider);
    parts.push(`provider = $${params.length}`);
  }
  if (filter.from) {
    params.push(filter.from);
    parts.push(`created_at >= $${params.length}`);
  }
  if (filter.to) {
    params.push(filter.to);
    parts.push(`created_at < $${params.length}`);
  }
  if (filter.text) {
    params.push(`%${escapeLike(filter.text)}%`);
    const p = `$${params.length}`;
    parts.push(`(external_id ilike ${p} or document->'customer'->>'name' ilike ${p} or document->'customer'->>'externalId' ilike ${p})`);
  }
  return { sql: parts.join(' and '), params };
}

/**
 * The console's reads of sync records: failed and in-doubt first, then newest
 * first, paged by keyset (never OFFSET), so page 50 costs what page 1 does.
 */
export class ConsoleInvoicesRepo {
  constructor(private readonly db: Queryable) {}

  async page(tenantId: string, filter: ConsoleInvoiceFilter, limit: number, after: ConsoleCursor | null): Promise<{ items: SyncRecord[]; next: ConsoleCursor | null }> {
    const w = where(tenantId, filter, { withStatus: true });
    const params = [...w.params];
    let keyset = '';
    if (after) {
      params.push(after.priority, after.id);
      const p = `$${params.length - 1}`;
      const i = `$${params.length}`;
      keyset = ` and (${PRIORITY} > ${p} or (${PRIORITY} = ${p} and id < ${i}))`;
    }
    params.push(limit + 1);
    const rows = await this.db.query<any>(
      `select *, ${PRIORITY} as console_priority from sync_records where ${w.sql}${keyset} order by ${PRIORITY}, id desc limit $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toRecord), next: rows.length > limit && last ? { priority: Number(last.console_priority), id: last.id } : null };
  }

  /** Counts per status under the filter's other conditions (the status tabs). */
  async countsByStatus(tenantId: string, filter: ConsoleInvoiceFilter): Promise<Map<SyncStatus, number>> {
    const w = where(tenantId, filter, { withStatus: false });
    const rows = await this.db.query<{ status: SyncStatus; count: number | string }>(`select status, count(*)::int as count from sync_records where ${w.sql} group by status`, w.params);
    return new Map(rows.map((r) => [r.status, Number(r.count)]));
  }

  /** How many records a bulk resync of this filter would take up (before confirming it). */
  async count(tenantId: string, filter: ConsoleInvoiceFilter): Promise<number> {
    const w = where(tenantId, filter, { withStatus: true });
    const rows = await this.db.query<{ count: number | string }>(`select count(*)::int as count from sync_records where ${w.sql}`, w.params);
    return Number(rows[0]?.count ?? 0);
  }

  /** Ids matching the filter (for a bulk resync with text), oldest first, at most `limit`. */
  async ids(tenantId: string, filter: ConsoleInvoiceFilter, limit: number): Promise<string[]> {
    const w = where(tenantId, filter, { withStatus: true });
    const rows = await this.db.query<{ id: string }>(`select id from sync_records where ${w.sql} order by id limit $${w.params.length + 1}`, [...w.params, limit]);
    return rows.map((r) => r.id);
  }
}

/**
 * The web console (issue 13).
 *
 * - `console_sessions`: a signed-in browser. The cookie carries a random token;
 *   only its SHA-256 is stored, so a copy of the table signs nobody in. The row
 *   keeps the hash of the API key used to sign in (never the key), so every
 *   request re-checks the key through the same cached lookup the API uses: a
 *   revoked key, or changed roles, take effect at once. Sign-out deletes the row.
 * - Indexes for the console's invoice list: counts per status read
 *   (tenant_id, status) alone, and the list pages "failed and in doubt first,
 *   newest first" straight off (tenant_id, priority, id desc).
 * - Indexes for the webhook delivery log (newest first, all or by status).
 */
export const consoleSessions = `
create table console_sessions (
  token_hash text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  key_id text not null,
  key_hash text not null,
  csrf_token text not null,
  locale text not null default 'fi',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index console_sessions_expires on console_sessions (expires_at);

-- Indexes on sync_records cost intake: every accepted invoice writes each one. Measured with
-- npm run bench, a (tenant_id, status) index and a (tenant_id, failed-first rank, id) index each took
-- intake on PostgreSQL from ~3,300 to ~1,000 req/s. Only the failed and in-doubt records (which a
-- new invoice never is) get their own index; the rest of a list page is a top-N sort of the tenant's
-- rows (test/console/console-list-speed.test.ts: well under 300 ms at 10,000 invoices).
create index if not exists sync_records_needs_a_person on sync_records (tenant_id, id desc)
  where status in ('failed', 'in_doubt');

create index if not exists webhook_deliveries_tenant_log on webhook_deliveries (tenant_id, id desc);
create index if not exists webhook_deliveries_tenant_status_log on webhook_deliveries (tenant_id, status, id desc);
`;

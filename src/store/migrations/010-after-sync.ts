/**
 * After the sync (issue 14): what happened to an invoice once it was in the books.
 *
 * - `sent_at`, `paid_amount` (decimal text, 2 places), `paid_at` (YYYY-MM-DD):
 *   statuses `sent`, `partially_paid`, `paid` carry them.
 * - `next_status_check_at`, `status_checks`, `status_checked_at`,
 *   `status_check_error`: the status poller's schedule (backoff by the
 *   invoice's age) and its last outcome. A failed read only moves the schedule.
 * - Reconciliation runs and the drift they found (nothing is changed automatically).
 * - Invoice attachments (a PDF the host posts), sent to the provider exactly once:
 *   `sending` is written before the upload, so after a crash the next step is a
 *   lookup by the attachment's unique name, never a blind second upload.
 */
export const afterSync = `
alter table sync_records add column if not exists sent_at timestamptz;
alter table sync_records add column if not exists paid_amount text;
alter table sync_records add column if not exists paid_at text;
alter table sync_records add column if not exists next_status_check_at timestamptz;
alter table sync_records add column if not exists status_checked_at timestamptz;
alter table sync_records add column if not exists status_checks integer not null default 0;
alter table sync_records add column if not exists status_check_error jsonb;
create index if not exists sync_records_status_due on sync_records (coalesce(next_status_check_at, synced_at))
  where status in ('synced', 'sent', 'partially_paid') and type = 'invoice' and provider_invoice_id is not null;

create table if not exists reconciliation_runs (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  provider text not null,
  period text not null,
  status text not null default 'running',
  trigger text not null,
  checked integer not null default 0,
  drift_count integer not null default 0,
  error jsonb,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index if not exists reconciliation_runs_tenant on reconciliation_runs (tenant_id, started_at desc);

create table if not exists reconciliation_drift (
  id bigserial primary key,
  run_id text not null references reconciliation_runs(id) on delete cascade,
  tenant_id text not null references tenants(id) on delete cascade,
  provider text not null,
  period text not null,
  kind text not null,
  record_id text references sync_records(id) on delete cascade,
  external_id text,
  provider_invoice_id text,
  provider_invoice_number text,
  expected text,
  actual text,
  message text not null,
  found_at timestamptz not null default now()
);
create index if not exists reconciliation_drift_tenant on reconciliation_drift (tenant_id, id desc);

create table if not exists invoice_attachments (
  id text primary key,
  record_id text not null references sync_records(id) on delete cascade,
  tenant_id text not null references tenants(id) on delete cascade,
  name text not null unique,
  filename text not null,
  content_type text not null,
  size integer not null,
  data text not null,
  status text not null default 'pending',
  provider_attachment_id text,
  error jsonb,
  tries integer not null default 0,
  next_try_at timestamptz not null default now(),
  sent_at timestamptz,
  done_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists invoice_attachments_due on invoice_attachments (next_try_at) where status in ('pending', 'sending');
create index if not exists invoice_attachments_record on invoice_attachments (record_id, created_at);
`;

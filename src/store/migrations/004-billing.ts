/**
 * Billing from work (issue 11): the host's customers, projects, tasks and
 * entries; billable items compiled from entries; drafts, released invoices,
 * compile operations and the tenant's billing settings.
 *
 * Exactly once: an entry is compiled by the one transaction that moves it out of
 * state 'open'; an item is unique per (entry, part), so no entry is ever billed
 * twice; a project has at most one open work draft; a draft becomes at most one
 * invoice, and an invoice number is used once per tenant.
 */
// Days are YYYY-MM-DD text (days in the tenant's time zone): they sort and compare as
// days, and no driver turns them into instants in the server's zone.
export const billing = `
create table billing_settings (
  tenant_id text primary key references tenants(id) on delete cascade,
  approval_flow boolean not null default false,
  time_zone text not null default 'Europe/Helsinki',
  seller jsonb,
  invoice_number_start bigint not null default 1,
  last_invoice_number bigint,
  updated_at timestamptz not null default now()
);

create table billing_customers (
  tenant_id text not null references tenants(id) on delete cascade,
  external_id text not null,
  data jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, external_id)
);

create table billing_projects (
  tenant_id text not null references tenants(id) on delete cascade,
  external_id text not null,
  customer_external_id text not null,
  data jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, external_id)
);
create index billing_projects_customer on billing_projects (tenant_id, customer_external_id);

create table billing_tasks (
  tenant_id text not null references tenants(id) on delete cascade,
  external_id text not null,
  project_external_id text not null,
  status text not null,
  billable boolean not null,
  data jsonb not null,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, external_id)
);
create index billing_tasks_project on billing_tasks (tenant_id, project_external_id);

create table billing_entries (
  tenant_id text not null references tenants(id) on delete cascade,
  external_id text not null,
  task_external_id text not null,
  user_id text not null,
  kind text not null,
  work_date text not null,
  stopped boolean not null,
  data jsonb not null,
  body_hash text not null,
  state text not null default 'open',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, external_id)
);
create index billing_entries_task on billing_entries (tenant_id, task_external_id, state);
create index billing_entries_open on billing_entries (tenant_id, state, work_date);

create table billing_drafts (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  source text not null,
  type text not null default 'invoice',
  status text not null default 'open',
  project_external_id text,
  customer_external_id text not null,
  group_by text,
  group_key text,
  period_from text,
  period_to text,
  credited_external_id text,
  fields jsonb not null default '{}',
  task_overrides jsonb not null default '{}',
  added_lines jsonb not null default '[]',
  invoice_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  released_at timestamptz
);
create index billing_drafts_tenant on billing_drafts (tenant_id, status, id);
create unique index billing_drafts_one_open_per_project on billing_drafts (tenant_id, project_external_id)
  where status = 'open' and source = 'project';

create table billing_items (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  entry_external_id text not null,
  part text not null,
  task_external_id text not null,
  project_external_id text not null,
  line_kind text not null,
  quantity text not null,
  work_date text not null,
  user_id text not null,
  status text not null default 'pending',
  draft_id text references billing_drafts(id),
  invoice_id text,
  frozen jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, entry_external_id, part)
);
create index billing_items_draft on billing_items (draft_id);
create index billing_items_tenant on billing_items (tenant_id, status, project_external_id);

create table billing_invoices (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  draft_id text not null unique references billing_drafts(id),
  number bigint not null,
  type text not null,
  customer_external_id text not null,
  project_external_id text,
  period_from text,
  period_to text,
  invoice_date text not null,
  document jsonb not null,
  view jsonb not null,
  totals jsonb not null,
  sync_record_id text,
  handoff_error jsonb,
  status text not null default 'ready_to_send',
  sent_at timestamptz,
  sent_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, number)
);
create index billing_invoices_tenant on billing_invoices (tenant_id, status, number);

create table billing_operations (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  kind text not null,
  status text not null default 'queued',
  params jsonb not null default '{}',
  counts jsonb not null default '{}',
  problems jsonb not null default '[]',
  error jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index billing_operations_unfinished on billing_operations (status, created_at) where status in ('queued', 'running');
`;

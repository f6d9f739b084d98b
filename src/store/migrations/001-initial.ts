/** The first schema: tenants and keys, connections, sync records and their history, webhooks, links, mappings, audit. */
export const initial = `
create table tenants (
  id text primary key,
  name text not null,
  reference_seq bigint not null default 0,
  created_at timestamptz not null default now()
);

create table api_keys (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  key_hash text not null unique,
  roles text[] not null,
  label text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create table connections (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  provider text not null,
  settings jsonb not null,
  secrets text not null,
  healthy boolean not null default true,
  last_success_at timestamptz,
  last_error_at timestamptz,
  last_error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, provider)
);

create table sync_records (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  external_id text not null,
  revision integer not null,
  idempotency_key text,
  body_hash text not null,
  document jsonb not null,
  provider text not null,
  type text not null,
  status text not null,
  reference text not null unique,
  reference_number text not null,
  provider_invoice_id text,
  provider_invoice_number text,
  provider_state text,
  totals jsonb not null,
  resolved jsonb,
  warnings jsonb not null default '[]',
  last_error jsonb,
  attempt_count integer not null default 0,
  retry_base integer not null default 0,
  schedule_seq integer not null default 0,
  next_attempt_at timestamptz,
  in_doubt_since timestamptz,
  create_sent boolean not null default false,
  first_sent_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  synced_at timestamptz,
  unique (tenant_id, external_id, revision)
);
create unique index sync_records_idempotency_key on sync_records (tenant_id, idempotency_key) where idempotency_key is not null;
create index sync_records_tenant_created on sync_records (tenant_id, created_at desc, id desc);
create index sync_records_unfinished on sync_records (status, next_attempt_at) where status in ('queued', 'syncing', 'retrying', 'in_doubt');

create table sync_attempts (
  id bigserial primary key,
  record_id text not null references sync_records(id) on delete cascade,
  number integer not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  outcome text not null default 'pending',
  steps jsonb not null default '[]',
  error jsonb,
  exchanges jsonb not null default '[]',
  worker text,
  unique (record_id, number)
);

create table status_history (
  id bigserial primary key,
  record_id text not null references sync_records(id) on delete cascade,
  status text not null,
  message text,
  error jsonb,
  at timestamptz not null default now()
);
create index status_history_record on status_history (record_id, id);

create table webhook_endpoints (
  tenant_id text primary key references tenants(id) on delete cascade,
  url text not null,
  secret text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table webhook_deliveries (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  record_id text references sync_records(id) on delete cascade,
  event_type text not null,
  payload jsonb not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_deliveries_pending on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_record on webhook_deliveries (record_id, created_at);

create table webhook_delivery_attempts (
  id bigserial primary key,
  delivery_id text not null references webhook_deliveries(id) on delete cascade,
  at timestamptz not null default now(),
  url text not null,
  status integer,
  error text,
  duration_ms integer not null
);

create table customer_links (
  tenant_id text not null references tenants(id) on delete cascade,
  provider text not null,
  customer_external_id text not null,
  provider_customer_id text not null,
  how text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, provider, customer_external_id)
);

create table product_links (
  tenant_id text not null references tenants(id) on delete cascade,
  provider text not null,
  product_code text not null,
  provider_product_id text not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, provider, product_code)
);

create table product_mappings (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  scope text not null,
  scope_id text not null default '',
  line_kind text not null,
  product jsonb not null,
  provider_products jsonb,
  auto_created boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, scope, scope_id, line_kind)
);

create table audit_log (
  id bigserial primary key,
  tenant_id text,
  actor text not null,
  action text not null,
  target text,
  details jsonb,
  at timestamptz not null default now()
);
create index audit_log_tenant on audit_log (tenant_id, id);
`;

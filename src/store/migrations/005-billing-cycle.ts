/**
 * Billing by period (issue 12): timesheet locks and approvals from the host,
 * which the invoicing cycle reads to tell whether a period's time is ready.
 * Days are YYYY-MM-DD text in the tenant's time zone, as in 004-billing.
 */
export const billingCycle = `
create table billing_locks (
  tenant_id text not null references tenants(id) on delete cascade,
  user_id text not null,
  locked_until text,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

create table billing_approvals (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  user_id text not null,
  from_day text not null,
  to_day text not null,
  approved_by text,
  created_at timestamptz not null default now(),
  unique (tenant_id, user_id, from_day, to_day)
);
create index billing_approvals_user on billing_approvals (tenant_id, user_id, from_day);
`;

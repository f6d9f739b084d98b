/**
 * Revisions and cancellation (issue 8): one live invoice per externalId.
 *
 * - `superseded_by`: the newer revision that took this record's place (status
 *   `superseded`); `supersedes` is derived from it.
 * - `cancel_requested_at/by`: a cancel asked for while a worker held the record,
 *   or while its create was in doubt; the engine carries it out (or, if the
 *   invoice turns out to be at the provider, says why it could not).
 * - `provider_actions`: every provider action a record took — created, adopted,
 *   edited, invalidated, credited — each written before it is sent and marked
 *   done after, so a crash between two steps of a replace resumes instead of
 *   repeating. A credit note carries its own reference, found by lookup before
 *   it is ever sent again.
 */
export const revisions = `
alter table sync_records add column if not exists superseded_by text references sync_records(id);
alter table sync_records add column if not exists cancel_requested_at timestamptz;
alter table sync_records add column if not exists cancel_requested_by text;
create index if not exists sync_records_chain on sync_records (tenant_id, external_id, revision desc);
create index if not exists sync_records_superseded_by on sync_records (superseded_by) where superseded_by is not null;
create index if not exists sync_records_credited on sync_records (tenant_id, (document->>'creditedExternalId')) where type = 'credit_note';

create table if not exists provider_actions (
  id bigserial primary key,
  record_id text not null references sync_records(id) on delete cascade,
  target_record_id text references sync_records(id) on delete cascade,
  kind text not null,
  status text not null default 'planned',
  reference text,
  invoice jsonb,
  provider_invoice_id text,
  provider_invoice_number text,
  provider_state text,
  detail text,
  sent_at timestamptz,
  done_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists provider_actions_record on provider_actions (record_id, id);
create unique index if not exists provider_actions_step on provider_actions (record_id, kind, coalesce(target_record_id, ''));
`;

/**
 * A fast intake (issue 10) without giving up a guarantee.
 *
 * - `ledgerlink_accept(record, delivery)` does intake's whole write in one round
 *   trip and one transaction: under the invoice's lock (the same advisory lock
 *   the engine's claims take) it finds an existing (externalId, revision) or
 *   Idempotency-Key, refuses a revision lower than the newest, and otherwise
 *   inserts the record (first scheduling generation), its history entry and —
 *   when the tenant has a webhook — its `invoice.queued` event (sequence 1).
 * - Configuration that intake reads on every request (API keys, connections,
 *   product mappings, the webhook) is cached in each process. These triggers
 *   bump the tenant's `config_version` in the transaction of every change,
 *   whichever path wrote it; each request reads that one number first, so a
 *   revoked key or an edited mapping takes effect at once in every process.
 *   Connection health updates (every sync) are not configuration.
 */
export const fastIntake = `
create or replace function ledgerlink_accept(r jsonb, delivery jsonb)
returns table (outcome text, natural_id text, key_id text, newest_id text, newest_revision integer, newest_status text, created_at timestamptz)
language plpgsql as $$
#variable_conflict use_column
declare
  v_tenant text := r->>'tenant_id';
  v_external text := r->>'external_id';
  v_revision integer := (r->>'revision')::integer;
  v_key text := r->>'idempotency_key';
  v_natural text;
  v_by_key text;
  v_newest record;
  v_created timestamptz;
begin
  perform pg_advisory_xact_lock(7318, hashtext(v_tenant || chr(31) || v_external));
  select s.id into v_natural from sync_records s where s.tenant_id = v_tenant and s.external_id = v_external and s.revision = v_revision;
  if v_key is not null then
    select s.id into v_by_key from sync_records s where s.tenant_id = v_tenant and s.idempotency_key = v_key;
  end if;
  if v_natural is not null or v_by_key is not null then
    return query select 'existing'::text, v_natural, v_by_key, null::text, null::integer, null::text, null::timestamptz;
    return;
  end if;
  select s.id, s.revision, s.status into v_newest from sync_records s
   where s.tenant_id = v_tenant and s.external_id = v_external order by s.revision desc limit 1;
  if v_newest.id is not null and v_newest.revision > v_revision then
    return query select 'stale'::text, null::text, null::text, v_newest.id::text, v_newest.revision::integer, v_newest.status::text, null::timestamptz;
    return;
  end if;
  insert into sync_records (id, tenant_id, external_id, revision, idempotency_key, body_hash, document, provider, type,
                            status, reference, reference_number, totals, resolved, warnings, schedule_seq)
  values (r->>'id', v_tenant, v_external, v_revision, v_key, r->>'body_hash', r->'document', r->>'provider', r->>'type',
          'queued', r->>'reference', r->>'reference_number', r->'totals', r->'resolved', r->'warnings', 1)
  returning sync_records.created_at into v_created;
  insert into status_history (record_id, status, message) values (r->>'id', 'queued', 'accepted');
  if delivery is not null then
    insert into record_event_sequences (record_id, last_sequence) values (r->>'id', 1);
    insert into webhook_deliveries (id, tenant_id, record_id, event_type, payload, sequence)
    values (delivery->>'id', v_tenant, r->>'id', 'invoice.queued', delivery->'payload', 1);
  end if;
  return query select 'inserted'::text, null::text, null::text, null::text, null::integer, null::text, v_created;
end
$$;

-- Many acceptances in one statement and one transaction (intake batches the requests that arrive
-- together: one round trip and one commit for all of them). Invoices are taken in the order of
-- their lock keys, so two batches never wait for each other's locks in a circle.
create or replace function ledgerlink_accept_many(items jsonb)
returns table (idx integer, outcome text, natural_id text, key_id text, newest_id text, newest_revision integer, newest_status text, created_at timestamptz)
language plpgsql as $$
#variable_conflict use_column
declare
  item record;
begin
  for item in
    select (e.ordinality - 1)::integer as i, e.value as v
      from jsonb_array_elements(items) with ordinality as e
     order by hashtext((e.value->'r'->>'tenant_id') || chr(31) || (e.value->'r'->>'external_id')), e.ordinality
  loop
    return query select item.i, a.* from ledgerlink_accept(item.v->'r', case when jsonb_typeof(item.v->'delivery') = 'object' then item.v->'delivery' else null end) a;
  end loop;
end
$$;

alter table tenants add column if not exists config_version bigint not null default 0;

create or replace function ledgerlink_config_changed() returns trigger language plpgsql as $$
begin
  update tenants set config_version = config_version + 1
   where id = case when tg_op = 'DELETE' then old.tenant_id else new.tenant_id end;
  return null;
end
$$;

drop trigger if exists api_keys_changed on api_keys;
create trigger api_keys_changed after insert or update or delete on api_keys
  for each row execute function ledgerlink_config_changed();
drop trigger if exists connections_changed on connections;
create trigger connections_changed after insert or delete or update of provider, settings, secrets on connections
  for each row execute function ledgerlink_config_changed();
drop trigger if exists product_mappings_changed on product_mappings;
create trigger product_mappings_changed after insert or update or delete on product_mappings
  for each row execute function ledgerlink_config_changed();
drop trigger if exists webhook_endpoints_changed on webhook_endpoints;
create trigger webhook_endpoints_changed after insert or update or delete on webhook_endpoints
  for each row execute function ledgerlink_config_changed();
`;

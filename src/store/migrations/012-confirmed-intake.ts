/**
 * Intake's write confirms the configuration the request was decided on
 * (issue 10).
 *
 * Every request used to ask the database for its tenant's `config_version`
 * first (one round trip, batched, before its key was trusted), so that a
 * revoked key or an edited mapping took effect at once in every process. Intake
 * now trusts what the process has cached and sends, with each invoice, the
 * version it was decided on (`cv`); this checks it in the write's own
 * transaction. If any item's tenant has moved to another version, nothing of
 * the batch is written: those items come back `config_changed` (the API reads
 * the configuration anew, key included, and decides the request again), the
 * others `not_written` (sent again at once). Items without `cv` are not checked.
 *
 * The check is at least as strict as the old one: a change committed before
 * this statement is seen, and that is later than the request's own start.
 */
export const confirmedIntake = `
create or replace function ledgerlink_accept_confirmed(items jsonb)
returns table (idx integer, outcome text, natural_id text, key_id text, newest_id text, newest_revision integer, newest_status text, created_at timestamptz)
language plpgsql as $$
begin
  if exists (select 1 from jsonb_array_elements(items) e
               left join tenants t on t.id = e->'r'->>'tenant_id'
              where jsonb_typeof(e->'cv') = 'string' and t.config_version::text is distinct from e->>'cv') then
    return query
      select (e.ordinality - 1)::integer,
             case when jsonb_typeof(e.value->'cv') = 'string' and t.config_version::text is distinct from e.value->>'cv'
                  then 'config_changed' else 'not_written' end,
             null::text, null::text, null::text, null::integer, null::text, null::timestamptz
        from jsonb_array_elements(items) with ordinality as e
        left join tenants t on t.id = e.value->'r'->>'tenant_id'
       order by e.ordinality;
    return;
  end if;
  return query select * from ledgerlink_accept_set(items);
end
$$;
`;

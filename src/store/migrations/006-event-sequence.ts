/**
 * Each record's status events are numbered 1, 2, 3… (`data.sequence`), so a
 * host can order two events of one invoice that carry the same timestamp.
 * The counter row is bumped in the transaction that changes the status, and
 * the number is kept with the delivery.
 */
export const eventSequence = `
create table if not exists record_event_sequences (
  record_id text primary key references sync_records(id) on delete cascade,
  last_sequence integer not null
);
alter table webhook_deliveries add column if not exists sequence integer;
`;

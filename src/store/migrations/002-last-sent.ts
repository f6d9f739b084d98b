/**
 * When the latest create was sent: a lookup that finds nothing only counts as
 * "not created" once the provider has had time to finish that request.
 */
export const lastSent = `alter table sync_records add column if not exists last_sent_at timestamptz;`;

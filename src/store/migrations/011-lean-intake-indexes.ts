/**
 * Every index on sync_records is written by every accepted invoice. The chain
 * index (tenant_id, external_id, revision desc) repeated the unique constraint
 * on the same columns: a b-tree is read backwards as readily as forwards, so
 * "the newest revision of an externalId" uses the constraint's index.
 */
export const leanIntakeIndexes = `
drop index if exists sync_records_chain;
`;

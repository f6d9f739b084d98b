/**
 * An invoice's document and its resolution are compressed with lz4 where the
 * server has it (issue 10).
 *
 * A record's row is over PostgreSQL's 2 kB threshold (document plus resolved
 * lines), so every insert compresses them; with the default pglz that was a
 * tenth of the accept statement's CPU. lz4 is several times faster at both ends.
 * Measured with intake's own batches of 37 (replayed on one connection,
 * backend CPU from /proc): 60.4–61.3 µs an invoice with pglz, 54.1–55.0 with lz4.
 * Rows written before keep pglz; both read the same. PGlite, and servers built
 * without lz4, keep pglz. The statements are EXECUTEd: PostgreSQL 13 and older
 * do not know SET COMPRESSION, and PL/pgSQL checks the syntax of every statement
 * of the block, also of a branch that never runs. (A dump of such a database
 * says SET COMPRESSION lz4: restore it on a server built with lz4.)
 */
export const lz4Documents = `
do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    execute 'alter table sync_records alter column document set compression lz4, alter column resolved set compression lz4';
  end if;
end
$$;
`;

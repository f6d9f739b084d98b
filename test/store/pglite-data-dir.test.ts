import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrations.js';
import { openPglite } from '../../src/store/pglite-database.js';

/**
 * `npm start` keeps its embedded database in DATA_DIR. A new directory is
 * created (initdb) in a worker thread, and the service then opens it; what was
 * stored is there after a restart, with the small-install settings in force.
 */
describe('the embedded database directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created on first start, keeps what was stored across a restart, and runs with small buffers', { timeout: 120_000 }, async () => {
    const first = await openPglite(join(dir, 'data'));
    await migrate(first);
    await first.query(`insert into tenants (id, name) values ('acme', 'Acme Oy')`);
    await first.close();

    const again = await openPglite(join(dir, 'data'));
    await migrate(again);
    expect(await again.query<{ name: string }>(`select name from tenants where id = 'acme'`)).toEqual([{ name: 'Acme Oy' }]);
    const [buffers] = await again.query<{ setting: string; unit: string }>(`select setting, unit from pg_settings where name = 'shared_buffers'`);
    // 8 MB in 8 kB pages (PostgreSQL's default would be 16384 pages, 128 MB).
    expect(Number(buffers!.setting) * 8).toBe(8 * 1024);
    await again.close();
  });
});

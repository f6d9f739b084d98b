import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, referenceFor } from '../../src/domain/ids.js';
import { hashApiKey } from '../../src/http/auth.js';
import type { Database } from '../../src/store/database.js';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import type { NewRecord } from '../../src/store/records-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { Store } from '../../src/store/store.js';
import { loadConnection, saveConnection } from '../../src/sync/connection-store.js';
import { genericProvider } from '../../providers/generic/index.js';
import { freshDatabase } from '../support/harness.js';

/**
 * One suite, two databases: everything ledgerlink keeps must behave the same
 * on embedded PGlite (npm start) and on a PostgreSQL server (production).
 */
export function storeSuite(kind: 'pglite' | 'postgres'): void {
  describe(`the store on ${kind}`, () => {
    let db: Database;
    let drop: () => Promise<void>;
    let store: Store;
    const box = new SecretBox(randomBytes(32).toString('base64'));

    beforeAll(async () => {
      ({ db, drop } = await freshDatabase(kind));
      store = new Store(db);
      for (const id of ['acme', 'globex']) await store.repos.tenants.create(id, `Tenant ${id}`);
    });
    afterAll(async () => {
      await drop?.();
    });

    let seq = 0;
    const newRecord = (overrides: Partial<NewRecord> = {}): NewRecord => {
      const id = newId();
      seq += 1;
      return {
        id,
        tenantId: 'acme',
        externalId: `INV-${seq}`,
        revision: 1,
        idempotencyKey: null,
        bodyHash: 'hash',
        document: { externalId: `INV-${seq}`, customer: { externalId: 'cust-17', name: 'Esimerkki Oy' }, invoiceDate: '2026-11-30' },
        provider: 'generic',
        type: 'invoice',
        reference: referenceFor(id),
        referenceNumber: '10168',
        totals: { net: '1200.00', vat: '306.00', gross: '1506.00' },
        resolved: { lines: [] },
        warnings: [],
        ...overrides,
      };
    };
    const insert = async (overrides: Partial<NewRecord> = {}) => {
      const record = await store.repos.records.insert(newRecord(overrides));
      if (!record) throw new Error('insert returned null');
      return record;
    };

    describe('migrations', () => {
      it('are applied once: running them again (even twice at once) changes nothing', async () => {
        const applied = await db.query<{ id: string }>('select id from schema_migrations order by id');
        expect(applied.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
        expect(await migrate(db)).toEqual([]);
        expect(await Promise.all([migrate(db), migrate(db)])).toEqual([[], []]);
        const again = await db.query<{ count: number }>('select count(*)::int as count from schema_migrations');
        expect(Number(again[0]!.count)).toBe(MIGRATIONS.length);
      });

      it('compress documents with lz4 where the server has it (intake writes them faster), else as before', async () => {
        const lz4 = (await db.query(`select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)`)).length > 0;
        // The PostgreSQL here is Debian's, built with lz4; the embedded one is not.
        expect(lz4).toBe(kind === 'postgres');
        const methods = await db.query<{ attname: string; attcompression: string }>(
          `select attname, attcompression::text as attcompression from pg_attribute
            where attrelid = 'sync_records'::regclass and attname in ('document', 'resolved') order by attname`,
        );
        expect(methods).toEqual([
          { attname: 'document', attcompression: lz4 ? 'l' : '' },
          { attname: 'resolved', attcompression: lz4 ? 'l' : '' },
        ]);
        // A record big enough to be compressed reads back whole.
        const lines = Array.from({ length: 60 }, (_, i) => ({ description: `Työ ${i} `.repeat(8), quantity: '1.25', unitPrice: '100.00' }));
        const big = await insert({ document: { ...newRecord().document, lines }, resolved: { lines } });
        const read = await store.repos.records.getById(big.id);
        expect(read!.document.lines).toEqual(lines);
        expect(read!.resolved).toMatchObject({ lines });
        const stored = await db.query<{ compressed: string | null }>(`select pg_column_compression(document) as compressed from sync_records where id = $1`, [big.id]);
        expect(stored[0]!.compressed).toBe(lz4 ? 'lz4' : 'pglz');
      });
    });

    describe('tenants', () => {
      it('are created once; a second create of the same id answers null', async () => {
        expect(await store.repos.tenants.create('initech', 'Initech')).toMatchObject({ id: 'initech', name: 'Initech' });
        expect(await store.repos.tenants.create('initech', 'Someone else')).toBeNull();
        expect((await store.repos.tenants.get('initech'))?.name).toBe('Initech');
        expect(await store.repos.tenants.get('nobody')).toBeNull();
      });

      it('hand out reference numbers from a per-tenant sequence without gaps or repeats, even concurrently', async () => {
        await store.repos.tenants.create('seq-a', 'A');
        await store.repos.tenants.create('seq-b', 'B');
        const a = await Promise.all(Array.from({ length: 10 }, () => store.repos.tenants.nextReferenceSeq('seq-a')));
        expect([...a].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(await store.repos.tenants.nextReferenceSeq('seq-b')).toBe(1);
        await expect(store.repos.tenants.nextReferenceSeq('nobody')).rejects.toThrow(/not found/);
      });
    });

    describe('API keys', () => {
      it('are found by their hash only, and the key itself is never stored', async () => {
        const key = `llk_${randomBytes(16).toString('hex')}`;
        await store.repos.apiKeys.insert({ id: 'key_1', tenantId: 'acme', hash: hashApiKey(key), roles: ['host', 'finance'], label: 'erp' });
        expect(await store.repos.apiKeys.findByHash(hashApiKey(key))).toEqual({ id: 'key_1', tenantId: 'acme', roles: ['host', 'finance'], label: 'erp' });
        expect(await store.repos.apiKeys.findByHash(key)).toBeNull();
        const rows = await db.query('select * from api_keys');
        expect(JSON.stringify(rows)).not.toContain(key);
      });

      it('stop working when revoked', async () => {
        const key = `llk_${randomBytes(16).toString('hex')}`;
        await store.repos.apiKeys.insert({ id: 'key_2', tenantId: 'acme', hash: hashApiKey(key), roles: ['admin'], label: null });
        await db.query(`update api_keys set revoked_at = now() where id = 'key_2'`);
        expect(await store.repos.apiKeys.findByHash(hashApiKey(key))).toBeNull();
      });
    });

    describe('connections', () => {
      const secret = 'whsec_c3VwZXItc2VjcmV0LXNpZ25pbmcta2V5LWZvci1hY21l';

      it('keep secrets sealed: the stored column never holds the plain secret, and it opens only for its own tenant', async () => {
        const row = await saveConnection(store.repos, box, 'acme', genericProvider, { baseUrl: 'https://books.example.com', secret, timeoutMs: 1000 });
        expect(row.settings).toEqual({ baseUrl: 'https://books.example.com', timeoutMs: 1000 });
        const raw = await db.query<{ secrets: string; settings: unknown }>(`select secrets, settings from connections where tenant_id = 'acme' and provider = 'generic'`);
        expect(raw[0]!.secrets).not.toContain(secret);
        expect(raw[0]!.secrets).not.toContain(secret.slice(6));
        expect(JSON.stringify(raw[0]!.settings)).not.toContain(secret);

        const loaded = await loadConnection(store.repos, box, 'acme', 'generic');
        expect(loaded?.settings).toMatchObject({ baseUrl: 'https://books.example.com', secret });
        expect(loaded?.secretValues).toEqual([secret]);

        // The same blob under another tenant (a row copied across tenants) does not open.
        expect(() => box.open(raw[0]!.secrets, 'connection:globex:generic')).toThrow();
        await store.repos.connections.upsert({ id: 'conn_copy', tenantId: 'globex', provider: 'generic', settings: { baseUrl: 'https://x.example' }, secrets: raw[0]!.secrets });
        await expect(loadConnection(store.repos, box, 'globex', 'generic')).rejects.toThrow();
        // ... nor with another master key.
        const otherBox = new SecretBox(randomBytes(32).toString('base64'));
        expect(() => otherBox.open(raw[0]!.secrets, 'connection:acme:generic')).toThrow();
      });

      it('are one per provider: saving again replaces settings and starts health afresh', async () => {
        const first = (await store.repos.connections.get('acme', 'generic'))!;
        await store.repos.connections.markError(first.id, { code: 'generic_auth', message: 'refused' }, true);
        const sick = (await store.repos.connections.get('acme', 'generic'))!;
        expect(sick).toMatchObject({ healthy: false, lastError: { code: 'generic_auth', message: 'refused' } });
        expect(sick.lastErrorAt).toBeInstanceOf(Date);

        await saveConnection(store.repos, box, 'acme', genericProvider, { baseUrl: 'https://books2.example.com', secret });
        const list = await store.repos.connections.list('acme');
        expect(list).toHaveLength(1);
        expect(list[0]).toMatchObject({ id: first.id, healthy: true, lastError: null, settings: { baseUrl: 'https://books2.example.com' } });

        await store.repos.connections.markError(first.id, { code: 'timeout', message: 'slow' }, false);
        expect((await store.repos.connections.get('acme', 'generic'))!.healthy).toBe(true);
        await store.repos.connections.markSuccess(first.id);
        expect((await store.repos.connections.get('acme', 'generic'))!.lastSuccessAt).toBeInstanceOf(Date);
      });
    });

    describe('sync records', () => {
      it('are inserted once per (tenant, externalId, revision) and per (tenant, Idempotency-Key)', async () => {
        const first = await insert({ externalId: 'DUP-1', idempotencyKey: 'key-dup-1' });
        expect(first).toMatchObject({ status: 'queued', attemptCount: 0, createSent: false, leaseOwner: null, totals: { gross: '1506.00' } });
        expect(await store.repos.records.insert(newRecord({ externalId: 'DUP-1' }))).toBeNull();
        expect(await store.repos.records.insert(newRecord({ externalId: 'DUP-OTHER', idempotencyKey: 'key-dup-1' }))).toBeNull();
        // The next revision, and the same number at another tenant, are new records.
        expect(await store.repos.records.insert(newRecord({ externalId: 'DUP-1', revision: 2 }))).not.toBeNull();
        expect(await store.repos.records.insert(newRecord({ tenantId: 'globex', externalId: 'DUP-1', idempotencyKey: 'key-dup-1' }))).not.toBeNull();

        expect((await store.repos.records.findByNaturalKey('acme', 'DUP-1', 1))?.id).toBe(first.id);
        expect((await store.repos.records.findByIdempotencyKey('acme', 'key-dup-1'))?.id).toBe(first.id);
        expect(await store.repos.records.get('globex', first.id)).toBeNull();
        expect((await store.repos.records.getById(first.id))?.tenantId).toBe('acme');
      });

      it("keep the invoice snapshot's copy of the document once (in the document column), and read it back whole", async () => {
        const document = { externalId: 'SNAP-1', customer: { externalId: 'cust-17', name: 'Esimerkki Oy' }, invoiceDate: '2026-11-30' };
        const viaAccept = newRecord({ externalId: 'SNAP-1', document, resolved: { lines: [{ n: 1 }], document } });
        expect((await store.repos.records.acceptMany([{ record: viaAccept, queuedEvent: null }]))[0]!.outcome).toBe('inserted');
        const viaInsert = await insert({ externalId: 'SNAP-2', document: { ...document, externalId: 'SNAP-2' }, resolved: { lines: [], document: { other: true } } });
        const raw = await store.db.query<{ id: string; resolved: Record<string, unknown> }>('select id, resolved from sync_records where id = any($1)', [[viaAccept.id, viaInsert.id]]);
        expect(raw.find((r) => r.id === viaAccept.id)!.resolved).toEqual({ lines: [{ n: 1 }] });
        // A snapshot whose document differs from the row's is kept as it is.
        expect(raw.find((r) => r.id === viaInsert.id)!.resolved).toEqual({ lines: [], document: { other: true } });
        expect((await store.repos.records.getById(viaAccept.id))!.resolved).toEqual({ lines: [{ n: 1 }], document });
        expect((await store.repos.records.getById(viaInsert.id))!.resolved).toEqual({ lines: [], document: { other: true } });
      });

      it("are accepted a batch at a time: each item gets its own outcome, in the batch's order, as if accepted one by one", async () => {
        const taken = await insert({ externalId: 'BATCH-TAKEN', idempotencyKey: 'batch-key-taken' });
        const newer = await insert({ externalId: 'BATCH-NEWER', revision: 3 });
        const fresh = newRecord({ externalId: 'BATCH-NEW' });
        const withEvent = newRecord({ externalId: 'BATCH-EVENT' });
        const items = [
          { record: fresh, queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-TAKEN' }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-OTHER', idempotencyKey: 'batch-key-taken' }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-NEWER', revision: 2 }), queuedEvent: null },
          { record: withEvent, queuedEvent: { id: `msg_${newId()}`, payload: { type: 'invoice.queued' } } },
        ];
        const outcomes = await store.repos.records.acceptMany(items);
        expect(outcomes.map((o) => o.outcome)).toEqual(['inserted', 'existing', 'existing', 'stale', 'inserted']);
        expect(outcomes[1]).toMatchObject({ naturalId: taken.id, keyId: null });
        expect(outcomes[2]).toMatchObject({ naturalId: null, keyId: taken.id });
        expect(outcomes[3]).toMatchObject({ newest: { id: newer.id, revision: 3, status: 'queued' } });
        // What was inserted is whole: the record, its history entry, and (with a webhook) its event.
        expect((await store.repos.records.getById(fresh.id))?.status).toBe('queued');
        expect((await store.repos.history.list(fresh.id)).map((h) => h.status)).toEqual(['queued']);
        const events = await db.query<{ record_id: string; sequence: number }>('select record_id, sequence from webhook_deliveries where record_id = any($1)', [[fresh.id, withEvent.id]]);
        expect(events).toEqual([{ record_id: withEvent.id, sequence: 1 }]);
        expect(await store.repos.records.findByNaturalKey('acme', 'BATCH-OTHER', 1)).toBeNull();
        expect(await store.repos.records.findByNaturalKey('acme', 'BATCH-NEWER', 2)).toBeNull();
      });

      it('in one batch, two items of the same invoice or the same key are taken in order: the first stands', async () => {
        const items = [
          { record: newRecord({ externalId: 'BATCH-TWICE', revision: 2 }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-TWICE', revision: 1 }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-TWICE', revision: 2 }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-KEY-1', idempotencyKey: 'batch-key-shared' }), queuedEvent: null },
          { record: newRecord({ externalId: 'BATCH-KEY-2', idempotencyKey: 'batch-key-shared' }), queuedEvent: null },
        ];
        const outcomes = await store.repos.records.acceptMany(items);
        expect(outcomes.map((o) => o.outcome)).toEqual(['inserted', 'stale', 'existing', 'inserted', 'existing']);
        expect(outcomes[2]).toMatchObject({ naturalId: items[0]!.record.id });
        expect(outcomes[4]).toMatchObject({ keyId: items[3]!.record.id });
        const rows = await db.query<{ external_id: string }>("select external_id from sync_records where external_id like 'BATCH-TWICE' or external_id like 'BATCH-KEY-%' order by external_id");
        expect(rows.map((r) => r.external_id)).toEqual(['BATCH-KEY-1', 'BATCH-TWICE']);
      });

      it('with the configuration version they were decided on: nothing of a tenant whose configuration moved is written, the rest is', async () => {
        const version = (await store.repos.tenants.configVersion('acme'))!;
        const globex = (await store.repos.tenants.configVersion('globex'))!;
        const items = [
          { record: newRecord({ externalId: 'CV-NOW' }), queuedEvent: null, configVersion: version },
          { record: newRecord({ externalId: 'CV-GLOBEX', tenantId: 'globex' }), queuedEvent: null, configVersion: String(Number(globex) - 1) },
          { record: newRecord({ externalId: 'CV-UNCHECKED' }), queuedEvent: null },
        ];
        const outcomes = await store.repos.records.acceptMany(items);
        expect(outcomes.map((o) => o.outcome)).toEqual(['inserted', 'config_changed', 'inserted']);
        expect(await store.repos.records.findByNaturalKey('globex', 'CV-GLOBEX', 1)).toBeNull();
        expect((await store.repos.records.findByNaturalKey('acme', 'CV-NOW', 1))?.id).toBe(items[0]!.record.id);
        expect((await store.repos.records.findByNaturalKey('acme', 'CV-UNCHECKED', 1))?.id).toBe(items[2]!.record.id);

        // A change of configuration (a key issued) moves the version: what was decided before it is not written.
        await store.repos.apiKeys.insert({ id: `key_${newId()}`, tenantId: 'acme', hash: hashApiKey(`cv-${newId()}`), roles: ['host'], label: null });
        expect(await store.repos.tenants.configVersion('acme')).not.toBe(version);
        const late = newRecord({ externalId: 'CV-LATE' });
        expect((await store.repos.records.acceptMany([{ record: late, queuedEvent: null, configVersion: version }]))[0]).toEqual({ outcome: 'config_changed' });
        expect(await store.repos.records.findByNaturalKey('acme', 'CV-LATE', 1)).toBeNull();
      });

      it('are claimed by one worker at a time; the lease frees on release or expiry', async () => {
        const r = await insert();
        const a = await store.repos.records.claim(r.id, 'worker-a', 60_000);
        expect(a?.leaseOwner).toBe('worker-a');
        expect(await store.repos.records.claim(r.id, 'worker-b', 60_000)).toBeNull();
        expect((await store.repos.records.claim(r.id, 'worker-a', 60_000))?.leaseOwner).toBe('worker-a');
        expect(await store.repos.records.renewLease(r.id, 'worker-b', 60_000)).toBe(false);
        expect(await store.repos.records.renewLease(r.id, 'worker-a', 60_000)).toBe(true);
        await store.repos.records.release(r.id, 'worker-b');
        expect(await store.repos.records.claim(r.id, 'worker-b', 60_000)).toBeNull();
        await store.repos.records.release(r.id, 'worker-a');
        expect((await store.repos.records.claim(r.id, 'worker-b', 60_000))?.leaseOwner).toBe('worker-b');

        // A lease that ran out (a worker that died) can be taken over.
        await db.query(`update sync_records set lease_until = now() - interval '1 second' where id = $1`, [r.id]);
        expect((await store.repos.records.claim(r.id, 'worker-c', 60_000))?.leaseOwner).toBe('worker-c');
      });

      it('go to exactly one of many workers claiming at the same moment', async () => {
        const r = await insert();
        const owners = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
        const results = await Promise.all(owners.map((o) => store.repos.records.claim(r.id, o, 60_000)));
        const winners = results.filter((x) => x !== null);
        expect(winners).toHaveLength(1);
        expect((await store.repos.records.getById(r.id))!.leaseOwner).toBe(winners[0]!.leaseOwner);
      });

      it('are not claimed once finished', async () => {
        const r = await insert();
        await store.repos.records.setStatus(r.id, 'synced', { providerInvoiceId: 'G-1' });
        expect(await store.repos.records.claim(r.id, 'worker-a', 60_000)).toBeNull();
        await store.repos.records.setStatus(r.id, 'failed');
        expect(await store.repos.records.claim(r.id, 'worker-a', 60_000)).toBeNull();
      });

      it('change status with their patch, keep their history in order, and count attempts and generations', async () => {
        const r = await insert();
        const error = { code: 'generic_rate_limited', category: 'rate_limit', message: 'slow down' };
        const next = new Date(Date.now() + 60_000);
        const updated = await store.repos.records.setStatus(r.id, 'retrying', { lastError: error, nextAttemptAt: next });
        expect(updated).toMatchObject({ status: 'retrying', lastError: error });
        expect(updated.nextAttemptAt!.getTime()).toBe(next.getTime());
        await store.repos.history.add(r.id, 'queued', 'accepted', null);
        await store.repos.history.add(r.id, 'retrying', 'rate limited', error);
        await store.repos.history.add(r.id, 'synced', 'created at the provider', null);
        expect((await store.repos.history.list(r.id)).map((h) => [h.status, h.message, h.error])).toEqual([
          ['queued', 'accepted', null],
          ['retrying', 'rate limited', error],
          ['synced', 'created at the provider', null],
        ]);

        expect(await store.repos.records.bumpAttempt(r.id)).toBe(1);
        expect(await store.repos.records.bumpAttempt(r.id)).toBe(2);
        expect(await store.repos.records.bumpSchedule(r.id)).toBe(1);
        expect(await store.repos.records.bumpSchedule(r.id)).toBe(2);
        const reset = await store.repos.records.setStatus(r.id, 'queued', { lastError: null, nextAttemptAt: null }, { resetRetries: true });
        expect(reset).toMatchObject({ attemptCount: 2, retryBase: 2, scheduleSeq: 2, lastError: null, nextAttemptAt: null });
        await expect(store.repos.records.setStatus('no-such-record', 'queued')).rejects.toThrow(/not found/);
      });

      it('remember that a create may have been sent, when it first went and when its bytes last left, and only for the lease holder', async () => {
        const r = await insert();
        const t1 = new Date('2026-11-30T10:00:00Z');
        expect(await store.repos.records.markCreateSent(r.id, 'w1', t1)).toBe(false);
        expect((await store.repos.records.getById(r.id))!.createSent).toBe(false);
        await store.repos.records.claim(r.id, 'w1', 60_000);
        expect(await store.repos.records.markCreateSent(r.id, 'w2', t1)).toBe(false);
        expect(await store.repos.records.markCreateSent(r.id, 'w1', t1)).toBe(true);
        const marked = (await store.repos.records.getById(r.id))!;
        expect(marked.createSent).toBe(true);
        expect(marked.firstSentAt!.getTime()).toBe(t1.getTime());
        // Marked, but the bytes have not left yet (a lock or a rate limit may still hold them).
        expect(marked.lastSentAt).toBeNull();
        const onWire = new Date('2026-11-30T10:00:07Z');
        expect(await store.repos.records.markCreateOnWire(r.id, 'w2', onWire)).toBe(false);
        expect(await store.repos.records.markCreateOnWire(r.id, 'w1', onWire)).toBe(true);
        expect((await store.repos.records.getById(r.id))!.lastSentAt!.getTime()).toBe(onWire.getTime());

        await store.repos.records.setStatus(r.id, 'in_doubt', { createSent: false });
        const t2 = new Date('2026-11-30T11:00:00Z');
        expect(await store.repos.records.markCreateSent(r.id, 'w1', t2)).toBe(true);
        const again = (await store.repos.records.getById(r.id))!;
        expect(again.createSent).toBe(true);
        expect(again.firstSentAt!.getTime()).toBe(t1.getTime());
        expect(again.lastSentAt).toBeNull();
        // An expired lease no longer allows either: another worker may have the record by now.
        await db.query(`update sync_records set lease_until = now() - interval '1 second' where id = $1`, [r.id]);
        expect(await store.repos.records.markCreateSent(r.id, 'w1', t2)).toBe(false);
        expect(await store.repos.records.markCreateOnWire(r.id, 'w1', t2)).toBe(false);
      });

      it('the sweep finds each connection with work once; a runner reserves its due records, oldest due first, and others take other ones', async () => {
        await store.repos.tenants.create('sweeper', 'Sweeper');
        const queued = await insert({ tenantId: 'sweeper' });
        const held = await insert({ tenantId: 'sweeper' });
        const expired = await insert({ tenantId: 'sweeper' });
        const done = await insert({ tenantId: 'sweeper' });
        const later = await insert({ tenantId: 'sweeper' });
        const elsewhere = await insert({ tenantId: 'sweeper', provider: 'procountor' });
        await store.repos.records.claim(held.id, 'w', 60_000);
        await store.repos.records.claim(expired.id, 'w', 60_000);
        await db.query(`update sync_records set status = 'syncing', lease_until = now() - interval '1 second', created_at = now() - interval '1 hour' where id = $1`, [expired.id]);
        await store.repos.records.setStatus(done.id, 'synced');
        const inAnHour = new Date(Date.now() + 3_600_000);
        await store.repos.records.setStatus(later.id, 'retrying', { nextAttemptAt: inAnHour });

        const connections = await store.repos.records.connectionsWithWork(100);
        expect(connections.filter((c) => c.tenantId === 'sweeper').map((c) => c.provider).sort()).toEqual(['generic', 'procountor']);

        const reserved = await store.repos.records.reserveDue('sweeper', 'generic', 'runner:a', 60_000, 10);
        // The one due longest first; never one a live worker holds, a finished one, or one due later.
        expect(reserved).toEqual([expired.id, queued.id]);
        expect(await store.repos.records.reserveDue('sweeper', 'generic', 'runner:b', 60_000, 10)).toEqual([]);
        expect((await store.repos.records.reserveDue('sweeper', 'generic', 'runner:a', 60_000, 10)).sort()).toEqual([expired.id, queued.id].sort());
        expect(elsewhere.provider).toBe('procountor');
        expect((await store.repos.records.nextDueAt('sweeper', 'generic'))!.getTime()).toBe(inAnHour.getTime());

        // A runner that died: its reservations run out and are taken over once.
        await db.query(`update sync_records set lease_until = now() - interval '1 second' where lease_owner = 'runner:a'`);
        const orphans = await store.repos.records.reclaimOrphans(100);
        expect(orphans).toContainEqual({ tenantId: 'sweeper', provider: 'generic' });
        expect(await store.repos.records.reclaimOrphans(100)).toEqual([]);
        expect((await store.repos.records.reserveDue('sweeper', 'generic', 'runner:b', 60_000, 10)).sort()).toEqual([expired.id, queued.id].sort());
      });

      it('list newest first with filters and a cursor', async () => {
        await store.repos.tenants.create('lister', 'Lister');
        const made = [];
        for (let i = 0; i < 5; i++) {
          made.push(await insert({ tenantId: 'lister', id: newId(new Date(Date.UTC(2026, 0, 1 + i))), provider: i % 2 ? 'procountor' : 'generic' }));
        }
        // created_at comes from the database clock; spread them so from/to filters can be checked.
        for (const [i, r] of made.entries()) {
          await db.query('update sync_records set created_at = $2 where id = $1', [r.id, new Date(Date.UTC(2026, 0, 1 + i))]);
        }
        await store.repos.records.setStatus(made[4]!.id, 'failed');
        const ids = made.map((r) => r.id);
        const page1 = await store.repos.records.list('lister', {}, { limit: 2 });
        expect(page1.map((r) => r.id)).toEqual([ids[4], ids[3]]);
        const page2 = await store.repos.records.list('lister', {}, { limit: 2, before: page1[1]!.id });
        expect(page2.map((r) => r.id)).toEqual([ids[2], ids[1]]);
        expect((await store.repos.records.list('lister', { provider: 'procountor' }, { limit: 10 })).map((r) => r.id)).toEqual([ids[3], ids[1]]);
        expect((await store.repos.records.list('lister', { status: ['failed'] }, { limit: 10 })).map((r) => r.id)).toEqual([ids[4]]);
        const window = await store.repos.records.list('lister', { from: new Date(Date.UTC(2026, 0, 2)), to: new Date(Date.UTC(2026, 0, 4)) }, { limit: 10 });
        expect(window.map((r) => r.id)).toEqual([ids[2], ids[1]]);
        expect(await store.repos.records.ids('lister', { status: ['queued'], provider: 'generic' }, 10)).toEqual([ids[0], ids[2]]);
        const counts = await store.repos.records.countByStatus();
        expect(counts).toEqual(expect.arrayContaining([expect.objectContaining({ provider: 'generic', status: 'failed' })]));
      });
    });

    describe('attempts', () => {
      it('are written before the call (pending) and finished with steps, exchanges and error', async () => {
        const r = await insert();
        await store.repos.attempts.start(r.id, 1, 'worker-a');
        const pending = await store.repos.attempts.last(r.id);
        expect(pending).toMatchObject({ number: 1, outcome: 'pending', finishedAt: null, worker: 'worker-a', steps: [] });
        await store.repos.attempts.update(r.id, 1, { steps: [{ at: new Date().toISOString(), step: 'create sent' }] });
        expect((await store.repos.attempts.last(r.id))!.steps.map((s) => s.step)).toEqual(['create sent']);
        const error = { code: 'provider_timeout', category: 'unknown_outcome', message: 'no answer' };
        await store.repos.attempts.finish(r.id, 1, { outcome: 'in_doubt', steps: [{ at: 'x', step: 'create sent' }, { at: 'y', step: 'in_doubt' }], exchanges: [], error });
        await store.repos.attempts.start(r.id, 2, 'worker-b');
        await store.repos.attempts.finish(r.id, 2, { outcome: 'adopted', steps: [{ at: 'z', step: 'adopted' }], exchanges: [], error: null });
        const list = await store.repos.attempts.list(r.id);
        expect(list.map((a) => [a.number, a.outcome, a.error?.code ?? null])).toEqual([
          [1, 'in_doubt', 'provider_timeout'],
          [2, 'adopted', null],
        ]);
        expect(list[0]!.finishedAt).toBeInstanceOf(Date);
        // Starting the same number again (a job that ran twice) does not add a row.
        await store.repos.attempts.start(r.id, 2, 'worker-c');
        expect(await store.repos.attempts.list(r.id)).toHaveLength(2);
      });
    });

    describe('webhook deliveries', () => {
      it('keep one endpoint per tenant, log every try, and offer due ones to the sweep', async () => {
        await store.repos.webhooks.setEndpoint('acme', 'https://hooks.example/a', 'sealed-1');
        await store.repos.webhooks.setEndpoint('acme', 'https://hooks.example/b', 'sealed-2');
        expect(await store.repos.webhooks.endpoint('acme')).toEqual({ tenantId: 'acme', url: 'https://hooks.example/b', secret: 'sealed-2' });
        expect(await store.repos.webhooks.endpoint('initech')).toBeNull();

        const r = await insert();
        await store.repos.webhooks.addDelivery({ id: 'msg_1', tenantId: 'acme', recordId: r.id, eventType: 'invoice.queued', payload: { type: 'invoice.queued' } });
        await store.repos.webhooks.addDelivery({ id: 'msg_2', tenantId: 'acme', recordId: r.id, eventType: 'invoice.synced', payload: { type: 'invoice.synced' } });
        expect(await store.repos.webhooks.delivery('msg_1')).toMatchObject({ status: 'pending', attempts: 0, payload: { type: 'invoice.queued' } });
        expect((await store.repos.webhooks.due(10_000)).map((d) => d.id)).toEqual(expect.arrayContaining(['msg_1', 'msg_2']));

        const later = new Date(Date.now() + 60_000);
        const retrying = await store.repos.webhooks.recordAttempt('msg_1', { url: 'https://hooks.example/b', status: 500, error: 'HTTP 500', durationMs: 12, delivered: false, nextAttemptAt: later, giveUp: false });
        expect(retrying).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
        expect((await store.repos.webhooks.due(10_000)).map((d) => d.id)).not.toContain('msg_1');
        const done = await store.repos.webhooks.recordAttempt('msg_1', { url: 'https://hooks.example/b', status: 204, error: null, durationMs: 8, delivered: true, nextAttemptAt: null, giveUp: false });
        expect(done).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
        expect(done.deliveredAt).toBeInstanceOf(Date);
        const failed = await store.repos.webhooks.recordAttempt('msg_2', { url: 'https://hooks.example/b', status: null, error: 'ECONNREFUSED', durationMs: 1, delivered: false, nextAttemptAt: null, giveUp: true });
        expect(failed.status).toBe('failed');
        expect((await store.repos.webhooks.attempts('msg_1')).map((a) => a.status)).toEqual([500, 204]);
        expect((await store.repos.webhooks.deliveriesFor(r.id)).map((d) => d.id)).toEqual(['msg_1', 'msg_2']);
        const dueNow = (await store.repos.webhooks.due(10_000)).map((d) => d.id);
        expect(dueNow).not.toContain('msg_1');
        expect(dueNow).not.toContain('msg_2');
      });
    });

    describe('links', () => {
      it('link customers per provider (replaceable, deletable) and products per code', async () => {
        expect(await store.repos.links.customer('acme', 'generic', 'cust-17')).toBeNull();
        await store.repos.links.setCustomer('acme', { provider: 'generic', customerExternalId: 'cust-17', providerCustomerId: 'C-1', how: 'created' });
        await store.repos.links.setCustomer('acme', { provider: 'procountor', customerExternalId: 'cust-17', providerCustomerId: '991', how: 'matched' });
        const relinked = await store.repos.links.setCustomer('acme', { provider: 'generic', customerExternalId: 'cust-17', providerCustomerId: 'C-2', how: 'manual' });
        expect(relinked).toMatchObject({ providerCustomerId: 'C-2', how: 'manual' });
        expect((await store.repos.links.customerAll('acme', 'cust-17')).map((l) => [l.provider, l.providerCustomerId])).toEqual([
          ['generic', 'C-2'],
          ['procountor', '991'],
        ]);
        expect(await store.repos.links.customer('globex', 'generic', 'cust-17')).toBeNull();
        expect(await store.repos.links.deleteCustomer('acme', 'generic', 'cust-17')).toBe(1);
        expect(await store.repos.links.deleteCustomer('acme', null, 'cust-17')).toBe(1);
        expect(await store.repos.links.customerAll('acme', 'cust-17')).toEqual([]);

        await store.repos.links.setProduct('acme', 'procountor', 'WORK', '501');
        await store.repos.links.setProduct('acme', 'procountor', 'WORK', '502');
        expect(await store.repos.links.product('acme', 'procountor', 'WORK')).toBe('502');
        expect(await store.repos.links.product('acme', 'netvisor', 'WORK')).toBeNull();
      });
    });

    describe('product mappings', () => {
      const mapping = (overrides: Record<string, unknown> = {}) => ({
        id: `map_${newId()}`,
        scope: 'task' as const,
        scopeId: '1296',
        lineKind: 'task_entry',
        product: { code: 'BIM', name: 'BIM integration', unit: 'h', unitPrice: '100.00' },
        providerProducts: null,
        autoCreated: false,
        ...overrides,
      });

      it('upsert one per (scope, scopeId, lineKind): created, then replaced', async () => {
        const first = await store.repos.mappings.upsert('acme', mapping());
        expect(first.created).toBe(true);
        const second = await store.repos.mappings.upsert('acme', mapping({ product: { code: 'BIM2', name: 'BIM v2', unit: 'h' } }));
        expect(second.created).toBe(false);
        expect(second.mapping.id).toBe(first.mapping.id);
        expect(second.mapping.product.code).toBe('BIM2');
        expect(await store.repos.mappings.list('acme', { scope: 'task', scopeId: '1296' })).toHaveLength(1);
      });

      it('insertIfAbsent never overwrites what an admin saved, and a tenant-wide mapping has no scope id', async () => {
        const kept = await store.repos.mappings.insertIfAbsent('acme', mapping({ product: { code: 'AUTO', name: 'auto', unit: 'h' }, autoCreated: true }));
        expect(kept.product.code).toBe('BIM2');
        expect(kept.autoCreated).toBe(false);
        const tenantWide = await store.repos.mappings.insertIfAbsent('acme', mapping({ scope: 'tenant', scopeId: null, lineKind: 'goods', product: { code: 'GOODS', name: 'Goods', unit: 'pcs' }, autoCreated: true }));
        expect(tenantWide).toMatchObject({ scope: 'tenant', scopeId: null, autoCreated: true });
        const again = await store.repos.mappings.insertIfAbsent('acme', mapping({ scope: 'tenant', scopeId: null, lineKind: 'goods', product: { code: 'OTHER', name: 'Other', unit: 'pcs' }, autoCreated: true }));
        expect(again.id).toBe(tenantWide.id);
        expect(again.product.code).toBe('GOODS');
        expect(await store.repos.mappings.get('globex', tenantWide.id)).toBeNull();
        expect(await store.repos.mappings.delete('globex', tenantWide.id)).toBe(false);
        expect(await store.repos.mappings.delete('acme', tenantWide.id)).toBe(true);
        expect(await store.repos.mappings.get('acme', tenantWide.id)).toBeNull();
      });
    });

    describe('transactions', () => {
      it('commit all or nothing', async () => {
        const r = newRecord();
        await expect(
          store.transaction(async (tx) => {
            await tx.records.insert(r);
            await tx.history.add(r.id, 'queued', 'accepted', null);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.repos.records.getById(r.id)).toBeNull();
        expect(await store.repos.history.list(r.id)).toEqual([]);
        const ok = await store.transaction(async (tx) => {
          const inserted = await tx.records.insert(r);
          await tx.history.add(r.id, 'queued', 'accepted', null);
          return inserted;
        });
        expect(ok?.id).toBe(r.id);
        expect(await store.repos.history.list(r.id)).toHaveLength(1);
      });
    });
  });
}

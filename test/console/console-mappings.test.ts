import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/** Product mappings in the console (admin): table, add/edit/delete, CSV import with preview (all or nothing), export. */
describe('console: product mappings', () => {
  let spine: GenericSpine;
  let admin: ConsoleClient;

  const apiMappings = async () => (await spine.h.api('GET', '/v1/product-mappings', { key: spine.key })).body.mappings as any[];

  beforeAll(async () => {
    spine = await startGenericSpine();
    // Intake creates the tenant defaults (auto-created) for the kinds it meets.
    const posted = await spine.h.api('POST', '/v1/invoices', { key: spine.key, body: exampleDocument({ externalId: 'MAP-1' }) });
    await spine.h.waitForStatus(spine.key, posted.body.id, ['synced']);
    admin = new ConsoleClient(spine.h);
    await admin.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('only admins: a finance key is refused', async () => {
    const financeKey = (await spine.h.api('POST', '/v1/tenants/acme/api-keys', { key: spine.h.adminToken, body: { roles: ['finance'] } })).body.key;
    const finance = new ConsoleClient(spine.h);
    await finance.signIn(financeKey);
    expect((await finance.get('/console/mappings')).statusCode).toBe(403);
    expect((await finance.get('/console/mappings/export.csv')).statusCode).toBe(403);
  });

  it('the table marks auto-created defaults', async () => {
    const r = await admin.get('/console/mappings');
    expect(r.statusCode).toBe(200);
    const auto = (await apiMappings()).filter((m) => m.autoCreated);
    expect(auto.length).toBeGreaterThan(0);
    expect(textOf(r.body)).toContain('automaattinen oletus');
  });

  it('add: problems shown next to their fields, nothing saved; fixed, it is saved; edit keeps scope and kind; delete', async () => {
    await admin.get('/console/mappings/new');
    const bad = await admin.post('/console/mappings', { scope: 'task', scopeId: '', lineKind: 'task_entry', code: 'BIM', name: 'BIM work', unit: 'hour', unitPrice: '12,50', vatRate: '' });
    expect(bad.statusCode).toBe(422);
    const text = textOf(bad.body);
    expect(text).toContain('Ei tallennettu: 2 ongelmaa');
    expect(bad.body).toMatch(/id="m-unitPrice"[^>]*aria-invalid="true"/);
    expect(text).toContain('is required for scope "task"');
    expect((await apiMappings()).some((m) => m.product.code === 'BIM')).toBe(false);

    const ok = await admin.post('/console/mappings', { scope: 'task', scopeId: '1296', lineKind: 'task_entry', code: 'BIM', name: 'BIM work', unit: 'hour', unitPrice: '125.00', vatRate: '25.5', procountorCode: 'P-BIM' });
    expect(ok.statusCode).toBe(303);
    const saved = (await apiMappings()).find((m) => m.product.code === 'BIM');
    expect(saved).toMatchObject({ scope: 'task', scopeId: '1296', product: { unitPrice: '125' }, providerProducts: { procountor: { code: 'P-BIM' } }, autoCreated: false });
    expect(textOf((await admin.get('/console/mappings?scope=task')).body)).toContain('125,00 €');

    await admin.get(`/console/mappings/${saved.id}/edit`);
    const edited = await admin.post(`/console/mappings/${saved.id}`, { scope: 'tenant', lineKind: 'goods', code: 'BIM', name: 'BIM integration work', unit: 'hour', unitPrice: '130', vatRate: '25.5' });
    expect(edited.statusCode).toBe(303);
    const after = (await apiMappings()).find((m) => m.id === saved.id);
    expect(after).toMatchObject({ scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { name: 'BIM integration work', unitPrice: '130' } });

    await admin.get('/console/mappings');
    const deleted = await admin.post(`/console/mappings/${saved.id}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    expect((await apiMappings()).some((m) => m.id === saved.id)).toBe(false);
  });

  it('another tenant’s mapping is not found', async () => {
    const otherKey = await spine.h.tenant('initech', ['admin']);
    const theirs = await spine.h.api('PUT', '/v1/product-mappings', { key: otherKey, body: { scope: 'tenant', lineKind: 'goods', product: { code: 'SECRET', name: 'x', unit: 'pcs' } } });
    expect((await admin.get(`/console/mappings/${theirs.body.id}/edit`)).statusCode).toBe(404);
    await admin.get('/console/mappings');
    expect((await admin.post(`/console/mappings/${theirs.body.id}/delete`, {})).statusCode).toBe(404);
    expect((await spine.h.api('GET', '/v1/product-mappings', { key: otherKey })).body.mappings).toHaveLength(1);
  });

  it('CSV import: the preview changes nothing; apply saves all; a bad row saves none; a preview overtaken by a change is refused', async () => {
    const before = await apiMappings();
    const csv = ['scope,scopeId,lineKind,code,name,unit,unitPrice,vatRate', 'team,t-2,task_entry,TEAM2,Team two work,hour,110.00,25.5', 'contact,cust-17,expense,EXP,Expenses,pcs,,25.5'].join('\n');
    await admin.get('/console/mappings/import');
    const preview = await admin.post('/console/mappings/import/preview', { csv });
    expect(preview.statusCode).toBe(200);
    expect(textOf(preview.body)).toContain('2 uutta, 0 muuttuu, 0 ennallaan');
    expect(await apiMappings()).toHaveLength(before.length);

    const apply = await admin.post('/console/mappings/import/apply', { csv, fingerprint: /name="fingerprint" value="([^"]*)"/.exec(preview.body)![1]! });
    expect(apply.statusCode).toBe(303);
    expect(textOf((await admin.get(apply.headers.location as string)).body)).toContain('Tuotu: 2 uutta, 0 muuttui, 0 ennallaan');
    expect(await apiMappings()).toHaveLength(before.length + 2);

    const broken = csv.replace('TEAM2,Team two work,hour,110.00', 'TEAM2,Team two work,hour,lots').replace('Expenses', 'Expenses changed');
    const refused = await admin.post('/console/mappings/import/preview', { csv: broken });
    expect(refused.statusCode).toBe(422);
    expect(textOf(refused.body)).toContain('unitPrice');
    const refusedApply = await admin.post('/console/mappings/import/apply', { csv: broken, fingerprint: 'x' });
    expect(refusedApply.statusCode).toBe(422);
    expect((await apiMappings()).find((m) => m.product.code === 'EXP').product.name).toBe('Expenses');

    const changed = csv.replace('110.00', '120.00');
    const second = await admin.post('/console/mappings/import/preview', { csv: changed });
    expect(textOf(second.body)).toContain('0 uutta, 1 muuttuu, 1 ennallaan');
    const fingerprint = /name="fingerprint" value="([^"]*)"/.exec(second.body)![1]!;
    // Someone changes a mapping in between.
    await spine.h.api('PUT', '/v1/product-mappings', { key: spine.key, body: { scope: 'tenant', lineKind: 'goods', product: { code: 'NEW', name: 'new', unit: 'pcs' } } });
    const stale = await admin.post('/console/mappings/import/apply', { csv: changed, fingerprint });
    expect(stale.statusCode).toBe(409);
    expect(textOf(stale.body)).toContain('muuttuivat esikatselun jälkeen');
    expect((await apiMappings()).find((m) => m.product.code === 'TEAM2').product.unitPrice).toMatch(/^110(\.00)?$/);
  });

  it('export: a CSV download that imports back unchanged', async () => {
    const r = await admin.get('/console/mappings/export.csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toContain('attachment');
    expect(r.body.split(/\r?\n/)[0]).toContain('scope,scopeId,lineKind,code');
    await admin.get('/console/mappings/import');
    const preview = await admin.post('/console/mappings/import/preview', { csv: r.body });
    expect(textOf(preview.body)).toMatch(/0 uutta, 0 muuttuu, \d+ ennallaan/);
    expect(textOf(preview.body)).toContain('Ei muutettavaa');
  });
});

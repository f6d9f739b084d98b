import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Product mappings as an admin manages them: create, replace, list with
 * filters, delete, bulk import and export (JSON and CSV), and who may do it.
 */

const mapping = (over: Record<string, unknown> = {}) => ({
  scope: 'task',
  scopeId: '1296',
  lineKind: 'task_entry',
  product: { code: 'BIM', name: 'BIM integration', unit: 'hour', unitPrice: '120.00', vatRate: '25.5' },
  ...over,
});

/** The parts of a listed mapping that an export → import must keep. */
function essence(m: any) {
  return {
    scope: m.scope,
    scopeId: m.scopeId,
    lineKind: m.lineKind,
    product: { code: m.product.code, name: m.product.name, unit: m.product.unit, unitPrice: m.product.unitPrice ?? null, vatRate: m.product.vatRate ?? null },
    providerProducts: m.providerProducts ?? null,
  };
}

const sortKey = (m: any) => `${m.scope}|${m.scopeId ?? ''}|${m.lineKind}`;
const sorted = (list: any[]) => [...list].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));

describe('product mappings: CRUD, filters, auth, import and export', () => {
  let h: Harness;
  let admin: string;
  let host: string;
  let finance: string;
  let other: string;

  beforeAll(async () => {
    h = await startHarness();
    admin = await h.tenant('acme', ['admin']);
    const hostKey = await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['host'] } });
    host = hostKey.body.key;
    const financeKey = await h.api('POST', '/v1/tenants/acme/api-keys', { key: h.adminToken, body: { roles: ['finance'] } });
    finance = financeKey.body.key;
    other = await h.tenant('globex', ['admin']);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('create, replace, list, delete', () => {
    let taskId: string;

    it('PUT creates a mapping (201) and PUT of the same scope, scopeId and lineKind replaces it (200, same id)', async () => {
      const created = await h.api('PUT', '/v1/product-mappings', { key: admin, body: mapping({ providerProducts: { procountor: { id: 104 }, netvisor: { code: 'BIM-NV' } } }) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ scope: 'task', scopeId: '1296', lineKind: 'task_entry', autoCreated: false, product: { code: 'BIM', name: 'BIM integration', unit: 'hour' } });
      expect(created.body.providerProducts).toEqual({ procountor: { id: '104', code: null }, netvisor: { code: 'BIM-NV' } });
      expect(created.body.id).toMatch(/^map_/);
      taskId = created.body.id;

      const replaced = await h.api('PUT', '/v1/product-mappings', { key: admin, body: mapping({ product: { code: 'BIM2', name: 'BIM integration v2', unit: 'hour', unitPrice: 130 } }) });
      expect(replaced.status).toBe(200);
      expect(replaced.body.id).toBe(taskId);
      expect(replaced.body.product).toMatchObject({ code: 'BIM2', name: 'BIM integration v2' });
      expect(Number(replaced.body.product.unitPrice)).toBe(130);
      // Replacing means replacing: the provider products given before are gone.
      expect(replaced.body.providerProducts).toBeNull();

      const list = await h.api('GET', '/v1/product-mappings', { key: admin });
      expect(list.body.mappings).toHaveLength(1);
    });

    it('lists with filters by scope, scopeId and lineKind', async () => {
      const put = (body: Record<string, unknown>) => h.api('PUT', '/v1/product-mappings', { key: admin, body });
      expect((await put(mapping({ scope: 'task', scopeId: '1296', lineKind: 'transport_distance', product: { code: 'KM', name: 'Kilometres', unit: 'km', unitPrice: '0.57' } }))).status).toBe(201);
      expect((await put(mapping({ scope: 'task', scopeId: '2000', product: { code: 'OPS', name: 'Operations', unit: 'hour' } }))).status).toBe(201);
      expect((await put(mapping({ scope: 'contact', scopeId: 'cust-17', product: { code: 'SUP', name: 'Support', unit: 'hour', unitPrice: '95' } }))).status).toBe(201);
      expect((await put(mapping({ scope: 'membership', scopeId: 'm-1', product: { code: 'SEN', name: 'Senior', unit: 'hour' } }))).status).toBe(201);
      expect((await put(mapping({ scope: 'team', scopeId: 't-2', product: { code: 'T2', name: 'Team 2', unit: 'hour' } }))).status).toBe(201);
      const tenantWide = await put({ scope: 'tenant', lineKind: 'goods', product: { code: 'GOODS', name: 'Goods', unit: 'pcs' } });
      expect(tenantWide.status).toBe(201);
      expect(tenantWide.body.scopeId).toBeNull();

      const get = async (query: string) => (await h.api('GET', `/v1/product-mappings${query}`, { key: admin })).body.mappings.map((m: any) => m.product.code).sort();
      expect(await get('')).toEqual(['BIM2', 'GOODS', 'KM', 'OPS', 'SEN', 'SUP', 'T2']);
      expect(await get('?scope=task')).toEqual(['BIM2', 'KM', 'OPS']);
      expect(await get('?scope=task&scopeId=1296')).toEqual(['BIM2', 'KM']);
      expect(await get('?scope=task&scopeId=1296&lineKind=transport_distance')).toEqual(['KM']);
      expect(await get('?lineKind=task_entry')).toEqual(['BIM2', 'OPS', 'SEN', 'SUP', 'T2']);
      expect(await get('?scope=tenant')).toEqual(['GOODS']);
      expect(await get('?scopeId=cust-17')).toEqual(['SUP']);
      expect(await get('?scope=team&scopeId=nobody')).toEqual([]);

      const bad = await h.api('GET', '/v1/product-mappings?scope=project&lineKind=hours', { key: admin });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(['lineKind', 'scope']);
    });

    it('refuses a bad mapping with every problem on its field', async () => {
      const r = await h.api('PUT', '/v1/product-mappings', {
        key: admin,
        body: { scope: 'tenant', scopeId: 'x', lineKind: 'hours', product: { code: '', name: 'Work', unit: 'hour', unitPrice: '-5', vatRate: '130', unitprice: '5' } },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      const paths = r.body.error.details.map((d: any) => d.path).sort();
      expect(paths).toEqual(expect.arrayContaining(['lineKind', 'product', 'product.code', 'product.unitPrice', 'product.vatRate', 'scopeId']));

      const noScopeId = await h.api('PUT', '/v1/product-mappings', { key: admin, body: mapping({ scope: 'contact', scopeId: undefined }) });
      expect(noScopeId.status).toBe(400);
      expect(noScopeId.body.error.details).toEqual([expect.objectContaining({ path: 'scopeId' })]);

      const priceText = await h.api('PUT', '/v1/product-mappings', { key: admin, body: mapping({ product: { code: 'X', name: 'X', unit: 'hour', unitPrice: '12,50' } }) });
      expect(priceText.status).toBe(400);
      expect(priceText.body.error.details).toEqual([expect.objectContaining({ path: 'product.unitPrice' })]);
      // Nothing of the above was stored.
      expect((await h.api('GET', '/v1/product-mappings?scope=tenant&lineKind=task_entry', { key: admin })).body.mappings).toEqual([]);
    });

    it('DELETE removes a mapping (204), then 404', async () => {
      const del = await h.api('DELETE', `/v1/product-mappings/${taskId}`, { key: admin });
      expect(del.status).toBe(204);
      expect((await h.api('DELETE', `/v1/product-mappings/${taskId}`, { key: admin })).status).toBe(404);
      const left = (await h.api('GET', '/v1/product-mappings?scope=task&scopeId=1296', { key: admin })).body.mappings;
      expect(left.map((m: any) => m.product.code)).toEqual(['KM']);
    });

    it('a host or finance key gets 403 on every mapping route; no key gets 401', async () => {
      const [one] = (await h.api('GET', '/v1/product-mappings', { key: admin })).body.mappings;
      for (const key of [host, finance]) {
        expect((await h.api('PUT', '/v1/product-mappings', { key, body: mapping() })).status).toBe(403);
        expect((await h.api('GET', '/v1/product-mappings', { key })).status).toBe(403);
        expect((await h.api('GET', '/v1/product-mappings/export', { key })).status).toBe(403);
        expect((await h.api('POST', '/v1/product-mappings/import', { key, body: [mapping()] })).status).toBe(403);
        expect((await h.api('DELETE', `/v1/product-mappings/${one.id}`, { key })).status).toBe(403);
      }
      expect((await h.api('GET', '/v1/product-mappings')).status).toBe(401);
      expect((await h.api('GET', '/v1/product-mappings', { key: h.adminToken })).status).toBe(403);
      // None of that changed anything.
      expect((await h.api('GET', '/v1/product-mappings', { key: admin })).body.mappings.some((m: any) => m.id === one.id)).toBe(true);
    });

    it("another tenant's mapping id is a 404 and stays untouched; its lists never show this tenant's mappings", async () => {
      const [one] = (await h.api('GET', '/v1/product-mappings', { key: admin })).body.mappings;
      const del = await h.api('DELETE', `/v1/product-mappings/${one.id}`, { key: other });
      expect(del.status).toBe(404);
      expect(del.body.error.code).toBe('not_found');
      expect((await h.api('GET', '/v1/product-mappings', { key: other })).body.mappings).toEqual([]);
      expect((await h.api('GET', '/v1/product-mappings/export', { key: other })).body.mappings).toEqual([]);
      expect((await h.api('GET', '/v1/product-mappings', { key: admin })).body.mappings.some((m: any) => m.id === one.id)).toBe(true);
    });
  });

  describe('bulk import and export', () => {
    let source: string;
    const tricky = [
      mapping({ scope: 'task', scopeId: '1296', product: { code: 'BIM', name: 'Integration, "BIM" tools', unit: 'hour', unitPrice: '120.50', vatRate: '25.5' }, providerProducts: { procountor: { id: '101', code: 'CONSULT' }, netvisor: { code: 'NV-1' } } }),
      mapping({ scope: 'contact', scopeId: 'cust;17', product: { code: 'SUP', name: 'Tuki\nrivi 2 – äöå', unit: 'h', unitPrice: '95' } }),
      mapping({ scope: 'membership', scopeId: 'm-1', lineKind: 'expense', product: { code: 'EXP', name: '=HYPERLINK("x")', unit: 'pcs' } }),
      mapping({ scope: 'team', scopeId: 't-2', lineKind: 'transport_time', product: { code: 'TT', name: 'Travel time', unit: 'hour', unitPrice: '45', vatRate: '0' } }),
      { scope: 'tenant', lineKind: 'transport_distance', product: { code: 'KM', name: 'Kilometres', unit: 'km', unitPrice: '0.57' } },
    ];

    beforeAll(async () => {
      source = await h.tenant('source', ['admin']);
      const imported = await h.api('POST', '/v1/product-mappings/import', { key: source, body: tricky });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body).toMatchObject({ created: 5, updated: 0, total: 5 });
    });

    it('JSON export imports into another tenant unchanged', async () => {
      const exported = await h.api('GET', '/v1/product-mappings/export', { key: source });
      expect(exported.status).toBe(200);
      expect(exported.body.mappings).toHaveLength(5);
      const target = await h.tenant('json-target', ['admin']);
      const imported = await h.api('POST', '/v1/product-mappings/import', { key: target, body: exported.body });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body).toMatchObject({ created: 5, updated: 0 });
      const a = (await h.api('GET', '/v1/product-mappings', { key: source })).body.mappings;
      const b = (await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings;
      expect(sorted(b).map(essence)).toEqual(sorted(a).map(essence));
      expect(b.find((m: any) => m.product.code === 'EXP').product.name).toBe('=HYPERLINK("x")');

      // Importing the same export again changes nothing, and duplicates nothing.
      const again = await h.api('POST', '/v1/product-mappings/import', { key: target, body: exported.body });
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
      expect((await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings).toHaveLength(5);
    });

    it.each([',', ';'] as const)('CSV export (delimiter %s) imports into another tenant unchanged', async (delimiter) => {
      const exported = await h.api('GET', `/v1/product-mappings/export?format=csv&delimiter=${encodeURIComponent(delimiter)}`, { key: source });
      expect(exported.status).toBe(200);
      expect(String(exported.headers['content-type'])).toMatch(/^text\/csv/);
      const csv = exported.body as string;
      expect(csv.split('\r\n')[0]).toBe(['scope', 'scopeId', 'lineKind', 'code', 'name', 'unit', 'unitPrice', 'vatRate', 'procountorProductId', 'procountorProductCode', 'netvisorProductCode'].join(delimiter));
      // A spreadsheet would run a cell starting with "=": the export defuses it.
      expect(csv).toContain(`'=HYPERLINK`);
      if (delimiter === ';') expect(csv).toContain('120,5');

      const target = await h.tenant(`csv-target-${delimiter === ',' ? 'comma' : 'semicolon'}`, ['admin']);
      const imported = await h.api('POST', '/v1/product-mappings/import', { key: target, body: csv, headers: { 'content-type': 'text/csv' } });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body).toMatchObject({ created: 5, updated: 0, total: 5 });
      const a = (await h.api('GET', '/v1/product-mappings', { key: source })).body.mappings;
      const b = (await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings;
      expect(sorted(b).map(essence)).toEqual(sorted(a).map(essence));

      // The list route gives the same CSV as the export.
      const listed = await h.api('GET', `/v1/product-mappings?format=csv&delimiter=${encodeURIComponent(delimiter)}`, { key: source });
      expect(listed.body).toBe(csv);
    });

    it('export takes the same filters as the list', async () => {
      const tasks = await h.api('GET', '/v1/product-mappings/export?scope=task', { key: source });
      expect(tasks.body.mappings.map((m: any) => m.product.code)).toEqual(['BIM']);
      const csv = await h.api('GET', '/v1/product-mappings/export?format=csv&lineKind=transport_distance', { key: source });
      expect((csv.body as string).trim().split('\r\n')).toHaveLength(2);
      expect(csv.body).toContain('tenant,,transport_distance,KM,Kilometres,km,0.57');
    });

    it('a CSV sent as text/csv; charset=utf-8 or text/plain imports too', async () => {
      const target = await h.tenant('csv-charset', ['admin']);
      const csv = 'scope,scopeId,lineKind,code,name,unit,unitPrice\ntenant,,goods,G,Tavarat,pcs,1.5\n';
      const a = await h.api('POST', '/v1/product-mappings/import', { key: target, body: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } });
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(a.body).toMatchObject({ created: 1 });
      const b = await h.api('POST', '/v1/product-mappings/import', { key: target, body: csv.replace('1.5', '2'), headers: { 'content-type': 'text/plain' } });
      expect(b.status, JSON.stringify(b.body)).toBe(200);
      expect(b.body).toMatchObject({ created: 0, updated: 1 });
      const [goods] = (await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings;
      expect(goods.product).toMatchObject({ code: 'G', name: 'Tavarat', unit: 'pcs' });
      expect(Number(goods.product.unitPrice)).toBe(2);
    });

    it('a CSV with bad rows is refused as a whole, listing every bad row', async () => {
      const target = await h.tenant('csv-bad', ['admin']);
      const csv = [
        'scope,scopeId,lineKind,code,name,unit,unitPrice,vatRate',
        'task,1296,task_entry,BIM,BIM integration,hour,120,25.5', // row 2: fine
        'tenant,,hours,WORK,Work,hour,,', // row 3: unknown line kind
        'task,,task_entry,X,No task,hour,10,', // row 4: scopeId missing
        'team,t-2,goods,G,Goods,pcs,abc,25.5', // row 5: price not a number
        'contact,cust-17,expense,E,Expenses,pcs,5,130', // row 6: VAT over 100
        'team,t-3,goods,G,Goods,pcs,1,0', // row 7: fine
        'task,1296,task_entry,BIM,Again,hour,1,0', // row 8: same mapping as row 2
      ].join('\n');
      const r = await h.api('POST', '/v1/product-mappings/import', { key: target, body: csv });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      const rows = [...new Set(r.body.error.details.map((d: any) => Number(/row (\d+)/.exec(d.path)?.[1])))];
      expect(rows).toEqual([3, 4, 5, 6, 8]);
      const paths = r.body.error.details.map((d: any) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['row 3, lineKind', 'row 4, scopeId', 'row 5, unitPrice', 'row 6, vatRate']));
      expect((await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings).toEqual([]);
    });

    it('a CSV with a bad header says which column, and imports nothing', async () => {
      const target = await h.tenant('csv-header', ['admin']);
      const r = await h.api('POST', '/v1/product-mappings/import', { key: target, body: 'scope,lineKind,code,name,price\ntenant,goods,G,Goods,5\n' });
      expect(r.status).toBe(400);
      const messages = r.body.error.details.map((d: any) => `${d.path}: ${d.message}`).join('\n');
      expect(messages).toMatch(/price/);
      expect(messages).toMatch(/unit/);
      expect((await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings).toEqual([]);
    });

    it('a JSON import with bad items is refused as a whole, naming every bad item and field', async () => {
      const target = await h.tenant('json-bad', ['admin']);
      const r = await h.api('POST', '/v1/product-mappings/import', {
        key: target,
        body: [
          mapping(),
          mapping({ scope: 'galaxy' }),
          mapping({ scopeId: '2000', product: { code: 'X', name: 'X', unit: 'hour', unitPrice: 'free' } }),
          mapping(),
        ],
      });
      expect(r.status).toBe(400);
      const paths = r.body.error.details.map((d: any) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['[1].scope', '[2].product.unitPrice', '[3]']));
      expect(paths.some((p: string) => p.startsWith('[0]'))).toBe(false);
      expect(r.body.error.details.find((d: any) => d.path === '[3]').code).toBe('duplicate_mapping');
      expect((await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings).toEqual([]);

      const notAList = await h.api('POST', '/v1/product-mappings/import', { key: target, body: { scope: 'task' } });
      expect(notAList.status).toBe(400);
    });

    it('a Finnish Excel CSV (semicolons, decimal commas, a BOM, a % sign) imports', async () => {
      const target = await h.tenant('csv-excel', ['admin']);
      const csv = '\uFEFFScope;ScopeId;LineKind;Code;Name;Unit;UnitPrice;VatRate\r\ntask;1296;task_entry;BIM;BIM-integraatio;h;120,50;25,5 %\r\ntenant;;transport_distance;KM;Kilometrit;km;0,57;\r\n';
      const r = await h.api('POST', '/v1/product-mappings/import', { key: target, body: csv });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const list = (await h.api('GET', '/v1/product-mappings', { key: target })).body.mappings;
      const bim = list.find((m: any) => m.product.code === 'BIM');
      expect(Number(bim.product.unitPrice)).toBe(120.5);
      expect(Number(bim.product.vatRate)).toBe(25.5);
      expect(Number(list.find((m: any) => m.product.code === 'KM').product.unitPrice)).toBe(0.57);
    });
  });
});

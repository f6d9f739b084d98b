import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 5 as an admin, a host and a finance person meet it through the API:
 * product mappings at every scope, the auto-created defaults, the price order,
 * zero-price warnings, Finnish rules, customer links, and preview — against the
 * real app (real Redis, a real database, BullMQ workers, the generic sandbox).
 *
 * Runs against the embedded database (PGlite) and the real PostgreSQL.
 */

type Line = Record<string, unknown>;

/** The #1296 example with other lines (and anything else overridden). */
function invoice(externalId: string, lines: Line[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...exampleDocument(), externalId, lines, ...overrides };
}

function line(kind: string, quantity: string, extra: Line = {}): Line {
  return { kind, description: `${kind} ${quantity}`, quantity, ...extra };
}

/** Decimal text compared as a number a person reads ("5.00" and "5" are the same price). */
function num(value: unknown): string {
  const text = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return `not a decimal: ${text}`;
  const [int, frac = ''] = text.replace(/^-/, '').split('.');
  const f = frac.replace(/0+$/, '');
  const i = int!.replace(/^0+(?=\d)/, '');
  return `${text.startsWith('-') && (i !== '0' || f) ? '-' : ''}${i}${f ? `.${f}` : ''}`;
}

/** Finnish reference check (7-3-1 from the right), written independently of ledgerlink's. */
function finnishReferenceIsValid(ref: string): boolean {
  const digits = ref.replace(/\s+/g, '');
  if (!/^\d{4,20}$/.test(digits)) return false;
  const base = digits.slice(0, -1);
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < base.length; i++) sum += Number(base[base.length - 1 - i]) * weights[i % 3]!;
  return (10 - (sum % 10)) % 10 === Number(digits.slice(-1));
}

describe.each(['pglite', 'postgres'] as const)('product mappings, prices, Finnish rules and preview through the API (%s)', (database) => {
  let h: Harness;
  let sandbox: RunningGenericSandbox;
  let receiver: WebhookReceiver;
  let webhookSecret: string;

  /** A tenant with an admin+host+finance key, a generic connection and (optionally) the webhook. */
  async function tenant(id: string, options: { createCustomers?: boolean; webhook?: boolean; sandbox?: RunningGenericSandbox } = {}): Promise<string> {
    const key = await h.tenant(id);
    const target = options.sandbox ?? sandbox;
    const conn = await h.api('PUT', '/v1/connections/generic', {
      key,
      body: { baseUrl: target.url, secret: target.credentials.secret, ...(options.createCustomers === undefined ? {} : { createCustomers: options.createCustomers }) },
    });
    expect(conn.status, JSON.stringify(conn.body)).toBe(200);
    if (options.webhook) {
      const hook = await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } });
      expect(hook.status).toBe(200);
      webhookSecret = hook.body.secret;
    }
    return key;
  }

  async function keyWithRoles(tenantId: string, roles: string[]): Promise<string> {
    const r = await h.api('POST', `/v1/tenants/${tenantId}/api-keys`, { key: h.adminToken, body: { roles } });
    expect(r.status).toBe(201);
    return r.body.key;
  }

  async function putMapping(key: string, body: Record<string, unknown>) {
    const r = await h.api('PUT', '/v1/product-mappings', { key, body });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    return r.body;
  }

  async function preview(key: string, doc: Record<string, unknown>) {
    const r = await h.api('POST', '/v1/invoices/preview', { key, body: doc });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  function createsReceived(s: RunningGenericSandbox) {
    return s.requests().filter((r) => r.method === 'POST' && r.path === '/invoices');
  }

  function payloadOf(s: RunningGenericSandbox, externalId: string) {
    const found = s.invoices().filter((i) => (i.raw as any)?.externalId === externalId);
    expect(found, `the sandbox should hold exactly one copy of ${externalId}`).toHaveLength(1);
    return found[0]!.raw as any;
  }

  beforeAll(async () => {
    h = await startHarness({ database });
    sandbox = await startGenericSandbox({ port: 0 });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  describe('resolution order: line, task, contact, membership, team, tenant, default', () => {
    let key: string;
    const ids: Record<string, string> = {};
    const full = { taskId: '1296', contactId: 'cust-17', membershipId: 'm-senior', teamId: 't-2' };

    beforeAll(async () => {
      key = await tenant('order');
      const map = async (scope: string, scopeId: string | null, code: string, name: string, unitPrice: string) => {
        const m = await putMapping(key, { scope, ...(scopeId ? { scopeId } : {}), lineKind: 'task_entry', product: { code, name, unit: 'hour', unitPrice } });
        ids[scope] = m.id;
      };
      await map('task', '1296', 'BIM', 'BIM integration', '120.00');
      await map('contact', 'cust-17', 'SUPPORT-ESI', 'Support (Esimerkki Oy)', '95');
      await map('membership', 'm-senior', 'SENIOR', 'Senior consultant', '110');
      await map('team', 't-2', 'TEAM2', 'Team 2 work', '90');
      await map('tenant', null, 'CONSULT', 'Consulting', '80');
      // A mapping of another line kind on the same task must not be picked for hours.
      await putMapping(key, { scope: 'task', scopeId: '1296', lineKind: 'expense', product: { code: 'EXP', name: 'Expenses', unit: 'pcs', unitPrice: '1' } });
    });

    const orderDoc = (externalId: string) =>
      invoice(externalId, [
        line('task_entry', '2', { context: full }),
        line('task_entry', '2', { context: { ...full, taskId: '9999' } }),
        line('task_entry', '2', { context: { ...full, taskId: '9999', contactId: 'cust-99' } }),
        line('task_entry', '2', { context: { taskId: '9999', contactId: 'cust-99', membershipId: 'm-junior', teamId: 't-2' } }),
        line('task_entry', '2', { context: { teamId: 't-9' } }),
        line('task_entry', '2'),
        line('task_entry', '2', { product: { code: 'LICENSE', name: 'BIM licence', unit: 'pcs' }, unitPrice: '300', context: full }),
        line('goods', '1', { context: { ...full, taskUnitPrice: '75' } }),
        line('task_entry', '2', { unitPrice: '150', context: full }),
      ]);

    it('preview resolves each line from the most specific mapping that matches, with its price', async () => {
      const p = await preview(key, orderDoc('ORD-1'));
      expect(p.valid, JSON.stringify(p.problems)).toBe(true);
      expect(p.problems).toEqual([]);
      const view = p.lines.map((l: any) => [l.index, l.product.code, l.resolvedFrom, num(l.unitPrice), l.priceSource, l.netAmount]);
      expect(view).toEqual([
        [0, 'BIM', 'task', '120', 'product', '240.00'],
        [1, 'SUPPORT-ESI', 'contact', '95', 'product', '190.00'],
        [2, 'SENIOR', 'membership', '110', 'product', '220.00'],
        [3, 'TEAM2', 'team', '90', 'product', '180.00'],
        [4, 'CONSULT', 'tenant', '80', 'product', '160.00'],
        [5, 'CONSULT', 'tenant', '80', 'product', '160.00'],
        [6, 'LICENSE', 'line', '300', 'line', '600.00'],
        [7, 'WORK', 'default', '75', 'task', '75.00'],
        [8, 'BIM', 'task', '150', 'line', '300.00'],
      ]);
      expect(p.lines[0].product).toEqual({ code: 'BIM', name: 'BIM integration', unit: 'hour' });
      expect(p.lines[6].product).toEqual({ code: 'LICENSE', name: 'BIM licence', unit: 'pcs' });
      // 2125.00 net at 25.5 % (the general rate on 2026-11-30, since no line names one).
      expect(p.lines.every((l: any) => num(l.vatRate) === '25.5')).toBe(true);
      expect(p.totals).toEqual({ net: '2125.00', vat: '541.88', gross: '2666.88' });
      expect(p.customer).toMatchObject({ action: 'create' });
    });

    it('the sync sends exactly what the preview showed: each line carries its resolved product and unit price', async () => {
      const p = await preview(key, orderDoc('ORD-2'));
      const posted = await h.api('POST', '/v1/invoices', { key, body: orderDoc('ORD-2') });
      expect(posted.status).toBe(202);
      expect(posted.body.totals).toEqual(p.totals);
      const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
      expect(record.status, JSON.stringify(record.lastError)).toBe('synced');

      const payload = payloadOf(sandbox, 'ORD-2');
      expect(payload.lines).toHaveLength(9);
      payload.lines.forEach((l: any, i: number) => {
        expect(l.product, `line ${i}`).toEqual(p.lines[i].product);
        expect(num(l.unitPrice), `line ${i}`).toBe(num(p.lines[i].unitPrice));
        expect(l.netAmount, `line ${i}`).toBe(p.lines[i].netAmount);
      });
      expect(payload.totals).toEqual(p.totals);

      // The record shows where each line's product and price came from.
      expect(record.lines.map((l: any) => [l.resolvedFrom, l.priceSource])).toEqual(p.lines.map((l: any) => [l.resolvedFrom, l.priceSource]));
    });

    it('deleting the task mapping makes the same line fall back to the contact mapping', async () => {
      const del = await h.api('DELETE', `/v1/product-mappings/${ids.task}`, { key });
      expect(del.status).toBe(204);
      const p = await preview(key, orderDoc('ORD-3'));
      expect(p.lines[0]).toMatchObject({ product: { code: 'SUPPORT-ESI' }, resolvedFrom: 'contact', priceSource: 'product', netAmount: '190.00' });
      // The line's own price still wins over the (now contact) product's.
      expect(p.lines[8]).toMatchObject({ resolvedFrom: 'contact', priceSource: 'line', netAmount: '300.00' });
    });
  });

  describe('auto-created defaults', () => {
    let key: string;
    const defaultsDoc = (externalId: string) =>
      invoice(externalId, [
        line('task_entry', '3'),
        line('goods', '1'),
        line('expense', '1'),
        line('transport_distance', '100'),
        line('transport_time', '2'),
      ]);

    beforeAll(async () => {
      key = await tenant('defaults', { webhook: true });
    });

    it('preview shows the default products and prices for every line kind, and creates nothing', async () => {
      const p = await preview(key, defaultsDoc('DEF-0'));
      expect(p.lines.map((l: any) => [l.product, l.resolvedFrom, num(l.unitPrice), l.priceSource, l.netAmount])).toEqual([
        [{ code: 'WORK', name: 'Work', unit: 'hour' }, 'default', '0', 'none', '0.00'],
        [{ code: 'WORK', name: 'Work', unit: 'hour' }, 'default', '0', 'none', '0.00'],
        [{ code: 'WORK', name: 'Work', unit: 'hour' }, 'default', '0', 'none', '0.00'],
        [{ code: 'TRANSPORT', name: 'Transport', unit: 'km' }, 'default', '5', 'product', '500.00'],
        [{ code: 'TRANSPORT_TIME', name: 'Transport Time', unit: 'hour' }, 'default', '1000', 'product', '2000.00'],
      ]);
      expect(p.totals).toEqual({ net: '2500.00', vat: '637.50', gross: '3137.50' });
      // A missing price is never a silent zero: the preview says which lines and why.
      expect(p.valid).toBe(true);
      const zero = p.warnings.filter((w: any) => w.code === 'zero_price');
      expect(zero.map((w: any) => w.path)).toEqual(['lines[0].unitPrice', 'lines[1].unitPrice', 'lines[2].unitPrice']);
      expect(zero[0].message).toMatch(/0\.00/);

      const mappings = await h.api('GET', '/v1/product-mappings', { key });
      expect(mappings.body.mappings).toEqual([]);
    });

    it('the first accepted invoice creates one tenant default per line kind, marked autoCreated, and later invoices reuse them', async () => {
      const first = await h.api('POST', '/v1/invoices', { key, body: defaultsDoc('DEF-1') });
      expect(first.status).toBe(202);
      const created = (await h.api('GET', '/v1/product-mappings', { key })).body.mappings;
      expect(created).toHaveLength(5);
      const byKind = Object.fromEntries(created.map((m: any) => [m.lineKind, m]));
      for (const m of created) expect(m).toMatchObject({ scope: 'tenant', scopeId: null, autoCreated: true });
      expect(byKind.task_entry.product).toMatchObject({ code: 'WORK', name: 'Work', unit: 'hour' });
      expect(byKind.task_entry.product.unitPrice ?? null).toBeNull();
      expect(byKind.goods.product).toMatchObject({ name: 'Work', unit: 'hour' });
      expect(byKind.expense.product).toMatchObject({ name: 'Work', unit: 'hour' });
      expect(byKind.transport_distance.product).toMatchObject({ name: 'Transport', unit: 'km' });
      expect(num(byKind.transport_distance.product.unitPrice)).toBe('5');
      expect(byKind.transport_time.product).toMatchObject({ name: 'Transport Time', unit: 'hour' });
      expect(num(byKind.transport_time.product.unitPrice)).toBe('1000');

      const second = await h.api('POST', '/v1/invoices', { key, body: defaultsDoc('DEF-2') });
      expect(second.status).toBe(202);
      const after = (await h.api('GET', '/v1/product-mappings', { key })).body.mappings;
      expect(after.map((m: any) => m.id).sort()).toEqual(created.map((m: any) => m.id).sort());

      // The preview now reads the stored defaults: same products, still "default".
      const p = await preview(key, defaultsDoc('DEF-3'));
      expect(p.lines.map((l: any) => l.resolvedFrom)).toEqual(['default', 'default', 'default', 'default', 'default']);
      expect(p.totals.net).toBe('2500.00');
    });

    it('invoices accepted at the same time still create each default once', async () => {
      const burst = await tenant('burst');
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => h.api('POST', '/v1/invoices', { key: burst, body: defaultsDoc(`BURST-${n}`) })));
      expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
      const mappings = (await h.api('GET', '/v1/product-mappings', { key: burst })).body.mappings;
      expect(mappings.map((m: any) => m.lineKind).sort()).toEqual(['expense', 'goods', 'task_entry', 'transport_distance', 'transport_time']);
      expect(mappings.every((m: any) => m.autoCreated)).toBe(true);
      expect(new Set(results.map((r) => r.body.totals.net))).toEqual(new Set(['2500.00']));
    });

    it('a zero-priced line is synced as 0.00 and its warning is on the record, in the list and in the status events', async () => {
      const posted = await h.api('POST', '/v1/invoices', { key, body: defaultsDoc('DEF-ZERO') });
      expect(posted.status).toBe(202);
      expect(posted.body.warnings.filter((w: any) => w.code === 'zero_price').map((w: any) => w.path)).toEqual([
        'lines[0].unitPrice',
        'lines[1].unitPrice',
        'lines[2].unitPrice',
      ]);
      const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
      expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
      expect(record.warnings.filter((w: any) => w.code === 'zero_price')).toHaveLength(3);
      expect(record.lines[0]).toMatchObject({ priceSource: 'none', netAmount: '0.00' });

      const list = await h.api('GET', '/v1/invoices', { key });
      const summary = list.body.items.find((i: any) => i.id === posted.body.id);
      expect(summary.warnings.some((w: any) => w.code === 'zero_price' && w.path === 'lines[0].unitPrice')).toBe(true);

      const payload = payloadOf(sandbox, 'DEF-ZERO');
      expect(payload.lines[0]).toMatchObject({ product: { code: 'WORK', name: 'Work', unit: 'hour' }, netAmount: '0.00' });
      expect(num(payload.lines[0].unitPrice)).toBe('0');

      const mine = () => receiver.verified(webhookSecret).filter((e) => e.json?.data?.id === posted.body.id);
      await receiver.waitFor(() => mine().some((e) => e.json.type === 'invoice.synced'));
      for (const type of ['invoice.queued', 'invoice.synced']) {
        const event = mine().find((e) => e.json.type === type);
        expect(event, type).toBeDefined();
        expect(event!.json.data.warnings.filter((w: any) => w.code === 'zero_price').map((w: any) => w.path), type).toEqual([
          'lines[0].unitPrice',
          'lines[1].unitPrice',
          'lines[2].unitPrice',
        ]);
      }
    });

    it('an admin changing a default changes the next resolution', async () => {
      const [distance] = (await h.api('GET', '/v1/product-mappings?scope=tenant&lineKind=transport_distance', { key })).body.mappings;
      expect(distance.autoCreated).toBe(true);
      const changed = await h.api('PUT', '/v1/product-mappings', {
        key,
        body: { scope: 'tenant', lineKind: 'transport_distance', product: { code: 'KM', name: 'Kilometre allowance', unit: 'km', unitPrice: '0.45' } },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.id).toBe(distance.id);
      expect(changed.body.autoCreated).toBe(false);
      const work = await h.api('PUT', '/v1/product-mappings', {
        key,
        body: { scope: 'tenant', lineKind: 'task_entry', product: { code: 'WORK', name: 'Work', unit: 'hour', unitPrice: '85' } },
      });
      expect(work.status).toBe(200);

      const p = await preview(key, defaultsDoc('DEF-4'));
      expect(p.lines[0]).toMatchObject({ product: { code: 'WORK' }, resolvedFrom: 'tenant', priceSource: 'product', netAmount: '255.00' });
      expect(num(p.lines[0].unitPrice)).toBe('85');
      expect(p.lines[3]).toMatchObject({ product: { code: 'KM', name: 'Kilometre allowance', unit: 'km' }, resolvedFrom: 'tenant', priceSource: 'product', netAmount: '45.00' });
      // Goods and expenses still use their own (unchanged) defaults.
      expect(p.lines[1]).toMatchObject({ resolvedFrom: 'default', priceSource: 'none' });
      expect(p.warnings.filter((w: any) => w.code === 'zero_price').map((w: any) => w.path)).toEqual(['lines[1].unitPrice', 'lines[2].unitPrice']);

      // And the next sync uses it too.
      const posted = await h.api('POST', '/v1/invoices', { key, body: defaultsDoc('DEF-5') });
      expect(posted.status).toBe(202);
      expect(posted.body.totals.net).toBe('2300.00');
      const record = await h.waitForStatus(key, posted.body.id, ['synced', 'failed']);
      expect(record.status).toBe('synced');
      const payload = payloadOf(sandbox, 'DEF-5');
      expect(payload.lines[3].product).toEqual({ code: 'KM', name: 'Kilometre allowance', unit: 'km' });
      expect(num(payload.lines[3].unitPrice)).toBe('0.45');
    });

    it('exporting the mappings and importing them back changes nothing; an edited row is the only one updated', async () => {
      const before = (await h.api('GET', '/v1/product-mappings', { key })).body.mappings;
      expect(before.filter((m: any) => m.autoCreated).map((m: any) => m.lineKind).sort()).toEqual(['expense', 'goods', 'transport_time']);
      const json = await h.api('GET', '/v1/product-mappings/export', { key });
      const csv = await h.api('GET', '/v1/product-mappings/export?format=csv', { key });
      for (const body of [json.body, csv.body]) {
        const back = await h.api('POST', '/v1/product-mappings/import', { key, body });
        expect(back.status, JSON.stringify(back.body)).toBe(200);
        expect(back.body).toMatchObject({ created: 0, updated: 0, unchanged: 5, total: 5 });
      }
      const after = (await h.api('GET', '/v1/product-mappings', { key })).body.mappings;
      expect(after).toEqual(before);
      const p = await preview(key, defaultsDoc('DEF-6'));
      expect(p.lines.map((l: any) => l.resolvedFrom)).toEqual(['tenant', 'default', 'default', 'tenant', 'default']);

      // A finance person raises the travel-time price in the spreadsheet and imports it.
      const edited = (csv.body as string).replace(/(transport_time,TRANSPORT_TIME,Transport Time,hour,)1000/, '$1950');
      expect(edited).not.toBe(csv.body);
      const imported = await h.api('POST', '/v1/product-mappings/import', { key, body: edited });
      expect(imported.body).toMatchObject({ created: 0, updated: 1, unchanged: 4 });
      const travel = (await h.api('GET', '/v1/product-mappings?lineKind=transport_time', { key })).body.mappings[0];
      expect(num(travel.product.unitPrice)).toBe('950');
      expect(travel.autoCreated).toBe(false);
      expect((await preview(key, defaultsDoc('DEF-7'))).lines[4]).toMatchObject({ resolvedFrom: 'tenant', netAmount: '1900.00' });
    });
  });

  describe('price order for transport lines: line, product, task, none', () => {
    let key: string;
    beforeAll(async () => {
      key = await tenant('transport');
      await putMapping(key, { scope: 'task', scopeId: 'T-PRICED', lineKind: 'transport_distance', product: { code: 'KM-A', name: 'Kilometres (contract A)', unit: 'km', unitPrice: '0.62' } });
      await putMapping(key, { scope: 'task', scopeId: 'T-NOPRICE', lineKind: 'transport_distance', product: { code: 'KM-B', name: 'Kilometres', unit: 'km' } });
      await putMapping(key, { scope: 'task', scopeId: 'T-NOPRICE', lineKind: 'transport_time', product: { code: 'TT-B', name: 'Travel time', unit: 'hour' } });
    });

    it('takes the line price, else the product price (a default product\'s too), else the task price, else zero with a warning', async () => {
      const doc = invoice('TR-1', [
        line('transport_distance', '120', { unitPrice: '0.57', context: { taskId: 'T-PRICED', taskUnitPrice: '0.70' } }),
        line('transport_distance', '120', { context: { taskId: 'T-PRICED', taskUnitPrice: '0.70' } }),
        line('transport_distance', '120', { context: { taskId: 'T-NOPRICE', taskUnitPrice: '0.70' } }),
        line('transport_distance', '120', { context: { taskId: 'T-UNMAPPED', taskUnitPrice: '0.70' } }),
        line('transport_time', '2.5', { context: { taskId: 'T-UNMAPPED' } }),
        line('transport_time', '2.5', { context: { taskId: 'T-NOPRICE' } }),
        line('transport_time', '2.5', { unitPrice: '80', context: { taskId: 'T-NOPRICE' } }),
      ]);
      const p = await preview(key, doc);
      expect(p.lines.map((l: any) => [l.product.code, l.resolvedFrom, num(l.unitPrice), l.priceSource, l.netAmount, l.vatAmount])).toEqual([
        ['KM-A', 'task', '0.57', 'line', '68.40', '17.44'],
        ['KM-A', 'task', '0.62', 'product', '74.40', '18.97'],
        ['KM-B', 'task', '0.7', 'task', '84.00', '21.42'],
        ['TRANSPORT', 'default', '5', 'product', '600.00', '153.00'],
        ['TRANSPORT_TIME', 'default', '1000', 'product', '2500.00', '637.50'],
        ['TT-B', 'task', '0', 'none', '0.00', '0.00'],
        ['TT-B', 'task', '80', 'line', '200.00', '51.00'],
      ]);
      expect(p.totals).toEqual({ net: '3526.80', vat: '899.33', gross: '4426.13' });
      expect(p.valid).toBe(true);
      expect(p.warnings).toEqual([expect.objectContaining({ code: 'zero_price', path: 'lines[5].unitPrice' })]);
      expect(p.warnings[0].message).toMatch(/TT-B/);

      const posted = await h.api('POST', '/v1/invoices', { key, body: doc });
      expect(posted.status).toBe(202);
      expect(posted.body.totals).toEqual(p.totals);
      expect(posted.body.warnings).toEqual([expect.objectContaining({ code: 'zero_price', path: 'lines[5].unitPrice' })]);
    });
  });

  describe('Finnish rules', () => {
    let key: string;
    beforeAll(async () => {
      key = await tenant('fi');
    });

    const oneLine = (extra: Line = {}) => [line('task_entry', '12', { unitPrice: '100.00', vatRate: '25.5', ...extra })];

    it('preview lists a bad business ID, a wrong reference check digit and 24 % VAT in 2026 at once, each on its field', async () => {
      const doc = invoice('FI-ALL', oneLine({ vatRate: '24' }), {
        referenceNumber: '12 34562',
        customer: { ...(exampleDocument().customer as object), businessId: '1234567-2' },
      });
      const p = await preview(key, doc);
      expect(p.valid).toBe(false);
      const byPath = Object.fromEntries(p.problems.map((x: any) => [x.path, x]));
      expect(Object.keys(byPath).sort()).toEqual(['customer.businessId', 'lines[0].vatRate', 'referenceNumber']);
      expect(byPath['customer.businessId']).toMatchObject({ code: 'invalid_business_id' });
      expect(byPath['customer.businessId'].message).toMatch(/check digit should be 1/);
      expect(byPath.referenceNumber).toMatchObject({ code: 'invalid_reference_number' });
      expect(byPath.referenceNumber.message).toMatch(/should be 1/);
      expect(byPath['lines[0].vatRate']).toMatchObject({ code: 'invalid_vat_rate' });
      expect(byPath['lines[0].vatRate'].message).toMatch(/25\.5/);
      // The rest of the preview is still there for the person fixing it.
      expect(p.lines[0]).toMatchObject({ netAmount: '1200.00', vatAmount: '288.00' });

      const posted = await h.api('POST', '/v1/invoices', { key, body: doc });
      expect(posted.status).toBe(400);
      expect(posted.body.error.code).toBe('validation_failed');
      expect(posted.body.error.details.map((d: any) => d.path).sort()).toEqual(['customer.businessId', 'lines[0].vatRate', 'referenceNumber']);
    });

    it('preview lists the Finnish problems together with the field problems of a document that does not parse', async () => {
      const doc = invoice('FI-BROKEN', [{ kind: 'task_entry', quantity: '2', unitPrice: '100', vatRate: '24' }, line('goods', 'two', { vatRate: '25.5' })], {
        referenceNumber: '1234562',
        customer: { ...(exampleDocument().customer as object), businessId: '1234567-2', email: 'not an address' },
      });
      const p = await preview(key, doc);
      expect(p.valid).toBe(false);
      expect(p.problems.map((x: any) => [x.path, x.code]).sort()).toEqual(
        [
          ['customer.businessId', 'invalid_business_id'],
          ['customer.email', expect.any(String)],
          ['lines[0].description', expect.any(String)],
          ['lines[0].vatRate', 'invalid_vat_rate'],
          ['lines[1].quantity', expect.any(String)],
          ['referenceNumber', 'invalid_reference_number'],
        ],
      );
      const posted = await h.api('POST', '/v1/invoices', { key, body: doc });
      expect(posted.status).toBe(400);
    });

    it.each([
      ['a bad business ID', { customer: { ...(exampleDocument().customer as object), businessId: '1234567-2' } }, oneLine(), 'customer.businessId', 'invalid_business_id'],
      ['a reference number with a wrong check digit', { referenceNumber: '1234562' }, oneLine(), 'referenceNumber', 'invalid_reference_number'],
      ['an RF reference with wrong check digits', { referenceNumber: 'RF19 5390 0754 7034' }, oneLine(), 'referenceNumber', 'invalid_reference_number'],
      ['24 % VAT on a 2026 invoice', {}, oneLine({ vatRate: '24' }), 'lines[0].vatRate', 'invalid_vat_rate'],
      ['14 % VAT on a 2026 invoice (it became 13.5 %)', {}, oneLine({ vatRate: '14' }), 'lines[0].vatRate', 'invalid_vat_rate'],
      ['25.5 % VAT on an EU sale', { customer: { externalId: 'se-1', name: 'Exempel AB', vatNumber: 'SE556677889901', address: { country: 'SE' } } }, oneLine(), 'lines[0].vatRate', 'vat_rate_must_be_zero'],
    ])('%s is a 400 naming the field, and nothing is accepted', async (_what, overrides, lines, path, code) => {
      const externalId = `FI-ONE-${path}-${code}-${Math.random().toString(36).slice(2, 8)}`;
      const posted = await h.api('POST', '/v1/invoices', { key, body: invoice(externalId, lines, overrides) });
      expect(posted.status).toBe(400);
      expect(posted.body.error.details).toEqual([expect.objectContaining({ path, code })]);
      expect(posted.body.error.message).toContain(path);
      const p = await preview(key, invoice(externalId, lines, overrides));
      expect(p.valid).toBe(false);
      expect(p.problems).toEqual([expect.objectContaining({ path, code })]);
    });

    it('accepts every rate in force on the VAT date, and follows the delivery date', async () => {
      const p = await preview(key, invoice('FI-RATES', [
        line('task_entry', '1', { unitPrice: '100', vatRate: '25.5' }),
        line('goods', '1', { unitPrice: '100', vatRate: '13.5' }),
        line('goods', '1', { unitPrice: '100', vatRate: '10' }),
        line('goods', '1', { unitPrice: '100', vatRate: '0' }),
      ]));
      expect(p.problems).toEqual([]);
      expect(p.totals).toEqual({ net: '400.00', vat: '49.00', gross: '449.00' });

      // 2025: 14 % was the reduced rate.
      const y2025 = await preview(key, invoice('FI-2025', oneLine({ vatRate: '14' }), { invoiceDate: '2025-06-30', dueDate: '2025-07-14', period: null }));
      expect(y2025.problems).toEqual([]);
      // Before 2024-09-01 the general rate was 24 %, and 25.5 % did not exist.
      const y2024 = await preview(key, invoice('FI-2024', [line('task_entry', '1', { unitPrice: '100', vatRate: '24' }), line('task_entry', '1', { unitPrice: '100', vatRate: '25.5' })], { invoiceDate: '2024-08-31', dueDate: '2024-09-14', period: null }));
      expect(y2024.problems.map((x: any) => x.path)).toEqual(['lines[1].vatRate']);
      // Invoiced in 2026 for work delivered in 2025: the 2025 rate applies.
      const delivered = await preview(key, invoice('FI-DELIVERED', oneLine({ vatRate: '14' }), { invoiceDate: '2026-01-15', dueDate: '2026-01-29', deliveryDate: '2025-12-20', period: null }));
      expect(delivered.problems).toEqual([]);
    });

    it('a valid business ID and reference are kept normalised; an RF reference is accepted', async () => {
      const p = await preview(key, invoice('FI-OK', oneLine(), { referenceNumber: '12 34561', customer: { ...(exampleDocument().customer as object), businessId: '1234567 - 1' } }));
      expect(p.problems).toEqual([]);
      expect(p.referenceNumber).toBe('1234561');
      const rf = await h.api('POST', '/v1/invoices', { key, body: invoice('FI-RF', oneLine(), { referenceNumber: 'rf18 5390 0754 7034' }) });
      expect(rf.status).toBe(202);
      expect(rf.body.referenceNumber).toBe('RF18539007547034');
    });

    it('derives the VAT treatment from the customer and the line: EU sale and construction reverse charge go out at 0 %', async () => {
      const eu = await preview(key, invoice('FI-EU', [line('task_entry', '10', { unitPrice: '100' })], {
        customer: { externalId: 'se-1', name: 'Exempel AB', vatNumber: 'SE556677889901', address: { country: 'SE' } },
      }));
      expect(eu.problems).toEqual([]);
      expect(eu.lines[0]).toMatchObject({ vatTreatment: 'eu_sale', netAmount: '1000.00', vatAmount: '0.00' });
      expect(num(eu.lines[0].vatRate)).toBe('0');

      const mixed = await preview(key, invoice('FI-RC', [
        line('task_entry', '10', { unitPrice: '100', vatTreatment: 'reverse_charge_construction' }),
        line('goods', '1', { unitPrice: '100' }),
      ]));
      expect(mixed.problems).toEqual([]);
      expect(mixed.lines.map((l: any) => [l.vatTreatment, num(l.vatRate), l.vatAmount])).toEqual([
        ['reverse_charge_construction', '0', '0.00'],
        ['domestic', '25.5', '25.50'],
      ]);

      const us = await preview(key, invoice('FI-US', [line('task_entry', '1', { unitPrice: '100' })], {
        customer: { externalId: 'us-1', name: 'Example Inc', address: { country: 'US' } },
      }));
      expect(us.lines[0]).toMatchObject({ vatTreatment: 'outside_eu', vatAmount: '0.00' });
    });

    it('checks a VAT rate that comes from a product mapping against the invoice date too', async () => {
      await putMapping(key, { scope: 'task', scopeId: 'OLD-RATE', lineKind: 'task_entry', product: { code: 'OLD', name: 'Old rate work', unit: 'hour', unitPrice: '100', vatRate: '24' } });
      const doc = invoice('FI-MAPRATE', [line('task_entry', '1', { context: { taskId: 'OLD-RATE' } }), line('task_entry', '1', { vatRate: '25.5', context: { taskId: 'OLD-RATE' } })]);
      const p = await preview(key, doc);
      expect(p.valid).toBe(false);
      expect(p.problems).toEqual([expect.objectContaining({ path: 'lines[0].vatRate', code: 'invalid_vat_rate' })]);
      expect(p.problems[0].message).toMatch(/OLD/);
      const posted = await h.api('POST', '/v1/invoices', { key, body: doc });
      expect(posted.status).toBe(400);
      expect(posted.body.error.details.map((d: any) => d.path)).toEqual(['lines[0].vatRate']);
    });

    it('generates a reference number with a valid 7-3-1 check digit, different for every invoice of the tenant', async () => {
      const refs: string[] = [];
      for (const n of [1, 2, 3]) {
        const posted = await h.api('POST', '/v1/invoices', { key, body: invoice(`FI-GEN-${n}`, oneLine()) });
        expect(posted.status).toBe(202);
        refs.push(posted.body.referenceNumber);
        const record = await h.api('GET', `/v1/invoices/${posted.body.id}`, { key });
        expect(record.body.referenceNumber).toBe(posted.body.referenceNumber);
      }
      for (const ref of refs) expect(finnishReferenceIsValid(ref), ref).toBe(true);
      expect(new Set(refs).size).toBe(3);

      // The generated reference is what the provider receives.
      const last = await h.api('GET', '/v1/invoices?limit=1', { key });
      const record = await h.waitForStatus(key, last.body.items[0].id, ['synced', 'failed']);
      expect(record.status).toBe('synced');
      expect(payloadOf(sandbox, 'FI-GEN-3').referenceNumber).toBe(refs[2]);
    });
  });

  describe('customer links', () => {
    let key: string;
    let hostKey: string;
    let otherKey: string;
    const doc = (externalId: string) => invoice(externalId, [line('task_entry', '12', { unitPrice: '100.00', vatRate: '25.5' })]);

    beforeAll(async () => {
      key = await tenant('links', { createCustomers: false });
      hostKey = await keyWithRoles('links', ['host']);
      otherKey = await tenant('links-other');
    });

    it('without a link and without createCustomers, preview and sync both say how to link the customer', async () => {
      const p = await preview(key, doc('LNK-0'));
      expect(p.valid).toBe(false);
      expect(p.problems).toEqual([expect.objectContaining({ path: 'customer.externalId', code: 'customer_not_linked' })]);
      expect(p.problems[0].message).toContain('PUT /v1/customer-links/cust-17');

      const posted = await h.api('POST', '/v1/invoices', { key: hostKey, body: doc('LNK-1') });
      expect(posted.status).toBe(202);
      const record = await h.waitForStatus(key, posted.body.id, ['failed', 'synced']);
      expect(record.status).toBe('failed');
      expect(record.lastError.code).toBe('customer_not_linked');
      expect(record.lastError.message).toContain('PUT /v1/customer-links/cust-17');
      expect(sandbox.invoices().some((i) => (i.raw as any).externalId === 'LNK-1')).toBe(false);
    });

    it('PUT, GET and DELETE a link; a linked customer is used by preview and sync', async () => {
      const put = await h.api('PUT', '/v1/customer-links/cust-17', { key, body: { provider: 'generic', providerCustomerId: 'C-9001' } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ customerExternalId: 'cust-17', provider: 'generic', providerCustomerId: 'C-9001', how: 'manual' });

      const got = await h.api('GET', '/v1/customer-links/cust-17', { key });
      expect(got.status).toBe(200);
      expect(got.body.links).toEqual([expect.objectContaining({ provider: 'generic', providerCustomerId: 'C-9001', how: 'manual' })]);
      expect((await h.api('GET', '/v1/customer-links/cust-17?provider=generic', { key })).body.links).toHaveLength(1);
      expect((await h.api('GET', '/v1/customer-links/cust-17?provider=procountor', { key })).status).toBe(404);

      const p = await preview(key, doc('LNK-2'));
      expect(p.valid).toBe(true);
      expect(p.customer).toMatchObject({ action: 'linked', providerCustomerId: 'C-9001' });

      // The failed invoice goes through once the customer is linked.
      const failed = (await h.api('GET', '/v1/invoices?status=failed', { key })).body.items.find((i: any) => i.externalId === 'LNK-1');
      const resync = await h.api('POST', `/v1/invoices/${failed.id}/resync`, { key });
      expect(resync.status).toBe(202);
      const record = await h.waitForStatus(key, failed.id, ['synced', 'failed']);
      expect(record.status, JSON.stringify(record.lastError)).toBe('synced');
      expect(payloadOf(sandbox, 'LNK-1').customer.providerCustomerId).toBe('C-9001');

      // Replacing the link.
      const replaced = await h.api('PUT', '/v1/customer-links/cust-17', { key, body: { provider: 'generic', providerCustomerId: 9002 } });
      expect(replaced.status).toBe(200);
      expect((await preview(key, doc('LNK-3'))).customer).toMatchObject({ action: 'linked', providerCustomerId: '9002' });

      const del = await h.api('DELETE', '/v1/customer-links/cust-17?provider=generic', { key });
      expect(del.status).toBe(204);
      expect((await h.api('GET', '/v1/customer-links/cust-17', { key })).status).toBe(404);
      expect((await h.api('DELETE', '/v1/customer-links/cust-17', { key })).status).toBe(404);
      const after = await preview(key, doc('LNK-4'));
      expect(after.problems.map((x: any) => x.code)).toEqual(['customer_not_linked']);
    });

    it('keeps one link per provider, and customer ids with spaces or slashes work when URL-encoded', async () => {
      const id = encodeURIComponent('asiakas 7/B');
      expect((await h.api('PUT', `/v1/customer-links/${id}`, { key, body: { provider: 'generic', providerCustomerId: 'G-7' } })).status).toBe(200);
      expect((await h.api('PUT', `/v1/customer-links/${id}`, { key, body: { provider: 'procountor', providerCustomerId: '4711' } })).status).toBe(200);
      const both = await h.api('GET', `/v1/customer-links/${id}`, { key });
      expect(both.status).toBe(200);
      expect(both.body.customerExternalId).toBe('asiakas 7/B');
      expect(both.body.links.map((l: any) => [l.provider, l.providerCustomerId])).toEqual([
        ['generic', 'G-7'],
        ['procountor', '4711'],
      ]);
      expect((await h.api('DELETE', `/v1/customer-links/${id}?provider=procountor`, { key })).status).toBe(204);
      expect((await h.api('GET', `/v1/customer-links/${id}`, { key })).body.links.map((l: any) => l.provider)).toEqual(['generic']);
      const p = await preview(key, invoice('LNK-SLASH', [line('task_entry', '1', { unitPrice: '1' })], { customer: { externalId: 'asiakas 7/B', name: 'Asiakas Oy' } }));
      expect(p.customer).toMatchObject({ action: 'linked', providerCustomerId: 'G-7' });
    });

    it('refuses bad bodies naming the field, other roles, and other tenants', async () => {
      const bad = await h.api('PUT', '/v1/customer-links/cust-17', { key, body: { provider: 'sap', providerCustomerId: '' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(['provider', 'providerCustomerId']);
      // A Procountor partner id is a number: a code typed by mistake is refused now, not at the next sync.
      const notANumber = await h.api('PUT', '/v1/customer-links/cust-17', { key, body: { provider: 'procountor', providerCustomerId: 'ESIMERKKI' } });
      expect(notANumber.status).toBe(400);
      expect(notANumber.body.error.details).toEqual([expect.objectContaining({ path: 'providerCustomerId' })]);
      expect((await h.api('GET', '/v1/customer-links/cust-17?provider=procountor', { key })).status).toBe(404);

      expect((await h.api('PUT', '/v1/customer-links/cust-17', { key: hostKey, body: { provider: 'generic', providerCustomerId: 'X' } })).status).toBe(403);
      expect((await h.api('GET', '/v1/customer-links/cust-17', { key: hostKey })).status).toBe(403);
      expect((await h.api('DELETE', '/v1/customer-links/cust-17', { key: hostKey })).status).toBe(403);

      const mine = await h.api('PUT', '/v1/customer-links/cust-42', { key, body: { provider: 'generic', providerCustomerId: 'C-42' } });
      expect(mine.status).toBe(200);
      expect((await h.api('GET', '/v1/customer-links/cust-42', { key: otherKey })).status).toBe(404);
      expect((await h.api('DELETE', '/v1/customer-links/cust-42', { key: otherKey })).status).toBe(404);
      expect((await h.api('GET', '/v1/customer-links/cust-42', { key })).status).toBe(200);
      // The other tenant's invoice for a customer with the same id is not linked by this tenant's link.
      expect((await preview(otherKey, invoice('LNK-OTHER', [line('task_entry', '1', { unitPrice: '1' })], { customer: { externalId: 'cust-42', name: 'Other Oy' } }))).customer).toMatchObject({ action: 'create' });
    });
  });

  describe('a rejected invoice leaves nothing behind', () => {
    it('a 400 creates no record and no default products', async () => {
      const key = await tenant('rejected');
      const doc = invoice('REJ-1', [line('task_entry', '1'), line('goods', '1'), line('expense', '1'), line('transport_distance', '1'), line('transport_time', '1', { vatRate: '24' })]);
      const posted = await h.api('POST', '/v1/invoices', { key, body: doc });
      expect(posted.status).toBe(400);
      expect(posted.body.error.details).toEqual([expect.objectContaining({ path: 'lines[4].vatRate', code: 'invalid_vat_rate' })]);
      expect((await h.api('GET', '/v1/invoices', { key })).body.items).toEqual([]);
      expect((await h.api('GET', '/v1/product-mappings', { key })).body.mappings).toEqual([]);
    });
  });

  describe('preview posts nothing', () => {
    let quiet: RunningGenericSandbox;
    let key: string;
    beforeAll(async () => {
      quiet = await startGenericSandbox({ port: 0 });
      key = await tenant('quiet', { sandbox: quiet, webhook: true });
    });
    afterAll(async () => {
      await quiet?.close();
    });

    it('without a connection the preview still resolves the lines and says which connection is missing', async () => {
      const lonely = await h.tenant('lonely');
      const p = await preview(lonely, invoice('Q-0', [line('transport_distance', '10')]));
      expect(p.valid).toBe(false);
      expect(p.problems).toEqual([expect.objectContaining({ path: 'provider', code: 'no_connection' })]);
      expect(p.lines[0]).toMatchObject({ product: { code: 'TRANSPORT' }, resolvedFrom: 'default', netAmount: '50.00' });
      const named = await preview(key, invoice('Q-00', [line('transport_distance', '10')], { provider: 'procountor' }));
      expect(named.problems).toEqual([expect.objectContaining({ path: 'provider', code: 'no_connection' })]);
      expect(named.problems[0].message).toContain('PUT /v1/connections/procountor');
    });

    it('answers valid and invalid documents without a provider call, a record, a mapping or a status event', async () => {
      const deliveriesBefore = receiver.received.length;
      // Saving the connection checked it with one lookup; nothing may follow.
      const requestsBefore = quiet.requests().length;
      const valid = await preview(key, invoice('Q-1', [line('task_entry', '2'), line('transport_distance', '10')]));
      expect(valid.valid).toBe(true);
      expect(valid.lines.map((l: any) => l.netAmount)).toEqual(['0.00', '50.00']);
      const invalid = await preview(key, invoice('Q-2', [line('task_entry', '2', { vatRate: '24' })], { referenceNumber: '1234562' }));
      expect(invalid.valid).toBe(false);
      expect(invalid.problems.map((p: any) => p.path).sort()).toEqual(['lines[0].vatRate', 'referenceNumber']);
      // A document that does not even parse: every field problem at once.
      const broken = await preview(key, { externalId: '', invoiceDate: '2026-02-30', customer: {}, lines: [{ kind: 'hours', quantity: 'x' }] });
      expect(broken.valid).toBe(false);
      expect(broken.problems.map((p: any) => p.path)).toEqual(
        expect.arrayContaining(['externalId', 'invoiceDate', 'customer.externalId', 'customer.name', 'lines[0].kind', 'lines[0].quantity', 'lines[0].description']),
      );

      expect(quiet.requests().slice(requestsBefore)).toEqual([]);
      expect(createsReceived(quiet)).toHaveLength(0);
      expect(quiet.invoices()).toEqual([]);
      expect((await h.api('GET', '/v1/invoices', { key })).body.items).toEqual([]);
      expect((await h.api('GET', '/v1/product-mappings', { key })).body.mappings).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.received.slice(deliveriesBefore).filter((e) => ['Q-1', 'Q-2'].includes(e.json?.data?.externalId))).toEqual([]);

      // A finance key may preview too; an admin-only key may not.
      const finance = await keyWithRoles('quiet', ['finance']);
      expect((await h.api('POST', '/v1/invoices/preview', { key: finance, body: invoice('Q-3', [line('task_entry', '1', { unitPrice: '1' })]) })).status).toBe(200);
      const adminOnly = await keyWithRoles('quiet', ['admin']);
      expect((await h.api('POST', '/v1/invoices/preview', { key: adminOnly, body: invoice('Q-4', [line('task_entry', '1', { unitPrice: '1' })]) })).status).toBe(403);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { composeDraft } from '../../src/billing/domain/draft-lines.js';
import { clockText, minutesToHours, roundHours } from '../../src/billing/domain/hours.js';
import { isIban } from '../../src/billing/domain/iban.js';
import { itemSpecsOf } from '../../src/billing/domain/item-parts.js';
import { localDate, workDay } from '../../src/billing/domain/local-date.js';
import { priceLine } from '../../src/billing/domain/pricing.js';
import type { BillableItem, BillingProject, BillingTask } from '../../src/billing/domain/types.js';
import { dec } from '../../src/domain/money.js';
import type { ProductMapping } from '../../src/domain/products/product-mapping.js';

const project: BillingProject = {
  externalId: 'p',
  name: 'P',
  customerExternalId: 'c',
  kind: 'ongoing',
  managerName: null,
  hourlyRate: '80',
  provider: null,
  billOn: 'closed_tasks',
  schedule: null,
  rounding: null,
  email: null,
};
const task: BillingTask = {
  externalId: '1296',
  projectExternalId: 'p',
  title: 'Integration of BIM tools',
  status: 'closed',
  billable: true,
  estimateHours: null,
  unitPrice: null,
  unit: null,
  product: null,
  context: { contactId: 'k', teamId: 't-2' },
  closedAt: null,
};

describe('billing hours', () => {
  it('rounds by increment and mode, and writes differences as a clock', () => {
    expect(roundHours(dec('10.1'), { incrementMinutes: 15, mode: 'up' }).toString()).toBe('10.25');
    expect(roundHours(dec('10.1'), { incrementMinutes: 15, mode: 'down' }).toString()).toBe('10');
    expect(roundHours(dec('10.125'), { incrementMinutes: 15, mode: 'nearest' }).toString()).toBe('10.25');
    expect(roundHours(dec('0.3'), { incrementMinutes: 20, mode: 'up' }).toString()).toBe('0.333333');
    expect(roundHours(dec('7'), null).toString()).toBe('7');
    expect(clockText('1.25')).toBe('+1:15');
    expect(clockText('-0.75')).toBe('-0:45');
    expect(clockText('0')).toBe('0:00');
    expect(clockText('0.333333')).toBe('+0:20');
    expect(minutesToHours(45).toString()).toBe('0.75');
    expect(minutesToHours(20).toString()).toBe('0.333333');
  });

  it('splits mileage into distance and travel time, and defaults an expense to one piece', () => {
    expect(itemSpecsOf({ kind: 'mileage', hours: null, km: '42', transportMinutes: 30, quantity: null })).toEqual([
      { part: 'distance', lineKind: 'transport_distance', quantity: '42' },
      { part: 'time', lineKind: 'transport_time', quantity: '0.5' },
    ]);
    expect(itemSpecsOf({ kind: 'mileage', hours: null, km: '0', transportMinutes: 15, quantity: null })).toEqual([{ part: 'time', lineKind: 'transport_time', quantity: '0.25' }]);
    expect(itemSpecsOf({ kind: 'expense', hours: null, km: null, transportMinutes: null, quantity: null })).toEqual([{ part: 'main', lineKind: 'expense', quantity: '1' }]);
  });

  it('places instants on days in the time zone', () => {
    expect(workDay('2026-11-30T22:30:00Z', 'Europe/Helsinki')).toBe('2026-12-01');
    expect(workDay('2026-11-30T22:30:00Z', 'UTC')).toBe('2026-11-30');
    expect(workDay('2026-11-30', 'Pacific/Kiritimati')).toBe('2026-11-30');
    expect(localDate(new Date('2026-03-29T00:30:00Z'), 'Europe/Helsinki')).toBe('2026-03-29');
    expect(isIban('FI49 5000 9420 0287 30')).toBe(true);
    expect(isIban('FI49 5000 9420 0287 31')).toBe(false);
  });
});

describe('billing price order', () => {
  const mapping = (over: Partial<ProductMapping>): ProductMapping => ({ id: 'm', scope: 'tenant', scopeId: null, lineKind: 'task_entry', product: { code: 'X', name: 'X', unit: 'hour' }, autoCreated: false, ...over });

  it('takes the entry, then the product, then the task, then the project rate (time only), else zero', () => {
    const at = (t: Partial<BillingTask>, mappings: ProductMapping[], entry: string | null = null, kind: 'task_entry' | 'goods' = 'task_entry') =>
      priceLine({ kind, entryUnitPrice: entry }, { ...task, ...t }, project, mappings, '2026-11-30');
    expect(at({ unitPrice: '95' }, [mapping({ product: { code: 'P', name: 'P', unit: 'hour', unitPrice: '110' } })], '150')).toMatchObject({ unitPrice: '150', priceSource: 'entry' });
    expect(at({ unitPrice: '95' }, [mapping({ scope: 'team', scopeId: 't-2', product: { code: 'P', name: 'P', unit: 'hour', unitPrice: '110' } })])).toMatchObject({ unitPrice: '110', priceSource: 'product', resolvedFrom: 'team' });
    expect(at({ unitPrice: '95' }, [])).toMatchObject({ unitPrice: '95', priceSource: 'task', needsDefault: 'task_entry' });
    expect(at({}, [])).toMatchObject({ unitPrice: '80', priceSource: 'project' });
    expect(at({}, [], null, 'goods')).toMatchObject({ unitPrice: '0', priceSource: 'none', zeroPrice: true });
    expect(at({ product: { code: 'BIM', name: 'BIM consulting', unitPrice: '120' } }, [])).toMatchObject({ unitPrice: '120', priceSource: 'product', resolvedFrom: 'line', product: { code: 'BIM' } });
  });

  it('bills a task at one line per price, with the additional hours at the price of the most hours', () => {
    const item = (id: string, hours: string, price: string | null, user: string): BillableItem => ({
      id,
      entryExternalId: id,
      part: 'main',
      taskExternalId: '1296',
      projectExternalId: 'p',
      lineKind: 'task_entry',
      quantity: hours,
      date: '2026-11-02',
      userId: user,
      status: 'pending',
      draftId: 'd',
      invoiceId: null,
      frozen: null,
      userName: null,
      activity: null,
      description: null,
      entryUnitPrice: price,
    });
    const c = composeDraft({
      draft: { taskOverrides: { '1296': { billedHours: '9' } }, addedLines: [], fields: {} },
      items: [item('a', '6', null, 'u1'), item('b', '2', '120', 'u2')],
      tasks: new Map([['1296', task]]),
      projects: new Map([['p', project]]),
      mappings: [],
      vatDate: '2026-11-30',
    });
    expect(c.documentLines.map((l) => [l.quantity, l.bookedQuantity, l.adjustment, l.unitPrice])).toEqual([
      ['7', '6', '1', '80'],
      ['2', '2', '0', '120'],
    ]);
    expect(c.taskLines[0]).toMatchObject({ bookedHours: '8', billedHours: '9', additional: '+1:00', unitPrice: '80' });
    expect(c.hours).toBe('9');
  });
});

import type { Decimal } from 'decimal.js';
import type { LineKind } from '../../domain/invoice-document.js';
import { dec, decimalText, sum } from '../../domain/money.js';
import type { ProductMapping } from '../../domain/products/product-mapping.js';
import { clockText, roundHours } from './hours.js';
import { lineContextOf, priceLine, taskProductFor, type BillingPriceSource, type PricedLine } from './pricing.js';
import type { AddedLine, BillableItem, BillingProject, BillingTask, Draft } from './types.js';

/**
 * What a draft shows and what its release posts, from the items on it (pure).
 *
 * Hours: one line per task with its booked hours (the time entries), the
 * billed hours (what finance set, else the booked hours under the project's
 * rounding) and the difference as additional hours ("+1:15"). Goods, expenses
 * and mileage are a line each; finance's added lines follow.
 *
 * The invoice lines are intake documents' lines: each with its unit price
 * (billing's price order) and the task's context, so the product is resolved
 * by the same mappings and defaults as any posted invoice, and totals come from
 * the same rounding (per line, half away from zero).
 *
 * A task whose hours have more than one price (an entry with its own price)
 * gets an invoice line per price; the additional hours are billed at the price
 * of the most hours.
 */

export interface DocumentLine {
  kind: LineKind;
  description: string;
  quantity: string;
  bookedQuantity?: string;
  adjustment?: string;
  unit?: string;
  unitPrice?: string;
  vatRate?: string;
  product?: { code: string; name: string; unit?: string };
  context?: Record<string, string | null>;
}

export interface PriceGroup {
  product: { code: string; name: string; unit: string };
  unitPrice: string;
  priceSource: BillingPriceSource;
  bookedHours: string;
  billedHours: string;
  /** Index of its invoice line in the document, or null when it bills nothing. */
  lineRef: number | null;
  itemIds: string[];
}

export interface TaskLine {
  taskExternalId: string;
  projectExternalId: string;
  title: string;
  /** The text on the invoice: finance's rename, else "#<ticket> <title>". */
  description: string;
  renamed: boolean;
  status: string;
  estimateHours: string | null;
  bookedHours: string;
  billedHours: string;
  additionalHours: string;
  additional: string;
  /** What ledgerlink proposes before finance changes it: booked hours under the project's rounding. */
  proposedBilledHours: string;
  billedHoursSetBy: 'booked' | 'rounding' | 'finance';
  perActivity: Array<{ activity: string | null; hours: string }>;
  perUser: Array<{ userId: string; userName: string | null; hours: string; unitPrice: string }>;
  unitPrice: string;
  priceSource: BillingPriceSource;
  product: { code: string; name: string; unit: string };
  priceGroups: PriceGroup[];
  excluded: boolean;
  itemIds: string[];
  entries: number;
  warnings: Array<{ code: string; message: string }>;
}

export interface OtherLine {
  id: string;
  source: 'work' | 'added';
  kind: LineKind;
  taskExternalId: string | null;
  entryExternalId: string | null;
  date: string | null;
  userId: string | null;
  description: string;
  quantity: string;
  unit: string | null;
  unitPrice: string | null;
  priceSource: BillingPriceSource | 'line' | null;
  product: { code: string; name: string; unit: string } | null;
  excluded: boolean;
  lineRef: number | null;
}

export interface DraftComposition {
  taskLines: TaskLine[];
  otherLines: OtherLine[];
  documentLines: DocumentLine[];
  /** Billed hours of the tasks that are billed. */
  hours: string;
  needsDefaults: LineKind[];
  warnings: Array<{ code: string; path: string; message: string }>;
}

export interface CompositionInput {
  draft: Pick<Draft, 'taskOverrides' | 'addedLines' | 'fields'>;
  items: BillableItem[];
  tasks: ReadonlyMap<string, BillingTask>;
  projects: ReadonlyMap<string, BillingProject>;
  mappings: ReadonlyArray<ProductMapping>;
  vatDate: string;
}

/** "#1296 Integration of BIM tools" for a numbered ticket; other ids are not shown to customers. */
export function taskDescription(task: Pick<BillingTask, 'externalId' | 'title'>): string {
  return /^\d{1,12}$/.test(task.externalId) && !task.title.includes(`#${task.externalId}`) ? `#${task.externalId} ${task.title}` : task.title;
}

function productView(p: PricedLine['product']): { code: string; name: string; unit: string } {
  return { code: p.code, name: p.name, unit: p.unit };
}

export function composeDraft(input: CompositionInput): DraftComposition {
  const { draft, items, tasks, projects, mappings, vatDate } = input;
  const documentLines: DocumentLine[] = [];
  const warnings: DraftComposition['warnings'] = [];
  const needsDefaults: LineKind[] = [];
  const removed = new Set(draft.fields.removedItems ?? []);

  const price = (item: BillableItem, task: BillingTask): PricedLine => {
    const project = projects.get(task.projectExternalId);
    if (!project) throw new Error(`project ${task.projectExternalId} of task ${task.externalId} is missing`);
    const priced = priceLine({ kind: item.lineKind, entryUnitPrice: item.entryUnitPrice }, task, project, mappings, vatDate);
    if (priced.needsDefault && !needsDefaults.includes(priced.needsDefault)) needsDefaults.push(priced.needsDefault);
    return priced;
  };

  // Hours, one line per task, in the order work was done.
  const byTask = new Map<string, BillableItem[]>();
  for (const item of items) {
    const list = byTask.get(item.taskExternalId) ?? [];
    list.push(item);
    byTask.set(item.taskExternalId, list);
  }

  const taskLines: TaskLine[] = [];
  const otherLines: OtherLine[] = [];
  for (const [taskId, taskItems] of byTask) {
    const task = tasks.get(taskId);
    if (!task) throw new Error(`task ${taskId} of a billable item is missing`);
    const project = projects.get(task.projectExternalId)!;
    const override = draft.taskOverrides[taskId] ?? {};
    const excluded = override.excluded === true;
    const timeItems = taskItems.filter((i) => i.lineKind === 'task_entry');
    if (timeItems.length || override.billedHours !== undefined) {
      const booked = sum(timeItems.map((i) => dec(i.quantity)));
      const proposed = roundHours(booked, project.rounding);
      const billed = override.billedHours !== undefined ? dec(override.billedHours) : proposed;
      const additional = billed.minus(booked);

      const groups: Array<PriceGroup & { hours: Decimal }> = [];
      const perActivity = new Map<string, Decimal>();
      const perUser = new Map<string, { userId: string; userName: string | null; hours: Decimal; unitPrice: string }>();
      for (const item of timeItems) {
        const priced = price(item, task);
        let group = groups.find((g) => g.product.code === priced.product.code && g.unitPrice === priced.unitPrice);
        if (!group) {
          group = { product: productView(priced.product), unitPrice: priced.unitPrice, priceSource: priced.priceSource, bookedHours: '0', billedHours: '0', lineRef: null, itemIds: [], hours: dec(0) };
          groups.push(group);
        }
        group.hours = group.hours.plus(dec(item.quantity));
        group.itemIds.push(item.id);
        const activity = item.activity ?? '';
        perActivity.set(activity, (perActivity.get(activity) ?? dec(0)).plus(dec(item.quantity)));
        const userKey = `${item.userId}\u0000${priced.unitPrice}`;
        const user = perUser.get(userKey) ?? { userId: item.userId, userName: item.userName, hours: dec(0), unitPrice: priced.unitPrice };
        user.hours = user.hours.plus(dec(item.quantity));
        user.userName = user.userName ?? item.userName;
        perUser.set(userKey, user);
      }
      if (!groups.length) {
        // Finance set billed hours on a task whose booked time has gone: bill them at the task's price.
        const priced = priceLine({ kind: 'task_entry', entryUnitPrice: null }, task, project, mappings, vatDate);
        groups.push({ product: productView(priced.product), unitPrice: priced.unitPrice, priceSource: priced.priceSource, bookedHours: '0', billedHours: '0', lineRef: null, itemIds: [], hours: dec(0) });
      }
      const primary = groups.reduce((best, g) => (g.hours.greaterThan(best.hours) ? g : best), groups[0]!);
      const description = override.title ?? taskDescription(task);
      const taskProduct = taskProductFor('task_entry', task);
      const lineWarnings: TaskLine['warnings'] = [];
      for (const g of groups) {
        const isPrimary = g === primary;
        const quantity = isPrimary ? g.hours.plus(additional) : g.hours;
        g.bookedHours = decimalText(g.hours);
        g.billedHours = decimalText(quantity);
        if (g.priceSource === 'none') {
          lineWarnings.push({ code: 'zero_price', message: `the hours of task ${taskId} have no price: set the task's unitPrice, the project's hourlyRate or a price on the product ${g.product.code}` });
        }
        if (excluded || quantity.isZero()) continue;
        const suffix = groups.length > 1 && !isPrimary ? (g.product.code !== primary.product.code ? ` (${g.product.name})` : ` (${g.unitPrice}/h)`) : '';
        g.lineRef = documentLines.length;
        documentLines.push({
          kind: 'task_entry',
          description: `${description}${suffix}`.slice(0, 1000),
          quantity: decimalText(quantity),
          bookedQuantity: decimalText(g.hours),
          adjustment: decimalText(isPrimary ? additional : dec(0)),
          ...(task.unit ? { unit: task.unit } : {}),
          unitPrice: g.unitPrice,
          ...(taskProduct ? { product: { code: taskProduct.code, name: taskProduct.name, ...(taskProduct.unit ? { unit: taskProduct.unit } : {}) } } : {}),
          context: lineContextOf(task),
        });
      }
      if (override.billedHours !== undefined && override.bookedAtOverride !== undefined && !dec(override.bookedAtOverride).equals(booked)) {
        lineWarnings.push({
          code: 'booked_hours_changed',
          message: `booked hours changed from ${override.bookedAtOverride} to ${decimalText(booked)} after the billed hours were set to ${override.billedHours}; check the billed hours`,
        });
      }
      for (const w of lineWarnings) warnings.push({ code: w.code, path: `tasks.${taskId}`, message: w.message });
      taskLines.push({
        taskExternalId: taskId,
        projectExternalId: task.projectExternalId,
        title: override.title ?? task.title,
        description,
        renamed: override.title !== undefined,
        status: task.status,
        estimateHours: task.estimateHours,
        bookedHours: decimalText(booked),
        billedHours: decimalText(billed),
        additionalHours: decimalText(additional),
        additional: clockText(additional),
        proposedBilledHours: decimalText(proposed),
        billedHoursSetBy: override.billedHours !== undefined ? 'finance' : proposed.equals(booked) ? 'booked' : 'rounding',
        perActivity: [...perActivity.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([activity, hours]) => ({ activity: activity || null, hours: decimalText(hours) })),
        perUser: [...perUser.values()].map((u) => ({ userId: u.userId, userName: u.userName, hours: decimalText(u.hours), unitPrice: u.unitPrice })),
        unitPrice: primary.unitPrice,
        priceSource: primary.priceSource,
        product: primary.product,
        priceGroups: groups.map(({ hours: _hours, ...g }) => g),
        excluded,
        itemIds: timeItems.map((i) => i.id),
        entries: new Set(timeItems.map((i) => i.entryExternalId)).size,
        warnings: lineWarnings,
      });
    }

    for (const item of taskItems.filter((i) => i.lineKind !== 'task_entry')) {
      const priced = price(item, task);
      const isExcluded = excluded || removed.has(item.id) || item.status === 'excluded';
      const description = (item.description ?? `${priced.product.name}, ${item.date}`).slice(0, 1000);
      let lineRef: number | null = null;
      if (!isExcluded) {
        lineRef = documentLines.length;
        documentLines.push({ kind: item.lineKind, description, quantity: item.quantity, unitPrice: priced.unitPrice, context: lineContextOf(task) });
      }
      if (priced.zeroPrice) {
        warnings.push({ code: 'zero_price', path: `otherLines.${item.id}`, message: `${description} has no price: give the entry a unitPrice, or set a price on the product ${priced.product.code} or the task` });
      }
      otherLines.push({
        id: item.id,
        source: 'work',
        kind: item.lineKind,
        taskExternalId: taskId,
        entryExternalId: item.entryExternalId,
        date: item.date,
        userId: item.userId,
        description,
        quantity: item.quantity,
        unit: priced.unit,
        unitPrice: priced.unitPrice,
        priceSource: priced.priceSource,
        product: productView(priced.product),
        excluded: isExcluded,
        lineRef,
      });
    }
  }

  for (const added of draft.addedLines) {
    const lineRef = documentLines.length;
    documentLines.push(addedDocumentLine(added));
    otherLines.push({
      id: added.id,
      source: 'added',
      kind: added.kind,
      taskExternalId: null,
      entryExternalId: null,
      date: null,
      userId: null,
      description: added.description,
      quantity: added.quantity,
      unit: added.unit,
      unitPrice: added.unitPrice,
      priceSource: added.unitPrice === null ? null : 'line',
      product: added.product ? { code: added.product.code, name: added.product.name, unit: added.product.unit ?? added.unit ?? '' } : null,
      excluded: false,
      lineRef,
    });
  }

  const hours = sum(taskLines.filter((t) => !t.excluded).map((t) => dec(t.billedHours)));
  return { taskLines, otherLines, documentLines, hours: decimalText(hours), needsDefaults, warnings };
}

export function addedDocumentLine(added: AddedLine): DocumentLine {
  return {
    kind: added.kind,
    description: added.description,
    quantity: added.quantity,
    ...(added.unit ? { unit: added.unit } : {}),
    ...(added.unitPrice !== null ? { unitPrice: added.unitPrice } : {}),
    ...(added.vatRate !== null ? { vatRate: added.vatRate } : {}),
    ...(added.product ? { product: { code: added.product.code, name: added.product.name, ...(added.product.unit ? { unit: added.product.unit } : {}) } } : {}),
  };
}

import type { LineKind } from '../../domain/invoice-document.js';
import { decimalText } from '../../domain/money.js';
import type { ProductMapping } from '../../domain/products/product-mapping.js';
import { resolveLine, type ResolvedFrom } from '../../domain/products/resolve-line.js';
import type { ResolvedProduct } from '../../domain/resolved-invoice.js';
import type { BillingProject, BillingTask } from './types.js';

export type BillingPriceSource = 'entry' | 'product' | 'task' | 'project' | 'none';

export interface PricedLine {
  product: ResolvedProduct;
  resolvedFrom: ResolvedFrom;
  unit: string;
  unitPrice: string;
  priceSource: BillingPriceSource;
  /** The tenant default for this kind does not exist yet (compile creates it, as intake does). */
  needsDefault?: LineKind;
  /** Set when nothing gave a price: the line is billed at 0.00 and finance is told. */
  zeroPrice: boolean;
}

/** The invoice-line context of a task's work: the product resolution order reads it (task → contact → membership → team). */
export function lineContextOf(task: BillingTask): { taskId: string; contactId: string | null; membershipId: string | null; teamId: string | null } {
  return {
    taskId: task.externalId,
    contactId: task.context.contactId ?? null,
    membershipId: task.context.membershipId ?? null,
    teamId: task.context.teamId ?? null,
  };
}

/** A task's own product applies to its hours; other work resolves its product by mappings. */
export function taskProductFor(kind: LineKind, task: BillingTask): { code: string; name: string; unit: string | null } | null {
  if (kind !== 'task_entry' || !task.product) return null;
  return { code: task.product.code, name: task.product.name, unit: task.product.unit ?? task.unit ?? null };
}

/**
 * Product and price of one billable line (CONTRACT.md "Rules the routes share").
 * Product: the task's own product for hours, else the intake's resolution order
 * (task → contact → membership → team → tenant → the auto-created default per
 * kind), reused from domain/products. Price: the entry's own price → the
 * resolved product's price (a default product's default price: transport
 * 5.00/km, transport time 1000.00/h) → the task's unit price → the project's
 * hourly rate (time only) → 0.00 with a zero_price warning. Pure.
 */
export function priceLine(
  line: { kind: LineKind; entryUnitPrice: string | null },
  task: BillingTask,
  project: BillingProject,
  mappings: ReadonlyArray<ProductMapping>,
  vatDate: string,
): PricedLine {
  const taskProduct = taskProductFor(line.kind, task);
  const r = resolveLine(
    {
      kind: line.kind,
      unit: line.kind === 'task_entry' ? task.unit : null,
      unitPrice: null,
      vatRate: null,
      product: taskProduct,
      context: lineContextOf(task),
    },
    mappings,
    { index: 0, vatDate },
  );
  const productPrice = r.priceSource === 'product' ? r.unitPrice : taskProduct && task.product?.unitPrice ? task.product.unitPrice : null;
  let unitPrice: string;
  let priceSource: BillingPriceSource;
  if (line.entryUnitPrice != null) {
    unitPrice = line.entryUnitPrice;
    priceSource = 'entry';
  } else if (productPrice != null) {
    unitPrice = productPrice;
    priceSource = 'product';
  } else if (task.unitPrice != null) {
    unitPrice = task.unitPrice;
    priceSource = 'task';
  } else if (line.kind === 'task_entry' && project.hourlyRate != null) {
    unitPrice = project.hourlyRate;
    priceSource = 'project';
  } else {
    unitPrice = '0';
    priceSource = 'none';
  }
  const priced: PricedLine = {
    product: r.product,
    resolvedFrom: r.resolvedFrom,
    unit: r.unit,
    unitPrice: decimalText(unitPrice),
    priceSource,
    zeroPrice: priceSource === 'none',
  };
  if (r.needsDefault) priced.needsDefault = r.needsDefault;
  return priced;
}

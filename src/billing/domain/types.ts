import type { InvoiceCustomer, LineKind } from '../../domain/invoice-document.js';
import type { EntryKind, Rounding, Schedule, Seller } from './work-schemas.js';

/** The billing area's records, as the repositories hand them out. Decimals are canonical strings. */

export type BillingCustomer = Omit<InvoiceCustomer, 'externalId'> & { externalId: string };

export interface BillingProject {
  externalId: string;
  name: string;
  customerExternalId: string;
  kind: 'ongoing' | 'one_time';
  managerName: string | null;
  hourlyRate: string | null;
  provider: string | null;
  /** Effective: closed_tasks for ongoing projects, stopped_entries for one-time ones, unless set. */
  billOn: 'closed_tasks' | 'stopped_entries';
  schedule: Schedule | null;
  rounding: Rounding | null;
  email: string | null;
}

export interface TaskContext {
  contactId?: string | null;
  membershipId?: string | null;
  teamId?: string | null;
}

export interface TaskProduct {
  code: string;
  name: string;
  unit?: string | null;
  unitPrice?: string | null;
}

export interface BillingTask {
  externalId: string;
  projectExternalId: string;
  title: string;
  status: 'new' | 'in_progress' | 'done' | 'closed';
  billable: boolean;
  estimateHours: string | null;
  unitPrice: string | null;
  unit: string | null;
  product: TaskProduct | null;
  context: TaskContext;
  closedAt: Date | null;
}

/** open: not compiled; compiled: has items on no released invoice yet; billed / excluded: settled by a released invoice. */
export type EntryState = 'open' | 'compiled' | 'billed' | 'excluded';

export interface BillingEntry {
  externalId: string;
  taskExternalId: string;
  userId: string;
  userName: string | null;
  activity: string | null;
  kind: EntryKind;
  /** The work day in the tenant's time zone. */
  date: string;
  /** The date as the host sent it (a day or an instant). */
  sentDate: string;
  hours: string | null;
  km: string | null;
  transportMinutes: number | null;
  quantity: string | null;
  unitPrice: string | null;
  description: string | null;
  stopped: boolean;
  state: EntryState;
}

/** Which line of its entry an item is: a mileage entry makes a distance and a time item. */
export type ItemPart = 'main' | 'distance' | 'time';

export type ItemStatus = 'pending' | 'invoiced' | 'excluded';

/** What an item was billed as, kept when its invoice is released. */
export interface FrozenItem {
  product: { code: string; name: string; unit: string };
  unitPrice: string;
  priceSource: string;
  vatRate: string | null;
}

export interface BillableItem {
  id: string;
  entryExternalId: string;
  part: ItemPart;
  taskExternalId: string;
  projectExternalId: string;
  lineKind: LineKind;
  /** Hours for time, km for distance, hours for transport time, pieces for goods and expenses. */
  quantity: string;
  date: string;
  userId: string;
  status: ItemStatus;
  draftId: string | null;
  invoiceId: string | null;
  frozen: FrozenItem | null;
  /** From the entry. */
  userName: string | null;
  activity: string | null;
  description: string | null;
  entryUnitPrice: string | null;
}

export interface TaskOverride {
  billedHours?: string;
  /** Booked hours when finance set billedHours (a later change of the booked time is flagged). */
  bookedAtOverride?: string;
  title?: string;
  excluded?: boolean;
}

export interface AddedLine {
  id: string;
  kind: LineKind;
  description: string;
  quantity: string;
  unit: string | null;
  unitPrice: string | null;
  vatRate: string | null;
  product: { code: string; name: string; unit?: string | null } | null;
}

export interface DraftFields {
  invoiceDate?: string | null;
  dueDate?: string | null;
  paymentTermDays?: number | null;
  contactPerson?: string | null;
  email?: string | null;
  notes?: string | null;
  /** Ids of item lines (goods, expenses, mileage) finance removed: not billed. */
  removedItems?: string[];
}

export type DraftSource = 'project' | 'period' | 'freeform';

export interface Draft {
  id: string;
  tenantId: string;
  source: DraftSource;
  type: 'invoice' | 'credit_note';
  status: 'open' | 'released';
  projectExternalId: string | null;
  customerExternalId: string;
  groupBy: 'project' | 'customer' | null;
  groupKey: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  creditedExternalId: string | null;
  fields: DraftFields;
  taskOverrides: Record<string, TaskOverride>;
  addedLines: AddedLine[];
  invoiceId: string | null;
  createdAt: Date;
  updatedAt: Date;
  releasedAt: Date | null;
}

export interface BillingSettings {
  approvalFlow: boolean;
  timeZone: string;
  seller: Seller | null;
  invoiceNumberStart: number;
  lastInvoiceNumber: number | null;
}

export type BillingInvoiceStatus = 'ready_to_send' | 'sent';

export interface BillingInvoice {
  id: string;
  tenantId: string;
  draftId: string;
  number: number;
  type: 'invoice' | 'credit_note';
  customerExternalId: string;
  projectExternalId: string | null;
  periodFrom: string | null;
  periodTo: string | null;
  invoiceDate: string;
  document: Record<string, any>;
  view: Record<string, any>;
  totals: { hours: string; net: string; vat: string; gross: string };
  syncRecordId: string | null;
  handoffError: { code: string; message: string; details?: unknown } | null;
  status: BillingInvoiceStatus;
  sentAt: Date | null;
  sentBy: string | null;
  createdAt: Date;
}

export type OperationStatus = 'queued' | 'running' | 'done' | 'failed';

export interface BillingOperation {
  id: string;
  tenantId: string;
  kind: 'compile' | 'generate';
  status: OperationStatus;
  params: Record<string, unknown>;
  counts: Record<string, number>;
  problems: Array<{ code: string; message: string; path?: string; taskExternalId?: string }>;
  error: { code: string; message: string } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

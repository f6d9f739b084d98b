import type { Logger } from 'pino';
import { parseOr400 } from '../http/parse.js';
import type { BillingScheduler } from '../queue/scheduler.js';
import type { Database } from '../store/database.js';
import type { InvoiceService } from '../sync/invoice-service.js';
import { CompileService } from './compile-service.js';
import { billingSettingsSchema } from './domain/work-schemas.js';
import type { BillingSettings } from './domain/types.js';
import { DraftService } from './draft-service.js';
import { InvoiceViews } from './invoice-views.js';
import { CycleService } from './cycle-service.js';
import { PeriodService } from './period-service.js';
import { ReleaseService } from './release-service.js';
import { SendingService } from './sending-service.js';
import { BillingStore } from './store/billing-store.js';
import { WorkService } from './work-service.js';

export interface BillingDeps {
  db: Database;
  invoices: InvoiceService;
  scheduler: BillingScheduler;
  clock: () => Date;
  log: Logger;
}

export function settingsView(s: BillingSettings) {
  return {
    approvalFlow: s.approvalFlow,
    timeZone: s.timeZone,
    seller: s.seller,
    invoiceNumberStart: s.invoiceNumberStart,
    nextInvoiceNumber: Math.max(s.invoiceNumberStart, (s.lastInvoiceNumber ?? 0) + 1),
  };
}

/**
 * The billing area (work → compile → drafts → review → release → the invoice
 * path), composed from its services. Routes and jobs only talk to this.
 */
export class Billing {
  readonly store: BillingStore;
  readonly work: WorkService;
  readonly compile: CompileService;
  readonly drafts: DraftService;
  readonly release: ReleaseService;
  readonly invoices: InvoiceViews;
  readonly periods: PeriodService;
  readonly cycle: CycleService;
  readonly sending: SendingService;

  constructor(deps: BillingDeps) {
    this.store = new BillingStore(deps.db);
    const common = { store: this.store, clock: deps.clock };
    this.work = new WorkService(common);
    this.compile = new CompileService({ ...common, scheduler: deps.scheduler, log: deps.log });
    this.drafts = new DraftService({ ...common, invoices: deps.invoices });
    this.release = new ReleaseService({ ...common, invoices: deps.invoices, log: deps.log });
    this.invoices = new InvoiceViews({ store: this.store });
    this.periods = new PeriodService({ ...common, drafts: this.drafts });
    this.cycle = new CycleService({ ...common, periods: this.periods });
    this.sending = new SendingService({ ...common, views: this.invoices });
  }

  async settings(tenantId: string) {
    return settingsView(await this.store.repos.settings.get(tenantId));
  }

  async putSettings(tenantId: string, body: unknown, actor: string) {
    const parsed = parseOr400(billingSettingsSchema, body);
    const saved = await this.store.repos.settings.put(tenantId, {
      approvalFlow: parsed.approvalFlow,
      timeZone: parsed.timeZone,
      seller: parsed.seller ?? null,
      invoiceNumberStart: parsed.invoiceNumberStart ?? null,
    });
    await this.store.repos.core.audit.record({ tenantId, actor, action: 'billing.settings', details: parsed });
    return settingsView(saved);
  }
}

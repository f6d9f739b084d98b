import type { Cluster, Redis } from 'ioredis';

/** The shared Redis: one server or a Redis Cluster (then every key shares the prefix's hash tag). */
export type RedisClient = Redis | Cluster;
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Problem } from '../src/domain/invoice-document.js';
import type { ResolvedInvoice } from '../src/domain/resolved-invoice.js';
import type { SyncWarning } from '../src/domain/sync-warning.js';
import type { OutboundHttp, OutboundRequest } from './http/outbound-http.js';
import type { RevisionPolicy } from './revision-policy.js';

export type ProviderId = 'generic' | 'procountor' | 'netvisor';

/** Settings every connection has; each provider's schema extends these. */
export interface BaseConnectionSettings {
  baseUrl: string;
  /** Whether a customer the provider lacks may be created (default true). */
  createCustomers?: boolean;
  /** What a newer revision does when the older one is already issued (default refuse). */
  revisionPolicy?: RevisionPolicy;
}

/** Something the sync did that a finance person should know (the core's type: records keep it). */
export type { SyncWarning };

/**
 * Links between our ids and the provider's, kept by the sync engine (adapters
 * never touch the database). Saving a link immediately means the next invoice
 * of that customer needs no lookup, even if this sync later fails.
 */
export interface LinkBook {
  customer(customerExternalId: string): Promise<string | null>;
  saveCustomer(customerExternalId: string, providerCustomerId: string, how: 'matched' | 'created'): Promise<void>;
  product(productCode: string): Promise<string | null>;
  saveProduct(productCode: string, providerProductId: string): Promise<void>;
}

/** What an adapter gets for one operation. Built by the sync engine per attempt. */
export interface ProviderContext<S extends BaseConnectionSettings = BaseConnectionSettings> {
  settings: S;
  connection: {
    id: string;
    tenantId: string;
    /** How users name this connection in messages: "the Procountor connection of tenant acme". */
    label: string;
  };
  /** The only way to reach the provider; records every exchange on the attempt. */
  http: OutboundHttp;
  /** Shared by all workers: token caches, rate limits, per-organisation locks. */
  redis: RedisClient;
  /** Prefix for every Redis key the adapter writes ("ll:"). */
  redisPrefix: string;
  links: LinkBook;
  clock: () => Date;
  log: Logger;
  warn(warning: SyncWarning): void;
  /**
   * The longest this operation may wait inside a worker for the connection's
   * request budget (a rate limit). Beyond it an adapter throws a
   * ProviderRateLimitError with code `budget_wait` and the wait in
   * `retryAfterMs`: the sync engine then defers the record and lets the
   * worker go. Unset: wait as long as the limit requires.
   */
  maxBudgetWaitMs?: number;
}

/** The code of the error that says "the connection's request budget is spent for now; come back later". */
export const BUDGET_WAIT = 'budget_wait';

/** An invoice as it exists at the provider. */
export interface ProviderInvoice {
  id: string;
  number?: string | null;
  /** Provider's own status word, e.g. Procountor UNFINISHED / NOT_SENT / SENT. */
  state?: string | null;
  /** The provider's edit token, when it has one (Procountor's `version`). */
  version?: string | null;
  /** The provider's id of the invoice's customer, when the provider says it. */
  customerId?: string | null;
}

/**
 * An invoice's life after the create, as the provider tells it: whether it was
 * sent, what has been paid. Read by the status poller; the engine decides the
 * record's status from it (sent, partially_paid, paid) and never lowers one.
 */
export interface ProviderInvoiceStatus {
  /** The provider's own status word (Procountor SENT / PARTLY_PAID / PAID, Netvisor open / paid, generic sent). */
  state: string | null;
  /** Invalidated or otherwise no longer counting at the provider (deleted invoices are `null` instead). */
  void: boolean;
  /** Sent to the customer (by ledgerlink, by the provider on approval, or by a person). */
  sent: boolean;
  /** Paid so far, a decimal string with 2 places ("0.00" when nothing). */
  paidAmount: string;
  /** Date of the latest payment (YYYY-MM-DD) when the provider says it; null otherwise. */
  paidAt: string | null;
  /** Gross total as the provider has it now (decimal string, 2 places), when it says. */
  total: string | null;
}

/** A file to attach to an invoice (the invoice PDF). */
export interface InvoiceFile {
  /** Unique: ledgerlink's reference plus the attachment id, with the extension ("LL-01J…-att_01J….pdf"). */
  name: string;
  /** What the host called it. */
  filename: string;
  contentType: 'application/pdf';
  data: Buffer;
}

/** An invoice as the provider lists it for a period (reconciliation). */
export interface ProviderListedInvoice {
  id: string;
  number: string | null;
  /** ledgerlink's reference when the invoice carries one (Procountor originalInvoiceNumber, Netvisor private comment, generic reference). */
  reference: string | null;
  state: string | null;
  /** Invalidated or otherwise no longer counting. */
  void: boolean;
  /** Gross total, 2 places, when the list says it. */
  total: string | null;
  /** Invoice date, YYYY-MM-DD, when the list says it. */
  date: string | null;
}

/**
 * What a newer revision can do with the invoice an older revision left at the
 * provider, in the state the provider reports now:
 *
 * - `edit`: change it in place (it keeps its id and number);
 * - `replace`: invalidate it, then create the newer revision;
 * - `issued`: sent or approved; neither — the connection's revisionPolicy decides
 *   (refuse, or credit it in full and create the newer revision);
 * - `void`: it no longer counts (invalidated or deleted at the provider).
 */
export type RevisionPlan = 'edit' | 'replace' | 'issued' | 'void';

/** How the customer of an invoice is (or would be) found at the provider. */
export interface CustomerResolution {
  action: 'linked' | 'matched' | 'create';
  providerCustomerId?: string;
}

/** What every adapter's `prepare` settles, besides its own data: the customer the invoice goes to. */
export interface Prepared {
  customer: CustomerResolution;
}

export interface LookupHints {
  /** When the first attempt that may have created the invoice started. */
  since: Date;
}

/**
 * The one interface every accounting system adapter implements.
 *
 * The sync engine owns all state; an adapter is translation plus a client.
 * The engine calls, in order: `prepare` (customer and product ids, creating
 * what is missing), `buildCreateRequest` (pure), then records that a create is
 * about to be sent, then `create`. Whenever an earlier attempt may have reached
 * the provider it calls `findByReference` first and adopts what it finds.
 * Errors are thrown as ProviderError subclasses (providers/errors).
 */
export interface Provider<S extends BaseConnectionSettings = BaseConnectionSettings, P extends Prepared = Prepared> {
  readonly id: ProviderId;
  /** As users know it: "Procountor". */
  readonly displayName: string;
  /** Validates `PUT /v1/connections/{id}` bodies (strict: unknown fields refused). */
  readonly settingsSchema: z.ZodType<S, any>;
  /** Setting names that are secrets: encrypted at rest, never echoed or logged. */
  readonly secretFields: readonly string[];
  /**
   * How many invoices of one connection may be synced at once, given its
   * settings: 1 for an API that takes one request at a time per customer
   * environment; for a rate-limited API, what its request budget can feed.
   */
  parallelSyncs(settings: S): number;

  /**
   * How long until the connection's request budget lets another sync start (0:
   * now). A runner that would wait longer than a moment leaves the worker and
   * comes back then. Absent: the provider has no budget of its own.
   */
  budgetWaitMs?(ctx: ProviderContext<S>): Promise<number>;

  /**
   * Fills settings that are generated when absent (the generic provider's
   * signing secret). Returned `revealOnce` values are shown to the admin once.
   */
  completeSettings?(settings: S): { settings: S; revealOnce?: Record<string, string> };

  /**
   * What the provider cannot represent in this invoice (a number it would read
   * differently, a value out of its range), every problem naming the
   * document's field. Pure. Intake refuses such an invoice with a 400 and
   * preview lists the problems, so the two always agree.
   */
  checkInvoice?(invoice: ResolvedInvoice): Problem[];

  /** Checks the credentials with a harmless call; throws ProviderAuthError with a clear reason. */
  verifyConnection(ctx: ProviderContext<S>): Promise<void>;

  /** Finds how the invoice's customer maps to the provider. With dryRun nothing is created or stored. */
  resolveCustomer(ctx: ProviderContext<S>, invoice: ResolvedInvoice, options: { dryRun: boolean }): Promise<CustomerResolution>;

  /** Resolves (and creates, if missing and allowed) the customer and products the invoice needs. */
  prepare(ctx: ProviderContext<S>, invoice: ResolvedInvoice): Promise<P>;

  /**
   * Builds the provider's create request. Pure: no I/O. `files` (only for a
   * provider with `attachesWithCreate`): the invoice's attachments, which go
   * inside the create itself and so arrive exactly once with it.
   */
  buildCreateRequest(ctx: ProviderContext<S>, invoice: ResolvedInvoice, prepared: P, files?: readonly InvoiceFile[]): OutboundRequest;

  /**
   * The provider takes attachments inside the create request (Netvisor's sales
   * invoice XML): the engine passes the invoice's pending attachments to
   * `buildCreateRequest` and marks them done with the invoice.
   */
  readonly attachesWithCreate?: boolean;

  /** Sends the create request and reads the provider's answer. */
  create(ctx: ProviderContext<S>, request: OutboundRequest, invoice: ResolvedInvoice): Promise<ProviderInvoice>;

  /** Finds an invoice created from this record and revision, by our reference. */
  findByReference(ctx: ProviderContext<S>, invoice: ResolvedInvoice, hints: LookupHints): Promise<ProviderInvoice | null>;

  /**
   * Steps after creation (approve, send) as the connection says. Must be safe to
   * call again: it looks at `existing.state` and does only what is left.
   */
  finalize?(ctx: ProviderContext<S>, invoice: ResolvedInvoice, existing: ProviderInvoice): Promise<ProviderInvoice>;

  /**
   * The invoice as the provider has it now (state, edit token, customer), or
   * null when it no longer exists. A provider without a way to read state
   * returns `existing` as it is.
   */
  readInvoice(ctx: ProviderContext<S>, existing: ProviderInvoice): Promise<ProviderInvoice | null>;

  /**
   * Whether the invoice was sent and what has been paid, read in full: an
   * answer the adapter could not read completely (a page missing, a number it
   * cannot parse) is thrown as a ProviderError, never returned as a smaller
   * truth. Null: the provider no longer has the invoice (deleted).
   */
  readStatus(ctx: ProviderContext<S>, existing: ProviderInvoice): Promise<ProviderInvoiceStatus | null>;

  /**
   * Every sales invoice dated in the period (inclusive days), read in full
   * (all pages) or thrown: reconciliation compares it with ledgerlink's records.
   */
  listInvoices(ctx: ProviderContext<S>, period: { from: string; to: string }): Promise<ProviderListedInvoice[]>;

  /**
   * Attaches a file to an invoice at the provider. `file.name` is unique per
   * attachment (ledgerlink's reference and the attachment's id): what
   * `findAttachment` looks for before any second upload. Absent: the provider
   * cannot take attachments after the invoice exists.
   */
  attach?(ctx: ProviderContext<S>, invoice: ProviderInvoice, file: InvoiceFile): Promise<{ id: string }>;
  /** The attachment of that name on the invoice, or null: looked up whenever an earlier upload may have arrived. */
  findAttachment?(ctx: ProviderContext<S>, invoice: ProviderInvoice, name: string): Promise<{ id: string } | null>;

  /**
   * What a newer revision can do with the invoice as it is now, given the
   * customer the newer revision goes to (some providers cannot move an invoice
   * to another customer). Pure.
   */
  planRevision(current: ProviderInvoice, customer: CustomerResolution): RevisionPlan;

  /**
   * Rewrites an editable invoice with a newer revision; it keeps its id and
   * number. Safe to repeat (it sets content). Throws ProviderNotEditableError
   * when the provider says the invoice can no longer be edited.
   */
  edit(ctx: ProviderContext<S>, current: ProviderInvoice, invoice: ResolvedInvoice, prepared: P): Promise<ProviderInvoice>;

  /**
   * Invalidates an invoice, for providers whose plan can be `replace`. Safe to
   * repeat: an invoice already invalidated counts as done.
   */
  invalidate?(ctx: ProviderContext<S>, current: ProviderInvoice): Promise<ProviderInvoice>;
}

/**
 * Faults a sandbox can be told to inject, for tests, drills and demos. Every
 * fault may also carry `share` (0–1): it then hits only that share of the
 * requests it applies to, at random.
 */
export type SandboxFault = (
  /** Hold requests `ms` before handling them; `on: 'create'` holds only invoice creates. */
  | { kind: 'latency'; ms: number; times?: number; on?: 'create' | 'any' }
  | { kind: 'server_error'; status?: number; times?: number; on?: 'create' | 'any' }
  | { kind: 'unauthorized'; times?: number }
  | { kind: 'rate_limit'; times?: number; retryAfterSeconds?: number }
  | { kind: 'maintenance'; times?: number }
  /** Store the invoice, then hold the response for `ms` (longer than the client waits). */
  | { kind: 'timeout_after_store'; ms?: number; times?: number }
  /** Store the invoice, then drop the connection without answering. */
  | { kind: 'reset_after_store'; times?: number }
) & { share?: number };

/** An invoice as a sandbox stored it, in one shape for every provider. */
export interface SandboxInvoice {
  id: string;
  number: string | null;
  /** The provider's status word (generic: draft, sent; Procountor: UNFINISHED, NOT_SENT, SENT, INVALIDATED; Netvisor: unsent, open). */
  state: string | null;
  /** Our reference as the sandbox saw it (Idempotency-Key, originalInvoiceNumber, ...). */
  reference: string | null;
  /** Gross total as a decimal string with a dot. */
  total: string | null;
  /** Paid so far, a decimal string with a dot (sandboxes that take payments). */
  paid?: string;
  /** The stored body, in the provider's own form. */
  raw: unknown;
}

/** A running local sandbox of a provider API. */
export interface RunningSandbox {
  readonly provider: ProviderId;
  /** Base URL to put in the connection. */
  readonly url: string;
  /** Connection settings (without baseUrl) that this sandbox accepts. */
  readonly credentials: Record<string, unknown>;
  injectFault(fault: SandboxFault): void;
  clearFaults(): void;
  invoices(): SandboxInvoice[];
  /** Every request received, oldest first (method and path with query). */
  /** What the sandbox was asked (and, where it records it, what it answered). */
  requests(): Array<{ method: string; path: string; at: string; status?: number }>;
  /** Sends an invoice as a person would in the accounting system (it can no longer be edited). */
  sendInvoice(id: string): void;
  /** A payment arrives (a bank statement matched, or a person marks it): `amount` a decimal string, `date` YYYY-MM-DD. */
  registerPayment(id: string, payment: { amount: string; date: string }): void;
  /** A person deletes the invoice in the accounting system (it is gone). */
  deleteInvoice(id: string): void;
  /** A person invalidates the invoice (it stays, but no longer counts). */
  invalidateInvoice(id: string): void;
  /** A person changes the invoice so its gross total becomes `total` (a decimal string). */
  editInvoiceTotal(id: string, total: string): void;
  reset(): void;
  close(): Promise<void>;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
}

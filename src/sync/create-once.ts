import type { ResolvedInvoice } from '../domain/resolved-invoice.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import { ProviderTransientError } from '../../providers/errors/transient-error.js';
import type { OutboundRequest } from '../../providers/http/outbound-http.js';
import type { Provider, ProviderContext, ProviderInvoice } from '../../providers/types.js';
import { LeaseLostError } from './lease-lost-error.js';

/**
 * Where a create's "may have reached the provider" mark lives: on the sync
 * record for the invoice itself, on a provider action for a credit note.
 */
export interface CreateLedger {
  /** An earlier create may have reached the provider and nothing settled it. */
  sent: boolean;
  /** When that create was sent (what the settle time counts from). */
  sentAt: Date | null;
  /** Marks that a create is about to leave. False: send nothing (lease lost, superseded, cancelled). */
  markSent(): Promise<boolean>;
  /** The create's bytes go out now (after every wait): the settle window starts at `at`. False: lease lost, send nothing. */
  onWire(at: Date): Promise<boolean>;
  /** The provider certainly did not create it: the next try creates without a lookup. */
  unsend(): Promise<void>;
  /** Said before the lookup of an earlier create (the record goes in_doubt). */
  beforeLookup?(): Promise<void>;
}

export interface CreateOnceOptions {
  provider: Provider<any, any>;
  ctx: ProviderContext<any>;
  /** The invoice as an earlier attempt sent it: the lookup searches for its reference. */
  sentInvoice: () => ResolvedInvoice;
  ledger: CreateLedger;
  /** How long after sending a create a lookup that finds nothing may be believed. */
  settleMs: number;
  clock: () => Date;
  step: (name: string, detail?: string) => void;
  /** "the invoice", "the credit note": for messages. */
  what: string;
  /** Prepares and builds the create (called only when a create is needed). */
  build: () => Promise<{ request: OutboundRequest; invoice: ResolvedInvoice }>;
  /** markSent said no: throws the error that explains why (never returns). */
  refused: () => Promise<never>;
  /** The record whose lease guards the create (named when the lease is lost). */
  leaseHolder: string;
}

/**
 * Error categories that mean a create did not take effect: the provider refused
 * it (validation, auth, rate limit) or it certainly was not processed
 * (transient). Only `unknown_outcome` leaves the create in doubt.
 */
const NOT_CREATED: ReadonlySet<ProviderError['category']> = new Set(['validation', 'auth', 'rate_limit', 'transient']);

/**
 * Creates something at the provider exactly once (DESIGN: "an attempt row is
 * written before any remote call; a call whose outcome is unknown makes the
 * record in_doubt; the next step is always a lookup by our reference"):
 *
 * 1. if an earlier create may have reached the provider, look it up by our
 *    reference and adopt what is found; "not found" is believed only once the
 *    provider has had time to finish that request (settleMs after it was sent);
 * 2. otherwise build the request, mark it sent (fenced by the caller's lease),
 *    and send it; a refusal clears the mark, anything uncertain leaves it.
 */
export async function createOnce(options: CreateOnceOptions): Promise<{ invoice: ProviderInvoice; how: 'created' | 'adopted' }> {
  const { provider, ctx, ledger, clock, step } = options;
  if (ledger.sent) {
    await ledger.beforeLookup?.();
    const sent = options.sentInvoice();
    step('lookup', `${options.what} by reference ${sent.reference}`);
    const found = await provider.findByReference(ctx, sent, { since: ledger.sentAt ?? clock() });
    if (found) {
      step('adopted', `${options.what}: ${describeInvoice(found)}`);
      return { invoice: found, how: 'adopted' };
    }
    const settledAt = ledger.sentAt ? new Date(ledger.sentAt.getTime() + options.settleMs) : null;
    if (settledAt && settledAt.getTime() > clock().getTime()) {
      step('not found yet', `waiting until ${settledAt.toISOString()} before deciding ${options.what} was not created`);
      throw new ProviderTransientError({
        code: 'lookup_settling',
        message: `${provider.displayName} does not show ${options.what} yet; ledgerlink looks again at ${settledAt.toISOString()} before deciding that the earlier attempt did not create it.`,
        retryAfterMs: settledAt.getTime() - clock().getTime(),
      });
    }
    step('not found', `the earlier attempt did not create ${options.what}; creating now`);
    await ledger.unsend();
  }
  const { request, invoice } = await options.build();
  if (!(await ledger.markSent())) return options.refused();
  step('create sent', `${options.what}: ${request.method} ${redactUrl(request.url)}`);
  const onSend = async () => {
    if (!(await ledger.onWire(clock()))) throw new LeaseLostError(options.leaseHolder);
  };
  try {
    const created = await provider.create(ctx, { ...request, onSend }, invoice);
    step('created', `${options.what}: ${describeInvoice(created)}`);
    return { invoice: created, how: 'created' };
  } catch (refusal) {
    // The provider answered "no" (or the request never left): that settles it, nothing was created.
    if (refusal instanceof ProviderError && NOT_CREATED.has(refusal.category)) await ledger.unsend();
    throw refusal;
  }
}

export function describeInvoice(invoice: ProviderInvoice): string {
  return `${invoice.id}${invoice.number ? ` (number ${invoice.number})` : ''}`;
}

/**
 * How long after a create was sent a lookup that finds nothing may be
 * believed: twice the connection's request timeout (a provider may finish a
 * request after the client gave up on it), plus a second, and at least 3 s.
 */
export function settleMsFor(settings: Record<string, unknown>): number {
  const timeoutMs = typeof settings.timeoutMs === 'number' ? settings.timeoutMs : 30_000;
  return Math.max(3000, 2 * timeoutMs + 1000);
}

function redactUrl(url: string): string {
  return url.replace(/([?&][^=]*(?:key|secret|token)[^=]*=)[^&]*/gi, '$1[redacted]');
}

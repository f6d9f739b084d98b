import { dec } from './money.js';

/** A synced invoice's statuses after the sync, in the only order they may come. */
export type AfterSyncStatus = 'synced' | 'sent' | 'partially_paid' | 'paid';
const RANK: Record<AfterSyncStatus, number> = { synced: 0, sent: 1, partially_paid: 2, paid: 3 };

export interface KnownProgress {
  status: AfterSyncStatus;
  /** The invoice's gross total, as ledgerlink computed it. */
  gross: string;
  paidAmount: string | null;
}

export interface ObservedProgress {
  sent: boolean;
  paidAmount: string;
  paidAt: string | null;
}

export type ProgressStep = { status: 'sent' } | { status: 'partially_paid' | 'paid'; paidAmount: string; paidAt: string };

/**
 * The status changes a read of the provider justifies, oldest first: `sent`
 * before any payment, then `partially_paid` (again for each payment that
 * still leaves something open) or `paid` once the gross total is covered.
 * Never backwards: a read that shows less paid than ledgerlink knows changes
 * nothing and says so in `note` (a reversed payment is for a person to look
 * at; a glitch must not void a real payment). `today` dates a payment the
 * provider gives no date for. Pure.
 */
export function progressSteps(known: KnownProgress, observed: ObservedProgress, today: string): { steps: ProgressStep[]; note: string | null } {
  const steps: ProgressStep[] = [];
  let rank = RANK[known.status];
  if (observed.sent && rank < RANK.sent) {
    steps.push({ status: 'sent' });
    rank = RANK.sent;
  }
  const knownPaid = dec(known.paidAmount ?? '0');
  const paid = dec(observed.paidAmount);
  if (paid.lt(knownPaid)) {
    return { steps, note: `the provider now reports ${paid.toFixed(2)} paid, less than the ${knownPaid.toFixed(2)} ledgerlink recorded; kept as it was` };
  }
  if (paid.gt(knownPaid) && rank < RANK.paid) {
    const paidAt = observed.paidAt ?? today;
    const full = paid.gte(dec(known.gross));
    steps.push({ status: full ? 'paid' : 'partially_paid', paidAmount: paid.toFixed(2), paidAt });
  }
  return { steps, note: null };
}

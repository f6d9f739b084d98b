import { describe, expect, it } from 'vitest';
import { progressSteps } from '../../src/domain/payment-progress.js';

/** The status steps a read of the provider justifies: in order, never backwards. */
describe('payment progress', () => {
  const known = (status: 'synced' | 'sent' | 'partially_paid' | 'paid', paidAmount: string | null = null) => ({ status, gross: '1506.00', paidAmount });

  it('sent before any payment, then partially paid; paid once the gross is covered (or more)', () => {
    expect(progressSteps(known('synced'), { sent: true, paidAmount: '0', paidAt: null }, '2026-12-01').steps).toEqual([{ status: 'sent' }]);
    expect(progressSteps(known('synced'), { sent: true, paidAmount: '500', paidAt: '2026-11-20' }, '2026-12-01').steps).toEqual([
      { status: 'sent' },
      { status: 'partially_paid', paidAmount: '500.00', paidAt: '2026-11-20' },
    ]);
    expect(progressSteps(known('partially_paid', '500.00'), { sent: true, paidAmount: '1600.00', paidAt: null }, '2026-12-01').steps).toEqual([
      { status: 'paid', paidAmount: '1600.00', paidAt: '2026-12-01' },
    ]);
  });

  it('a payment without sending (marked paid by a person) is no "sent" step', () => {
    expect(progressSteps(known('synced'), { sent: false, paidAmount: '1506', paidAt: '2026-11-21' }, '2026-12-01').steps).toEqual([
      { status: 'paid', paidAmount: '1506.00', paidAt: '2026-11-21' },
    ]);
  });

  it('nothing new, or less paid than known: no step, and less paid is said', () => {
    expect(progressSteps(known('partially_paid', '500.00'), { sent: true, paidAmount: '500.00', paidAt: null }, '2026-12-01')).toEqual({ steps: [], note: null });
    const less = progressSteps(known('partially_paid', '500.00'), { sent: true, paidAmount: '0.00', paidAt: null }, '2026-12-01');
    expect(less.steps).toEqual([]);
    expect(less.note).toMatch(/less than the 500.00 ledgerlink recorded; kept/);
    expect(progressSteps(known('paid', '1506.00'), { sent: true, paidAmount: '2000.00', paidAt: null }, '2026-12-01').steps).toEqual([]);
    expect(progressSteps(known('sent'), { sent: false, paidAmount: '0', paidAt: null }, '2026-12-01').steps).toEqual([]);
  });
});

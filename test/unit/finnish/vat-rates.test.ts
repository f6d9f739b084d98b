import { describe, expect, it } from 'vitest';
import { checkFinnishVatRate, finnishGeneralVatRate, finnishVatRatesOn } from '../../../src/domain/finnish/vat-rates.js';

// Dates and rates from vero.fi: 24 % → 25.5 % on 2024-09-01; 10 % items (books,
// medicines, transport, culture) → 14 % on 2025-01-01 with 10 % kept for
// newspapers and magazines; 14 % → 13.5 % on 2026-01-01.

describe('finnishVatRatesOn', () => {
  it.each([
    ['2024-08-31', ['24', '14', '10', '0']],
    ['2024-09-01', ['25.5', '14', '10', '0']],
    ['2025-06-15', ['25.5', '14', '10', '0']],
    ['2025-12-31', ['25.5', '14', '10', '0']],
    ['2026-01-01', ['25.5', '13.5', '10', '0']],
    ['2026-11-30', ['25.5', '13.5', '10', '0']],
    ['2012-12-31', ['23', '13', '9', '0']],
  ])('on %s the rates are %j', (date, rates) => {
    expect(finnishVatRatesOn(date)).toEqual(rates);
  });

  it('has nothing before the table starts and rejects non-dates', () => {
    expect(finnishVatRatesOn('2009-01-01')).toEqual([]);
    expect(() => finnishVatRatesOn('30.11.2026')).toThrow(RangeError);
    expect(() => finnishVatRatesOn('2026-02-30')).toThrow(RangeError);
  });

  it('knows the general rate by date', () => {
    expect(finnishGeneralVatRate('2024-08-31')).toBe('24');
    expect(finnishGeneralVatRate('2024-09-01')).toBe('25.5');
    expect(finnishGeneralVatRate('2005-01-01')).toBeNull();
  });
});

describe('checkFinnishVatRate', () => {
  it('gives the message the issue asks for: 24 % on a 2026 invoice', () => {
    expect(checkFinnishVatRate('24', '2026-11-30')).toEqual({
      ok: false,
      message:
        '24 % is not a Finnish VAT rate on 2026-11-30; the rates then are 25.5 %, 13.5 %, 10 % and 0 % (the general rate rose from 24 % to 25.5 % on 2024-09-01)',
    });
  });

  it('compares rates as decimals', () => {
    expect(checkFinnishVatRate('25.50', '2026-11-30')).toEqual({ ok: true });
    expect(checkFinnishVatRate('25.500', '2024-09-01')).toEqual({ ok: true });
    expect(checkFinnishVatRate('13.50', '2026-01-01')).toEqual({ ok: true });
    expect(checkFinnishVatRate('0.00', '2026-01-01')).toEqual({ ok: true });
    expect(checkFinnishVatRate('24.0', '2024-08-31')).toEqual({ ok: true });
  });

  it('switches exactly on the change dates', () => {
    expect(checkFinnishVatRate('24', '2024-08-31').ok).toBe(true);
    expect(checkFinnishVatRate('24', '2024-09-01').ok).toBe(false);
    expect(checkFinnishVatRate('14', '2025-12-31').ok).toBe(true);
    expect(checkFinnishVatRate('14', '2026-01-01').ok).toBe(false);
    expect(checkFinnishVatRate('13.5', '2025-12-31').ok).toBe(false);
    expect(checkFinnishVatRate('13.5', '2026-01-01').ok).toBe(true);
  });

  it('explains a rate that came too late or too early', () => {
    const late = checkFinnishVatRate('14', '2026-03-01');
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.message).toContain('fell from 14 % to 13.5 % on 2026-01-01');

    const early = checkFinnishVatRate('25.5', '2024-05-01');
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.message).toContain('25.5 % applies only from 2024-09-01; on 2024-05-01 the general rate is 24 %');
  });

  it('keeps 10 % valid after 2025 (newspapers and magazines)', () => {
    expect(checkFinnishVatRate('10', '2026-06-01').ok).toBe(true);
  });

  it('rejects rates that were never Finnish, without a history note', () => {
    const result = checkFinnishVatRate('12', '2026-11-30');
    expect(result).toEqual({
      ok: false,
      message: '12 % is not a Finnish VAT rate on 2026-11-30; the rates then are 25.5 %, 13.5 %, 10 % and 0 %',
    });
    expect(checkFinnishVatRate('abc', '2026-11-30').ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  finnishCheckDigit,
  finnishReferenceFromBase,
  formatReferenceNumber,
  rfCheckDigits,
  rfFromFinnish,
  validateReferenceNumber,
} from '../../../src/domain/finnish/reference-number.js';

// Known-good values, worked by hand (weights 7, 3, 1 from the right of the base):
// - 1232: base 123 → 3·7 + 2·3 + 1·1 = 28 → (10 − 8) mod 10 = 2.
// - 1234561: base 123456 → 6·7+5·3+4·1+3·7+2·3+1·1 = 42+15+4+21+6+1 = 89 → 1.
// - 10003: base 1000 → 0+0+0+1·7 = 7 → 3.
// RF examples:
// - RF18 5390 0754 7034 is the example of ISO 11649 itself (also in the EPC's
//   SEPA guidance).
// - RF11 1232: "1232" + "RF00" → 1232 27 15 00; 1232271500 mod 97 = 87
//   (97 · 12703829 = 1232271413); 98 − 87 = 11.

describe('validateReferenceNumber — Finnish', () => {
  it.each(['1232', '1234561', '10003', '12 34561', ' 1 2 3 2 '])('accepts %j', (input) => {
    const result = validateReferenceNumber(input);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.kind).toBe('finnish');
  });

  it('returns the number without spaces or leading zeros', () => {
    expect(validateReferenceNumber('00012 34561')).toEqual({ ok: true, value: '1234561', kind: 'finnish' });
  });

  it('names the expected check digit when it is wrong', () => {
    const result = validateReferenceNumber('1234562');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('should be 1, not 2');
      expect(result.message).toContain('12 34561');
    }
  });

  it('enforces 4–20 digits', () => {
    expect(validateReferenceNumber('123').ok).toBe(false);
    expect(validateReferenceNumber('1'.repeat(21)).ok).toBe(false);
    const twenty = finnishReferenceFromBase('1'.repeat(19));
    expect(twenty).toHaveLength(20);
    expect(validateReferenceNumber(twenty).ok).toBe(true);
  });

  it('rejects letters and punctuation with an example of the right form', () => {
    const result = validateReferenceNumber('INV-2026-42');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/Finnish reference number .* or an RF creditor reference/);
  });
});

describe('validateReferenceNumber — RF (ISO 11649)', () => {
  it('accepts the ISO 11649 example in printed and compact, upper and lower case', () => {
    for (const input of ['RF18 5390 0754 7034', 'RF18539007547034', 'rf18 5390 0754 7034']) {
      expect(validateReferenceNumber(input)).toEqual({ ok: true, value: 'RF18539007547034', kind: 'rf' });
    }
  });

  it('accepts letters in the body', () => {
    const body = 'INV2026A42';
    expect(validateReferenceNumber(`RF${rfCheckDigits(body)}${body}`).ok).toBe(true);
  });

  it('names the expected check digits when they are wrong', () => {
    const result = validateReferenceNumber('RF19 5390 0754 7034');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('should be 18, not 19');
  });

  it('rejects a body longer than 21 characters or with symbols', () => {
    expect(validateReferenceNumber(`RF00${'1'.repeat(22)}`).ok).toBe(false);
    expect(validateReferenceNumber('RF18 5390-0754').ok).toBe(false);
    expect(validateReferenceNumber('RF1').ok).toBe(false);
  });
});

describe('generating references', () => {
  it('appends the Finnish check digit', () => {
    expect(finnishCheckDigit('123')).toBe(2);
    expect(finnishReferenceFromBase('123')).toBe('1232');
    expect(finnishReferenceFromBase(123456n)).toBe('1234561');
    expect(finnishReferenceFromBase(1000n)).toBe('10003');
  });

  it('is exact for bases beyond Number.MAX_SAFE_INTEGER', () => {
    const base = 1000n + 9_007_199_254_740_993n; // 2^53 + 1 + 1000: a float would round it
    const ref = finnishReferenceFromBase(base);
    expect(ref.slice(0, -1)).toBe(base.toString());
    expect(validateReferenceNumber(ref).ok).toBe(true);
  });

  it('every reference of a sequence validates and they are all different', () => {
    const refs = new Set<string>();
    for (let seq = 0n; seq < 2000n; seq++) {
      const ref = finnishReferenceFromBase(1000n + seq);
      expect(validateReferenceNumber(ref).ok).toBe(true);
      refs.add(ref);
    }
    expect(refs.size).toBe(2000);
  });

  it('refuses bases that would give an invalid reference', () => {
    expect(() => finnishReferenceFromBase('12')).toThrow(RangeError);
    expect(() => finnishReferenceFromBase(99n)).toThrow(RangeError);
    expect(() => finnishReferenceFromBase(-5n)).toThrow(RangeError);
    expect(() => finnishReferenceFromBase('12a4')).toThrow(RangeError);
    expect(() => finnishReferenceFromBase(10n ** 19n)).toThrow(RangeError); // 20-digit base → 21 digits
  });

  it('builds the RF form of a Finnish reference', () => {
    expect(rfFromFinnish('1232')).toBe('RF111232');
    expect(rfFromFinnish('12 34561')).toMatch(/^RF\d{2}1234561$/);
    expect(validateReferenceNumber(rfFromFinnish('12 34561')).ok).toBe(true);
    expect(() => rfFromFinnish('1233')).toThrow(/should be 2/);
  });
});

describe('formatReferenceNumber', () => {
  it('groups a Finnish reference by five from the right', () => {
    expect(formatReferenceNumber('1234561')).toBe('12 34561');
    expect(formatReferenceNumber('12345678901239')).toBe('1234 56789 01239');
    expect(formatReferenceNumber('1232')).toBe('1232');
  });

  it('groups an RF reference by four from the left', () => {
    expect(formatReferenceNumber('rf18539007547034')).toBe('RF18 5390 0754 7034');
    expect(formatReferenceNumber('RF111232')).toBe('RF11 1232');
  });

  it('refuses to pretty-print an invalid reference', () => {
    expect(() => formatReferenceNumber('1233')).toThrow(RangeError);
  });
});

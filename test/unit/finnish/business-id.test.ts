import { describe, expect, it } from 'vitest';
import {
  businessIdCheckDigit,
  isValidBusinessId,
  parseFinnishVatNumber,
  validateBusinessId,
  vatNumberFromBusinessId,
} from '../../../src/domain/finnish/business-id.js';

// Real, published business IDs (Finnish Trade Register / YTJ), checked by hand
// with the weights 7, 9, 10, 5, 8, 4, 2:
// - Nokia Oyj 0112038-9: 0·7+1·9+1·10+2·5+0·8+3·4+8·2 = 57; 57 mod 11 = 2; 11−2 = 9.
// - KONE Oyj 1927400-1: 7+81+20+35+32+0+0 = 175; 175 mod 11 = 10; 11−10 = 1.
// - Verohallinto (Finnish Tax Administration) 0245458-3: 0+18+40+25+32+20+16 = 151;
//   151 mod 11 = 8; 11−8 = 3.
// - CONTRACT.md's example 1234567-1: 7+18+30+20+40+24+14 = 153; mod 11 = 10; → 1.
const REAL_IDS = ['0112038-9', '1927400-1', '0245458-3', '1234567-1'];

describe('validateBusinessId', () => {
  it.each(REAL_IDS)('accepts the real business ID %s', (id) => {
    expect(validateBusinessId(id)).toEqual({ ok: true, value: id });
  });

  it('accepts a check digit of 0 (weighted sum divisible by 11)', () => {
    // 1572860: 7+45+70+10+64+24+0 = 220 = 20·11 → r = 0 → C = 0.
    expect(validateBusinessId('1572860-0')).toEqual({ ok: true, value: '1572860-0' });
  });

  it('normalises the forms people type', () => {
    expect(validateBusinessId(' 0112038 - 9 ')).toEqual({ ok: true, value: '0112038-9' });
    expect(validateBusinessId('01120389')).toEqual({ ok: true, value: '0112038-9' });
    expect(validateBusinessId('0112038\u20139')).toEqual({ ok: true, value: '0112038-9' }); // en dash from Word
    // The old six-digit form, leading zero dropped by a spreadsheet.
    expect(validateBusinessId('112038-9')).toEqual({ ok: true, value: '0112038-9' });
  });

  it('names the right check digit when it is wrong', () => {
    const result = validateBusinessId('0112038-8');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('check digit should be 9, not 8');
  });

  it('says when no business ID can begin with the digits (remainder 1)', () => {
    // 1234568: 153 − 14 + 16 = 155; 155 mod 11 = 1 → never issued.
    expect(businessIdCheckDigit('1234568')).toBeNull();
    const result = validateBusinessId('1234568-0');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/no Finnish business ID begins 1234568/);
  });

  it('rejects other shapes with the expected format in the message', () => {
    for (const bad of ['123-4', '12345678-9', 'ABCDEFG-1', '0112038-', '']) {
      const result = validateBusinessId(bad);
      expect(result.ok, bad).toBe(false);
    }
    const result = validateBusinessId('12345678-9');
    if (!result.ok) expect(result.message).toContain('NNNNNNN-C');
  });

  it('does not take a VAT number for a business ID, but says which ID it is', () => {
    const result = validateBusinessId('FI01120389');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('0112038-9');
    expect(isValidBusinessId('FI01120389')).toBe(false);
  });
});

describe('Finnish VAT numbers', () => {
  it('derives FI + the eight digits from a business ID', () => {
    expect(vatNumberFromBusinessId('0112038-9')).toBe('FI01120389');
    expect(vatNumberFromBusinessId('1927400-1')).toBe('FI19274001');
    expect(vatNumberFromBusinessId('112038-9')).toBe('FI01120389');
  });

  it('refuses to build a VAT number from a bad business ID', () => {
    expect(() => vatNumberFromBusinessId('0112038-8')).toThrow(/check digit should be 9/);
  });

  it('parses a VAT number back to its business ID', () => {
    expect(parseFinnishVatNumber('fi 1927 4001')).toEqual({ ok: true, value: 'FI19274001', businessId: '1927400-1' });
  });

  it('catches a typo in a VAT number by the check digit', () => {
    const result = parseFinnishVatNumber('FI01120388');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('should be 9, not 8 (FI01120389)');
    expect(parseFinnishVatNumber('DE123456789').ok).toBe(false);
    expect(parseFinnishVatNumber('FI0112038').ok).toBe(false);
  });
});

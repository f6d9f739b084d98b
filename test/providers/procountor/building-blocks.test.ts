import iconv from 'iconv-lite';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ibanProblem, normaliseIban } from '../../../providers/procountor/iban.js';
import { isValidReference } from '../../../providers/procountor/sandbox/reference-number.js';
import { SharedTokenCache } from '../../../providers/procountor/token-cache.js';
import { procountorUnit } from '../../../providers/procountor/units.js';
import { isWindows1252Char, toWindows1252 } from '../../../providers/procountor/windows-1252.js';
import { dropPrefix, freshPrefix, testRedis } from '../../support/redis.js';

describe('Windows-1252 text', () => {
  it('knows which characters Procountor can store', () => {
    for (const ok of ['a', 'ä', 'Ö', 'é', '€', 'Š', '—', '“', '\n']) expect(isWindows1252Char(ok)).toBe(true);
    for (const bad of ['ő', 'Ł', '😀', '☕', '\u0081', '\u0007', '中']) expect(isWindows1252Char(bad)).toBe(false);
  });

  it('always produces text that survives a Windows-1252 round trip unchanged', () => {
    const samples = ['Őrség ‐ Łódź “quoted” – €5 😀', 'ﬁnance ＡＢＣ ½ m²', 'Straße\u0007\ttab', 'Ελληνικά 中文 עברית', 'a\u0301 combining'];
    for (const sample of samples) {
      const { text } = toWindows1252(sample, { multiline: true });
      expect(iconv.decode(iconv.encode(text, 'win1252'), 'win1252')).toBe(text);
    }
  });

  it('replaces with look-alikes where it can and reports each change once', () => {
    expect(toWindows1252('Őrség ‐ ﬁle')).toEqual({ text: 'Orség - file', changes: ['"Ő" → "O"', '"‐" → "-"', '"ﬁ" → "fi"'] });
    expect(toWindows1252('a\u0301')).toEqual({ text: 'á', changes: [] });
    expect(toWindows1252('one\ntwo').text).toBe('one two');
    expect(toWindows1252('one\ntwo', { multiline: true })).toEqual({ text: 'one\ntwo', changes: [] });
  });
});

describe('IBAN and reference numbers', () => {
  it('accepts valid IBANs in any spacing and explains invalid ones', () => {
    expect(ibanProblem(normaliseIban('FI21 1234 5600 0007 85'))).toBeNull();
    expect(ibanProblem(normaliseIban('DE89 3704 0044 0532 0130 00'))).toBeNull();
    expect(ibanProblem('FI2112345600000786')).toMatch(/check digits/);
    expect(ibanProblem('12345')).toMatch(/must be an IBAN/);
  });

  it('checks Finnish 7-3-1 and RF reference numbers', () => {
    expect(isValidReference('12344')).toBe(true);
    expect(isValidReference('12345')).toBe(false); // wrong check digit on purpose
    expect(isValidReference('1 2345 67809')).toBe(false);
    expect(isValidReference('RF18 5390 0754 7034')).toBe(true);
    expect(isValidReference('RF18539007547035')).toBe(false);
    expect(isValidReference('123')).toBe(false);
  });

  it('knows unit words but does not guess at ambiguous ones', () => {
    expect(procountorUnit('Hours')).toBe('HOUR');
    expect(procountorUnit('kpl.')).toBe('PIECE');
    expect(procountorUnit('t')).toBeNull();
  });
});

describe('shared token cache', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = freshPrefix('procountor-token');
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
  });

  function cache(fetched: string[]) {
    let n = 0;
    return new SharedTokenCache({
      redis,
      key: `${prefix}token`,
      fetch: async () => {
        n += 1;
        fetched.push(`t${n}`);
        return { accessToken: `t${n}-${fetched.length}`, expiresInSeconds: 3600 };
      },
    });
  }

  it('a worker renewing a token another worker already replaced takes the replacement instead of fetching again', async () => {
    const fetched: string[] = [];
    const a = cache(fetched);
    const b = cache(fetched);
    const first = await a.get();
    const second = await b.renew(first);
    expect(second).not.toBe(first);
    expect(await a.renew(first)).toBe(second);
    expect(fetched).toHaveLength(2);
  });

  it('does not keep a token that expires too soon to be useful', async () => {
    const short = new SharedTokenCache({ redis, key: `${prefix}short`, fetch: async () => ({ accessToken: 'brief', expiresInSeconds: 1 }) });
    expect(await short.get()).toBe('brief');
    expect(await redis.exists(`${prefix}short`)).toBe(0);
  });
});

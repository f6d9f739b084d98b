import iconv from 'iconv-lite';

/**
 * Procountor stores text in Windows-1252 and refuses anything else
 * (dev.procountor.com "API requests"). This module knows which characters
 * that is, and turns any text into the nearest Windows-1252 text while saying
 * what it changed, so the record can tell a finance person.
 */

/** Every character Windows-1252 can encode, derived from iconv-lite's table. */
const ENCODABLE: ReadonlySet<string> = (() => {
  const set = new Set<string>();
  for (let byte = 0; byte < 256; byte += 1) {
    const char = iconv.decode(Buffer.from([byte]), 'win1252');
    // Bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in Windows-1252.
    if (char !== '\uFFFD') set.add(char);
  }
  return set;
})();

/** Control characters are encodable but not text; only tab, CR and LF pass. */
function isControl(char: string): boolean {
  const code = char.codePointAt(0)!;
  return (code < 0x20 && char !== '\t' && char !== '\n' && char !== '\r') || code === 0x7f;
}

/** True when Procountor would accept this character in a text field. */
export function isWindows1252Char(char: string): boolean {
  return ENCODABLE.has(char) && !isControl(char);
}

/** The characters of `text` Procountor would refuse (each once, in order). */
export function invalidWindows1252Chars(text: string): string[] {
  const seen = new Set<string>();
  for (const char of text) if (!isWindows1252Char(char)) seen.add(char);
  return [...seen];
}

/** Look-alikes for common characters outside Windows-1252 that NFKC/NFKD do not fold. */
const SUBSTITUTES: Record<string, string> = {
  '\u2010': '-', // hyphen
  '\u2011': '-', // non-breaking hyphen
  '\u2012': '-', // figure dash
  '\u2015': '\u2014', // horizontal bar → em dash
  '\u2212': '-', // minus sign
  '\u2032': "'", // prime
  '\u2033': '"', // double prime
  '\u201B': "'",
  '\u201F': '"',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2260': '!=',
  '\u2192': '->',
  '\u2190': '<-',
  '\u0141': 'L', // Ł
  '\u0142': 'l', // ł
  '\u0110': 'D', // Đ
  '\u0111': 'd', // đ
  '\u0126': 'H',
  '\u0127': 'h',
  '\u0131': 'i', // dotless i
  '\u200B': '', // zero-width space
  '\u200C': '',
  '\u200D': '',
  '\uFEFF': '',
};

export interface CleanResult {
  text: string;
  /** Human-readable list of what changed, e.g. `"ő" → "o"`, `"😀" removed`. */
  changes: string[];
}

/**
 * Returns text Procountor accepts. Characters are kept when encodable, else
 * replaced by a look-alike (NFKC, then the base letter without accents), else
 * removed. Line breaks survive only when `multiline`; tabs become spaces.
 */
export function toWindows1252(input: string, options: { multiline?: boolean } = {}): CleanResult {
  const changes = new Map<string, string>();
  let out = '';
  for (const char of input.normalize('NFC')) {
    if (char === '\n' || char === '\r') {
      if (options.multiline) out += char;
      else {
        out += ' ';
        changes.set('line break', 'a space');
      }
      continue;
    }
    if (char === '\t') {
      out += ' ';
      continue;
    }
    if (isWindows1252Char(char)) {
      out += char;
      continue;
    }
    const replacement = substitute(char);
    out += replacement;
    changes.set(`"${char}"`, replacement === '' ? '' : `"${replacement}"`);
  }
  // A removed character or line break leaves a double space behind; close it up.
  if (changes.size > 0) out = out.replace(/ {2,}/g, ' ').replace(/ +\n/g, '\n');
  const list = [...changes].map(([from, to]) => (to === '' ? `${from} removed` : `${from} → ${to}`));
  return { text: out, changes: list };
}

function substitute(char: string): string {
  const known = SUBSTITUTES[char];
  if (known !== undefined) return known;
  const compatible = char.normalize('NFKC');
  if (compatible !== char && [...compatible].every(isWindows1252Char)) return compatible;
  const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (base && base !== char && [...base].every(isWindows1252Char)) return base;
  if (/\s/u.test(char)) return ' ';
  return '';
}

import iconv from 'iconv-lite';
import type { SyncWarning } from '../types.js';

export type NetvisorEncoding = 'utf-8' | 'iso-8859-15';

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const encodable = new Map<string, boolean>();

/** True when ISO-8859-15 has the character (it lacks ¤ ¦ ¨ ´ ¸ ¼ ½ ¾ of latin-1 and has € Š š Ž ž Œ œ Ÿ instead). */
export function inIso885915(ch: string): boolean {
  let known = encodable.get(ch);
  if (known === undefined) {
    known = iconv.decode(iconv.encode(ch, 'iso-8859-15'), 'iso-8859-15') === ch;
    encodable.set(ch, known);
  }
  return known;
}

/** Letters and marks that do not decompose into a base letter, and their nearest ISO-8859-15 form. */
const NEAREST: Record<string, string> = {
  Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't',
  '\u2013': '-', '\u2014': '-', '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u2026': '...',
};

/** The closest ISO-8859-15 text: accents kept where the charset has them, else dropped, else "?". */
function toIso885915(value: string): string {
  let out = '';
  for (const ch of value) {
    if (inIso885915(ch)) {
      out += ch;
      continue;
    }
    const plain = NEAREST[ch] ?? ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += plain && [...plain].every(inIso885915) ? plain : '?';
  }
  return out;
}

export interface TextRule {
  /** Longest text Netvisor keeps in this field. */
  max: number;
  /** Our document path, for the warning ("lines[0].description"). */
  path: string;
}

/**
 * Makes a text safe for one Netvisor field: characters XML cannot carry are
 * removed, characters outside ISO-8859-15 are replaced when the connection
 * sends that charset, and text longer than the field is cut. Each change is
 * reported as a warning naming our document path, so a finance person sees
 * what Netvisor received differs from what the host sent.
 */
export function cleanText(
  value: string | null | undefined,
  rule: TextRule,
  encoding: NetvisorEncoding,
  warn: (warning: SyncWarning) => void,
): string {
  if (value === null || value === undefined) return '';
  let out = value.replace(/\r\n?/g, '\n');
  const withoutControl = out.replace(NOT_XML, '');
  if (encoding === 'iso-8859-15') {
    const converted = toIso885915(withoutControl);
    if (converted !== out) {
      warn({
        code: 'text_cleaned',
        path: rule.path,
        message: `Some characters of ${rule.path} cannot be sent to Netvisor in ISO-8859-15 and were replaced: "${converted.slice(0, 80)}".`,
      });
    }
    out = converted;
  } else if (withoutControl !== out) {
    warn({ code: 'text_cleaned', path: rule.path, message: `Control characters were removed from ${rule.path}; XML cannot carry them.` });
    out = withoutControl;
  }
  const chars = [...out];
  if (chars.length > rule.max) {
    out = chars.slice(0, rule.max).join('');
    warn({
      code: 'text_truncated',
      path: rule.path,
      message: `${rule.path} is ${chars.length} characters long; Netvisor keeps ${rule.max}, so it was cut to "${out.slice(0, 40)}…".`,
    });
  }
  return out;
}

/**
 * Netvisor's field limits that ledgerlink fills (support.netvisor.fi resource
 * tables: customer.nv name 250, address lines 80, post number 50, customer
 * code 50; product.nv name 200, code 50, unit 50). Free-text fields have no
 * published limit; 500 keeps them within what Netvisor prints.
 */
export const NETVISOR_LIMITS = {
  customerCode: 50,
  customerName: 250,
  addressLine: 80,
  postNumber: 50,
  town: 80,
  email: 100,
  contactPerson: 100,
  productCode: 50,
  productName: 200,
  productUnit: 50,
  productGroup: 100,
  lineFreeText: 500,
  invoiceFreeText: 500,
  reference: 70,
  privateComment: 500,
  finvoice: 100,
  /** salesinvoiceattachment (Netvisor's batch import documents the same fields: mimetype 50, filename 255, description 100). */
  attachmentFilename: 255,
  attachmentDescription: 100,
} as const;

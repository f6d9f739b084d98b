import { describe, expect, it } from 'vitest';
import { CUSTOMER_STRUCTURE, SALES_INVOICE_STRUCTURE, type Structure } from '../../../providers/netvisor/xml/structure.js';
import { haveReference, readReference } from './support.js';

/** Element content models and enumerated attributes, read from a DTD's declarations. */
function declarations(dtd: string) {
  const elements = new Map<string, string[] | null>();
  for (const m of dtd.matchAll(/<!ELEMENT\s+([a-z0-9_]+)\s+\(([^]*?)\)\s*([*+?]?)>/g)) {
    const model = m[2]!.replace(/\s+/g, '');
    elements.set(m[1]!, model === '#PCDATA' ? null : splitModel(model));
  }
  const enums = new Map<string, string[]>();
  for (const m of dtd.matchAll(/<!ATTLIST\s+([a-z0-9_]+)\s+([a-z0-9_]+)\s+\(([^)]*)\)/g)) {
    enums.set(`${m[1]}@${m[2]}`, m[3]!.split('|').map((v) => v.trim()));
  }
  const attributes = new Map<string, boolean>();
  for (const m of dtd.matchAll(/<!ATTLIST\s+([a-z0-9_]+)\s+([a-z0-9_]+)\s+(?:\([^)]*\)|CDATA)\s+(#REQUIRED|#IMPLIED|"[^"]*")/g)) {
    attributes.set(`${m[1]}@${m[2]}`, m[3] === '#REQUIRED');
  }
  return { elements, enums, attributes };
}

/** "a?,(b|c),d*" → ["a?", "(b|c)", "d*"] (commas inside a choice do not split). */
function splitModel(model: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let token = '';
  for (const ch of model) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(token);
      token = '';
    } else token += ch;
  }
  out.push(token);
  // A whole model that is one choice, "(a|b)", arrives here without its parentheses.
  return out.map((t) => (t.includes('|') && !t.startsWith('(') ? `(${t})` : t));
}

function compare(structure: Structure, dtdFile: string) {
  const { elements, enums, attributes } = declarations(readReference(dtdFile));
  expect(elements.size).toBeGreaterThan(10);
  for (const [name, model] of elements) {
    expect(structure[name], `<${name}> is missing from our structure`).toBeDefined();
    expect(structure[name]!.content ?? null, `content of <${name}>`).toEqual(model);
  }
  for (const [key, values] of enums) {
    const [element, attribute] = key.split('@') as [string, string];
    expect(structure[element]?.attributes?.[attribute]?.values, `values of ${element}@${attribute}`).toEqual(values);
  }
  expect(attributes.size).toBeGreaterThanOrEqual(5);
  for (const [key, required] of attributes) {
    const [element, attribute] = key.split('@') as [string, string];
    expect(structure[element]?.attributes?.[attribute], `${element}@${attribute} is missing`).toBeDefined();
    expect(structure[element]!.attributes![attribute]!.required ?? false, `whether ${element}@${attribute} is required`).toBe(required);
  }
  for (const [element, rule] of Object.entries(structure)) {
    for (const attribute of Object.keys(rule.attributes ?? {})) expect(attributes.has(`${element}@${attribute}`), `${element}@${attribute} is not in the DTD`).toBe(true);
  }
}

describe.skipIf(!haveReference)('our structural schema matches Netvisor\'s DTDs', () => {
  it('salesinvoice.dtd: every element, its content model in order, and every attribute with its values', () => {
    compare(SALES_INVOICE_STRUCTURE, 'salesinvoice.dtd');
  });
  it('customer.dtd: every element, its content model in order, and every attribute with its values', () => {
    compare(CUSTOMER_STRUCTURE, 'customer.dtd');
  });
});

import type { Structure } from './structure.js';
import type { XmlNode } from './tree.js';

/** One way a document breaks the structure, named by the element's path. */
export interface StructureProblem {
  /** e.g. "root/salesinvoice/invoicelines/invoiceline[2]/salesinvoiceproductline". */
  path: string;
  message: string;
}

interface Particle {
  names: readonly string[];
  min: 0 | 1;
  many: boolean;
}

function particle(token: string): Particle {
  const m = /^(\(([^)]+)\)|[a-z0-9_]+)([?*+]?)$/.exec(token);
  if (!m) throw new Error(`bad content model token "${token}"`);
  const names = m[2] ? m[2].split('|').map((n) => n.trim()) : [m[1]!];
  const q = m[3] ?? '';
  return { names, min: q === '?' || q === '*' ? 0 : 1, many: q === '*' || q === '+' };
}

const describe = (p: Particle) => (p.names.length === 1 ? `<${p.names[0]}>` : p.names.map((n) => `<${n}>`).join(' or '));

/**
 * Checks a parsed document against a structure: element names, order and
 * occurrence, required attributes, attribute values, and that text-only
 * elements hold no elements. Names are compared exactly (the DTDs are
 * lowercase). Returns every problem found, in document order.
 */
export function validateStructure(root: XmlNode, structure: Structure, rootName = 'root'): StructureProblem[] {
  const problems: StructureProblem[] = [];
  if (root.name !== rootName) {
    problems.push({ path: root.name, message: `the document element must be <${rootName}>, not <${root.name}>` });
    return problems;
  }
  check(root, root.name);
  return problems;

  function check(node: XmlNode, path: string): void {
    const rule = structure[node.name];
    if (!rule) {
      problems.push({ path, message: `<${node.name}> is not an element Netvisor knows here` });
      return;
    }
    for (const [attr, value] of Object.entries(node.attrs)) {
      const attrRule = rule.attributes?.[attr];
      if (!attrRule) {
        problems.push({ path, message: `<${node.name}> has no attribute "${attr}"` });
        continue;
      }
      if (attrRule.values && !attrRule.values.includes(value)) {
        problems.push({ path, message: `<${node.name} ${attr}="${value}"> must be one of ${attrRule.values.join(', ')}` });
      }
    }
    for (const [attr, attrRule] of Object.entries(rule.attributes ?? {})) {
      if (attrRule.required && node.attrs[attr] === undefined) {
        problems.push({ path, message: `<${node.name}> needs the attribute "${attr}"` });
      }
    }
    if (!rule.content) {
      if (node.children.length) problems.push({ path, message: `<${node.name}> holds text only, not <${node.children[0]!.name}>` });
      return;
    }
    if (node.text.trim()) problems.push({ path, message: `<${node.name}> holds elements only, not text ("${node.text.trim().slice(0, 40)}")` });

    const particles = rule.content.map(particle);
    let i = 0;
    let previous: string | null = null;
    for (const p of particles) {
      let count = 0;
      while (i < node.children.length && p.names.includes(node.children[i]!.name) && (p.many || count === 0)) {
        count += 1;
        previous = node.children[i]!.name;
        i += 1;
      }
      if (count < p.min) {
        const where = previous ? ` after <${previous}>` : ' first';
        const found = node.children[i] ? `, found <${node.children[i]!.name}>` : '';
        problems.push({ path, message: `<${node.name}> needs ${describe(p)}${where}${found}` });
      }
    }
    if (i < node.children.length) {
      const extra = node.children[i]!;
      const known = particles.some((p) => p.names.includes(extra.name));
      problems.push({
        path,
        message: known
          ? `<${extra.name}> is out of order or repeated in <${node.name}>${previous ? ` (it may not follow <${previous}>)` : ''}`
          : `<${extra.name}> is not allowed in <${node.name}>`,
      });
    }
    const seen = new Map<string, number>();
    for (const child of node.children) {
      const n = (seen.get(child.name) ?? 0) + 1;
      seen.set(child.name, n);
      const siblings = node.children.filter((c) => c.name === child.name).length;
      check(child, `${path}/${child.name}${siblings > 1 ? `[${n}]` : ''}`);
    }
  }
}

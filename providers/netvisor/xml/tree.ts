import iconv from 'iconv-lite';
import { Parser } from 'xml2js';

/** One XML element with its children in document order (what xml2js gives, flattened). */
export interface XmlNode {
  /** Element name exactly as written. */
  name: string;
  attrs: Record<string, string>;
  /** Text directly inside the element (trimmed when `children` is not empty). */
  text: string;
  children: XmlNode[];
}

const parser = () =>
  new Parser({
    explicitChildren: true,
    preserveChildrenOrder: true,
    charsAsChildren: false,
    explicitArray: true,
    trim: false,
    // Entities other than XML's own five are refused by sax in strict mode: no external entities.
    strict: true,
  });

function toNode(name: string, raw: any): XmlNode {
  if (typeof raw === 'string') return { name, attrs: {}, text: raw, children: [] };
  const children: XmlNode[] = Array.isArray(raw?.$$) ? raw.$$.map((c: any) => toNode(String(c['#name']), c)) : [];
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw?.$ ?? {}) as Record<string, unknown>)) attrs[k] = String(v);
  const text = typeof raw?._ === 'string' ? raw._ : '';
  return { name, attrs, text: children.length ? text.trim() : text, children };
}

/** Parses an XML document into an ordered tree; throws on malformed XML. */
export async function parseXmlTree(xml: string): Promise<XmlNode> {
  const result = (await parser().parseStringPromise(xml)) as Record<string, any> | null;
  if (!result || typeof result !== 'object') throw new Error('the document has no root element');
  const [rootName] = Object.keys(result);
  if (!rootName) throw new Error('the document has no root element');
  return toNode(rootName, result[rootName]);
}

/** First child whose name matches, case-insensitively (Netvisor's answers are not consistent in case). */
export function childOf(node: XmlNode | null | undefined, name: string): XmlNode | null {
  if (!node) return null;
  const wanted = name.toLowerCase();
  return node.children.find((c) => c.name.toLowerCase() === wanted) ?? null;
}

export function childrenOf(node: XmlNode | null | undefined, name: string): XmlNode[] {
  if (!node) return [];
  const wanted = name.toLowerCase();
  return node.children.filter((c) => c.name.toLowerCase() === wanted);
}

/** Trimmed text of the named child, or null when the child is absent or empty. */
export function textOf(node: XmlNode | null | undefined, name: string): string | null {
  const child = childOf(node, name);
  const text = child?.text.trim();
  return text ? text : null;
}

/** Depth-first search for the first descendant with that name. */
export function findDescendant(node: XmlNode | null | undefined, name: string): XmlNode | null {
  if (!node) return null;
  const wanted = name.toLowerCase();
  for (const child of node.children) {
    if (child.name.toLowerCase() === wanted) return child;
    const deeper = findDescendant(child, name);
    if (deeper) return deeper;
  }
  return null;
}

/**
 * Decodes an XML body from its bytes: the encoding named in the XML prolog,
 * else the charset of the Content-Type, else UTF-8.
 */
export function decodeXmlBytes(bytes: Buffer, contentType?: string | null): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  const fromHeader = contentType ? /charset\s*=\s*"?([^;"\s]+)/i.exec(contentType)?.[1] : undefined;
  const encoding = (declared ?? fromHeader ?? 'utf-8').toLowerCase();
  if (!iconv.encodingExists(encoding)) return bytes.toString('utf8');
  return iconv.decode(bytes, encoding);
}

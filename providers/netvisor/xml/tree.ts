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

/** Byte-order marks and the encodings they prove (they outrank any declaration). */
const BYTE_ORDER_MARKS: ReadonlyArray<[Buffer, string]> = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];

/**
 * Decodes an XML body from its bytes, on every connection whatever its
 * `encoding` setting: by its byte-order mark (which proves the encoding, and is
 * dropped), else the encoding named in the XML declaration, else the charset of
 * the Content-Type, else UTF-8 (XML's default).
 */
export function decodeXmlBytes(bytes: Buffer, contentType?: string | null): string {
  for (const [mark, encoding] of BYTE_ORDER_MARKS) {
    if (bytes.subarray(0, mark.length).equals(mark)) return iconv.decode(bytes.subarray(mark.length), encoding);
  }
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  const fromHeader = contentType ? /charset\s*=\s*"?([^;"\s]+)/i.exec(contentType)?.[1] : undefined;
  for (const candidate of [declared, fromHeader]) {
    if (candidate && iconv.encodingExists(candidate)) return iconv.decode(bytes, candidate);
  }
  return bytes.toString('utf8');
}

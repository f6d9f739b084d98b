import iconv from 'iconv-lite';
import { Builder } from 'xml2js';
import type { NetvisorEncoding } from '../text.js';

/**
 * An element as xml2js's Builder takes it: text, or an object whose keys are
 * child elements in order ("$" attributes, "_" text), arrays for repeats.
 */
export type XmlValue = string | XmlElement | XmlElement[];
export interface XmlElement {
  $?: Record<string, string>;
  _?: string;
  [child: string]: XmlValue | Record<string, string> | undefined;
}

/** A request body ready to send: the XML text (for tests and records) and the bytes. */
export interface XmlBody {
  xml: string;
  body: string | Buffer;
  contentType: string;
}

/**
 * Serialises `{root: …}` with xml2js (which escapes every text and attribute)
 * and encodes it: UTF-8 as a string, ISO-8859-15 as bytes with the charset
 * declared in both the XML prolog and the Content-Type.
 */
export function serializeXml(document: { root: XmlElement }, encoding: NetvisorEncoding): XmlBody {
  const declared = encoding === 'iso-8859-15' ? 'ISO-8859-15' : 'UTF-8';
  const builder = new Builder({ xmldec: { version: '1.0', encoding: declared }, renderOpts: { pretty: false }, headless: false });
  const xml = builder.buildObject(document);
  if (encoding === 'iso-8859-15') {
    return { xml, body: iconv.encode(xml, 'iso-8859-15'), contentType: 'text/xml; charset=ISO-8859-15' };
  }
  return { xml, body: xml, contentType: 'text/xml; charset=utf-8' };
}

/** Leaves out elements whose text is empty, so optional fields are simply absent. */
export function optional(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** Drops keys whose value is undefined (xml2js would render them as empty elements). */
export function compact<T extends XmlElement>(element: T): T {
  for (const key of Object.keys(element)) if (element[key] === undefined) delete element[key];
  return element;
}

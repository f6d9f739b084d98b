import iconv from 'iconv-lite';
import { decodeXmlBytes } from '../xml/tree.js';
import type { Answer } from './responses.js';

/**
 * Other shapes real Netvisor answers come in (as public Netvisor clients'
 * test fixtures show), so tests and drills can check that ledgerlink reads
 * them right. The default is the sandbox's usual answer.
 */
export interface NetvisorAnswerStyle {
  /** getcustomer.nv without <NetvisorKey>: the customer is named by <InternalIdentifier> (its code) only. */
  customerKey?: 'include' | 'omit';
  /** customerlist.nv entries without <OrganisationIdentifier> (ledgerlink then reads getcustomer.nv). */
  listOrganisationIdentifier?: 'include' | 'omit';
  /** getproduct.nv with an empty <ProductCode>. */
  productCode?: 'include' | 'empty';
  /** Every answer in this encoding, whatever the request's (default: the request's; UTF-8 for reads). */
  encoding?: 'utf-8' | 'iso-8859-15';
  /** A UTF-8 byte-order mark before the XML declaration (UTF-8 answers only). */
  byteOrderMark?: boolean;
  /** The charset the Content-Type names: the real one (default), none, or another (a header that lies). */
  contentTypeCharset?: 'declared' | 'none' | 'utf-8' | 'iso-8859-15';
}

/** Rewrites one XML answer of `resource` into the style; answers that are not XML are left alone. */
export function restyle(answer: Answer, resource: string, style: NetvisorAnswerStyle): Answer {
  if (!/xml/i.test(answer.contentType)) return answer;
  let xml = decodeXmlBytes(answer.body, answer.contentType);
  if (style.customerKey === 'omit' && resource === 'getcustomer.nv') {
    xml = xml.replace(/<NetvisorKey>[^<]*<\/NetvisorKey>\s*/gi, '');
  }
  if (style.listOrganisationIdentifier === 'omit' && resource === 'customerlist.nv') {
    xml = xml.replace(/<OrganisationIdentifier\s*\/>\s*|<OrganisationIdentifier>[^<]*<\/OrganisationIdentifier>\s*/gi, '');
  }
  if (style.productCode === 'empty' && resource === 'getproduct.nv') {
    xml = xml.replace(/<ProductCode>[^<]*<\/ProductCode>/gi, '<ProductCode></ProductCode>');
  }
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(xml)?.[1]?.toLowerCase();
  const encoding = style.encoding ?? (declared === 'iso-8859-15' ? 'iso-8859-15' : 'utf-8');
  xml = xml.replace(/^(\s*<\?xml[^>]*\bencoding\s*=\s*["'])[^"']+(["'])/i, `$1${encoding === 'iso-8859-15' ? 'ISO-8859-15' : 'utf-8'}$2`);
  let body = encoding === 'iso-8859-15' ? iconv.encode(xml, 'iso-8859-15') : Buffer.from(xml, 'utf8');
  if (style.byteOrderMark && encoding === 'utf-8') body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  const charset = !style.contentTypeCharset || style.contentTypeCharset === 'declared' ? encoding : style.contentTypeCharset;
  return { ...answer, body, contentType: charset === 'none' ? 'text/xml' : `text/xml; charset=${charset}` };
}

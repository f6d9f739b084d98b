import type { ResolvedLine } from '../../../src/domain/resolved-invoice.js';
import type { SyncWarning } from '../../types.js';
import { commaDecimal, commaPrice } from '../decimal-format.js';
import { cleanText, NETVISOR_LIMITS as L, type NetvisorEncoding } from '../text.js';
import { compact, optional, serializeXml, type XmlBody } from './serialize.js';

/**
 * The `product.nv?method=add` body: the product's code, group, name, net unit
 * price, unit, active and saleable, and its default VAT percentage. Element
 * names are lowercase like every other Netvisor request body (Netvisor's own
 * example writes them in PascalCase; its tables and DTDs use lowercase).
 */
export function buildProductXml(input: {
  line: ResolvedLine;
  code: string;
  group: string;
  encoding: NetvisorEncoding;
  warn: (warning: SyncWarning) => void;
}): XmlBody {
  const { line, code, group, encoding, warn } = input;
  const path = `lines[${line.index}].product`;
  const productbaseinformation = compact({
    productcode: code,
    productgroup: cleanText(group, { max: L.productGroup, path: 'productGroup' }, encoding, warn),
    name: cleanText(line.product.name, { max: L.productName, path: `${path}.name` }, encoding, warn),
    unitprice: { _: commaPrice(line.unitPrice), $: { type: 'net' } },
    unit: optional(cleanText(line.product.unit || line.unit, { max: L.productUnit, path: `${path}.unit` }, encoding, warn)),
    isactive: '1',
    issalesproduct: '1',
  });
  return serializeXml(
    { root: { product: { productbaseinformation, productbookkeepingdetails: { defaultvatpercentage: commaDecimal(line.vatRate) } } } },
    encoding,
  );
}

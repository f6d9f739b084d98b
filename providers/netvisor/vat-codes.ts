import { netvisorVatCode } from '../../src/domain/finnish/provider-vat-codes.js';
import type { ResolvedLine } from '../../src/domain/resolved-invoice.js';

/** The `vatcode` values salesinvoice.dtd allows on `productvatpercentage`. */
export const NETVISOR_VAT_CODES = [
  'NONE',
  'KOOS',
  'EUOS',
  'EUUO',
  'EUPO',
  '100',
  'KOMY',
  'EUMY',
  'EUUM',
  'EUPM312',
  'EUPM309',
  'MUUL',
  'EVTO',
  'EVPO',
  'RAMY',
  'RAOS',
  'EVRO',
] as const;
export type NetvisorVatCode = (typeof NETVISOR_VAT_CODES)[number];

/** Per-treatment overrides a connection may set (`vatCodes` setting). */
export interface VatCodeOverrides {
  domestic?: NetvisorVatCode;
  /** EU sale of services (every line kind except `goods`). */
  eu_sale?: NetvisorVatCode;
  /** EU sale of goods (line kind `goods`). */
  eu_sale_goods?: NetvisorVatCode;
  reverse_charge_construction?: NetvisorVatCode;
  outside_eu?: NetvisorVatCode;
}

/**
 * VAT code of a sales line: ledgerlink's one VAT table
 * (src/domain/finnish/provider-vat-codes.ts), unless the connection overrides
 * the treatment (`vatCodes` setting).
 *
 * | treatment                     | line kind       | code    | Netvisor's name (support.netvisor.fi "VAT classes and VAT codes") |
 * | ----------------------------- | --------------- | ------- | ----------------------------------------------------------------- |
 * | domestic                      | any             | KOMY    | Domestic sales (0, 10, 13.5/14, 24, 25.5 %)                       |
 * | eu_sale                       | goods           | EUMY    | EU sales (0 %) — VAT return box 311, sales of goods to EU         |
 * | eu_sale                       | any other kind  | EUPM312 | "312 EU service sales" (0 %) — VAT return box 312                 |
 * | reverse_charge_construction   | any             | RAMY    | Sale of construction services (0 %)                               |
 * | outside_eu                    | any             | EUUM    | Sales outside the EU (0 %)                                        |
 *
 * Task entries, expenses and transport lines are services; only `goods` lines
 * are goods. EUPM309 ("309 EU service sales") is the other EU-service code
 * Netvisor offers; box 309 is the older "0-rated turnover" box, so 312 is the
 * default and a connection can switch with `vatCodes.eu_sale`.
 */
export function defaultVatCode(line: Pick<ResolvedLine, 'vatTreatment' | 'kind'>, overrides: VatCodeOverrides = {}): NetvisorVatCode {
  const override =
    line.vatTreatment === 'eu_sale'
      ? line.kind === 'goods'
        ? overrides.eu_sale_goods
        : overrides.eu_sale
      : overrides[line.vatTreatment];
  return override ?? netvisorVatCode(line.vatTreatment, line.kind);
}

/** Codes Netvisor only accepts with a 0 % rate (its VAT code table lists no other percentage for them). */
export const ZERO_RATE_VAT_CODES: ReadonlySet<string> = new Set(['NONE', 'EUMY', 'EUUM', 'EUPM312', 'EUPM309', 'RAMY']);

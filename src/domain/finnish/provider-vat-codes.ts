import type { LineKind, VatTreatment } from '../invoice-document.js';

/**
 * VAT treatment → each provider's VAT code, in one table.
 *
 * Goods or services: a `goods` line is goods; every other line kind (hours,
 * expenses re-invoiced with the work, mileage, travel time) is a service.
 *
 * Netvisor `vatcode` attribute of `productvatpercentage` (sales invoice lines)
 * — the allowed values are in Netvisor's salesinvoice.dtd
 * (../shared/reference/netvisor/salesinvoice.dtd); their meanings are Netvisor's
 * own labels as published with Netvisor's API clients:
 *   KOMY     Kotimaan myynti — domestic sales
 *   EUMY     EU-myynti — sales of goods to other EU countries (VAT return box 311)
 *   EUPM312  EU-palvelumyynti (312) — sales of services to other EU countries
 *            under the general rule, buyer reverse-charges (box 312, EC sales list)
 *   EUPM309  EU-palvelumyynti (309) — EU service sales reported as 0-rated
 *            turnover (box 309); not the usual B2B case, so not used here
 *   EUUM     EU:n ulkopuolinen myynti — sales outside the EU, goods and services
 *   RAMY     Rakentamispalvelun myynti — construction services, reverse charge (box 318)
 *   EVTO/EVPO are *purchase* codes (non-deductible EU purchases of goods/services),
 *   not export codes: Netvisor has one sales code for outside the EU, EUUM.
 *
 * Procountor `vatStatus` (invoice header, required; may be overridden per row):
 * numeric codes from the company's "VAT defaults" (GET /vats/default lists the
 * ones enabled). Published in Procountor's API use case "BtoB Webshop sales
 * Domestic/EU" (support.procountor.fi): 1 Domestic, 3 Outside of the EU,
 * 5 EU community sales (product), 12 No VAT handling. The codes for EU sales of
 * services and for construction-service reverse charge are not published in
 * anything we could check, so they are null here: the connection must supply
 * them (see procountorVatStatus) rather than ledgerlink guessing.
 */

export type GoodsOrServices = 'goods' | 'services';

export const NETVISOR_SALES_VAT_CODES = ['KOMY', 'EUMY', 'EUPM312', 'EUPM309', 'EUUM', 'RAMY', 'NONE'] as const;
export type NetvisorSalesVatCode = (typeof NETVISOR_SALES_VAT_CODES)[number];

export interface ProviderVatCodes {
  netvisor: Record<GoodsOrServices, NetvisorSalesVatCode>;
  /** null: not known to ledgerlink; the connection must give it. */
  procountor: Record<GoodsOrServices, number | null>;
}

/** The table. */
export const PROVIDER_VAT_CODES: Readonly<Record<VatTreatment, ProviderVatCodes>> = {
  domestic: {
    netvisor: { goods: 'KOMY', services: 'KOMY' },
    procountor: { goods: 1, services: 1 },
  },
  eu_sale: {
    netvisor: { goods: 'EUMY', services: 'EUPM312' },
    procountor: { goods: 5, services: null },
  },
  reverse_charge_construction: {
    netvisor: { goods: 'RAMY', services: 'RAMY' },
    procountor: { goods: null, services: null },
  },
  outside_eu: {
    netvisor: { goods: 'EUUM', services: 'EUUM' },
    procountor: { goods: 3, services: 3 },
  },
};

/** `goods` lines are goods; every other kind is a service. */
export function goodsOrServices(kind: LineKind): GoodsOrServices {
  return kind === 'goods' ? 'goods' : 'services';
}

/** Netvisor's `vatcode` for a line: netvisorVatCode('eu_sale', 'task_entry') → "EUPM312". */
export function netvisorVatCode(treatment: VatTreatment, kind: LineKind): NetvisorSalesVatCode {
  return PROVIDER_VAT_CODES[treatment].netvisor[goodsOrServices(kind)];
}

/** Procountor VAT status codes a connection may set, keyed like the table ("eu_sale.services"). */
export type ProcountorVatStatusOverrides = Partial<Record<`${VatTreatment}.${GoodsOrServices}`, number>>;

export type ProcountorVatStatusResult = { ok: true; vatStatus: number } | { ok: false; message: string };

const WORDS: Record<VatTreatment, string> = {
  domestic: 'domestic sales',
  eu_sale: 'EU sales',
  reverse_charge_construction: 'construction services under reverse charge',
  outside_eu: 'sales outside the EU',
};

/**
 * Procountor's `vatStatus` for a line; `overrides` (from the connection
 * settings) win over the table. When neither knows the code the result says
 * how to find it, so the sync can fail with a message a person can act on.
 */
export function procountorVatStatus(
  treatment: VatTreatment,
  kind: LineKind,
  overrides: ProcountorVatStatusOverrides = {},
): ProcountorVatStatusResult {
  const which = goodsOrServices(kind);
  const status = overrides[`${treatment}.${which}`] ?? PROVIDER_VAT_CODES[treatment].procountor[which];
  if (status != null) return { ok: true, vatStatus: status };
  return {
    ok: false,
    message: `ledgerlink does not know Procountor's VAT status for ${WORDS[treatment]} of ${which}: look it up in Procountor (Management > Accounting info > VAT defaults) and set "${treatment}.${which}" in the connection's VAT status settings`,
  };
}


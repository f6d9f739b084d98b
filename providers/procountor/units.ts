/**
 * Procountor's invoice row units. openapi.yaml (v25.12, partial) types
 * `InvoiceRow.unit` as a plain string; the enum below is the one Procountor's
 * v26.04 description gives for it.
 */
export const PROCOUNTOR_UNITS = [
  'CM', 'LOT', 'GRAM', 'HOUR', 'PERSON', 'LINEAR_METER', 'KILOGRAM', 'MONTH', 'KILOMETER', 'PIECE',
  'KILOWATT_HOUR', 'LITER', 'BOX', 'METER', 'SQUARE_METER', 'CUBIC_METER', 'SALE_UNIT', 'MINUTE',
  'MILLIMETER', 'PARCEL', 'BOTTLE', 'CAN', 'BAG', 'DAY', 'ROLL', 'PAGE', 'SACK', 'SERIES', 'TUBE', 'TON',
  'YEAR', 'WEEK', 'FULL_DAY', 'KILOBIT', 'MEGABIT', 'GIGABIT', 'TERABIT', 'SQUARE_CENTIMETRE',
  'CENTILITRE', 'CUP', 'DECILITRE', 'GALLON_UK', 'GALLON_US', 'MILLILITRE', 'PINT_UK', 'PINT_US',
  'AMPERE', 'AMPERE_HOUR', 'AMPERE_MINUTE', 'KILOAMPERE_HOUR', 'KILOVOLT', 'MILLIVOLT',
  'MILLIAMPERE_HOUR', 'FOOT', 'INCH', 'MILE', 'YARD', 'EXAJOULE', 'GIGAJOULE', 'JOULE',
  'JOULE_PER_SECOND', 'KILOJOULE', 'MILLIJOULE', 'PETAJOULE', 'TERAJOULE', 'GRAM_PER_CUBIC_METRE',
  'GRAM_PER_SQUARE_METRE', 'KILOGRAM_PER_CUBIC_METRE', 'KILOGRAM_PER_SQUARE_METRE', 'MILLIGRAM',
  'MILLIGRAM_PER_CUBIC_METRE', 'OUNCE', 'POUND', 'STONE_UK', 'DOZEN', 'DOZEN_PACK', 'EIGHT_PACK',
  'FIVE_PACK', 'FOUR_PACK', 'HUNDRED', 'JAR', 'NINE_PACK', 'NUMBER_OF_WORDS', 'PAIR', 'PALLET', 'PLATE',
  'SET', 'SEVEN_PACK', 'SIX_PACK', 'TEN_PACK', 'THREE_PACK', 'TWO_PACK', 'WRAP', 'GIGAWATT',
  'GIGAWATT_HOUR', 'KILOWATT', 'MEGAWATT_HOUR', 'MILLIWATT', 'TERAWATT', 'TERAWATT_HOUR', 'WATT',
  'WATT_HOUR', 'BAR', 'KILOPASCAL', 'PASCAL', 'KILOBYTE', 'MEGABYTE', 'GIGABYTE', 'SECOND', 'HECTARE',
  'NO_UNIT',
] as const;
export type ProcountorUnit = (typeof PROCOUNTOR_UNITS)[number];

const KNOWN = new Set<string>(PROCOUNTOR_UNITS);

/** Our unit words (English and Finnish, as hosts write them) → Procountor's. */
const ALIASES: Record<string, ProcountorUnit> = {
  h: 'HOUR', hr: 'HOUR', hrs: 'HOUR', hour: 'HOUR', hours: 'HOUR', tunti: 'HOUR', tuntia: 'HOUR', tun: 'HOUR',
  min: 'MINUTE', mins: 'MINUTE', minute: 'MINUTE', minutes: 'MINUTE', minuutti: 'MINUTE',
  s: 'SECOND', sec: 'SECOND', second: 'SECOND', seconds: 'SECOND',
  d: 'DAY', day: 'DAY', days: 'DAY', pv: 'DAY', päivä: 'DAY', paiva: 'DAY',
  wk: 'WEEK', week: 'WEEK', weeks: 'WEEK', vk: 'WEEK', viikko: 'WEEK',
  mo: 'MONTH', month: 'MONTH', months: 'MONTH', kk: 'MONTH', kuukausi: 'MONTH',
  y: 'YEAR', yr: 'YEAR', year: 'YEAR', years: 'YEAR', vuosi: 'YEAR',
  km: 'KILOMETER', kilometer: 'KILOMETER', kilometers: 'KILOMETER', kilometre: 'KILOMETER', kilometres: 'KILOMETER',
  m: 'METER', meter: 'METER', meters: 'METER', metre: 'METER', metres: 'METER',
  mm: 'MILLIMETER', cm: 'CM', m2: 'SQUARE_METER', 'm²': 'SQUARE_METER', sqm: 'SQUARE_METER',
  m3: 'CUBIC_METER', 'm³': 'CUBIC_METER', jm: 'LINEAR_METER',
  mi: 'MILE', mile: 'MILE', miles: 'MILE',
  pcs: 'PIECE', pc: 'PIECE', piece: 'PIECE', pieces: 'PIECE', kpl: 'PIECE', ea: 'PIECE', each: 'PIECE', st: 'PIECE', stk: 'PIECE',
  // No alias for "t": Finnish invoices use it for tunti (hour) as often as for tonne.
  kg: 'KILOGRAM', g: 'GRAM', mg: 'MILLIGRAM', ton: 'TON', tonne: 'TON', tonnes: 'TON',
  l: 'LITER', liter: 'LITER', litre: 'LITER', liters: 'LITER', litres: 'LITER', dl: 'DECILITRE', cl: 'CENTILITRE', ml: 'MILLILITRE',
  kwh: 'KILOWATT_HOUR', mwh: 'MEGAWATT_HOUR', wh: 'WATT_HOUR', kw: 'KILOWATT',
  box: 'BOX', laatikko: 'BOX', set: 'SET', sarja: 'SERIES', pair: 'PAIR', pari: 'PAIR',
  lot: 'LOT', erä: 'LOT', era: 'LOT', person: 'PERSON', persons: 'PERSON', hlö: 'PERSON', hlo: 'PERSON',
  page: 'PAGE', pages: 'PAGE', sivu: 'PAGE', pack: 'PARCEL', package: 'PARCEL', paketti: 'PARCEL',
  pallet: 'PALLET', lava: 'PALLET', roll: 'ROLL', rulla: 'ROLL', bottle: 'BOTTLE', pullo: 'BOTTLE',
  bag: 'BAG', pussi: 'BAG', can: 'CAN', tölkki: 'CAN', dozen: 'DOZEN', tusina: 'DOZEN',
  kb: 'KILOBYTE', mb: 'MEGABYTE', gb: 'GIGABYTE', ha: 'HECTARE',
};

/** What a unit we cannot place is sent as: always accepted by Procountor. */
export const FALLBACK_UNIT: ProcountorUnit = 'PIECE';

/** Procountor's unit for ours, or null when we do not know it (the caller warns and falls back). */
export function procountorUnit(unit: string): ProcountorUnit | null {
  const trimmed = unit.trim();
  if (KNOWN.has(trimmed.toUpperCase())) return trimmed.toUpperCase() as ProcountorUnit;
  const key = trimmed.toLowerCase().replace(/\.$/, '');
  return ALIASES[key] ?? null;
}

export function isProcountorUnit(value: string): value is ProcountorUnit {
  return KNOWN.has(value);
}

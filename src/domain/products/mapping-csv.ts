import { LINE_KINDS } from '../invoice-document.js';
import { dec, decimalText, isDecimalString } from '../money.js';
import { detectDelimiter, formatCsv, parseCsv, type CsvDelimiter } from './csv.js';
import { mappingInputFrom, productMappingInputSchema } from './mapping-schema.js';
import { MAPPING_SCOPES, mappingKey, type ProductMapping, type ProductMappingInput } from './product-mapping.js';

/**
 * Product mappings as CSV, for finance people who keep them in a spreadsheet.
 *
 * Header row (this order on export; any order, any letter case on import):
 *   scope,scopeId,lineKind,code,name,unit,unitPrice,vatRate,
 *   procountorProductId,procountorProductCode,netvisorProductCode
 * Empty cells mean "none" (no scopeId for tenant, no price, no VAT rate…).
 *
 * Import reports every problem of every row at once as { row, column, message }
 * where row is the spreadsheet row (the header is row 1) and column the header
 * name (null when the whole row is wrong). Nothing is imported unless the whole
 * file is valid, so a half-applied import never happens.
 *
 * Delimiters: `,` by default. A file whose header uses `;` (Excel in a Finnish
 * locale) is read with `;`, and then decimals may be written with a comma
 * ("12,50"); export with `{ delimiter: ';' }` writes that form too.
 *
 * Spreadsheet formula injection: a text cell starting with =, +, -, @, tab or
 * CR would run as a formula when the export is opened in Excel. Export
 * prefixes such cells with an apostrophe (which Excel hides) and import
 * removes that one apostrophe again, so an export imports back unchanged.
 */

export const MAPPING_CSV_COLUMNS = [
  'scope',
  'scopeId',
  'lineKind',
  'code',
  'name',
  'unit',
  'unitPrice',
  'vatRate',
  'procountorProductId',
  'procountorProductCode',
  'netvisorProductCode',
] as const;
export type MappingCsvColumn = (typeof MAPPING_CSV_COLUMNS)[number];

const REQUIRED_COLUMNS: ReadonlyArray<MappingCsvColumn> = ['scope', 'lineKind', 'code', 'name', 'unit'];
const TEXT_COLUMNS: ReadonlySet<MappingCsvColumn> = new Set([
  'scopeId',
  'code',
  'name',
  'unit',
  'procountorProductId',
  'procountorProductCode',
  'netvisorProductCode',
]);

export interface MappingCsvProblem {
  /** Spreadsheet row, header = 1. */
  row: number;
  /** Header name of the cell, or null when the problem is the whole row or file. */
  column: MappingCsvColumn | string | null;
  message: string;
}

export type MappingCsvImportResult =
  | { ok: true; mappings: ProductMappingInput[] }
  | { ok: false; problems: MappingCsvProblem[] };

const FORMULA_START = /^[=+\-@\t\r]/;

function guardFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function unguardFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

function decimalCell(value: string | null | undefined, delimiter: CsvDelimiter): string {
  if (value == null || value === '') return '';
  // A stored value that is somehow not a decimal is written as it is, not dropped.
  if (!isDecimalString(value.trim())) return value;
  const text = decimalText(dec(value));
  return delimiter === ';' ? text.replace('.', ',') : text;
}

function rank<T>(list: ReadonlyArray<T>, value: T): number {
  return list.indexOf(value);
}

/**
 * Mappings as CSV text (header first, CRLF line ends). Sorted by scope (task
 * first), scopeId and line kind, so two exports diff cleanly.
 */
export function exportMappingsCsv(
  mappings: ReadonlyArray<ProductMapping | ProductMappingInput>,
  options: { delimiter?: CsvDelimiter } = {},
): string {
  const delimiter = options.delimiter ?? ',';
  const sorted = [...mappings].sort(
    (a, b) =>
      rank(MAPPING_SCOPES, a.scope) - rank(MAPPING_SCOPES, b.scope) ||
      (a.scopeId ?? '').localeCompare(b.scopeId ?? '', 'en') ||
      rank(LINE_KINDS, a.lineKind) - rank(LINE_KINDS, b.lineKind),
  );
  const rows: string[][] = [[...MAPPING_CSV_COLUMNS]];
  for (const m of sorted) {
    const cells: Record<MappingCsvColumn, string> = {
      scope: m.scope,
      scopeId: m.scopeId ?? '',
      lineKind: m.lineKind,
      code: m.product.code,
      name: m.product.name,
      unit: m.product.unit,
      unitPrice: decimalCell(m.product.unitPrice, delimiter),
      vatRate: decimalCell(m.product.vatRate, delimiter),
      procountorProductId: m.providerProducts?.procountor?.id ?? '',
      procountorProductCode: m.providerProducts?.procountor?.code ?? '',
      netvisorProductCode: m.providerProducts?.netvisor?.code ?? '',
    };
    rows.push(MAPPING_CSV_COLUMNS.map((c) => (TEXT_COLUMNS.has(c) ? guardFormula(cells[c]) : cells[c])));
  }
  return formatCsv(rows, delimiter);
}

/** zod issue path → the CSV column it came from. */
function columnOf(path: ReadonlyArray<PropertyKey>): MappingCsvColumn | null {
  const key = path.map(String).join('.');
  const map: Record<string, MappingCsvColumn> = {
    scope: 'scope',
    scopeId: 'scopeId',
    lineKind: 'lineKind',
    'product.code': 'code',
    'product.name': 'name',
    'product.unit': 'unit',
    'product.unitPrice': 'unitPrice',
    'product.vatRate': 'vatRate',
    'providerProducts.procountor.id': 'procountorProductId',
    'providerProducts.procountor.code': 'procountorProductCode',
    'providerProducts.netvisor.code': 'netvisorProductCode',
  };
  return map[key] ?? null;
}

/** A decimal cell as the schema wants it: comma decimals in `;` files, a trailing "%" on rates dropped. */
function decimalInput(value: string, delimiter: CsvDelimiter, percent: boolean): string {
  let v = value.replace(/\s+/g, '');
  if (percent) v = v.replace(/%$/, '');
  if (delimiter === ';' && /^[+-]?\d+,\d+$/.test(v)) v = v.replace(',', '.');
  return v;
}

/** Reads mappings from CSV text. See the module comment for the format. */
export function importMappingsCsv(text: string): MappingCsvImportResult {
  const delimiter = detectDelimiter(text);
  const { records, errors } = parseCsv(text, delimiter);
  const problems: MappingCsvProblem[] = errors.map((e) => ({ row: e.row, column: null, message: e.message }));

  const header = records[0];
  if (!header || header.row !== 1) {
    problems.unshift({
      row: 1,
      column: null,
      message: `must start with a header row: ${MAPPING_CSV_COLUMNS.join(',')}`,
    });
    return { ok: false, problems };
  }

  // Header: known names only, each once, the required ones present.
  const byLower = new Map(MAPPING_CSV_COLUMNS.map((c) => [c.toLowerCase(), c] as const));
  const columns: Array<MappingCsvColumn | null> = [];
  const seen = new Set<MappingCsvColumn>();
  for (const cell of header.cells) {
    const name = byLower.get(cell.trim().replace(/^\uFEFF/, '').toLowerCase());
    if (!name) {
      problems.push({ row: 1, column: cell, message: `is not a column ledgerlink knows; the columns are ${MAPPING_CSV_COLUMNS.join(', ')}` });
      columns.push(null);
    } else if (seen.has(name)) {
      problems.push({ row: 1, column: name, message: 'appears twice in the header' });
      columns.push(null);
    } else {
      seen.add(name);
      columns.push(name);
    }
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) problems.push({ row: 1, column: required, message: 'is missing from the header; it is required' });
  }
  if (problems.some((p) => p.row === 1)) return { ok: false, problems };

  const mappings: ProductMappingInput[] = [];
  const firstRowOf = new Map<string, number>();
  for (const record of records.slice(1)) {
    if (record.cells.length > columns.length) {
      problems.push({
        row: record.row,
        column: null,
        message: `has ${record.cells.length} cells but the header has ${columns.length}; a value containing "${delimiter}" must be in double quotes`,
      });
      continue;
    }
    const cell = (c: MappingCsvColumn): string => {
      const index = columns.indexOf(c);
      const raw = index < 0 ? '' : (record.cells[index] ?? '');
      return TEXT_COLUMNS.has(c) ? unguardFormula(raw) : raw;
    };
    const orAbsent = (v: string) => (v === '' ? undefined : v);
    const procountorId = orAbsent(cell('procountorProductId'));
    const procountorCode = orAbsent(cell('procountorProductCode'));
    const netvisorCode = orAbsent(cell('netvisorProductCode'));
    const unitPrice = cell('unitPrice');
    const vatRate = cell('vatRate');
    const candidate = {
      scope: cell('scope').toLowerCase(),
      scopeId: orAbsent(cell('scopeId')),
      lineKind: cell('lineKind').toLowerCase(),
      product: {
        code: cell('code'),
        name: cell('name'),
        unit: cell('unit'),
        unitPrice: orAbsent(decimalInput(unitPrice, delimiter, false)),
        vatRate: orAbsent(decimalInput(vatRate, delimiter, true)),
      },
      providerProducts:
        procountorId || procountorCode || netvisorCode
          ? {
              ...(procountorId || procountorCode ? { procountor: { id: procountorId, code: procountorCode } } : {}),
              ...(netvisorCode ? { netvisor: { code: netvisorCode } } : {}),
            }
          : undefined,
    };
    const result = parseRow(candidate);
    if (!result.ok) {
      for (const p of result.issues) {
        const column = columnOf(p.path);
        problems.push({ row: record.row, column, message: p.message });
      }
      continue;
    }
    const key = mappingKey(result.mapping);
    const first = firstRowOf.get(key);
    if (first !== undefined) {
      problems.push({
        row: record.row,
        column: null,
        message: `maps the same ${result.mapping.scope}${result.mapping.scopeId ? ` ${result.mapping.scopeId}` : ''} and line kind ${result.mapping.lineKind} as row ${first}; keep one`,
      });
      continue;
    }
    firstRowOf.set(key, record.row);
    mappings.push(result.mapping);
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.row - b.row) };
  return { ok: true, mappings };
}

type RowResult =
  | { ok: true; mapping: ProductMappingInput }
  | { ok: false; issues: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> };

/** Validates one row with the JSON schema, so CSV and JSON imports accept and store the same things. */
function parseRow(candidate: unknown): RowResult {
  const result = productMappingInputSchema.safeParse(candidate);
  if (!result.success) {
    return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path, message: i.message })) };
  }
  return { ok: true, mapping: mappingInputFrom(result.data) };
}

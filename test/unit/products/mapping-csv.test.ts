import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../../src/domain/products/csv.js';
import { exportMappingsCsv, importMappingsCsv, MAPPING_CSV_COLUMNS } from '../../../src/domain/products/mapping-csv.js';
import type { ProductMapping } from '../../../src/domain/products/product-mapping.js';

const HEADER = MAPPING_CSV_COLUMNS.join(',');

const stored: ProductMapping[] = [
  {
    id: 'm1',
    scope: 'tenant',
    scopeId: null,
    lineKind: 'transport_distance',
    product: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5.00', vatRate: null },
    autoCreated: true,
  },
  {
    id: 'm2',
    scope: 'task',
    scopeId: '1296',
    lineKind: 'task_entry',
    product: { code: 'BIM', name: 'Integration, "BIM" tools\nphase 2', unit: 'hour', unitPrice: '95.5', vatRate: '25.5' },
    providerProducts: { procountor: { id: '123456', code: 'BIM-P' }, netvisor: { code: 'NV-BIM' } },
    autoCreated: false,
  },
  {
    id: 'm3',
    scope: 'contact',
    scopeId: 'cust-17',
    lineKind: 'goods',
    product: { code: 'DISC', name: '-10% discount =SUM(A1)', unit: 'pcs' },
    autoCreated: false,
  },
];

describe('parseCsv / formatCsv (RFC 4180)', () => {
  it('round-trips commas, quotes and newlines', () => {
    const rows = [['a', 'b,c', 'say "hi"', 'two\r\nlines', ' padded ', '']];
    const text = formatCsv(rows);
    expect(text).toBe('a,"b,c","say ""hi""","two\r\nlines"," padded ",\r\n');
    expect(parseCsv(text)).toEqual({ records: [{ row: 1, cells: rows[0] }], errors: [] });
  });

  it('reads LF files, a byte-order mark, and skips blank rows while counting them', () => {
    const parsed = parseCsv('\uFEFFa,b\n\n,\nc,d');
    expect(parsed.records).toEqual([
      { row: 1, cells: ['a', 'b'] },
      { row: 4, cells: ['c', 'd'] },
    ]);
  });

  it('reports an unclosed quote and text after a closing quote', () => {
    expect(parseCsv('a,"b\nc').errors).toEqual([{ row: 1, message: expect.stringContaining('never closed') }]);
    const stray = parseCsv('a,"b"x,c\nd,e');
    expect(stray.errors).toEqual([{ row: 1, message: expect.stringContaining('after a closing double quote') }]);
    expect(stray.records).toEqual([{ row: 2, cells: ['d', 'e'] }]);
  });
});

describe('exportMappingsCsv', () => {
  const csv = exportMappingsCsv(stored);

  it('writes the header and one row per mapping, most specific scope first', () => {
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toBe('task,1296,task_entry,BIM,"Integration, ""BIM"" tools\nphase 2",hour,95.5,25.5,123456,BIM-P,NV-BIM');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).toContain('tenant,,transport_distance,TRANSPORT,Transport,km,5,,,,\r\n');
  });

  it('defuses cells Excel would run as formulas', () => {
    expect(csv).toContain(",'-10% discount =SUM(A1),");
  });

  it('imports back to the same mappings', () => {
    const result = importMappingsCsv(csv);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const byCode = Object.fromEntries(result.mappings.map((m) => [m.product.code, m]));
    expect(byCode.BIM).toEqual({
      scope: 'task',
      scopeId: '1296',
      lineKind: 'task_entry',
      product: { code: 'BIM', name: 'Integration, "BIM" tools\nphase 2', unit: 'hour', unitPrice: '95.5', vatRate: '25.5' },
      providerProducts: { procountor: { id: '123456', code: 'BIM-P' }, netvisor: { code: 'NV-BIM' } },
    });
    expect(byCode.DISC!.product.name).toBe('-10% discount =SUM(A1)');
    expect(byCode.TRANSPORT).toMatchObject({ scope: 'tenant', scopeId: null, product: { unitPrice: '5', vatRate: null } });
  });

  it('writes and reads the Finnish Excel form (semicolons, decimal commas)', () => {
    const fi = exportMappingsCsv(stored, { delimiter: ';' });
    expect(fi).toContain('task;1296;task_entry;BIM;');
    expect(fi).toContain(';95,5;25,5;');
    const back = importMappingsCsv(fi);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.mappings.find((m) => m.product.code === 'BIM')!.product).toMatchObject({ unitPrice: '95.5', vatRate: '25.5' });
  });
});

describe('importMappingsCsv', () => {
  it('accepts columns in any order and case, and only the required ones', () => {
    const result = importMappingsCsv('Name,CODE,unit,lineKind,scope,scopeid\r\nHours,H,hour,task_entry,team,t-2\r\n');
    expect(result).toEqual({
      ok: true,
      mappings: [
        {
          scope: 'team',
          scopeId: 't-2',
          lineKind: 'task_entry',
          product: { code: 'H', name: 'Hours', unit: 'hour', unitPrice: null, vatRate: null },
          providerProducts: null,
        },
      ],
    });
  });

  it('reports every problem of every row at once, by row and column', () => {
    const text = [
      HEADER,
      'task,,task_entry,A,Alpha,hour,10,25.5,,,', // row 2: scopeId missing
      'tenant,,goods,B,Beta,pcs,"12,50",24,abc,,', // row 3: decimal comma in a comma file, bad Procountor id
      'team,t-2,hours,C,Gamma,hour,-5,,,,', // row 4: bad line kind, negative price
      'tenant,,goods,D,Delta,pcs,,,,,', // row 5: fine
      'tenant,,goods,E,Echo,pcs,,,,,', // row 6: same scope and kind as row 5
      'tenant,,goods,F,Foxtrot,pcs,1,0,,,,extra', // row 7: too many cells
    ].join('\r\n');
    const result = importMappingsCsv(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.row, p.column])).toEqual([
      [2, 'scopeId'],
      [3, 'unitPrice'],
      [3, 'procountorProductId'],
      [4, 'lineKind'],
      [4, 'unitPrice'],
      [6, null],
      [7, null],
    ]);
    expect(result.problems[1]!.message).toContain('"12,50"');
    expect(result.problems[5]!.message).toContain('row 5');
  });

  it('rejects unknown and missing header columns before reading rows', () => {
    const result = importMappingsCsv('scope,lineKind,code,name,price\r\ntenant,goods,G,Goods,1\r\n');
    expect(result).toEqual({
      ok: false,
      problems: [
        { row: 1, column: 'price', message: expect.stringContaining('not a column') },
        { row: 1, column: 'unit', message: expect.stringContaining('missing') },
      ],
    });
    expect(importMappingsCsv('')).toMatchObject({ ok: false, problems: [{ row: 1, column: null }] });
  });

  it('accepts "25,5 %" from a Finnish spreadsheet in the VAT column', () => {
    const result = importMappingsCsv('scope;lineKind;code;name;unit;vatRate\r\ntenant;goods;G;Goods;pcs;25,5 %\r\n');
    expect(result).toMatchObject({ ok: true, mappings: [{ product: { vatRate: '25.5' } }] });
  });
});

/**
 * CSV as RFC 4180 writes it: fields separated by a delimiter, records by CRLF;
 * a field holding the delimiter, a double quote, CR or LF is enclosed in
 * double quotes, and a quote inside is doubled. Reading is lenient where real
 * files differ (LF line ends, a UTF-8 byte-order mark as Excel writes, `;` as
 * the delimiter of Finnish-locale Excel) and strict where data could be lost
 * (an unterminated quote, text after a closing quote).
 */

export type CsvDelimiter = ',' | ';';

export interface CsvRecord {
  /** 1-based record number, header included: what a spreadsheet shows as the row. */
  row: number;
  cells: string[];
}

export interface CsvSyntaxError {
  row: number;
  message: string;
}

export interface CsvParseResult {
  records: CsvRecord[];
  errors: CsvSyntaxError[];
}

/**
 * Guesses the delimiter from the first line: `;` when it has more semicolons
 * than commas (Excel in a Finnish locale), else `,`.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const commas = firstLine.split(',').length - 1;
  const semicolons = firstLine.split(';').length - 1;
  return semicolons > commas ? ';' : ',';
}

/**
 * Parses CSV text into records. Records whose cells are all empty (blank lines,
 * ",,,," rows) are dropped but still counted, so row numbers match the file.
 */
export function parseCsv(text: string, delimiter: CsvDelimiter = ','): CsvParseResult {
  const input = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  const errors: CsvSyntaxError[] = [];
  let row = 1;
  let cells: string[] = [];
  let field = '';
  let i = 0;
  let fieldStart = true;
  let quoted = false;
  let skipToRecordEnd = false;

  const endField = () => {
    cells.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
    fieldStart = true;
  };
  const endRecord = () => {
    endField();
    if (!skipToRecordEnd && cells.some((c) => c !== '')) records.push({ row, cells });
    cells = [];
    skipToRecordEnd = false;
    row += 1;
  };

  while (i < input.length) {
    const ch = input[i]!;
    if (fieldStart && ch === '"') {
      // Quoted field: read to the closing quote; "" is a literal quote.
      quoted = true;
      fieldStart = false;
      const startRow = row;
      i += 1;
      let closed = false;
      while (i < input.length) {
        const c = input[i]!;
        if (c === '"') {
          if (input[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          closed = true;
          break;
        }
        field += c;
        i += 1;
      }
      if (!closed) {
        errors.push({ row: startRow, message: 'has a double quote that is never closed; the rest of the file was read as one cell' });
        skipToRecordEnd = true;
        break;
      }
      // After the closing quote only a delimiter or a line end may follow.
      const next = input[i];
      if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
        errors.push({ row, message: 'has text after a closing double quote; a quote inside a quoted cell must be doubled ("")' });
        skipToRecordEnd = true;
        while (i < input.length && input[i] !== '\n' && input[i] !== '\r') i += 1;
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && input[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch;
    fieldStart = false;
    i += 1;
  }
  if (field !== '' || quoted || cells.length > 0) endRecord();
  return { records, errors };
}

function needsQuotes(value: string, delimiter: CsvDelimiter): boolean {
  return value.includes(delimiter) || /["\r\n]/.test(value) || value !== value.trim();
}

/** One CSV field, quoted when needed. */
export function formatCsvField(value: string, delimiter: CsvDelimiter = ','): string {
  return needsQuotes(value, delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Records as CSV text, CRLF after every record (RFC 4180). */
export function formatCsv(rows: ReadonlyArray<ReadonlyArray<string>>, delimiter: CsvDelimiter = ','): string {
  return rows.map((cells) => cells.map((c) => formatCsvField(c, delimiter)).join(delimiter) + '\r\n').join('');
}

/**
 * RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with a comma, quote or line break in
 * double quotes, quotes doubled. The header is the JSON field names, so a CSV row and a `--json` row say the same thing.
 */

import { createRequire } from 'node:module';
import type { parse as Parse } from 'csv-parse/sync';

// The CommonJS build, which jsforce has already loaded for its bulk API; an ES import would load the package's ES
// build as well, a second copy.
const { parse } = createRequire(import.meta.url)('csv-parse/sync') as { parse: typeof Parse };

/**
 * Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"): they start with `=`, `+`, `-`, `@`, a tab or a
 * carriage return. An app description or a username is free text, so such a cell is written with a `'` in front,
 * which spreadsheets read as "this is text". A value that already starts with quotes before one of those characters
 * (`'=x`) gets one more, so that the reader can take exactly one `'` off every cell of that shape and always get back
 * the value the API sent; any other value starting with `'` (`'abc`) is written and read as it is.
 */
const FORMULA_LIKE = /^'*[=+\-@\t\r]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  const text = FORMULA_LIKE.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The inverse of the formula guard in csvField, for one cell read back. */
export function csvValue(cell: string): string {
  return cell.startsWith("'") && FORMULA_LIKE.test(cell) ? cell.slice(1) : cell;
}

/**
 * The header is exactly `columns`, with rows or without, so a script or a spreadsheet always finds the same columns
 * in the same places; a field not in `columns` is left out (the `--json` output keeps every field).
 */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  return csvHeader(columns) + csvLines(rows, columns);
}

/** The header line of toCsv: stdout and `--output-file`, which writes it before the rows arrive, share it. */
export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(csvField).join(',')}\r\n`;
}

/** The lines of these rows as toCsv writes them, each ended by CRLF: a file written page by page appends them. */
export function csvLines(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  let text = '';
  for (const row of rows) text += `${columns.map((column) => csvField(row[column])).join(',')}\r\n`;
  return text;
}

/** One data row of a CSV file, with the line it starts on as an editor numbers it (the header is line 1). */
export type CsvRow = { line: number; fields: Record<string, string> };

/**
 * Reads a CSV document (a `tokens list` CSV, for `--from-file`) into records keyed by its header row. csv-parse
 * does the RFC 4180 work: BOM, quoted fields with commas, quotes and line breaks. CRLF, LF and CR all end a row, even
 * mixed in one file (a CSV we wrote with CRLF, then extended in an editor that writes LF). Rows are read as arrays
 * and keyed here, so a short row still has every header key (as '') and an extra field is dropped. A quote inside an
 * unquoted field is kept as text (relaxQuotes), as hand-edited files do; an unclosed quote throws csv-parse's CsvError.
 * Cells come back as they were before csvField guarded them against formulas.
 */
export function readCsv(text: string): CsvRow[] {
  const records = parse(text, {
    bom: true,
    skipEmptyLines: true,
    relaxColumnCount: true,
    relaxQuotes: true,
    recordDelimiter: ['\r\n', '\n', '\r'],
    info: true,
  }) as Array<{ record: string[]; info: { empty_lines: number } }>;
  // csv-parse's own line count drifts on quoted line breaks and mixed line ends, so lines are counted here: a record
  // starts one line after the previous one ended, plus the blank lines skipped before it (a running total).
  let linesBefore = 0;
  const located = records.map(({ record, info }) => {
    const line = linesBefore + info.empty_lines + 1;
    linesBefore += 1 + record.reduce((breaks, cell) => breaks + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    return { line, cells: record.map(csvValue) };
  });
  const [header, ...body] = located;
  if (!header) return [];
  return body.map(({ line, cells }) => ({
    line,
    fields: Object.fromEntries(header.cells.map((name, index) => [name, cells[index] ?? ''])),
  }));
}

/** readCsv without the line numbers. */
export function parseCsv(text: string): Array<Record<string, string>> {
  return readCsv(text).map((row) => row.fields);
}

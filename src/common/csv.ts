/**
 * RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with a comma, quote or line break in
 * double quotes, quotes doubled. The header is the JSON field names, so a CSV row and a `--json` row say the same thing.
 */

import { Messages } from '@salesforce/core';
import './pluginMessages.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'csv');

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
 * Reads a CSV document (a `tokens list` or `users list` CSV, for `--from-file`) into records keyed by its header row:
 * RFC 4180 with a BOM, quoted fields holding commas, quotes and line breaks, and CRLF, LF and CR all ending a row, even
 * mixed in one file (a CSV we wrote with CRLF, then extended in an editor that writes LF). Blank lines are skipped. A
 * quote inside an unquoted field is kept as text, as hand-edited files have them. Cells come back as they were before
 * csvField guarded them against formulas.
 *
 * A file whose meaning is in doubt is refused, naming the line as an editor numbers it: a record with more or fewer
 * fields than the header (a value with an unquoted comma, or a lost field, would shift every value after it into
 * another column, and a bogus app or user would be revoked), a quote that is never closed (named at the line where its
 * field opened, not where the file ends), and text after a closing quote. The parser is our own, because the
 * line where a record or a quote began is what a person needs to find it in a long file, and csv-parse says neither.
 */
export function readCsv(text: string): CsvRow[] {
  const records = csvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const [header, ...body] = records;
  if (!header) return [];
  const names = header.cells.map(csvValue);
  return body.map(({ line, cells }) => {
    if (cells.length !== names.length) {
      throw messages.createError('error.FieldCount', [line, cells.length, header.line, names.length], [line]);
    }
    return { line, fields: Object.fromEntries(names.map((name, index) => [name, csvValue(cells[index])])) };
  });
}

/** readCsv without the line numbers. */
export function parseCsv(text: string): Array<Record<string, string>> {
  return readCsv(text).map((row) => row.fields);
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** The records of a CSV text with the line each starts on; blank lines are no record. */
function csvRecords(text: string): Array<{ line: number; cells: string[] }> {
  const records: Array<{ line: number; cells: string[] }> = [];
  let line = 1;
  let at = 0;
  const end = text.length;
  /** Steps over a line end at `at` (CRLF counts once), counting the line. */
  const lineEnd = (): boolean => {
    const code = text.charCodeAt(at);
    if (code !== CR && code !== LF) return false;
    at += code === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
    line++;
    return true;
  };
  while (at < end) {
    if (lineEnd()) continue;
    const record = { line, cells: [] as string[] };
    for (;;) {
      if (text.charCodeAt(at) === QUOTE) {
        const opened = line;
        let value = '';
        let from = ++at;
        for (;;) {
          const close = text.indexOf('"', at);
          if (close === -1) throw messages.createError('error.QuoteNotClosed', [opened]);
          line += countLineEnds(text, at, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += text.slice(from, close + 1);
            at = from = close + 2;
            continue;
          }
          value += text.slice(from, close);
          at = close + 1;
          break;
        }
        record.cells.push(value);
        const next = text.charCodeAt(at);
        if (at < end && next !== COMMA && next !== CR && next !== LF) throw messages.createError('error.TextAfterQuote', [line]);
      } else {
        let stop = at;
        while (stop < end) {
          const code = text.charCodeAt(stop);
          if (code === COMMA || code === CR || code === LF) break;
          stop++;
        }
        record.cells.push(text.slice(at, stop));
        at = stop;
      }
      if (at < end && text.charCodeAt(at) === COMMA) {
        at++;
        continue;
      }
      break;
    }
    records.push(record);
    lineEnd();
  }
  return records;
}

/** Line ends (CRLF, LF or CR) in text[from, to), for a quoted value that spans lines. */
function countLineEnds(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === LF || (code === CR && text.charCodeAt(index + 1) !== LF)) count++;
  }
  return count;
}

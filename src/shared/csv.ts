/**
 * RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with a comma, quote or line break in
 * double quotes, quotes doubled. The header is the JSON field names, so a CSV row and a `--json` row say the same thing.
 */

import { parse } from 'csv-parse/sync';

/** Every key of every row, in first-seen order, so fields the API adds later still reach the CSV. */
export function csvColumns(rows: ReadonlyArray<Record<string, unknown>>, preferred: readonly string[] = []): string[] {
  const seen = new Set<string>(preferred.filter((key) => rows.length === 0 || rows.some((row) => key in row)));
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[] = csvColumns(rows)): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Reads a CSV document (a `tokens list` CSV, for `--from-file`) into records keyed by its header row. csv-parse
 * does the RFC 4180 work: BOM, quoted fields with commas, quotes and line breaks. CRLF, LF and CR all end a row, even
 * mixed in one file (a CSV we wrote with CRLF, then extended in an editor that writes LF). Rows are read as arrays
 * and keyed here, so a short row still has every header key (as '') and an extra field is dropped. A quote inside an
 * unquoted field is kept as text (relaxQuotes), as hand-edited files do; an unclosed quote throws csv-parse's CsvError.
 */
export function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...body] = parse(text, {
    bom: true,
    skipEmptyLines: true,
    relaxColumnCount: true,
    relaxQuotes: true,
    recordDelimiter: ['\r\n', '\n', '\r'],
  }) as string[][];
  if (!header) return [];
  return body.map((values) => Object.fromEntries(header.map((name, index) => [name, values[index] ?? ''])));
}

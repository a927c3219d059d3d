/**
 * RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): CRLF line ends, fields with a comma, quote or line break in
 * double quotes, quotes doubled. The header is the JSON field names, so a CSV row and a `--json` row say the same thing.
 */

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

/** Parses RFC 4180 text into records keyed by the header row. Used to read back a `tokens list` CSV. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const input = text.replace(/^\uFEFF/, '');
  while (i < input.length) {
    const char = input[i];
    if (quoted) {
      if (char === '"' && input[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else field += char;
      i++;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += char;
    i++;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ''));
  const [header, ...body] = nonEmpty;
  if (!header) return [];
  return body.map((values) => Object.fromEntries(header.map((name, index) => [name, values[index] ?? ''])));
}

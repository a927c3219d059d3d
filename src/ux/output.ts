import type { SfCommand } from '@salesforce/sf-plugins-core';
import { toCsv } from '../common/csv.js';
import { terminalText } from '../common/terminalText.js';
import { formatMinuteUtc } from '../common/timestamps.js';
import type { UsageRowBase } from '../api/types.js';
import { daysSince, parseApiDateTime } from '../usage/lastUsed.js';
import { jsonArrayText } from './outputFile.js';

export type Column<R> = {
  key: keyof R & string;
  name: string;
  /**
   * What the cell shows, when it is not the row's value under `key` as it is: a timestamp to the minute, a figure
   * worked out from the row. `now` is one instant for the whole table, so every row is measured against the same.
   */
  cell?: (row: R, now: Date) => unknown;
};

/**
 * A timestamp cell: "2025-06-01 12:00 UTC" (the report's form), `missing` when there is none. A value that is no API
 * date-time is shown as it came, rather than hidden or guessed at.
 */
const timestampCell =
  (field: 'initialConnectionAt' | 'lastUsedAt', missing: string) =>
  (row: UsageRowBase): unknown => {
    const value = row[field];
    if (value === null || value === undefined) return missing;
    const time = typeof value === 'string' ? parseApiDateTime(value) : undefined;
    return time === undefined ? value : formatMinuteUtc(time);
  };

/**
 * The columns of a user row and of a token row that say how the access was used, named the same in both tables.
 * "Idle Days" is the age `--unused-days` compares with and the report buckets (daysSince): a row it shows N for is
 * selected by `--unused-days N`. A row never used shows "never" under Last Used and leaves Idle Days empty: it has no
 * count of days (the report, too, keeps never-used tokens out of its ages, in a "never" bucket of their own), the
 * "never" on the same row already says it, and the column stays numbers only, to be read down as one.
 */
export const USE_COLUMNS: Array<Column<UsageRowBase>> = [
  { key: 'initialConnectionAt', name: 'First Used', cell: timestampCell('initialConnectionAt', '') },
  { key: 'lastUsedAt', name: 'Last Used', cell: timestampCell('lastUsedAt', 'never') },
  {
    key: 'idleDays',
    name: 'Idle Days',
    cell: (row, now): unknown => {
      const time = typeof row.lastUsedAt === 'string' ? parseApiDateTime(row.lastUsedAt) : undefined;
      return daysSince(time, now);
    },
  },
  { key: 'useCount', name: 'Use Count' },
];

/** How a list goes to stdout: a table for people, or the rows for programs (`-r csv`, `-r json`). */
export type RowFormat = 'human' | 'csv' | 'json';

/**
 * Prints rows as a table, as CSV or as a JSON array. CSV and JSON go straight to stdout (no table chrome): CSV with the
 * command's documented columns whether or not there are rows, JSON as the array an `--output-file` JSON holds, the
 * values as the API sent them. Nothing is printed under --json: the command's return value is the output.
 */
export function printRows<R extends Record<string, unknown>>(
  command: SfCommand<unknown>,
  rows: R[],
  options: { format: RowFormat; columns: Array<Column<R>>; title?: string; csvColumns?: readonly string[] }
): void {
  if (command.jsonEnabled()) return;
  if (options.format === 'csv') {
    process.stdout.write(toCsv(rows, options.csvColumns ?? options.columns.map(({ key }) => key)));
    return;
  }
  if (options.format === 'json') {
    process.stdout.write(jsonArrayText(rows));
    return;
  }
  if (rows.length === 0) return;
  command.table({ ...tableOf(rows, options.columns), title: options.title });
}

/**
 * The table a person reads: each row as displayRow shows it, and only the columns some row fills. A column empty in
 * every row (the token id of user-level revocations, a message where nothing failed) says nothing, and takes the
 * width the others need.
 */
export function tableOf<R extends Record<string, unknown>>(
  rows: readonly R[],
  columns: Array<Column<R>>,
  now: Date = new Date()
): { data: Array<Record<string, unknown>>; columns: Array<{ key: string; name: string }> } {
  const data = rows.map((row) => displayRow(row, columns, now));
  const filled = columns.filter(({ key }) => data.some((row) => row[key] !== ''));
  return { data, columns: filled.map(({ key, name }) => ({ key, name })) };
}

/**
 * A row as a person reads it: every text on one line, without the control sequences a terminal would act on (the
 * values come from the org or a file), and an empty string for a missing value. JSON and CSV keep the API's values.
 */
function displayRow<R extends Record<string, unknown>>(row: R, columns: Array<Column<R>>, now: Date): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const { key, cell } of columns) {
    const value = cell ? cell(row, now) : row[key];
    shown[key] = typeof value === 'string' ? terminalText(value) : value ?? '';
  }
  return shown;
}

/**
 * Writes the --json envelope. sf-plugins-core sends it through oclif's colouriser, which tokenises the whole document
 * even when stdout is a pipe; for a 10,000-token inventory (about 5 MB of JSON) that costs a second and ~50 MB of
 * memory. Piped or redirected output gets the same text, uncoloured, straight from JSON.stringify.
 */
export function writeJsonEnvelope(json: unknown, colourised: () => void): void {
  if (process.stdout.isTTY) {
    colourised();
    return;
  }
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

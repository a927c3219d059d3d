import type { SfCommand } from '@salesforce/sf-plugins-core';
import { toCsv } from '../common/csv.js';
import { terminalText } from '../common/terminalText.js';
import type { UsageRowBase } from '../api/types.js';

export type Column<R> = { key: keyof R & string; name: string };

/** The columns of a user row and of a token row that say how the access was used, named the same in both tables. */
export const USE_COLUMNS: Array<Column<UsageRowBase>> = [
  { key: 'initialConnectionAt', name: 'First Used' },
  { key: 'lastUsedAt', name: 'Last Used' },
  { key: 'useCount', name: 'Use Count' },
];

/**
 * Prints rows as a table or as CSV. CSV goes straight to stdout (no table chrome), with the command's documented
 * columns whether or not there are rows. Nothing is printed under --json: the command's return value is the output.
 */
export function printRows<R extends Record<string, unknown>>(
  command: SfCommand<unknown>,
  rows: R[],
  options: { format: 'human' | 'csv'; columns: Array<Column<R>>; title?: string; csvColumns?: readonly string[] }
): void {
  if (command.jsonEnabled()) return;
  if (options.format === 'csv') {
    process.stdout.write(toCsv(rows, options.csvColumns ?? options.columns.map(({ key }) => key)));
    return;
  }
  if (rows.length === 0) return;
  command.table({
    data: rows.map((row) => displayRow(row, options.columns)),
    columns: options.columns.map(({ key, name }) => ({ key, name })),
    title: options.title,
  });
}

/**
 * A row as a person reads it: every text on one line, without the control sequences a terminal would act on (the
 * values come from the org or a file); missing timestamps read "never". JSON and CSV keep the API's values.
 */
function displayRow<R extends Record<string, unknown>>(row: R, columns: Array<Column<R>>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const { key } of columns) {
    const value = row[key];
    shown[key] = typeof value === 'string' ? terminalText(value) : value ?? (key === 'lastUsedAt' ? 'never' : '');
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

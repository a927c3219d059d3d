/*
 * Saved inventories (`tokens list --json` or its `--output-file`, JSON or CSV) as a source of token rows, each with the
 * org it came from: one reading of such files for `usage report` and `usage check`, so that both group the rows of
 * several files by org the same way (commands.md §16) and refuse the same rows.
 */
import { resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { as18 } from '../api/salesforceId.js';
import type { TokenUsage } from '../api/types.js';
import { usageInstant } from './lastUsed.js';
import { atFileRow, type FileRow, readTokenListFile } from './fileRows.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'report');

/** The org of rows that say none, in a file whose other rows don't name exactly one. */
export const UNKNOWN_ORG = 'unknown';

/**
 * Hands every token row of the files to `each` with its org, file by file, in the order given (a file given twice is
 * read once; only one file's rows are held at a time). A row's org is its `orgId` (in its 18-character form, so a
 * 15-character one typed by a person is the same org); a row without one belongs to the org the other rows of its file
 * name, when they name exactly one, else to "unknown". A row that is no token row, or whose dates are no dates, stops
 * the reading, naming the file and the row.
 */
export async function forEachSavedToken(paths: readonly string[], each: (orgId: string, token: TokenUsage, path: string) => void): Promise<void> {
  const seen = new Set<string>();
  for (const path of paths) {
    if (seen.has(resolve(path))) continue;
    seen.add(resolve(path));
    // One file after the other: only one file's rows are ever held.
    // eslint-disable-next-line no-await-in-loop
    const rows = await readTokenListFile(path);
    const fileOrg = onlyOrgOf(rows) ?? UNKNOWN_ORG;
    for (const entry of rows) {
      const orgId = orgIdOf(entry.row) ?? fileOrg;
      each(orgId, { ...savedToken(entry, path), orgId }, path);
    }
  }
}

/**
 * A token row of a saved `tokens list` output, checked: a file of user rows (from `users list`) or of anything else
 * would give plausible but wrong figures, so a row without the token fields is an error that names where it is
 * (`where`: the line of a CSV, the item of a JSON array, as --from-file numbers them), and so is a date that is no
 * date. An empty CSV cell is how a CSV says null.
 */
export function savedToken({ where, row }: FileRow, path: string): TokenUsage {
  const tokenId = text(row, 'tokenId');
  const appIdentifier = text(row, 'appIdentifier');
  const userIdentifier = text(row, 'userIdentifier');
  if (tokenId === undefined || appIdentifier === undefined || userIdentifier === undefined) {
    throw messages.createError('error.NotATokenRow', [path, where]);
  }
  const token: TokenUsage = {
    ...row,
    tokenId,
    appIdentifier,
    appDeveloperName: text(row, 'appDeveloperName') ?? appIdentifier,
    userIdentifier,
    username: text(row, 'username') ?? userIdentifier,
    orgId: orgIdOf(row) ?? UNKNOWN_ORG,
    lastUsedAt: emptyIsNull(row.lastUsedAt),
    initialConnectionAt: emptyIsNull(row.initialConnectionAt),
  };
  try {
    usageInstant(token, 'lastUsedAt');
    usageInstant(token, 'initialConnectionAt');
  } catch (error) {
    throw atFileRow(error, path, where);
  }
  return token;
}

/** The instance a row names, if it names one. */
export const instanceOf = (row: Record<string, unknown>): string | undefined => text(row, 'instanceUrl');

const text = (row: Record<string, unknown>, field: string): string | undefined => {
  const value = row[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const emptyIsNull = (value: unknown): string | null => (value === '' || value === undefined || value === null ? null : (value as string));

const orgIdOf = (row: Record<string, unknown>): string | undefined => {
  const value = text(row, 'orgId');
  return value === undefined ? undefined : as18(value);
};

/** The org the rows of a file name, when they name exactly one (rows that name none aside). */
function onlyOrgOf(rows: readonly FileRow[]): string | undefined {
  let only: string | undefined;
  for (const { row } of rows) {
    const orgId = orgIdOf(row);
    if (orgId === undefined || orgId === only) continue;
    if (only !== undefined) return undefined;
    only = orgId;
  }
  return only;
}

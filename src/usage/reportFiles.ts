/*
 * Saved inventories as the source of `usage report`: the token rows of the files `tokens list` writes, checked, and the
 * org they came from.
 */
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { usageInstant } from './lastUsed.js';
import { atFileRow } from './fileRows.js';
import { type ReportToken, UNKNOWN } from './report.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'report');

/**
 * The token rows of a saved `tokens list` output, checked: a file of user rows (from `users list`) or of anything
 * else would give plausible but wrong figures, so a row without the token fields is an error that names where it is
 * (`where`: the line of a CSV, the item of a JSON array, as --from-file numbers them), and so is a lastUsedAt that is no
 * date. An empty CSV cell is how a CSV says null.
 */
export function reportTokensFromRows(rows: ReadonlyArray<{ where: string; row: Record<string, unknown> }>, path: string): ReportToken[] {
  return rows.map(({ where, row }) => {
    const text = (field: string): string | undefined => (typeof row[field] === 'string' && row[field] !== '' ? row[field] : undefined);
    const appIdentifier = text('appIdentifier');
    const userIdentifier = text('userIdentifier');
    if (text('tokenId') === undefined || appIdentifier === undefined || userIdentifier === undefined) {
      throw messages.createError('error.NotATokenRow', [path, where]);
    }
    const token = {
      appIdentifier,
      appDeveloperName: text('appDeveloperName') ?? appIdentifier,
      userIdentifier,
      username: text('username') ?? userIdentifier,
      lastUsedAt: row.lastUsedAt === '' || row.lastUsedAt === undefined ? null : (row.lastUsedAt as string | null),
    };
    try {
      usageInstant(token, 'lastUsedAt');
    } catch (error) {
      throw atFileRow(error, path, where);
    }
    return token;
  });
}

/**
 * The org a saved inventory came from. Token rows from the API don't name it, so this is "unknown" unless the rows
 * carry `orgId` / `instanceUrl` (added by a person or a script) and agree on them.
 */
export function orgOfRows(rows: ReadonlyArray<Record<string, unknown>>): { orgId: string; instanceUrl: string } {
  const only = (field: string): string => {
    const values = new Set(rows.map((row) => row[field]));
    const [value] = values;
    return values.size === 1 && typeof value === 'string' && value !== '' ? value : UNKNOWN;
  };
  return { orgId: only('orgId'), instanceUrl: only('instanceUrl') };
}

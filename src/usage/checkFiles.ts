/*
 * Saved inventories for `usage check --from-file`: the rows of `tokens list` files, fed to the checker one user's
 * tokens of one app at a time, as the org's inventory feeds it. Several files may come from several orgs: each row's
 * `orgId` says which (commands.md §16); rows of one org in two files are one org.
 */
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { TokenUsage } from '../api/types.js';
import { atFileRow, readTokenListFile } from './fileRows.js';
import { usageInstant } from './lastUsed.js';
import type { PolicyCheck } from './check.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'check');

/** The org of rows that don't say (an inventory saved before rows carried `orgId`). */
export const UNKNOWN_ORG = 'unknown';

type Holding = { orgId: string; app: { identifier: string; developerName: string }; user: { userIdentifier: string; username?: string }; tokens: TokenUsage[] };

/** Reads every file whole (refusing one whose rows are not token rows, naming the row), then feeds the checker. */
export async function checkFiles(checker: PolicyCheck, paths: readonly string[]): Promise<void> {
  const holdings = new Map<string, Holding>();
  // One file at a time, in the order given: a file that can't be read is named before the next is opened.
  for (const path of paths) {
    // eslint-disable-next-line no-await-in-loop
    for (const { where, row } of await readTokenListFile(path)) {
      const token = tokenRow(row, path, where);
      const orgId = text(row.orgId) ?? UNKNOWN_ORG;
      const key = `${orgId}/${token.appIdentifier}/${token.userIdentifier}`;
      let holding = holdings.get(key);
      if (!holding) {
        const app = { identifier: token.appIdentifier, developerName: token.appDeveloperName };
        holding = { orgId, app, user: { userIdentifier: token.userIdentifier, username: token.username }, tokens: [] };
        holdings.set(key, holding);
      }
      // The same token in two files (two saves of one org) is one token.
      if (!holding.tokens.some((held) => held.tokenId === token.tokenId)) holding.tokens.push(token);
    }
  }
  for (const holding of holdings.values()) checker.addApp(holding.orgId, holding.app);
  for (const { orgId, app, user, tokens } of holdings.values()) checker.addUserTokens(orgId, app, user, tokens);
}

/** A `tokens list` row as the checker reads it; its dates are checked here, so that an error names the file and row. */
function tokenRow(row: Record<string, unknown>, path: string, where: string): TokenUsage {
  const tokenId = text(row.tokenId);
  const appIdentifier = text(row.appIdentifier);
  const userIdentifier = text(row.userIdentifier);
  if (tokenId === undefined || appIdentifier === undefined || userIdentifier === undefined) {
    throw messages.createError('error.FileNotTokens', [path, where]);
  }
  const token: TokenUsage = {
    ...row,
    tokenId,
    appIdentifier,
    appDeveloperName: text(row.appDeveloperName) ?? appIdentifier,
    userIdentifier,
    username: text(row.username) ?? userIdentifier,
    // A CSV cell can't hold null: an empty one is what the CSV writer made of it.
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

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const emptyIsNull = (value: unknown): string | null => (value === '' || value === undefined || value === null ? null : (value as string));

/*
 * Saved inventories for `usage check --from-file`: the token rows of `tokens list` files, grouped by org, app and user
 * as savedTokens.ts reads them (the same rows and orgs as `usage report`), fed to the checker one user's tokens of one
 * app at a time, as the org's inventory feeds it.
 */
import type { TokenUsage } from '../api/types.js';
import type { PolicyCheck } from './check.js';
import { forEachSavedToken } from './savedTokens.js';

type Holding = { orgId: string; app: { identifier: string; developerName: string }; user: { userIdentifier: string; username?: string }; tokens: TokenUsage[] };

/**
 * Reads every file (refusing one whose rows are not token rows, naming the row), then feeds the checker. The rows are
 * held until all are read: a user's tokens may sit in two files, and tokensPerUser judges them together.
 */
export async function checkFiles(checker: PolicyCheck, paths: readonly string[]): Promise<void> {
  const holdings = new Map<string, Holding>();
  await forEachSavedToken(paths, (orgId, token) => {
    const key = `${orgId}/${token.appIdentifier}/${token.userIdentifier}`;
    let holding = holdings.get(key);
    if (!holding) {
      const app = { identifier: token.appIdentifier, developerName: token.appDeveloperName };
      holding = { orgId, app, user: { userIdentifier: token.userIdentifier, username: token.username }, tokens: [] };
      holdings.set(key, holding);
    }
    // The same token in two files (two saves of one org) is one token.
    if (!holding.tokens.some((held) => held.tokenId === token.tokenId)) holding.tokens.push(token);
  });
  for (const holding of holdings.values()) checker.addApp(holding.orgId, holding.app);
  for (const { orgId, app, user, tokens } of holdings.values()) checker.addUserTokens(orgId, app, user, tokens);
}

import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { csvValue } from '../common/csv.js';
import type { AppUsage, TokenUsage, UsageRowBase } from '../api/types.js';
import { DEFAULT_PAGE_SIZE, type UsageClient } from '../api/usageClient.js';
import { assertSalesforceId, sameSalesforceId } from '../api/salesforceId.js';
import { printable } from '../common/terminalText.js';
import { tokenIdFrom } from '../api/tokenIds.js';
import { userOfRevocationUrl } from '../api/usagePaths.js';
import type { Selection } from './selection.js';
import { resolveApps } from './resolve.js';
import { matchingUsers, tokenInventory, userHoldings, withUserCounts, type InventoryOptions, type UserHolding } from './inventory.js';
import { atFileRow, type FileRow, readTokenListFile } from './fileRows.js';
import type { PlannedTarget } from './targets.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revoke');

/*
 * A revoke's plan: the exact list of DELETEs a selection (token ids, a file, users, an app, a filter) comes to, which
 * the dry run shows, the prompt counts and the run then sends.
 */

export const planTokens = (tokens: ReadonlyArray<Partial<TokenUsage> & { tokenId: string }>): PlannedTarget[] =>
  dedupe(
    tokens.map((token) =>
      clean({
        scope: 'token',
        tokenId: token.tokenId,
        appIdentifier: token.appIdentifier,
        appDeveloperName: token.appDeveloperName,
        userIdentifier: token.userIdentifier,
        username: token.username,
      })
    )
  );

/** One user-level target per (app, user) of these rows (user rows, or the token rows of the users who hold tokens). */
export const planUsers = (rows: readonly UsageRowBase[]): PlannedTarget[] =>
  dedupe(
    rows.map((row) =>
      clean({
        scope: 'user',
        appIdentifier: row.appIdentifier,
        appDeveloperName: row.appDeveloperName,
        userIdentifier: row.userIdentifier,
        username: row.username,
      })
    )
  );

/**
 * One user-level target per (app, user) that holds tokens, built from the pair the plan asked about (never from ids in
 * the rows the org answered), with how many tokens it holds.
 */
export const planHoldings = (holdings: readonly UserHolding[]): PlannedTarget[] =>
  holdings.map(({ app, userIdentifier, username, tokens }) =>
    clean({ scope: 'user', appIdentifier: app.identifier, appDeveloperName: app.developerName, userIdentifier, username, tokenCount: tokens })
  );

export const planApp = (app: AppUsage): PlannedTarget[] => [
  { scope: 'app', appIdentifier: app.identifier, appDeveloperName: app.developerName },
];

/**
 * Token ids typed with --token-id: ids or whole revocation URLs, validated before anything is sent. An id copied from
 * the plugin's own CSV may carry its formula guard (`'-VM9…`): it is taken off as --from-file takes it off.
 */
export const planTokenIds = (values: readonly string[]): PlannedTarget[] =>
  planTokens(values.map((value) => ({ tokenId: tokenIdFrom(csvValue(value.trim())) })));

/**
 * The targets of a `tokens list` file (one token-level DELETE per row) or of a `users list` file (one user-level DELETE
 * per row), every row validated before anything is sent. A row is a token row when it has a tokenId field or a token's
 * revocation URL, and a user row when it has neither but an app and a user (a user-level revocation URL, or the
 * appIdentifier and userIdentifier fields). A file holding both kinds is refused: a user row revokes far more than a
 * token row, so one slipped into a reviewed token list must not pass unnoticed.
 */
export async function planFromFile(path: string, orgId?: string): Promise<PlannedTarget[]> {
  // A list without rows is what `tokens list` writes when nothing matched (a CSV header, an empty result): nothing to
  // revoke, so a scheduled review-then-revoke job succeeds. readTokenListFile refuses a blank file, which is no list.
  const rows = await readTokenListFile(path);
  if (orgId) refuseRowsOfAnotherOrg(rows, path, orgId);
  const planned = rows.map((fileRow) => {
    let target: FileTarget;
    try {
      target = fileRowTarget(fileRow);
    } catch (error) {
      throw atFileRow(error, path, fileRow.where);
    }
    if (target.kind === undefined) throw messages.createError('error.FileRowWithoutToken', [path, fileRow.where]);
    return { where: fileRow.where, ...target };
  });
  const firstToken = planned.find((row) => row.kind === 'token');
  const firstUser = planned.find((row) => row.kind === 'user');
  if (firstToken && firstUser) throw messages.createError('error.FileMixesTokensAndUsers', [path, firstToken.where, firstUser.where]);
  const fields = planned.map((row) => row.fields);
  return firstUser ? planUsers(fields) : planTokens(fields as Array<UsageRowBase & { tokenId: string }>);
}

/**
 * Rows name their org (commands.md §16): a list reviewed in one org is never revoked in another, where its ids mean
 * nothing or someone else's access. A row without `orgId` (a list written before §16, or by hand) is taken as it is.
 */
function refuseRowsOfAnotherOrg(rows: readonly FileRow[], path: string, orgId: string): void {
  for (const { where, row } of rows) {
    const rowOrg = stringField(row.orgId);
    if (rowOrg !== undefined && !sameSalesforceId(rowOrg, orgId)) {
      throw messages.createError('error.FileOfAnotherOrg', [path, where, printable(rowOrg), orgId]);
    }
  }
}

type FileTarget = { kind?: 'token' | 'user'; fields: UsageRowBase & { tokenId?: string } };

function fileRowTarget({ row }: FileRow): FileTarget {
  const url = stringField(row.revocationUrl);
  const userOfUrl = url === undefined || 'tokenId' in row ? undefined : userOfRevocationUrl(url);
  const fields = {
    appIdentifier: stringField(row.appIdentifier),
    appDeveloperName: stringField(row.appDeveloperName),
    userIdentifier: stringField(row.userIdentifier),
    username: stringField(row.username),
  };
  if ('tokenId' in row || (url !== undefined && userOfUrl === undefined)) {
    const source = stringField(row.tokenId) ?? url;
    return source === undefined ? { fields: fields as UsageRowBase } : { kind: 'token', fields: { ...fields, tokenId: tokenIdFrom(source) } as FileTarget['fields'] };
  }
  const appIdentifier = fields.appIdentifier ?? userOfUrl?.appIdentifier;
  const userIdentifier = fields.userIdentifier ?? userOfUrl?.userIdentifier;
  if (appIdentifier === undefined || userIdentifier === undefined) return { fields: fields as UsageRowBase };
  // A hand-edited row whose ids and URL name different users: which one the reviewer meant can't be known.
  if (userOfUrl && !(sameSalesforceId(userOfUrl.appIdentifier, appIdentifier) && sameSalesforceId(userOfUrl.userIdentifier, userIdentifier))) {
    throw messages.createError('error.UserRowMismatch', [printable(url!)]);
  }
  return {
    kind: 'user',
    fields: { ...fields, appIdentifier: assertSalesforceId(appIdentifier, 'app'), userIdentifier: assertSalesforceId(userIdentifier, 'user') } as UsageRowBase,
  };
}

/** How a plan is read: the inventory's concurrency and hooks (progress, API budget, what it leaves out). */
export type PlanOptions = Pick<InventoryOptions, 'concurrency' | 'onProgress' | 'beforeTokenLists' | 'onUnlistedApp' | 'onForeignRows'>;

/** Turns the selection into the exact list of DELETEs to send: the plan that --dry-run shows and the prompt counts. */
export async function planSelection(client: UsageClient, selection: Selection, options: PlanOptions): Promise<PlannedTarget[]> {
  switch (selection.kind) {
    case 'tokenIds':
    case 'file':
      return (await planOffline(selection))!;
    case 'app':
      return resolveApps([selection.app], await client.listApps(), options.onUnlistedApp).flatMap(planApp);
    case 'users':
      // The users' token lists say in which apps they hold tokens: no DELETE goes to an app where they hold none.
      return planHoldings(await userHoldings(client, { ...options, apps: selection.apps, users: selection.users, criteria: {} }));
    case 'filter':
      return planTokens(await tokenInventory(client, { ...options, apps: selection.apps, users: selection.users, criteria: selection.criteria }));
    case 'byUser':
      return planUsers(await matchingUsers(client, { ...options, apps: selection.apps, criteria: selection.criteria }));
  }
}

/** The plan of a selection that needs nothing from the org (token ids, a file), so it is checked before connecting. */
export async function planOffline(selection: Selection, orgId?: string): Promise<PlannedTarget[] | undefined> {
  if (selection.kind === 'tokenIds') return planTokenIds(selection.tokenIds);
  if (selection.kind === 'file') return planFromFile(selection.path, orgId);
  return undefined;
}

/**
 * The users of the apps a plan revokes whole. The API has no count of its own, so this reads their user lists: only to
 * show a person what an app-level revoke cuts off, never for a run nobody reviews.
 */
export async function usersOfWholeApps(client: UsageClient, plan: readonly PlannedTarget[], concurrency: number): Promise<number> {
  const apps = plan
    .filter((target) => target.scope === 'app')
    .map((target) => ({ identifier: target.appIdentifier!, developerName: target.appDeveloperName ?? target.appIdentifier! }));
  const counted = await withUserCounts(client, apps, DEFAULT_PAGE_SIZE, concurrency);
  return counted.reduce((sum, app) => sum + (app.userCount ?? 0), 0);
}

const stringField = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function clean(target: PlannedTarget): PlannedTarget {
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined)) as PlannedTarget;
}

/** A token or user named twice is revoked once. */
function dedupe(targets: PlannedTarget[]): PlannedTarget[] {
  const seen = new Map<string, PlannedTarget>();
  for (const target of targets) {
    const key =
      target.scope === 'token' ? `token:${target.tokenId ?? ''}` : `${target.scope}:${target.appIdentifier ?? ''}:${target.userIdentifier ?? ''}`;
    if (!seen.has(key)) seen.set(key, target);
  }
  return [...seen.values()];
}

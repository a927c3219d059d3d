import { sameSalesforceId } from '../api/salesforceId.js';
import { runPool, runPoolInOrder } from '../common/limiter.js';
import { isNotFound } from '../api/errors.js';
import type { AppUsage, TokenUsage, UserUsage } from '../api/types.js';
import { OrgUsers } from '../api/orgUsers.js';
import { pagesInto, type RowSink } from '../api/pages.js';
import type { UsageClient } from '../api/usageClient.js';
import { assertAppInput, resolveApps, resolveUsers } from './resolve.js';
import { hasLastUsedCriteria, lastUsedMatcher } from './lastUsed.js';
import type { LastUsedCriteria } from './lastUsed.js';

export type InventoryProgress = { stage: 'apps' | 'users'; done: number; total: number };

export type ScopeOptions = {
  /** `--app` values; empty means every app with OAuth usage. */
  apps: readonly string[];
  /** `--user` values; empty means every user of the apps in scope. */
  users: readonly string[];
  pageSize?: number;
  concurrency: number;
  onProgress?: (progress: InventoryProgress) => void;
  /** Told of each `--app` id that is not among the apps with OAuth usage (it adds nothing to the scope). */
  onUnlistedApp?: (appId: string) => void;
};

/**
 * One (app, user) whose token list is read: from the usage lists, or from the users named by `--user` (verified in the
 * org, so their username is known).
 */
export type UserInApp = { app: AppUsage; userIdentifier: string; username?: string };

/**
 * Finds the apps in scope and the (app, user) pairs whose tokens are read. Without `--user`, each app's user list
 * (every page, once). With `--user`, the users are resolved in the org, and every app in scope is paired with every
 * named user: their token lists say who holds what, A x U requests. For the usual case of one or a few users that is
 * fewer than reading the user lists (at least one page per app, and 50 to 1,000 for an app with 100,000 users), and
 * the token lists are what `tokens list` shows and `tokens revoke --user` plans from anyway. Usernames are resolved
 * (and every `--user` value checked) before the first usage request.
 */
export async function pairsInScope(client: UsageClient, options: ScopeOptions): Promise<UserInApp[]> {
  return (await scopeOf(client, options)).pairs;
}

/** The apps in scope and the (app, user) pairs whose token lists an inventory reads. */
async function scopeOf(client: UsageClient, options: ScopeOptions): Promise<{ apps: AppUsage[]; pairs: UserInApp[] }> {
  const users = options.users.length > 0 ? await resolveUsers(new OrgUsers(client), options.users) : undefined;
  const apps = await appsInScope(client, options);
  if (users) return { apps, pairs: apps.flatMap((app) => users.map((user) => ({ app, ...user }))) };
  // Only the ids are kept: an app can have 100,000 users, and a pair is all an inventory needs of each.
  const byApp = await userRowsOf(client, apps, options, (user) => user.userIdentifier);
  return { apps, pairs: apps.flatMap((app, index) => byApp[index].map((userIdentifier) => ({ app, userIdentifier }))) };
}

/** The apps `--app` names (every app with OAuth usage without it), read from the app list. */
async function appsInScope(client: UsageClient, options: Pick<ScopeOptions, 'apps' | 'pageSize' | 'onUnlistedApp'>): Promise<AppUsage[]> {
  options.apps.forEach(assertAppInput);
  const allApps = await client.listApps({ pageSize: options.pageSize });
  return options.apps.length > 0 ? resolveApps(options.apps, allApps, options.onUnlistedApp) : allApps;
}

/** Every page of each app's users, in app order, keeping what `pick` takes of the rows `keep` accepts. */
async function userRowsOf<R>(
  client: UsageClient,
  apps: readonly AppUsage[],
  options: Omit<ScopeOptions, 'apps' | 'users'> & { keep?: (row: UserUsage) => boolean },
  pick: (row: UserUsage) => R
): Promise<R[][]> {
  const byApp: R[][] = new Array<R[]>(apps.length);
  let appsDone = 0;
  await runPool(apps, options.concurrency, async (app, index) => {
    const rows: R[] = [];
    await pagesInto(client.userPages(app.identifier, { pageSize: options.pageSize, keep: options.keep }), (page) => {
      for (const row of page) rows.push(pick(row));
    });
    byApp[index] = rows;
    options.onProgress?.({ stage: 'apps', done: ++appsDone, total: apps.length });
  });
  return byApp;
}

/**
 * The user rows of the apps in scope (`--app`, or every app) whose last use of the app matches the criteria, judged
 * as `users list` judges them. Reads app pages and user pages only: no token list.
 */
export async function matchingUsers(
  client: UsageClient,
  options: Omit<ScopeOptions, 'users'> & { criteria: LastUsedCriteria; now?: Date }
): Promise<UserUsage[]> {
  const apps = await appsInScope(client, options);
  return (await userRowsOf(client, apps, { ...options, keep: lastUsedMatcher(options.criteria, options.now) }, (user) => user)).flat();
}

export type InventoryOptions = ScopeOptions & {
  criteria: LastUsedCriteria;
  /** Told how many token lists the inventory is about to read, once it knows, before it reads any (the API budget). */
  beforeTokenLists?: (count: number) => Promise<void>;
  /** Told of the rows of a user's token list that name another app or user than the one asked about: they are left out. */
  onForeignRows?: (pair: UserInApp, rows: number) => void;
  limit?: number;
  now?: Date;
};

/** The scope of an inventory of the whole org: every app with OAuth usage, each of its users, every token. */
export const WHOLE_ORG: Pick<InventoryOptions, 'apps' | 'users' | 'criteria'> = { apps: [], users: [], criteria: {} };

/** Lists refresh tokens across every app and user in scope, filtered by last use: streamTokenInventory, as an array. */
export async function tokenInventory(client: UsageClient, options: InventoryOptions): Promise<TokenUsage[]> {
  const tokens: TokenUsage[] = [];
  await streamTokenInventory(client, options, (rows) => {
    for (const row of rows) tokens.push(row);
  });
  return tokens;
}

/**
 * Lists refresh tokens across every app and user in scope, filtered by last use, into `sink` as they are read. Rows
 * come in app order, then user order, whatever order the requests finish in: a user's tokens wait only for the users
 * before them, within runPoolInOrder's window, so nothing holds every row. With `limit`, no new user is read once
 * enough rows are out, and the last user's rows are cut to the limit.
 */
export async function streamTokenInventory(client: UsageClient, options: InventoryOptions, sink: RowSink<TokenUsage>): Promise<{ apps: AppUsage[] }> {
  const { limit } = options;
  let rowsOut = 0;
  return streamTokensByUser(
    client,
    options,
    async (_pair, tokens) => {
      const rows = limit === undefined ? tokens : tokens.slice(0, limit - rowsOut);
      rowsOut += rows.length;
      if (rows.length > 0) await sink(rows);
    },
    () => limit !== undefined && rowsOut >= limit
  );
}

/** A (app, user) whose token list holds tokens that match, and how many. */
export type UserHolding = UserInApp & { tokens: number };

/**
 * The (app, user) pairs in scope that hold tokens (matching the criteria), with how many: what a user-level revoke
 * plans from. Each pair is the one the inventory asked about, never ids read from the rows it got back.
 */
export async function userHoldings(client: UsageClient, options: InventoryOptions): Promise<UserHolding[]> {
  const holdings: UserHolding[] = [];
  await streamTokensByUser(client, options, (pair, tokens) => {
    // The username of a pair found through a user list is not kept (memory); the token rows carry it.
    if (tokens.length > 0) holdings.push({ ...pair, username: pair.username ?? tokens[0].username, tokens: tokens.length });
  });
  return holdings;
}

/**
 * Every (app, user) pair in scope with its tokens (filtered by last use), handed to `each` in app order, then user
 * order, whatever order the requests finish in: a user's tokens wait only for the users before them, within
 * runPoolInOrder's window, so nothing holds every row. No new user is read once `shouldStop` says so. `usage check`
 * judges each user's tokens of an app together (tokensPerUser), so it reads them this way too.
 */
export async function streamTokensByUser(
  client: UsageClient,
  options: InventoryOptions,
  each: (pair: UserInApp, tokens: TokenUsage[]) => Promise<void> | void,
  shouldStop?: () => boolean
): Promise<{ apps: AppUsage[] }> {
  const { apps, pairs } = await scopeOf(client, options);
  await options.beforeTokenLists?.(pairs.length);
  const keep = hasLastUsedCriteria(options.criteria) ? lastUsedMatcher(options.criteria, options.now) : (): boolean => true;
  let usersDone = 0;
  await runPoolInOrder(
    pairs,
    options.concurrency,
    async (pair) => {
      const tokens = (await tokensOf(client, pair, options.onForeignRows)).filter(keep);
      options.onProgress?.({ stage: 'users', done: ++usersDone, total: pairs.length });
      return { pair, tokens };
    },
    ({ pair, tokens }) => each(pair, tokens),
    { shouldStop }
  );
  return { apps };
}

/**
 * A user's tokens for one app. The docs don't say how the API answers for a user who holds none there (a named user,
 * or one whose last token went after the user list was read): an empty list or 404 both mean "no tokens". A row that
 * names another app or user than the one asked about is left out (and reported): what the plugin lists, and revokes
 * for this user, must be what the org answered for this user.
 */
async function tokensOf(client: UsageClient, pair: UserInApp, onForeignRows?: (pair: UserInApp, rows: number) => void): Promise<TokenUsage[]> {
  let tokens: TokenUsage[];
  try {
    tokens = await client.listTokens(pair.app.identifier, pair.userIdentifier);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const own = tokens.filter((token) => belongsTo(token, pair));
  if (own.length < tokens.length) onForeignRows?.(pair, tokens.length - own.length);
  // A row's user id that is the pair's, character for character, becomes the pair's own string: whatever keeps it
  // (the report's count of users, a check's violations) then keeps the one copy the inventory holds anyway, not a
  // second one per user.
  for (const token of own) if (token.userIdentifier === pair.userIdentifier) token.userIdentifier = pair.userIdentifier;
  return own;
}

/** A row without ids is taken as the answer to the question asked; a row with other ids is not. */
const belongsTo = (token: TokenUsage, pair: UserInApp): boolean =>
  (typeof token.userIdentifier !== 'string' || sameSalesforceId(token.userIdentifier, pair.userIdentifier)) &&
  (typeof token.appIdentifier !== 'string' || sameSalesforceId(token.appIdentifier, pair.app.identifier));

/** Adds `userCount` to each app: streamUserCounts, as an array. */
export async function withUserCounts(
  client: UsageClient,
  apps: readonly AppUsage[],
  pageSize: number,
  concurrency: number,
  onAppDone?: (done: number) => void
): Promise<AppUsage[]> {
  const counted: AppUsage[] = [];
  await streamUserCounts(client, apps, { pageSize, concurrency, onAppDone }, (rows) => {
    for (const row of rows) counted.push(row);
  });
  return counted;
}

/**
 * Adds `userCount` to each app by reading every page of its users (the API has no count of its own), counting the
 * rows of each page without keeping them; the apps go to `sink` in the order given.
 */
export async function streamUserCounts(
  client: UsageClient,
  apps: readonly AppUsage[],
  options: { pageSize: number; concurrency: number; onAppDone?: (done: number) => void },
  sink: RowSink<AppUsage>
): Promise<void> {
  let done = 0;
  await runPoolInOrder(
    apps,
    options.concurrency,
    async (app) => {
      let userCount = 0;
      await pagesInto(client.userPages(app.identifier, { pageSize: options.pageSize }), (page) => {
        userCount += page.length;
      });
      options.onAppDone?.(++done);
      return { ...app, userCount };
    },
    (app) => sink([app])
  );
}

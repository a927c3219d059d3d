import type { LastUsedCriteria } from './lastUsed.js';
import { hasLastUsedCriteria, lastUsedMatcher } from './lastUsed.js';
import { runPool } from './limiter.js';
import { isNotFound } from './errors.js';
import { resolveApps, resolveUsers } from './resolve.js';
import type { AppUsage, TokenUsage, UserUsage } from './types.js';
import type { UsageClient } from './usageClient.js';

export type InventoryProgress = { stage: 'apps' | 'users'; done: number; total: number };

export type ScopeOptions = {
  /** `--app` values; empty means every app with OAuth usage. */
  apps: readonly string[];
  /** `--user` values; empty means every user of the apps in scope. */
  users: readonly string[];
  pageSize?: number;
  concurrency: number;
  onProgress?: (progress: InventoryProgress) => void;
};

/** One (app, user) whose token list is read: from the usage lists, or from the users named by `--user`. */
export type UserInApp = { app: AppUsage; userIdentifier: string };

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
  const users = options.users.length > 0 ? await resolveUsers(client, options.users) : undefined;
  const allApps = await client.listApps({ pageSize: options.pageSize });
  const apps = options.apps.length > 0 ? resolveApps(options.apps, allApps) : allApps;
  if (users) return { apps, pairs: apps.flatMap((app) => users.map((user) => ({ app, userIdentifier: user.userIdentifier }))) };
  const byApp = await userRowsOf(client, apps, options);
  return { apps, pairs: apps.flatMap((app, index) => byApp[index].map((user) => ({ app, userIdentifier: user.userIdentifier }))) };
}

/** Every page of each app's users, in app order, keeping the rows `keep` accepts. */
async function userRowsOf(
  client: UsageClient,
  apps: readonly AppUsage[],
  options: Omit<ScopeOptions, 'apps' | 'users'> & { keep?: (row: UserUsage) => boolean }
): Promise<UserUsage[][]> {
  const byApp: UserUsage[][] = new Array<UserUsage[]>(apps.length);
  let appsDone = 0;
  await runPool(apps, options.concurrency, async (app, index) => {
    byApp[index] = await client.listUsers(app.identifier, { pageSize: options.pageSize, keep: options.keep });
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
  const allApps = await client.listApps({ pageSize: options.pageSize });
  const apps = options.apps.length > 0 ? resolveApps(options.apps, allApps) : allApps;
  return (await userRowsOf(client, apps, { ...options, keep: lastUsedMatcher(options.criteria, options.now) })).flat();
}

export type InventoryOptions = ScopeOptions & {
  criteria: LastUsedCriteria;
  /** Told how many token lists the inventory is about to read, once it knows, before it reads any (the API budget). */
  beforeTokenLists?: (count: number) => Promise<void>;
  limit?: number;
  now?: Date;
};

/**
 * Lists refresh tokens across every app and user in scope, filtered by last use. Rows come back in app order, then
 * user order, whatever order the requests finish in; with `--limit`, no new user is read once enough rows are in.
 */
export async function tokenInventory(client: UsageClient, options: InventoryOptions): Promise<TokenUsage[]> {
  return (await appsAndTokenInventory(client, options)).tokens;
}

/**
 * The inventory together with the apps in scope, read from the same pages: a report needs each app's description,
 * and an app whose users hold no token, which token rows alone cannot give.
 */
export async function appsAndTokenInventory(client: UsageClient, options: InventoryOptions): Promise<{ apps: AppUsage[]; tokens: TokenUsage[] }> {
  const { apps, pairs } = await scopeOf(client, options);
  await options.beforeTokenLists?.(pairs.length);
  const keep = hasLastUsedCriteria(options.criteria) ? lastUsedMatcher(options.criteria, options.now) : (): boolean => true;
  const perPair: Array<TokenUsage[] | undefined> = new Array<TokenUsage[] | undefined>(pairs.length);
  let usersDone = 0;
  let prefixEnd = 0;
  let prefixRows = 0;
  const enough = (): boolean => options.limit !== undefined && prefixRows >= options.limit;
  await runPool(
    pairs,
    options.concurrency,
    async ({ app, userIdentifier }, index) => {
      perPair[index] = (await tokensOf(client, app.identifier, userIdentifier)).filter(keep);
      while (prefixEnd < perPair.length && perPair[prefixEnd] !== undefined) prefixRows += perPair[prefixEnd++]!.length;
      options.onProgress?.({ stage: 'users', done: ++usersDone, total: pairs.length });
    },
    enough
  );
  const rows = perPair.flatMap((tokens) => tokens ?? []);
  return { apps, tokens: options.limit === undefined ? rows : rows.slice(0, options.limit) };
}

/**
 * A user's tokens for one app. The docs don't say how the API answers for a user who holds none there (a named user,
 * or one whose last token went after the user list was read): an empty list or 404 both mean "no tokens".
 */
async function tokensOf(client: UsageClient, appId: string, userId: string): Promise<TokenUsage[]> {
  try {
    return await client.listTokens(appId, userId);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Adds `userCount` to each app by reading every page of its users; the API has no count of its own. */
export async function withUserCounts(
  client: UsageClient,
  apps: readonly AppUsage[],
  pageSize: number,
  concurrency: number,
  onAppDone?: (done: number) => void
): Promise<AppUsage[]> {
  const counted = new Array<AppUsage>(apps.length);
  let done = 0;
  await runPool(apps, concurrency, async (app, index) => {
    counted[index] = { ...app, userCount: (await client.listUsers(app.identifier, { pageSize })).length };
    onAppDone?.(++done);
  });
  return counted;
}

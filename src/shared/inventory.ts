import type { LastUsedCriteria } from './lastUsed.js';
import { hasLastUsedCriteria, lastUsedMatcher } from './lastUsed.js';
import { runPool } from './limiter.js';
import { assertUserInput, resolveApps, selectUsers, userMatches } from './resolve.js';
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

export type UserInApp = { app: AppUsage; user: UserUsage };

/**
 * Finds the apps and the users in scope, reading each page once: the app list resolves `--app`, and the user lists
 * of those apps resolve `--user`. Inputs are checked before the first request.
 */
export async function usersInScope(client: UsageClient, options: ScopeOptions): Promise<{ apps: AppUsage[]; pairs: UserInApp[] }> {
  options.users.forEach(assertUserInput);
  const allApps = await client.listApps({ pageSize: options.pageSize });
  const apps = options.apps.length > 0 ? resolveApps(options.apps, allApps) : allApps;
  const usersByApp: UserUsage[][] = new Array<UserUsage[]>(apps.length);
  let appsDone = 0;
  await runPool(apps, options.concurrency, async (app, index) => {
    usersByApp[index] = await client.listUsers(app.identifier, { pageSize: options.pageSize });
    options.onProgress?.({ stage: 'apps', done: ++appsDone, total: apps.length });
  });
  if (options.users.length > 0) {
    const label = apps.length === 1 ? `app ${apps[0].developerName}` : `the ${apps.length} apps in scope`;
    selectUsers(options.users, usersByApp.flat(), label);
  }
  const pairs = apps.flatMap((app, index) =>
    usersByApp[index]
      .filter((user) => options.users.length === 0 || options.users.some((input) => userMatches(input, user)))
      .map((user) => ({ app, user }))
  );
  return { apps, pairs };
}

export type InventoryOptions = ScopeOptions & {
  criteria: LastUsedCriteria;
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
  const { apps, pairs } = await usersInScope(client, options);
  const keep = hasLastUsedCriteria(options.criteria) ? lastUsedMatcher(options.criteria, options.now) : (): boolean => true;
  const perPair: Array<TokenUsage[] | undefined> = new Array<TokenUsage[] | undefined>(pairs.length);
  let usersDone = 0;
  let prefixEnd = 0;
  let prefixRows = 0;
  const enough = (): boolean => options.limit !== undefined && prefixRows >= options.limit;
  await runPool(
    pairs,
    options.concurrency,
    async ({ app, user }, index) => {
      perPair[index] = (await client.listTokens(app.identifier, user.userIdentifier)).filter(keep);
      while (prefixEnd < perPair.length && perPair[prefixEnd] !== undefined) prefixRows += perPair[prefixEnd++]!.length;
      options.onProgress?.({ stage: 'users', done: ++usersDone, total: pairs.length });
    },
    enough
  );
  const rows = perPair.flatMap((tokens) => tokens ?? []);
  return { apps, tokens: options.limit === undefined ? rows : rows.slice(0, options.limit) };
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

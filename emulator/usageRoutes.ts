/*
 * The Connect "OAuth usage" resources under /services/data/vNN.N/apps/oauth/usage: the app, user and token lists
 * with their paging, and the three revocation DELETEs. URL shapes, sorting and error answers follow the real API
 * where it is documented; the README lists where the emulator had to choose.
 */
import { errorBody, methodNotAllowed, notFound, type Reply } from './reply.js';
import type { Store } from './store.js';

export const MIN_USAGE_VERSION = 59;
export const MAX_PAGE_SIZE = 2000;
const DEFAULT_PAGE_SIZE = 100;

export type UsageContext = {
  method: string;
  version: string;
  /** Prefix for every URL the server emits: '' for relative URLs like the real API, or an origin. */
  origin: string;
  rest: string[];
  params: URLSearchParams;
  /** Rows a page holds at most, whatever pageSize asked for (a server that caps pages); undefined: no cap. */
  maxPageSize?: number;
};

/**
 * page is 0-based; the real API documents no pageSize limit, the emulator enforces 1..MAX_PAGE_SIZE. With a cap,
 * a larger pageSize is served as the cap, and the page URLs it emits say so.
 */
function parsePaging(params: URLSearchParams, maxPageSize = MAX_PAGE_SIZE): { page: number; pageSize: number } | Reply {
  const read = (name: string, fallback: number, min: number, max: number): number | Reply => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      return {
        status: 400,
        body: errorBody('INVALID_INPUT', `Invalid value for ${name}: '${raw}'. It must be an integer ${range}.`),
      };
    }
    return value;
  };
  const page = read('page', 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return page;
  const pageSize = read('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof pageSize !== 'number') return pageSize;
  return { page, pageSize: Math.min(pageSize, maxPageSize) };
}

/** Routes one usage request; `ctx.rest` is the path after .../apps/oauth/usage. */
export function usageRoute(store: Store, ctx: UsageContext): Reply {
  const { method, rest } = ctx;
  if (rest.length === 0) return method === 'GET' ? listApps(store, ctx) : methodNotAllowed(method, 'GET');
  if (rest.length === 2 && rest[0] === 'tokens') {
    return method === 'DELETE' ? revokeToken(store, rest[1]) : methodNotAllowed(method, 'DELETE');
  }
  if (rest.length === 2 && rest[1] === 'users') {
    return method === 'GET' ? listUsers(store, ctx, rest[0]) : methodNotAllowed(method, 'GET');
  }
  if (rest.length === 2 && rest[1] === 'tokens') {
    return method === 'DELETE' ? revokeApp(store, rest[0]) : methodNotAllowed(method, 'DELETE');
  }
  if (rest.length === 3 && rest[2] === 'tokens') {
    if (method === 'GET') return listTokens(store, ctx, rest[0], rest[1]);
    if (method === 'DELETE') return revokeUser(store, rest[0], rest[1]);
    return methodNotAllowed(method, 'GET, DELETE');
  }
  return notFound();
}

function listApps(store: Store, ctx: UsageContext): Reply {
  const paging = parsePaging(ctx.params, ctx.maxPageSize);
  if ('status' in paging) return paging;
  const { page, pageSize } = paging;
  const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
  const apps = store.listedApps().slice(page * pageSize, (page + 1) * pageSize);
  return {
    status: 200,
    body: {
      apps: apps.map((a) => ({
        accessTokenFormat: a.accessTokenFormat,
        availableActions: a.availableActions,
        description: a.description,
        developerName: a.developerName,
        identifier: a.identifier,
        isFromPackage: a.isFromPackage,
        usageDetailsUrl: `${base}/${a.identifier}/users`,
      })),
      currentPageUrl: `${base}?page=${page}&pageSize=${pageSize}`,
      // The real API emits nextPageUrl on every page, the last one included.
      nextPageUrl: `${base}?page=${page + 1}&pageSize=${pageSize}`,
    },
  };
}

function listUsers(store: Store, ctx: UsageContext, appId: string): Reply {
  const app = store.app(appId);
  if (!app) return notFound();
  const paging = parsePaging(ctx.params, ctx.maxPageSize);
  if ('status' in paging) return paging;
  const { page, pageSize } = paging;
  const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
  const users = store.appUsers(appId).slice(page * pageSize, (page + 1) * pageSize);
  return {
    status: 200,
    body: {
      currentPageUrl: `${base}/${appId}/users?page=${page}&pageSize=${pageSize}`,
      nextPageUrl: `${base}/${appId}/users?page=${page + 1}&pageSize=${pageSize}`,
      users: users.map((user) => {
        const tokens = store.userTokens(appId, user.userIdentifier);
        const used = tokens.map((t) => t.lastUsedAt).filter((d): d is string => d !== null);
        return {
          accessTokenFormat: app.accessTokenFormat,
          appDeveloperName: app.developerName,
          appIdentifier: app.identifier,
          initialConnectionAt: tokens.map((t) => t.initialConnectionAt).reduce((a, b) => (b < a ? b : a)),
          lastUsedAt: used.length === 0 ? null : used.reduce((a, b) => (b > a ? b : a)),
          revocationUrl: `${base}/${appId}/${user.userIdentifier}/tokens`,
          useCount: tokens.reduce((sum, t) => sum + t.useCount, 0),
          userIdentifier: user.userIdentifier,
          username: user.username,
        };
      }),
    },
  };
}

function listTokens(store: Store, ctx: UsageContext, appId: string, userId: string): Reply {
  const app = store.app(appId);
  const user = store.user(userId);
  if (!app || !user) return notFound();
  const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
  return {
    status: 200,
    body: {
      currentPageUrl: `${base}/${appId}/${userId}/tokens`,
      tokens: store.userTokens(appId, user.userIdentifier).map((t) => ({
        accessTokenFormat: app.accessTokenFormat,
        appDeveloperName: app.developerName,
        appIdentifier: app.identifier,
        initialConnectionAt: t.initialConnectionAt,
        lastUsedAt: t.lastUsedAt,
        revocationUrl: `${base}/tokens/${t.tokenId}`,
        useCount: t.useCount,
        userIdentifier: user.userIdentifier,
        username: user.username,
      })),
    },
  };
}

function revokeToken(store: Store, tokenId: string): Reply {
  return store.deleteToken(tokenId) ? { status: 204 } : notFound();
}

/** A known user who holds no token of the app: the list is empty, the DELETE 404 (see README, "Behaviour worth knowing"). */
function revokeUser(store: Store, appId: string, userId: string): Reply {
  const user = store.user(userId);
  if (!store.app(appId) || !user) return notFound();
  return store.deleteUserTokens(appId, user.userIdentifier) > 0 ? { status: 204 } : notFound();
}

function revokeApp(store: Store, appId: string): Reply {
  if (!store.app(appId)) return notFound();
  return store.deleteAppTokens(appId) > 0 ? { status: 204 } : notFound();
}

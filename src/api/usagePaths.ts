import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';
import { assertSalesforceId } from './salesforceId.js';
import { soqlPrefixPattern, soqlString } from './soql.js';
import { assertTokenId } from './tokenIds.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/**
 * The one place that validates identifiers and builds or accepts URLs of the OAuth usage resources.
 * Nothing goes into a URL without passing through here, so a hostile id (`../`, `%2F`, `?x=`) can never change which
 * resource a request hits, and a URL the API hands back is only followed when it stays on the org's own origin.
 */

const USAGE_PATH = /^\/services\/data\/v\d{2,3}\.\d\/apps\/oauth\/usage(?:\/|\?|$)/;

const USER_REVOCATION_PATH = /\/apps\/oauth\/usage\/([^/?#]+)\/([^/?#]+)\/tokens$/;

/**
 * The app and user of a user-level `revocationUrl` (`.../apps/oauth/usage/{app}/{user}/tokens`, as `users list` rows
 * carry), both validated; undefined for anything of another shape, such as a token's revocation URL.
 */
export function userOfRevocationUrl(value: string): { appIdentifier: string; userIdentifier: string } | undefined {
  const trimmed = value.trim();
  let path: string;
  try {
    path = trimmed.includes('://') ? new URL(trimmed).pathname : trimmed.split(/[?#]/)[0];
  } catch {
    return undefined;
  }
  const match = USER_REVOCATION_PATH.exec(path);
  if (!match) return undefined;
  return { appIdentifier: assertSalesforceId(match[1], 'app'), userIdentifier: assertSalesforceId(match[2], 'user') };
}

/**
 * Relative paths (to `/services/data/vNN.N`) of the six usage operations, and of the query that resolves usernames;
 * every segment validated and encoded.
 */
export const usagePaths = {
  apps: (page: number, pageSize: number): string => `/apps/oauth/usage?page=${page}&pageSize=${pageSize}`,
  users: (appId: string, page: number, pageSize: number): string =>
    `/apps/oauth/usage/${segment(assertSalesforceId(appId, 'app'))}/users?page=${page}&pageSize=${pageSize}`,
  tokens: (appId: string, userId: string): string =>
    `/apps/oauth/usage/${segment(assertSalesforceId(appId, 'app'))}/${segment(assertSalesforceId(userId, 'user'))}/tokens`,
  revokeToken: (tokenId: string): string => `/apps/oauth/usage/tokens/${segment(assertTokenId(tokenId))}`,
  revokeUser: (appId: string, userId: string): string => usagePaths.tokens(appId, userId),
  revokeApp: (appId: string): string => `/apps/oauth/usage/${segment(assertSalesforceId(appId, 'app'))}/tokens`,
  /** The org's limits (`DailyApiRequests`), read before a run that would spend a good part of them. */
  limits: (): string => '/limits',
  /**
   * The REST query resource, for the User records of these usernames and ids, in one query (`--user` is verified in
   * the org itself). SOQL matches a 15- or 18-character id in `Id IN (...)` and always answers the 18-character form.
   */
  userQuery: ({ usernames = [], ids = [] }: { usernames?: readonly string[]; ids?: readonly string[] }): string => {
    const conditions = [
      ...(usernames.length > 0 ? [`Username IN (${usernames.map(soqlString).join(', ')})`] : []),
      ...(ids.length > 0 ? [`Id IN (${ids.map((id) => soqlString(assertSalesforceId(id, 'user'))).join(', ')})`] : []),
    ];
    return `/query?q=${encodeURIComponent(`SELECT Id, Username FROM User WHERE ${conditions.join(' OR ')}`)}`;
  },
  /**
   * The REST query resource, for at most `limit` users whose usernames begin with one of these prefixes: where close
   * matches of a mistyped username come from. A prefix LIKE can use the index on Username.
   */
  usernamePrefixQuery: (prefixes: readonly string[], limit: number): string => {
    const conditions = prefixes.map((prefix) => `Username LIKE ${soqlPrefixPattern(prefix)}`);
    return `/query?q=${encodeURIComponent(`SELECT Id, Username FROM User WHERE ${conditions.join(' OR ')} ORDER BY Username LIMIT ${limit}`)}`;
  },
  /** Who the session belongs to: the OpenID Connect userinfo of the org's own login service. */
  userInfo: (): string => '/services/oauth2/userinfo',
};

/**
 * Checks a URL the API sent (`nextPageUrl`) before the bearer token goes with it: it must be relative
 * (`/services/data/...`) or on the org's own origin, and point at the usage resources. Returns the path to request.
 */
export function followableUsageUrl(url: string, instanceUrl: string): string {
  const refuse = (): never => {
    throw messages.createError('error.ForeignUrl', [printable(url)]);
  };
  // Characters that URL parsers silently drop or rewrite (backslashes, tabs, encoded dots and slashes) could turn a
  // harmless-looking path into another resource, so they are refused outright.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]|%2e|%2f|%5c/i.test(url)) refuse();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url);
  // Only "/services/..." or a full URL: "services/..." or "//host/..." would be resolved in ways that are easy to misread.
  if (!absolute && (!url.startsWith('/') || url.startsWith('//'))) refuse();
  let resolved: URL;
  let instance: URL;
  try {
    instance = new URL(instanceUrl);
    resolved = new URL(url, instance);
  } catch {
    return refuse();
  }
  if (resolved.origin !== instance.origin) refuse();
  // Judge the path the request would really hit, after the parser resolved any "." and ".." segments.
  const path = `${resolved.pathname}${resolved.search}`;
  if ((!absolute && path !== url) || !USAGE_PATH.test(path)) refuse();
  return path;
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

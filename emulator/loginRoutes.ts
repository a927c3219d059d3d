/*
 * The REST calls the sf CLI and @salesforce/core make while logging in or opening a connection: userinfo, the
 * version list, the admin User record and the Organization query, plus the User queries the plugin sends to
 * resolve usernames (the token endpoint is in oauth.ts). They answer only as much as those clients read, so a plugin can run against the emulator as if
 * it were an org.
 */
import type http from 'node:http';
import type { ApiLimits } from './apiLimits.js';
import type { EmulatedOrg } from './model.js';
import { errorBody, methodNotAllowed, notFound, type Reply } from './reply.js';
import type { Store } from './store.js';

/** Salesforce release name of an API version, e.g. 66.0 -> "Spring '26" (53.0 was Winter '22). */
function releaseLabel(version: string): string {
  const idx = Math.round(Number(version)) - 53;
  const season = ['Winter', 'Spring', 'Summer'][((idx % 3) + 3) % 3];
  return `${season} '${22 + Math.floor(idx / 3)}`;
}

function resourceMap(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  const names = ['appMenu', 'chatter', 'composite', 'connect', 'limits', 'query', 'queryAll', 'search', 'sobjects', 'tooling'];
  return Object.fromEntries(names.map((n) => [n, `${base}/${n}`]));
}

/** Whether `version` answers at all: every listed version, plus the unlisted older ones real orgs still serve. */
export function servesVersion(versions: string[], version: string): boolean {
  if (versions.includes(version)) return true;
  // @salesforce/core hard-codes v51.0 for its login calls; real orgs serve every version back to 20.0, listed or not.
  const oldest = Number(versions[0] ?? '0');
  return /^\d+\.0$/.test(version) && Number(version) >= 20 && Number(version) < oldest;
}

/** The non-usage resources under /services/data/vNN.N that login and Org/Connection setup touch. */
export function dataResource(store: Store, method: string, version: string, rest: string[], params: URLSearchParams, limits: ApiLimits): Reply {
  const { org } = store;
  if (rest.length === 1 && rest[0] === 'limits') return limits.reply(method);
  const isUser = rest.length === 3 && rest[0] === 'sobjects' && rest[1] === 'User';
  const isQuery =
    (rest.length === 1 && rest[0] === 'query') || (rest.length === 2 && rest[0] === 'tooling' && rest[1] === 'query');
  if (rest.length !== 0 && !isUser && !isQuery) return notFound();
  if (method !== 'GET') return methodNotAllowed(method, 'GET');
  if (isUser) return userRecord(org, version, rest[2]);
  if (isQuery) return query(store, version, params.get('q'));
  return { status: 200, body: resourceMap(version) };
}

export function versionList(versions: string[]): Array<{ label: string; url: string; version: string }> {
  return versions.map((v) => ({ label: releaseLabel(v), url: `/services/data/v${v}`, version: v }));
}

/** `u` is the emulator's own origin: userinfo hands out absolute URLs. */
export function userInfo(u: string, org: EmulatedOrg): Record<string, unknown> {
  const { orgId, adminUserId, adminUsername } = org;
  return {
    sub: `${u}/id/${orgId}/${adminUserId}`,
    'user_id': adminUserId,
    'organization_id': orgId,
    'preferred_username': adminUsername,
    nickname: adminUsername.split('@')[0],
    name: 'Emulator Admin',
    email: adminUsername,
    'email_verified': true,
    'given_name': 'Emulator',
    'family_name': 'Admin',
    zoneinfo: 'America/Los_Angeles',
    locale: 'en_US',
    language: 'en_US',
    'user_type': 'STANDARD',
    active: true,
    'is_app_installed': true,
    urls: {
      enterprise: `${u}/services/Soap/c/{version}/${orgId.slice(0, 15)}`,
      metadata: `${u}/services/Soap/m/{version}/${orgId.slice(0, 15)}`,
      partner: `${u}/services/Soap/u/{version}/${orgId.slice(0, 15)}`,
      rest: `${u}/services/data/v{version}/`,
      sobjects: `${u}/services/data/v{version}/sobjects/`,
      search: `${u}/services/data/v{version}/search/`,
      query: `${u}/services/data/v{version}/query/`,
      'tooling_rest': `${u}/services/data/v{version}/tooling/`,
      profile: `${u}/${adminUserId}`,
      'custom_domain': u,
    },
  };
}

function userRecord(org: EmulatedOrg, version: string, id: string): Reply {
  const { adminUserId, adminUsername } = org;
  if (id !== adminUserId && id !== adminUserId.slice(0, 15)) return notFound();
  return {
    status: 200,
    body: {
      attributes: { type: 'User', url: `/services/data/v${version}/sobjects/User/${adminUserId}` },
      Id: adminUserId,
      Username: adminUsername,
      Email: adminUsername,
      Name: 'Emulator Admin',
      FirstName: 'Emulator',
      LastName: 'Admin',
      IsActive: true,
      UserType: 'Standard',
      LanguageLocaleKey: 'en_US',
      TimeZoneSidKey: 'America/Los_Angeles',
    },
  };
}

function query(store: Store, version: string, q: string | null): Reply {
  const { org } = store;
  if (!q) return { status: 400, body: errorBody('MALFORMED_QUERY', 'A query string is required (q parameter).') };
  const userQuery = USER_QUERY.exec(q);
  if (userQuery) return usersNamed(store, version, userQuery[1], userQuery[2]);
  if (/\bScratchOrgInfo\b/i.test(q)) {
    return { status: 400, body: errorBody('INVALID_TYPE', "sObject type 'ScratchOrgInfo' is not supported.") };
  }
  if (/\bfrom\s+Organization\b/i.test(q)) {
    const { orgId } = org;
    return {
      status: 200,
      body: {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'Organization', url: `/services/data/v${version}/sobjects/Organization/${orgId}` },
            Id: orgId,
            Name: 'Emulated Org',
            InstanceName: 'EMU1',
            IsSandbox: false,
            TrialExpirationDate: null,
            NamespacePrefix: null,
            OrganizationType: 'Developer Edition',
            CreatedDate: '2024-01-15T10:00:00.000+0000',
          },
        ],
      },
    };
  }
  return { status: 200, body: { totalSize: 0, done: true, records: [] } };
}

/**
 * The queries the plugin sends about User: to verify `--user` values, by usernames, ids or both
 * (`Username IN (...) OR Id IN (...)`), and, for a username no user has, the users whose usernames begin alike
 * (`Username LIKE 'jan%' OR ... ORDER BY Username LIMIT N`); nothing else about User is emulated.
 */
const USER_QUERY = /^\s*SELECT\s+Id\s*,\s*Username\s+FROM\s+User\s+WHERE\s+(.*?)(?:\s+ORDER\s+BY\s+Username(?:\s+ASC)?)?(?:\s+LIMIT\s+(\d+))?\s*$/is;
const USER_CONDITION = /^\s*(?:(Username|Id)\s+IN\s*\(([^()]*)\)|Username\s+LIKE\s+('(?:[^'\\]|\\.)*'))\s*(?:OR\s+|$)/i;

/**
 * Every user of the org is found, whether or not they hold tokens: the store keeps users after their tokens go. As in
 * SOQL, an id matches in its 15- or 18-character form, and the answer carries the 18-character one; usernames compare
 * ignoring case, in IN and in LIKE. Sorted by username (the plugin's LIKE query asks so), and cut at LIMIT.
 */
function usersNamed(store: Store, version: string, where: string, limit: string | undefined): Reply {
  const usernames: string[] = [];
  const ids: string[] = [];
  const patterns: RegExp[] = [];
  for (let rest = where; rest.trim() !== ''; ) {
    const condition = USER_CONDITION.exec(rest);
    const values = condition?.[2] === undefined ? undefined : soqlStrings(condition[2]);
    const pattern = condition?.[3] === undefined ? undefined : likeRegExp(condition[3]);
    if (!condition || (!values && !pattern)) return { status: 400, body: errorBody('MALFORMED_QUERY', `unexpected token in the WHERE clause: ${rest}`) };
    if (pattern) patterns.push(pattern);
    else (condition[1].toLowerCase() === 'id' ? ids : usernames).push(...values!);
    rest = rest.slice(condition[0].length);
  }
  const byId = ids.flatMap((id) => store.orgUserById(id) ?? []);
  const byPattern = patterns.length === 0 ? [] : store.orgUsers().filter((user) => patterns.some((pattern) => pattern.test(user.username)));
  const found = [...new Map([...store.usersByUsername(usernames), ...byId, ...byPattern].map((user) => [user.userIdentifier, user])).values()];
  const sorted = found.sort((a, b) => a.username.toLowerCase().localeCompare(b.username.toLowerCase()));
  const records = (limit === undefined ? sorted : sorted.slice(0, Number(limit))).map((user) => ({
    attributes: { type: 'User', url: `/services/data/v${version}/sobjects/User/${user.userIdentifier}` },
    Id: user.userIdentifier,
    Username: user.username,
  }));
  return { status: 200, body: { totalSize: records.length, done: true, records } };
}

const UNESCAPE: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/** Reads `'a', 'b\'c'`: SOQL string literals separated by commas; undefined if it is anything else. */
function soqlStrings(list: string): string[] | undefined {
  const values: string[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (/\s/.test(list[i] ?? '')) i++;
  };
  for (;;) {
    skipSpace();
    if (list[i] !== "'") return undefined;
    let value = '';
    for (i++; list[i] !== "'"; i++) {
      if (i >= list.length) return undefined;
      if (list[i] === '\\') {
        const escaped = UNESCAPE[list[++i]];
        if (escaped === undefined) return undefined;
        value += escaped;
      } else value += list[i];
    }
    values.push(value);
    i++;
    skipSpace();
    if (i === list.length) return values;
    if (list[i++] !== ',') return undefined;
  }
}

/**
 * A SOQL LIKE literal (quotes included) as a regular expression: % is any text, _ one character, \% and \_ are
 * themselves; matched ignoring case. Undefined for an escape SOQL does not know.
 */
function likeRegExp(literal: string): RegExp | undefined {
  let source = '';
  for (let i = 1; i < literal.length - 1; i++) {
    let char = literal[i];
    if (char === '%' || char === '_') {
      source += char === '%' ? '.*' : '.';
      continue;
    }
    if (char === '\\') {
      const escaped = literal[++i];
      char = escaped === '%' || escaped === '_' ? escaped : UNESCAPE[escaped];
      if (char === undefined) return undefined;
    }
    source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** The whole body of a request, as text (the token endpoint's form). */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

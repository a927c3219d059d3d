/*
 * Data model of the OAuth usage emulator: the shapes it stores, a deterministic seed generator and small helpers
 * that tests use to compute expected answers independently of the server.
 */
import { DAY_MS, isStale } from './stale.js';

export { DAY_MS, isStale } from './stale.js';

export type AccessTokenFormat = 'JWT' | 'Opaque';

export type EmulatedApp = {
  identifier: string;
  developerName: string;
  description: string;
  accessTokenFormat: AccessTokenFormat;
  isFromPackage: boolean;
  availableActions: string;
};

export type EmulatedUser = { userIdentifier: string; username: string };

export type EmulatedToken = {
  tokenId: string;
  appIdentifier: string;
  userIdentifier: string;
  initialConnectionAt: string;
  lastUsedAt: string | null;
  useCount: number;
};

export type EmulatedOrg = { orgId: string; adminUserId: string; adminUsername: string };

export type EmulatorState = {
  org: EmulatedOrg;
  apps: EmulatedApp[];
  users: EmulatedUser[];
  tokens: EmulatedToken[];
};

export type SeedSpec = {
  apps: number;
  usersPerApp: number;
  tokensPerUser: number;
  seed?: number;
  /** ISO date the generated timestamps are relative to; defaults to the current time. */
  now?: string;
  /** Share of tokens last used 91-720 days before `now`. Default 0.35. */
  staleFraction?: number;
  /** Share of tokens never used (`lastUsedAt: null`, `useCount: 0`). Default 0.1. */
  neverUsedFraction?: number;
  /** Reuse one user population for every app (default true), so a user can hold tokens of several apps. */
  sharedUsers?: boolean;
};

export type StateSummary = {
  apps: number;
  appsWithTokens: number;
  users: number;
  usersWithTokens: number;
  tokens: number;
  stale: number;
  neverUsed: number;
  unusedDays: number;
};

export const DEFAULT_ORG: EmulatedOrg = {
  orgId: '00D000000000001AAA',
  adminUserId: '005000000000001AAA',
  adminUsername: 'admin@acme.example.com',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHECKSUM_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

const APP_NAMES: Array<[string, string]> = [
  ['Billing_Connector', 'Pushes invoices and payment status to the billing platform'],
  ['Slack_Sync', 'Posts record updates to Slack channels'],
  ['Tableau_Bridge', 'Extracts reporting data for Tableau dashboards'],
  ['Jira_Integration', 'Links cases to Jira issues'],
  ['DocuSign_Envelopes', 'Sends contracts for e-signature'],
  ['MuleSoft_Gateway', 'System API layer for back-office integrations'],
  ['Zendesk_Helpdesk', 'Syncs support tickets and contacts'],
  ['HubSpot_Marketing', 'Imports marketing leads'],
  ['Workday_HR_Sync', 'Keeps employee records in step with Workday'],
  ['ServiceNow_ITSM', 'Creates incidents from escalated cases'],
  ['Okta_Provisioning', 'Provisions and deprovisions users'],
  ['Snowflake_Loader', 'Nightly bulk export to the data warehouse'],
  ['Looker_Reports', 'Reads opportunity data for Looker'],
  ['Marketo_Leads', 'Two-way lead and campaign sync'],
  ['Gong_Calls', 'Attaches call recordings to opportunities'],
  ['Outreach_Sequences', 'Syncs sales engagement activity'],
  ['Zoom_Meetings', 'Logs meetings as activities'],
  ['Box_Files', 'Stores attachments in Box folders'],
  ['Dropbox_Sign', 'Signature requests from quotes'],
  ['Stripe_Payments', 'Records payments against invoices'],
  ['NetSuite_ERP', 'Order-to-cash sync with NetSuite'],
  ['SAP_Orders', 'Sends closed-won orders to SAP'],
  ['PowerBI_Export', 'Feeds Power BI datasets'],
  ['Field_Service_Mobile', 'Custom mobile app for field technicians'],
  ['Partner_Portal_API', 'Partner-facing REST integration'],
  ['CI_Deploy_Bot', 'Deploys metadata from the CI pipeline'],
];

const FIRST_NAMES = [
  'amelia', 'bruno', 'chloe', 'daniel', 'elena', 'farid', 'grace', 'hiro', 'ines', 'jonas', 'kavya', 'liam',
  'maya', 'nikolai', 'olivia', 'pedro', 'quinn', 'rosa', 'samir', 'tara', 'umar', 'vera', 'wei', 'ximena',
  'yusuf', 'zoe', 'aaron', 'beatriz', 'carlos', 'dana',
];

const LAST_NAMES = [
  'adams', 'baptiste', 'chen', 'dubois', 'eriksen', 'fischer', 'garcia', 'haddad', 'ivanova', 'jensen', 'kowalski',
  'lopez', 'murphy', 'nakamura', 'okafor', 'patel', 'quintero', 'rossi', 'schmidt', 'tanaka', 'ueda', 'varga',
  'walsh', 'xu', 'yilmaz', 'zimmermann', 'moreau', 'silva', 'kim', 'novak',
];

/** mulberry32: tiny, fast and good enough for fixtures; Math.random would make seeds unreproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d_2b_79_f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The 3-character case-checksum Salesforce appends to turn a 15-character id into its 18-character form. */
export function to18CharId(id15: string): string {
  if (id15.length !== 15) return id15;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += ID_CHECKSUM_CHARS.charAt(bits);
  }
  return id15 + suffix;
}

/** Timestamps in the format the API uses: ISO 8601, whole seconds, milliseconds written out, UTC. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export function cloneState(state: EmulatorState): EmulatorState {
  return {
    org: { ...state.org },
    apps: state.apps.map((a) => ({ ...a })),
    users: state.users.map((u) => ({ ...u })),
    tokens: state.tokens.map((t) => ({ ...t })),
  };
}

/** Tokens never used, or not used within `unusedDays` days before `now`. */
export function staleTokens(state: EmulatorState, unusedDays: number, now: Date = new Date()): EmulatedToken[] {
  const nowMs = now.getTime();
  return state.tokens.filter((t) => isStale(t.lastUsedAt, unusedDays, nowMs));
}

export function summarizeState(state: EmulatorState, unusedDays = 90, now: Date = new Date()): StateSummary {
  return {
    apps: state.apps.length,
    appsWithTokens: new Set(state.tokens.map((t) => t.appIdentifier)).size,
    users: state.users.length,
    usersWithTokens: new Set(state.tokens.map((t) => t.userIdentifier)).size,
    tokens: state.tokens.length,
    stale: staleTokens(state, unusedDays, now).length,
    neverUsed: state.tokens.filter((t) => t.lastUsedAt === null).length,
    unusedDays,
  };
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`Invalid seed spec: ${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkFraction(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new Error(`Invalid seed spec: ${name} must be a number between 0 and 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

type TokenKind = 'recent' | 'stale' | 'never';

export function generateState(spec: SeedSpec): EmulatorState {
  const appCount = checkCount('apps', spec.apps);
  const usersPerApp = checkCount('usersPerApp', spec.usersPerApp);
  const tokensPerUser = checkCount('tokensPerUser', spec.tokensPerUser);
  const staleFraction = checkFraction('staleFraction', spec.staleFraction, 0.35);
  const neverUsedFraction = checkFraction('neverUsedFraction', spec.neverUsedFraction, 0.1);
  if (staleFraction + neverUsedFraction > 1) {
    throw new Error('Invalid seed spec: staleFraction + neverUsedFraction must not exceed 1');
  }
  const nowMs = spec.now === undefined ? Date.now() : Date.parse(spec.now);
  if (Number.isNaN(nowMs)) throw new Error(`Invalid seed spec: now is not a date: ${JSON.stringify(spec.now)}`);
  const sharedUsers = spec.sharedUsers ?? true;
  const rand = mulberry32(spec.seed ?? 42);
  const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];

  const uniqueAlnum = (used: Set<string>, prefix: string, length: number): string => {
    for (;;) {
      let s = prefix;
      while (s.length < length) s += ALNUM.charAt(Math.floor(rand() * ALNUM.length));
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
  };

  const usedIds = new Set<string>();
  const apps: EmulatedApp[] = [];
  for (let i = 0; i < appCount; i++) {
    const [baseName, description] = APP_NAMES[i % APP_NAMES.length];
    const round = Math.floor(i / APP_NAMES.length);
    apps.push({
      identifier: uniqueAlnum(usedIds, '0xIHs000000', 15),
      developerName: round === 0 ? baseName : `${baseName}_${round + 1}`,
      description,
      accessTokenFormat: rand() < 0.4 ? 'JWT' : 'Opaque',
      isFromPackage: rand() < 0.2,
      availableActions: 'disable, enable',
    });
  }

  const usedNames = new Set<string>();
  const makeUser = (): EmulatedUser => {
    const base = `${pick(FIRST_NAMES)}.${pick(LAST_NAMES)}`;
    let local = base;
    for (let n = 2; usedNames.has(local); n++) local = `${base}${n}`;
    usedNames.add(local);
    return {
      userIdentifier: to18CharId(uniqueAlnum(usedIds, '005Hs0000', 15)),
      username: `${local}@acme.example.com`,
    };
  };
  const users: EmulatedUser[] = [];
  const usersOfApp = (): EmulatedUser[] => {
    if (sharedUsers) {
      while (users.length < usersPerApp) users.push(makeUser());
      return users.slice(0, usersPerApp);
    }
    const own: EmulatedUser[] = [];
    for (let u = 0; u < usersPerApp; u++) own.push(makeUser());
    users.push(...own);
    return own;
  };

  const pairs: Array<{ app: EmulatedApp; user: EmulatedUser }> = [];
  for (const app of apps) {
    for (const user of usersOfApp()) {
      for (let k = 0; k < tokensPerUser; k++) pairs.push({ app, user });
    }
  }

  // Exact counts per kind (then shuffled) keep staleTokens() predictable for tests, unlike a per-token coin toss.
  const total = pairs.length;
  const neverCount = Math.round(total * neverUsedFraction);
  const staleCount = Math.min(total - neverCount, Math.round(total * staleFraction));
  const kinds: TokenKind[] = pairs.map((_, i) => (i < neverCount ? 'never' : i < neverCount + staleCount ? 'stale' : 'recent'));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }

  const usedTokenIds = new Set<string>();
  const tokenId = (): string => {
    for (;;) {
      const bytes = Buffer.alloc(16);
      for (let i = 0; i < 16; i++) bytes[i] = Math.floor(rand() * 256);
      const id = bytes.toString('base64url');
      if (!usedTokenIds.has(id)) {
        usedTokenIds.add(id);
        return id;
      }
    }
  };
  // Skewed towards small numbers, with a long tail: most refresh tokens issue few access tokens.
  const useCount = (): number => Math.max(1, Math.floor(Math.exp(rand() * Math.log(5000))));

  const tokens: EmulatedToken[] = pairs.map(({ app, user }, i) => {
    const kind = kinds[i];
    let lastUsedMs: number | null;
    let initialMs: number;
    if (kind === 'never') {
      lastUsedMs = null;
      initialMs = nowMs - int(1, 720) * DAY_MS - int(0, DAY_MS / 1000) * 1000;
    } else {
      lastUsedMs =
        kind === 'stale'
          ? nowMs - int(91, 719) * DAY_MS - int(0, DAY_MS / 1000 - 1) * 1000
          : nowMs - int(60, 60 * 24 * 60 - 1) * 60_000;
      initialMs = lastUsedMs - int(0, 400) * DAY_MS - int(0, DAY_MS / 1000) * 1000;
    }
    return {
      tokenId: tokenId(),
      appIdentifier: app.identifier,
      userIdentifier: user.userIdentifier,
      initialConnectionAt: isoSeconds(initialMs),
      lastUsedAt: lastUsedMs === null ? null : isoSeconds(lastUsedMs),
      useCount: kind === 'never' ? 0 : useCount(),
    };
  });

  return { org: { ...DEFAULT_ORG }, apps, users, tokens };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new Error(`Invalid emulator state: ${where} ${what}`);
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) fail(`${where}.${key}`, 'must be a non-empty string');
  return v;
}

function date(obj: Record<string, unknown>, key: string, where: string, nullable: boolean): string | null {
  const v = obj[key];
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
    fail(`${where}.${key}`, `must be an ISO 8601 date string${nullable ? ' or null' : ''}`);
  }
  return v;
}

function list(obj: Record<string, unknown>, key: string): Array<Record<string, unknown>> {
  const v = obj[key];
  if (!Array.isArray(v)) fail(key, 'must be an array');
  return v.map((item: unknown, i) => {
    if (!isRecord(item)) fail(`${key}[${i}]`, 'must be an object');
    return item;
  });
}

function validateApps(raw: Record<string, unknown>): EmulatedApp[] {
  const ids = new Set<string>();
  return list(raw, 'apps').map((a, i) => {
    const where = `apps[${i}]`;
    const identifier = str(a, 'identifier', where);
    if (ids.has(identifier)) fail(`${where}.identifier`, `duplicates ${identifier}`);
    ids.add(identifier);
    const format = a.accessTokenFormat;
    if (format !== 'JWT' && format !== 'Opaque') fail(`${where}.accessTokenFormat`, "must be 'JWT' or 'Opaque'");
    if (typeof a.isFromPackage !== 'boolean') fail(`${where}.isFromPackage`, 'must be a boolean');
    const description = a.description ?? '';
    if (typeof description !== 'string') fail(`${where}.description`, 'must be a string');
    const actions = a.availableActions ?? 'disable, enable';
    if (typeof actions !== 'string') fail(`${where}.availableActions`, 'must be a string');
    return {
      identifier,
      developerName: str(a, 'developerName', where),
      description,
      accessTokenFormat: format,
      isFromPackage: a.isFromPackage,
      availableActions: actions,
    };
  });
}

function validateUsers(raw: Record<string, unknown>): EmulatedUser[] {
  const ids = new Set<string>();
  const names = new Set<string>();
  return list(raw, 'users').map((u, i) => {
    const where = `users[${i}]`;
    const userIdentifier = str(u, 'userIdentifier', where);
    const username = str(u, 'username', where);
    if (ids.has(userIdentifier)) fail(`${where}.userIdentifier`, `duplicates ${userIdentifier}`);
    if (names.has(username)) fail(`${where}.username`, `duplicates ${username}`);
    ids.add(userIdentifier);
    names.add(username);
    return { userIdentifier, username };
  });
}

/** Parses and validates a JSON EmulatorState (for --seed files and the control API). */
export function loadState(jsonText: string): EmulatorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch (e) {
    throw new Error(`Invalid emulator state: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return validateState(parsed);
}

export function validateState(raw: unknown): EmulatorState {
  if (!isRecord(raw)) fail('document', 'must be a JSON object with org, apps, users and tokens');
  const orgRaw = raw.org ?? DEFAULT_ORG;
  if (!isRecord(orgRaw)) fail('org', 'must be an object');
  const org: EmulatedOrg = {
    orgId: str(orgRaw, 'orgId', 'org'),
    adminUserId: str(orgRaw, 'adminUserId', 'org'),
    adminUsername: str(orgRaw, 'adminUsername', 'org'),
  };
  const apps = validateApps(raw);
  const users = validateUsers(raw);
  const appIds = new Set(apps.map((a) => a.identifier));
  const userIds = new Set(users.map((u) => u.userIdentifier));
  const tokenIds = new Set<string>();
  const tokens = list(raw, 'tokens').map((t, i): EmulatedToken => {
    const where = `tokens[${i}]`;
    const tokenId = str(t, 'tokenId', where);
    if (!/^[A-Za-z0-9_-]+$/.test(tokenId)) fail(`${where}.tokenId`, 'must contain only letters, digits, - and _');
    if (tokenIds.has(tokenId)) fail(`${where}.tokenId`, `duplicates ${tokenId}`);
    tokenIds.add(tokenId);
    const appIdentifier = str(t, 'appIdentifier', where);
    if (!appIds.has(appIdentifier)) fail(`${where}.appIdentifier`, `refers to unknown app ${appIdentifier}`);
    const userIdentifier = str(t, 'userIdentifier', where);
    if (!userIds.has(userIdentifier)) fail(`${where}.userIdentifier`, `refers to unknown user ${userIdentifier}`);
    const initialConnectionAt = date(t, 'initialConnectionAt', where, false) as string;
    const lastUsedAt = date(t, 'lastUsedAt', where, true);
    if (lastUsedAt !== null && Date.parse(lastUsedAt) < Date.parse(initialConnectionAt)) {
      fail(`${where}.lastUsedAt`, 'is before initialConnectionAt');
    }
    const count = t.useCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      fail(`${where}.useCount`, 'must be a non-negative integer');
    }
    return { tokenId, appIdentifier, userIdentifier, initialConnectionAt, lastUsedAt, useCount: count };
  });
  return { org, apps, users, tokens };
}

/*
 * Deterministic seed data for the emulator: the same spec and `now` always give the same apps, users and tokens,
 * so tests can assert exact counts and demos show the same data on every run.
 */
import type { EmulatedApp, EmulatedOrg, EmulatedToken, EmulatedUser, EmulatorState, SeedSpec } from './model.js';
import { DAY_MS } from './stale.js';

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

  return { org: { ...DEFAULT_ORG, orgId: spec.orgId === undefined ? DEFAULT_ORG.orgId : checkOrgId(spec.orgId) }, apps, users, tokens };
}

/**
 * An org id of the seed spec in its 18-character form, as Salesforce's login answers (userinfo, the identity URL) give
 * it: a 15-character id gets its checksum; an 18-character one is kept as it is (DEFAULT_ORG's own suffix is no checksum).
 */
function checkOrgId(value: unknown): string {
  if (typeof value !== 'string' || !/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(value)) {
    throw new Error(`Invalid seed spec: orgId must be an org id (00D and 12 or 15 more letters and digits), got ${JSON.stringify(value)}`);
  }
  return to18CharId(value);
}

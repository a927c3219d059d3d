/*
 * Data model of the OAuth usage emulator: the shapes it stores and small helpers that tests use to compute expected
 * answers independently of the server. Generation, validation and the stale rule live in their own modules and are
 * re-exported here, so this stays the one import path for all of it.
 */
import { isStale } from './stale.js';

export { DAY_MS, isStale } from './stale.js';
export { DEFAULT_ORG, generateState, isoSeconds, mulberry32, to18CharId } from './generate.js';
export { loadState, validateState } from './validate.js';

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
  /**
   * The org's id (`00D…`, 15 or 18 characters; kept in its 18-character form): several emulators with different ids
   * play several orgs. Default: DEFAULT_ORG's.
   */
  orgId?: string;
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

/**
 * For a test's hand-made state: a function that makes the next token (ids tok-1, tok-2, ...) of `apps[app]` for a
 * holder, first granted on 1 January 2026, with the given last use.
 */
export function tokenMaker(
  apps: ReadonlyArray<{ identifier: string }>,
  use: Pick<EmulatedToken, 'lastUsedAt' | 'useCount'>
): (app: number, holder: { userIdentifier: string }) => EmulatedToken {
  let n = 0;
  return (app, holder) => ({
    tokenId: `tok-${++n}`,
    appIdentifier: apps[app].identifier,
    userIdentifier: holder.userIdentifier,
    initialConnectionAt: '2026-01-01T00:00:00.000Z',
    ...use,
  });
}

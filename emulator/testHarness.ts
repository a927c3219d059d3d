/*
 * Shared by the emulator's own tests: the fixed data they assert against, the shapes of the answers they read, and
 * a fresh emulator per test, so one test's revocations and faults never leak into the next.
 */
import { generateState, type EmulatorState } from './model.js';
import { Emulator } from './server.js';

export const NOW = '2026-11-28T12:00:00.000Z';
export const BASE = '/services/data/v62.0/apps/oauth/usage';
export const DAY = 86_400_000;

export type Json = Record<string, unknown>;
export type AppItem = { identifier: string; developerName: string; usageDetailsUrl: string };
export type UserRow = {
  userIdentifier: string;
  username: string;
  useCount: number;
  lastUsedAt: string | null;
  initialConnectionAt: string;
  revocationUrl: string;
};
export type TokenRow = { revocationUrl: string; lastUsedAt: string | null; useCount: number };
export type AppPage = { apps: AppItem[]; currentPageUrl: string; nextPageUrl: string };
export type UserPage = { users: UserRow[]; currentPageUrl: string; nextPageUrl: string };
export type TokenPage = { tokens: TokenRow[]; currentPageUrl: string; nextPageUrl?: string };
export type ErrorItem = { errorCode: string; message: string };

export function small(): EmulatorState {
  return generateState({ apps: 5, usersPerApp: 4, tokensPerUser: 2, seed: 7, now: NOW });
}

export type Harness = {
  /** A test may stop it and assign another one (with `auth` to match); afterEach stops whatever is here. */
  emu: Emulator;
  auth: Record<string, string>;
  call: (path: string, init?: RequestInit) => Promise<Response>;
  json: <T>(path: string, init?: RequestInit) => Promise<{ status: number; body: T }>;
  control: <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
};

/** Call inside a describe: starts an emulator on small() before each test and stops it after. */
export function useEmulator(): Harness {
  const h: Harness = {
    emu: undefined as unknown as Emulator,
    auth: {},
    call: async (path, init = {}) =>
      fetch(`${h.emu.url}${path}`, { ...init, headers: { ...h.auth, ...(init.headers as Record<string, string>) } }),
    json: async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
      const res = await h.call(path, init);
      return { status: res.status, body: (await res.json()) as T };
    },
    control: async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${h.emu.url}/__emulator/${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
  };

  beforeEach(async () => {
    h.emu = await Emulator.start({ state: small() });
    h.auth = { Authorization: `Bearer ${h.emu.accessToken}` };
  });
  afterEach(async () => h.emu.stop());
  return h;
}

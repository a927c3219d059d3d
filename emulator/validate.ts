/*
 * Validation of EmulatorState documents from outside (--seed files, the control API's reset), so a bad document
 * fails with the path of the broken field instead of producing a server that answers nonsense.
 */
import type { EmulatedApp, EmulatedOrg, EmulatedToken, EmulatedUser, EmulatorState } from './model.js';
import { DEFAULT_ORG, to18CharId } from './generate.js';

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
    // The usage API returns 18-character user ids, and SOQL never answers an id with a wrong checksum.
    if (!/^[a-zA-Z0-9]{18}$/.test(userIdentifier) || to18CharId(userIdentifier.slice(0, 15)) !== userIdentifier) {
      fail(`${where}.userIdentifier`, `is not an 18-character id with its checksum (${userIdentifier})`);
    }
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

import { Messages, type SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { LastUsedCriteria } from './lastUsed.js';
import { hasLastUsedCriteria } from './lastUsed.js';
import { assertAppInput, assertUserInput } from './resolve.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'external-client-app.usage.tokens.revoke');

/** A wrong combination of flags exits 2, like oclif's own flag errors (README "Exit codes"). */
const wrongFlags = (key: string, tokens: string[] = []): SfError => messages.createError(key, tokens, [], 2);

export type SelectionInput = {
  tokenIds: readonly string[];
  fromFile?: string;
  apps: readonly string[];
  users: readonly string[];
  allUsers: boolean;
  criteria: LastUsedCriteria;
  /** `--by-user`: the filter judges each user row of an app, not each token. */
  byUser?: boolean;
};

/** The one way the user chose to say what to revoke . */
export type Selection =
  | { kind: 'tokenIds'; tokenIds: readonly string[] }
  | { kind: 'file'; path: string }
  /** `apps` is empty (offboarding: every app where the users hold tokens) or holds one app. */
  | { kind: 'users'; apps: readonly string[]; users: readonly string[] }
  | { kind: 'app'; app: string }
  | { kind: 'filter'; apps: readonly string[]; users: readonly string[]; criteria: LastUsedCriteria }
  /** `apps` is empty (every app) or narrows the apps whose user rows the filter judges. */
  | { kind: 'byUser'; apps: readonly string[]; criteria: LastUsedCriteria };

/** Decides the selection from the flags, or fails naming the valid combinations: all before any request. */
export function chooseSelection(input: SelectionInput): Selection {
  const filter = hasLastUsedCriteria(input.criteria);
  const given = [
    input.tokenIds.length > 0 ? '--token-id' : undefined,
    input.fromFile !== undefined ? '--from-file' : undefined,
    input.allUsers ? '--all-users' : undefined,
    filter ? 'a filter' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (given.length > 1) throw wrongFlags('error.ConflictingSelection', [given[0], given.slice(1).join(' and ')]);
  if (input.byUser) return byUser(input, filter);
  input.users.forEach(assertUserInput);
  input.apps.forEach(assertAppInput);

  if (input.tokenIds.length > 0 || input.fromFile !== undefined) {
    const extra = [input.apps.length > 0 ? '--app' : undefined, input.users.length > 0 ? '--user' : undefined].filter(Boolean);
    if (extra.length > 0) throw wrongFlags('error.ConflictingSelection', [given[0], extra.join(' and ')]);
    return input.fromFile !== undefined ? { kind: 'file', path: input.fromFile } : { kind: 'tokenIds', tokenIds: input.tokenIds };
  }
  if (filter) return { kind: 'filter', apps: input.apps, users: input.users, criteria: input.criteria };
  if (input.allUsers) {
    if (input.users.length > 0) throw wrongFlags('error.ConflictingSelection', ['--all-users', '--user']);
    return { kind: 'app', app: oneApp(input.apps, '--all-users') };
  }
  if (input.users.length > 0) {
    return { kind: 'users', apps: input.apps.length === 0 ? [] : [oneApp(input.apps, '--user')], users: input.users };
  }
  if (input.apps.length > 0) throw wrongFlags('error.AppAlone');
  throw wrongFlags('error.NoSelection');
}

function byUser(input: SelectionInput, filter: boolean): Selection {
  if (!filter) throw wrongFlags('error.ByUserWithoutFilter');
  // --by-user judges every user row of the apps in scope; a filter without --by-user already narrows to named users,
  // token by token, so refusing --user here leaves no journey out.
  if (input.users.length > 0) throw wrongFlags('error.ByUserWithUser');
  return { kind: 'byUser', apps: input.apps, criteria: input.criteria };
}

function oneApp(apps: readonly string[], flag: string): string {
  if (apps.length !== 1) throw wrongFlags('error.OneAppOnly', [flag, String(apps.length)]);
  return apps[0];
}

import { Messages, SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import levenshtein from 'fast-levenshtein';
import { id18, isSalesforceId, sameSalesforceId } from '../api/salesforceId.js';
import { terminalText } from '../common/terminalText.js';
import type { AppUsage } from '../api/types.js';
import type { OrgUsers } from '../api/orgUsers.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/**
 * Turns what a user typed for `--app` into the app rows the API returned, so the id that goes into URLs is always
 * the API's own (its 15-character form, if that is what it sends). Order: id (a 15-character id and its
 * 18-character form are one id; an 18-character id with a wrong checksum is refused), developer name exactly, then
 * developer name ignoring case.
 */
export function resolveApp(input: string, apps: readonly AppUsage[]): AppUsage {
  const app = findApp(input, apps);
  if (!app) throw unknownApp(input.trim(), apps);
  return app;
}

/**
 * Resolves every `--app` value of a scope, keeping the user's order and dropping repeats. An app id that is not among
 * the apps with OAuth usage is an app that holds no token (the list drops an app once its last token is revoked), so
 * it adds nothing to the scope: a re-run of a finished revoke finds nothing to do. `onUnlisted` hears of each such id
 * (in its 18-character form), so that the command can say so. A developer name has to match.
 */
export function resolveApps(inputs: readonly string[], apps: readonly AppUsage[], onUnlisted?: (appId: string) => void): AppUsage[] {
  const resolved = inputs.flatMap((input) => {
    const app = findApp(input, apps);
    if (!app) onUnlisted?.(id18(input.trim(), 'app'));
    return app ?? [];
  });
  return [...new Map(resolved.map((app) => [app.identifier, app])).values()];
}

/** The app with this id or developer name: undefined for an id that is not listed, an error for a name. */
function findApp(input: string, apps: readonly AppUsage[]): AppUsage | undefined {
  const value = input.trim();
  if (isAppId(value)) {
    const typed = id18(value, 'app');
    return apps.find((app) => sameSalesforceId(app.identifier, typed));
  }
  const exact = apps.find((app) => app.developerName === value);
  if (exact) return exact;
  const folded = apps.filter((app) => app.developerName.toLowerCase() === value.toLowerCase());
  if (folded.length === 1) return folded[0];
  throw unknownApp(value, folded.length > 1 ? folded : apps);
}

const isAppId = (value: string): boolean => isSalesforceId(value) && value.startsWith('0xI');

/**
 * Checks an `--app` value before anything is sent: a developer name as typed, or an app id, which must not be
 * mistyped (an 18-character id whose checksum is wrong). Whether the app exists is known only from the app list.
 */
export function assertAppInput(input: string): string {
  const value = input.trim();
  return isAppId(value) ? id18(value, 'app') : value;
}

const isUsername = (value: string): boolean => value.includes('@');

/**
 * Checks a `--user` value before anything is sent: a username as typed, or a user id in its 18-character form (a
 * mistyped checksum is an error).
 */
export function assertUserInput(input: string): string {
  const value = input.trim();
  return isUsername(value) ? value : id18(value, 'user');
}

/** A `--user` value verified in the org: the user's 18-character id, which goes into URLs, and the username. */
export type UserRef = { userIdentifier: string; username: string };

/**
 * Verifies `--user` values in the org itself (its User records), not through usage lists: a username or an id that
 * no user of the org has is an error naming it, while a real user who holds no token is simply a user with nothing to
 * list or revoke. Every value is checked, and one query sent for all of them, before any usage request: a 15-character
 * id or a mistyped one can then never reach a usage path, where the API would answer "no tokens" for an id it does not
 * know.
 */
export async function resolveUsers(client: Pick<OrgUsers, 'findUsers' | 'findUsersByPrefix'>, inputs: readonly string[]): Promise<UserRef[]> {
  const values = inputs.map(assertUserInput);
  const usernames = [...new Set(values.filter(isUsername).map((name) => name.toLowerCase()))];
  const ids = [...new Set(values.filter((value) => !isUsername(value)))];
  const records = await client.findUsers({ usernames, ids });
  // Salesforce usernames are unique and compared ignoring case.
  const byUsername = new Map(records.map((record) => [record.Username.toLowerCase(), record]));
  const find = (value: string): { Id: string; Username: string } | undefined =>
    isUsername(value) ? byUsername.get(value.toLowerCase()) : records.find((record) => sameSalesforceId(record.Id, value));
  const unknown = values.filter((value) => find(value) === undefined);
  if (unknown.length > 0) {
    const named = unknown.map((value) => messages.getMessage(isUsername(value) ? 'phrase.username' : 'phrase.userId', [printable(value)]));
    const error = messages.createError('error.UnknownUser', [named.join(', ')]);
    // Each suggestion is a message of its own, before the fixed ones: see unknownApp.
    error.actions = [...(await usernameSuggestions(client, unknown.filter(isUsername))), ...(error.actions ?? [])];
    throw error;
  }
  const refs = values.map((value): UserRef => {
    const record = find(value)!;
    return { userIdentifier: id18(record.Id, 'user'), username: record.Username };
  });
  return refs.filter((ref, index) => refs.findIndex((other) => other.userIdentifier === ref.userIdentifier) === index);
}

/** How many of the typed usernames are looked for, and how many User records the one lookup may read at most. */
const SUGGESTED_USERNAMES = 10;
const CANDIDATE_USERS = 1000;
/** Candidates share this many first characters with the typed username (fewer when its part before the @ is shorter). */
const PREFIX_LENGTH = 3;

/**
 * "Did you mean" lines for usernames that no user of the org has, asked from the org's users only now that the exact
 * lookup found none of them: one query, for the users whose usernames begin as the typed ones do (a prefix LIKE,
 * which the index on Username serves), at most CANDIDATE_USERS of them. A typo in the first characters, or in an org
 * with more candidates than that, may go without a suggestion; the error's fixed actions still say how to look.
 */
async function usernameSuggestions(client: Pick<OrgUsers, 'findUsersByPrefix'>, typed: readonly string[]): Promise<string[]> {
  const asked = typed.slice(0, SUGGESTED_USERNAMES);
  const prefixes = [...new Set(asked.map((name) => name.slice(0, Math.min(PREFIX_LENGTH, name.indexOf('@'))).toLowerCase()))].filter(Boolean);
  if (prefixes.length === 0) return [];
  let usernames: string[];
  try {
    usernames = (await client.findUsersByPrefix(prefixes, CANDIDATE_USERS)).map((user) => user.Username);
  } catch {
    // Suggestions only help: a failed lookup must not replace the error the user needs to see.
    return [];
  }
  return asked.flatMap((name) => {
    const close = closeUsernames(name, usernames).map(terminalText).join(', ');
    if (close === '') return [];
    return [asked.length === 1 ? messages.getMessage('action.didYouMean', [close]) : messages.getMessage('action.didYouMeanFor', [printable(name), close])];
  });
}

/**
 * Usernames close to a typed one: a typo (see closest), or the typed username with a sandbox's suffix (a sandbox copies
 * each username with ".<sandbox name>" added), typo ones first.
 */
export function closeUsernames(typed: string, usernames: readonly string[], max = 3): string[] {
  const base = `${typed.trim().toLowerCase()}.`;
  const copies = usernames.filter((name) => name.toLowerCase().startsWith(base) && /^[a-z0-9]+$/i.test(name.slice(base.length)));
  return [...new Set([...closest(typed, usernames, max), ...copies.sort()])].slice(0, max);
}

function unknownApp(value: string, candidates: readonly AppUsage[]): SfError {
  const error = messages.createError(isAppId(value) ? 'error.UnknownAppId' : 'error.UnknownApp', [printable(value)]);
  const suggestions = closest(
    value,
    candidates.map((app) => app.developerName)
  );
  // The suggestion is its own message: core warns (in sf's log) about an action list whose lines don't all take tokens.
  // The names are the org's: shown without control sequences.
  if (suggestions.length > 0) error.actions = [messages.getMessage('action.didYouMean', [suggestions.map(terminalText).join(', ')]), ...(error.actions ?? [])];
  return error;
}

/**
 * Up to three names that look like a typo of the input: at most max(2, 20% of its length) edits apart, ignoring
 * case. A name that merely shares a prefix or a domain is not close.
 */
export function closest(input: string, names: readonly string[], max = 3): string[] {
  const needle = input.trim().toLowerCase();
  const allowed = Math.max(2, Math.floor(needle.length / 5));
  return names
    .map((name) => ({ name, score: levenshtein.get(needle, name.toLowerCase()) }))
    .filter(({ score }) => score <= allowed)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

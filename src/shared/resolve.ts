import { Messages, SfError } from '@salesforce/core';
import levenshtein from 'fast-levenshtein';
import type { AppUsage, UserUsage } from './types.js';
import { assertSalesforceId, isSalesforceId, printable, sameSalesforceId } from './usagePaths.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/**
 * Turns what a user typed for `--app` into the app rows the API returned, so the id that goes into URLs is always
 * the API's own (its 15-character form, if that is what it sends). Order: id on its first 15 characters (ids are
 * case-sensitive), developer name exactly, then developer name ignoring case.
 */
export function resolveApp(input: string, apps: readonly AppUsage[]): AppUsage {
  const value = input.trim();
  if (isSalesforceId(value) && value.startsWith('0xI')) {
    const byId = apps.find((app) => sameSalesforceId(app.identifier, value));
    if (byId) return byId;
    throw unknownApp(value, apps);
  }
  const exact = apps.find((app) => app.developerName === value);
  if (exact) return exact;
  const folded = apps.filter((app) => app.developerName.toLowerCase() === value.toLowerCase());
  if (folded.length === 1) return folded[0];
  throw unknownApp(value, folded.length > 1 ? folded : apps);
}

/** Resolves every `--app` value, keeping the user's order and dropping repeats. */
export function resolveApps(inputs: readonly string[], apps: readonly AppUsage[]): AppUsage[] {
  const resolved = inputs.map((input) => resolveApp(input, apps));
  return [...new Map(resolved.map((app) => [app.identifier, app])).values()];
}

/** A user matches a `--user` value by username (Salesforce usernames are case-insensitive) or by id on 15 characters. */
export function userMatches(input: string, user: Pick<UserUsage, 'username' | 'userIdentifier'>): boolean {
  const value = input.trim();
  if (value.includes('@')) return user.username.toLowerCase() === value.toLowerCase();
  return sameSalesforceId(user.userIdentifier, value);
}

/** Checks a `--user` value before anything is sent: a username, or a 15/18-character id. */
export function assertUserInput(input: string): string {
  const value = input.trim();
  return value.includes('@') ? value : assertSalesforceId(value, 'user');
}

/**
 * Picks the users named by `--user` among the users of the apps in scope. Every value must match somebody in at
 * least one app, or the command fails before it revokes or lists anything.
 */
export function selectUsers(inputs: readonly string[], usersInScope: readonly UserUsage[], scopeLabel: string): UserUsage[] {
  for (const input of inputs) {
    if (!usersInScope.some((user) => userMatches(input, user))) throw unknownUser(input, usersInScope, scopeLabel);
  }
  return usersInScope.filter((user) => inputs.some((input) => userMatches(input, user)));
}

function unknownApp(value: string, candidates: readonly AppUsage[]): SfError {
  const suggestions = closest(
    value,
    candidates.map((app) => app.developerName)
  );
  return suggestions.length > 0
    ? messages.createError('error.UnknownApp', [printable(value)], [suggestions.join(', ')])
    : messages.createError('error.UnknownAppNoSuggestion', [printable(value)]);
}

function unknownUser(value: string, candidates: readonly UserUsage[], scopeLabel: string): SfError {
  const suggestions = value.includes('@')
    ? closest(value, [...new Set(candidates.map((user) => user.username))])
    : [];
  return suggestions.length > 0
    ? messages.createError('error.UnknownUser', [scopeLabel, printable(value)], [suggestions.join(', ')])
    : messages.createError('error.UnknownUserNoSuggestion', [scopeLabel, printable(value)]);
}

/** Up to three names nearest to the input: substring matches first, then by edit distance within a third of its length. */
export function closest(input: string, names: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const scored = names
    .map((name) => {
      const hay = name.toLowerCase();
      const contains = hay.includes(needle) || needle.includes(hay);
      return { name, score: contains ? 0 : levenshtein.get(needle, hay) };
    })
    .filter(({ score }) => score <= Math.max(2, Math.ceil(needle.length / 3)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map(({ name }) => name);
}

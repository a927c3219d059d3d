import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { countOf } from '../common/plural.js';
import type { PlannedTarget, RevokeTarget } from '../usage/targets.js';
import { terminalText } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revokeSummary');

/*
 * What a person reads about a revoke: the plan in the prompt and the dry run, and the outcome in the summary and the
 * table. Each count names its unit. A user-level or app-level DELETE answers 204 with no body, so the number of tokens
 * it removed is never known: those targets are counted as users and apps, never as tokens.
 */

type Scope = PlannedTarget['scope'];
const SCOPES: readonly Scope[] = ['token', 'user', 'app'];

/** Apps named in the breakdown before "… and N more apps". */
export const BREAKDOWN_APPS = 5;
/** Rows of the human table of a revoke; --json always has every target. */
export const TABLE_ROWS = 50;

const appKey = (target: PlannedTarget): string | undefined => target.appIdentifier ?? target.appDeveloperName;
/** The name the prompt and the summaries give an app: from the org or a file, so without control sequences. */
const appName = (target: PlannedTarget): string | undefined => {
  const name = target.appDeveloperName ?? target.appIdentifier;
  return name === undefined ? undefined : terminalText(name);
};
const userKey = (target: PlannedTarget): string | undefined => target.userIdentifier ?? target.username;

/** How many distinct values, or undefined when a target lacks one: a count we'd have to guess is not shown. */
function distinct(targets: readonly PlannedTarget[], key: (target: PlannedTarget) => string | undefined): number | undefined {
  const values = targets.map(key);
  return values.includes(undefined) ? undefined : new Set(values).size;
}

/** "… of Billing_Connector" for one app, "… in 3 apps" for several, nothing when the apps are not known. */
function withApps(text: string, targets: readonly PlannedTarget[]): string {
  const apps = distinct(targets, appKey);
  if (apps === undefined) return text;
  return apps === 1 ? messages.getMessage('plan.of', [text, appName(targets[0])]) : messages.getMessage('plan.in', [text, countOf(apps, 'app')]);
}

/** Targets of one scope, described with what the plan knows; `inApp` leaves the app out (a breakdown line names it). */
function describeScope(scope: Scope, targets: readonly PlannedTarget[], inApp: boolean, appUsers?: number): string {
  const apps = (text: string): string => (inApp ? text : withApps(text, targets));
  if (scope === 'token') {
    const users = distinct(targets, userKey);
    const tokens = countOf(targets.length, 'refreshToken');
    return apps(users === undefined ? tokens : messages.getMessage('plan.of', [tokens, countOf(users, 'user')]));
  }
  if (scope === 'user') {
    const users = distinct(targets, userKey) ?? targets.length;
    const phrase = apps(usersPhrase(targets, users));
    return inApp || users === targets.length ? phrase : messages.getMessage('plan.withPairs', [phrase, countOf(targets.length, 'appUserPair')]);
  }
  const every = inApp
    ? messages.getMessage('plan.everyToken')
    : targets.length === 1
    ? messages.getMessage('plan.everyTokenOf', [appName(targets[0])])
    : messages.getMessage('plan.everyTokenOf', [countOf(targets.length, 'app')]);
  return appUsers === undefined ? every : messages.getMessage('plan.withUsers', [every, countOf(appUsers, 'user')]);
}

/**
 * "all tokens of 3 users", "all 7 tokens of 3 users" when the plan read how many each holds. One user-level target is
 * one (app, user) pair and one request, and the per-app lines of a breakdown count pairs: when a user is in several
 * apps, the phrase for the whole plan gives the pairs too, so that every count a person reads adds up.
 */
function usersPhrase(targets: readonly PlannedTarget[], users: number): string {
  const tokens = targets.every((target) => target.tokenCount !== undefined)
    ? targets.reduce((sum, target) => sum + (target.tokenCount ?? 0), 0)
    : undefined;
  return tokens === undefined
    ? messages.getMessage('plan.allTokensOf', [countOf(users, 'user')])
    : messages.getMessage('plan.allCountedTokensOf', [countOf(tokens, 'refreshToken'), countOf(users, 'user')]);
}

function byScope<T extends PlannedTarget>(targets: readonly T[]): Array<[Scope, T[]]> {
  return SCOPES.map((scope): [Scope, T[]] => [scope, targets.filter((target) => target.scope === scope)]).filter(([, group]) => group.length > 0);
}

const joined = (parts: string[]): string => parts.reduce((all, part) => messages.getMessage('plan.and', [all, part]));

/**
 * The plan in one phrase: "1362 refresh tokens of 512 users in 3 apps", "all tokens of 2 users of Billing_Connector",
 * "every token of Legacy_Sync (42 users)". `appUsers`: the users of the apps revoked whole, when they were counted.
 */
export function describePlan(plan: readonly PlannedTarget[], appUsers?: number): string {
  return joined(byScope(plan).map(([scope, targets]) => describeScope(scope, targets, false, appUsers)));
}

/**
 * One line per app, largest first, for a plan that spans several apps: "Billing_Connector: 800 refresh tokens of 300
 * users"; after BREAKDOWN_APPS apps, "… and 4 more apps". Empty when there is only one app (the plan phrase names it).
 */
export function planBreakdown(plan: readonly PlannedTarget[]): string[] {
  const groups = new Map<string | undefined, PlannedTarget[]>();
  for (const target of plan) groups.set(appKey(target), [...(groups.get(appKey(target)) ?? []), target]);
  if (groups.size < 2) return [];
  const sorted = [...groups.values()].sort((a, b) => b.length - a.length);
  const lines = sorted.slice(0, BREAKDOWN_APPS).map((targets) => {
    const name = appName(targets[0]) ?? messages.getMessage('breakdown.unknownApp');
    const what = joined(byScope(targets).map(([scope, group]) => describeScope(scope, group, true)));
    return messages.getMessage('breakdown.line', [name, what]);
  });
  const rest = sorted.length - BREAKDOWN_APPS;
  return rest > 0 ? [...lines, messages.getMessage('breakdown.more', [countOf(rest, 'moreApp')])] : lines;
}

/**
 * The confirmation question: one line when the plan is about one app (or no app is known); else a header, one line per
 * app, and the question.
 */
export function confirmQuestion(plan: readonly PlannedTarget[], appUsers: number | undefined, org: string): string {
  const what = describePlan(plan, appUsers);
  const breakdown = planBreakdown(plan);
  if (breakdown.length === 0) return messages.getMessage('prompt.confirm', [what, org]);
  return [
    messages.getMessage('prompt.confirmHeader', [what, org]),
    ...breakdown.map((line) => `  ${line}`),
    messages.getMessage('prompt.confirmQuestion'),
  ].join('\n');
}

/**
 * "3 refresh tokens" for tokens; "the tokens of 1 app" for app-level targets; "the tokens of 2 users", or "the tokens
 * of 1 user in 3 apps" when one user was offboarded from several apps (one target per app and user).
 */
function countPhrase(scope: Scope, targets: readonly PlannedTarget[]): string {
  if (scope === 'token') return countOf(targets.length, 'refreshToken');
  if (scope === 'app') return messages.getMessage('plan.tokensOf', [countOf(targets.length, 'app')]);
  const users = messages.getMessage('plan.tokensOf', [countOf(distinct(targets, userKey) ?? targets.length, 'user')]);
  const apps = distinct(targets, appKey) ?? 0;
  return apps > 1 ? messages.getMessage('plan.in', [users, countOf(apps, 'app')]) : users;
}

const isNotSent = (target: RevokeTarget): boolean => target.status === 'failed' && target.errorCode === 'NOT_SENT';

/**
 * One line per scope: "1620 refresh tokens of 512 users in 3 apps: revoked 296 refresh tokens, not found 0, failed 0,
 * not sent 1324." Targets never sent (Ctrl-C, API limit) are counted apart from those the org refused.
 */
export function summaryLines(targets: readonly RevokeTarget[]): string[] {
  return byScope(targets).map(([scope, group]) => {
    const count = (keep: (target: RevokeTarget) => boolean): number => group.filter(keep).length;
    const what = capitalize(describeScope(scope, group, false));
    const revoked = countPhrase(scope, group.filter((target) => target.status === 'revoked'));
    const notFound = count((target) => target.status === 'not-found');
    const failed = count((target) => target.status === 'failed' && !isNotSent(target));
    const notSent = count(isNotSent);
    return notSent > 0
      ? messages.getMessage('summary.withNotSent', [what, revoked, notFound, failed, notSent])
      : messages.getMessage('summary', [what, revoked, notFound, failed]);
  });
}

/** The targets that were already gone, in their units: "1 refresh token and the tokens of 2 users". */
export function describeNotFound(targets: readonly RevokeTarget[]): string | undefined {
  const notFound = targets.filter((target) => target.status === 'not-found');
  if (notFound.length === 0) return undefined;
  return joined(byScope(notFound).map(([scope, group]) => countPhrase(scope, group)));
}

/**
 * Rows of the human table: what failed first (refused by the org, then never sent), then the rest, at most TABLE_ROWS;
 * `more` says how many were left out.
 */
export function tableRows(successes: readonly RevokeTarget[], failures: readonly RevokeTarget[]): { rows: RevokeTarget[]; more?: string } {
  const ordered = [...failures.filter((target) => !isNotSent(target)), ...failures.filter(isNotSent), ...successes];
  const hidden = ordered.length - TABLE_ROWS;
  return hidden > 0 ? { rows: ordered.slice(0, TABLE_ROWS), more: messages.getMessage('table.more', [hidden]) } : { rows: ordered };
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

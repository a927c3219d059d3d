/*
 * `usage check` (commands.md §15): every violation of a policy, found while an inventory streams by, one user's tokens
 * of one app at a time, so that nothing but the violations (and the targets that would fix them) is kept. The org and
 * saved inventories feed the same checker, so both are judged by one set of rules.
 */
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { countOf } from '../common/plural.js';
import type { TokenUsage } from '../api/types.js';
import { usageInstant } from './lastUsed.js';
import { isAllowedApp, limitsFor, RULES, type Limits, type PolicyRules, type RuleName } from './policy.js';
import type { PlannedTarget } from './targets.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'check');

const DAY_MS = 24 * 60 * 60 * 1000;

// A violation as the JSON `result`, `-r csv` and the tables show it. (A line comment: a doc comment would be part of
// the command's JSON schema, which stays as it is.)
export type Violation = {
  rule: RuleName;
  orgId: string;
  appIdentifier: string;
  appDeveloperName: string;
  userIdentifier?: string;
  username?: string;
  tokenId?: string;
  lastUsedAt?: string | null;
  initialConnectionAt?: string | null;
  /** One sentence a person reads. */
  detail: string;
};

/**
 * A violation as the checker keeps it until it is written: the app (one object per app, shared), the user and token
 * as the inventory read them, and the figures its sentence is made of. violationOf makes the Violation, sentence and
 * all, when it is shown: a check of 100,000 tokens keeps 30,000 of these small records, not 30,000 sentences.
 */
export type ViolationRecord = {
  rule: RuleName;
  orgId: string;
  app: AppRef;
  userIdentifier?: string;
  username?: string;
  tokenId?: string;
  lastUsedAt?: string | null;
  initialConnectionAt?: string | null;
  /** stale: whole days since the last use (undefined: never used); tokenAge: days since granted; tokensPerUser, unapprovedApp: tokens held. */
  count?: number;
  /** The policy's number that `count` breaks; unapprovedApp: the users holding the app's tokens. */
  limit: number;
};

export type ViolationsByRule = Record<RuleName, number>;

export type OrgCheck = { orgId: string; apps: number; users: number; tokens: number; violations: number };

export type CheckTotals = { apps: number; users: number; tokens: number; violations: number; byRule: ViolationsByRule };

/** What a check found: each org's counts, the totals, every violation (by org, then rule), and what would fix them. */
export type CheckFindings = {
  orgs: OrgCheck[];
  totals: CheckTotals;
  /** By org, then rule; within a rule in the order the inventory read them. */
  violations: ViolationRecord[];
  /** The revocations that end every violation: tokens by id, and one app-level target per unapproved app. */
  fixPlan: PlannedTarget[];
  /** Apps with overrides in the policy that no org checked lists (their tokens may all be gone, or the name is wrong). */
  unlistedOverrides: string[];
  /** Each org's apps, in the order read, with whether each rule applies to it (JUnit has a test case per app and rule). */
  appsByOrg: Array<{ orgId: string; apps: CheckedApp[] }>;
};

export type CheckedApp = { identifier: string; developerName: string; rules: RuleName[] };

type AppRef = { identifier: string; developerName: string };
type UserRef = { userIdentifier: string; username?: string };
type AppState = AppRef & { tokens: number; users: number; limits: Limits };
/** `violations`: one list per rule, in RULES order, so that they come out by rule with no sort. */
type OrgState = { orgId: string; apps: Map<string, AppState>; users: Set<string>; tokens: number; violations: ViolationRecord[][] };

export class PolicyCheck {
  private readonly orgs = new Map<string, OrgState>();
  /** Token-level fixes by token id, with the org they are in. */
  private readonly tokenFixes = new Map<string, { orgId: string; target: PlannedTarget }>();

  /**
   * `fixes`: keep the targets that would fix the violations (for --fix); without it only the violations are kept, as a
   * check that fixes nothing needs no more.
   */
  public constructor(private readonly rules: PolicyRules, private readonly now: Date = new Date(), private readonly options: { fixes?: boolean } = {}) {}

  /** An app the org lists: it is checked (and counted) even when none of its users holds a token. */
  public addApp(orgId: string, app: AppRef): void {
    this.appState(orgId, app);
  }

  /**
   * One user's tokens of one app, judged by every rule in force for the app. Nothing is made per token but for a
   * violation: the tokens of 100,000 users pass through here, and what is made for each of them must die young.
   */
  public addUserTokens(orgId: string, app: AppRef, user: UserRef, tokens: readonly TokenUsage[]): void {
    if (tokens.length === 0) return;
    const org = this.orgState(orgId);
    const state = this.appState(orgId, app);
    state.tokens += tokens.length;
    state.users += 1;
    org.tokens += tokens.length;
    org.users.add(user.userIdentifier);
    const { staleDays, maxTokenAgeDays, maxTokensPerUser } = state.limits;
    for (const token of tokens) {
      const lastUsed = usageInstant(token, 'lastUsedAt');
      const idle = lastUsed === undefined ? undefined : this.daysSince(lastUsed);
      if (staleDays !== undefined && (idle === undefined || idle >= staleDays)) this.tokenViolation(org, state, user, token, 'stale', idle, staleDays);
      const granted = usageInstant(token, 'initialConnectionAt');
      const age = granted === undefined ? undefined : this.daysSince(granted);
      if (maxTokenAgeDays !== undefined && age !== undefined && age >= maxTokenAgeDays) this.tokenViolation(org, state, user, token, 'tokenAge', age, maxTokenAgeDays);
    }
    if (maxTokensPerUser !== undefined && tokens.length > maxTokensPerUser) {
      const username = tokens[0].username ?? user.username;
      record(org, { rule: 'tokensPerUser', orgId, app: state, userIdentifier: user.userIdentifier, username, count: tokens.length, limit: maxTokensPerUser });
      if (this.options.fixes !== false) for (const token of beyondMostRecent(tokens, maxTokensPerUser)) this.fixToken(orgId, state, user, token);
    }
  }

  /** Judges the apps (allowedApps) once every token is in, and puts the findings together. */
  public finish(): CheckFindings {
    const fixPlan: PlannedTarget[] = [];
    const wholeApps = new Set<string>();
    for (const org of this.orgs.values()) {
      for (const app of org.apps.values()) {
        if (app.tokens === 0 || isAllowedApp(this.rules, app.developerName)) continue;
        record(org, { rule: 'unapprovedApp', orgId: org.orgId, app, count: app.tokens, limit: app.users });
        fixPlan.push({ scope: 'app', appIdentifier: app.identifier, appDeveloperName: app.developerName });
        wholeApps.add(`${org.orgId}/${app.identifier}`);
      }
    }
    // A token of an app revoked whole goes with its app: no DELETE of its own.
    const tokenTargets = [...this.tokenFixes.values()]
      .filter(({ orgId, target }) => !wholeApps.has(`${orgId}/${target.appIdentifier ?? ''}`))
      .map(({ target }) => target);
    const states = [...this.orgs.values()];
    const byRule = Object.fromEntries(RULES.map((rule, index) => [rule, total(states.map((org) => org.violations[index].length))])) as ViolationsByRule;
    const orgs = states.map((org) => ({
      orgId: org.orgId,
      apps: org.apps.size,
      users: org.users.size,
      tokens: org.tokens,
      violations: total(org.violations.map((list) => list.length)),
    }));
    const listed = new Set(states.flatMap((org) => [...org.apps.values()].map((app) => app.developerName)));
    return {
      orgs,
      totals: {
        apps: total(orgs.map((org) => org.apps)),
        users: total(orgs.map((org) => org.users)),
        tokens: total(orgs.map((org) => org.tokens)),
        violations: total(orgs.map((org) => org.violations)),
        byRule,
      },
      violations: states.flatMap((org) => org.violations.flat()),
      fixPlan: [...tokenTargets, ...fixPlan],
      unlistedOverrides: Object.keys(this.rules.apps ?? {}).filter((name) => !listed.has(name)),
      appsByOrg: states.map((org) => ({
        orgId: org.orgId,
        apps: [...org.apps.values()].map((app) => ({ identifier: app.identifier, developerName: app.developerName, rules: this.rulesOf(app) })),
      })),
    };
  }

  /** A token that breaks a rule: its record, and the fix that ends it. */
  private tokenViolation(org: OrgState, app: AppState, user: UserRef, token: TokenUsage, rule: 'stale' | 'tokenAge', count: number | undefined, limit: number): void {
    const { userIdentifier } = user;
    const username = token.username ?? user.username;
    const { tokenId, lastUsedAt = null, initialConnectionAt = null } = token;
    record(org, { rule, orgId: org.orgId, app, userIdentifier, username, tokenId, lastUsedAt, initialConnectionAt, count, limit });
    this.fixToken(org.orgId, app, user, token);
  }

  /** A token to revoke, named by the (app, user) it was read for: never by ids inside the row (commands.md §17). */
  private fixToken(orgId: string, app: AppRef, user: UserRef, token: TokenUsage): void {
    const { tokenId } = token;
    if (this.options.fixes === false || this.tokenFixes.has(tokenId)) return;
    const username = token.username ?? user.username;
    const target: PlannedTarget = { scope: 'token', tokenId, appIdentifier: app.identifier, appDeveloperName: app.developerName, userIdentifier: user.userIdentifier };
    this.tokenFixes.set(tokenId, { orgId, target: username === undefined ? target : { ...target, username } });
  }

  /** Whole days since an instant, as the report and `--unused-days` count them: 23 hours is 0 days. */
  private daysSince(time: number): number {
    return Math.floor((this.now.getTime() - time) / DAY_MS);
  }

  private rulesOf(app: AppState): RuleName[] {
    const { staleDays, maxTokenAgeDays, maxTokensPerUser } = app.limits;
    const on: Record<RuleName, boolean> = {
      stale: staleDays !== undefined,
      tokenAge: maxTokenAgeDays !== undefined,
      tokensPerUser: maxTokensPerUser !== undefined,
      unapprovedApp: this.rules.allowedApps !== undefined,
    };
    return RULES.filter((rule) => on[rule]);
  }

  private orgState(orgId: string): OrgState {
    let org = this.orgs.get(orgId);
    if (!org) {
      org = { orgId, apps: new Map(), users: new Set(), tokens: 0, violations: RULES.map(() => []) };
      this.orgs.set(orgId, org);
    }
    return org;
  }

  private appState(orgId: string, app: AppRef): AppState {
    const org = this.orgState(orgId);
    let state = org.apps.get(app.identifier);
    if (!state) {
      state = { identifier: app.identifier, developerName: app.developerName, tokens: 0, users: 0, limits: limitsFor(this.rules, app.developerName) };
      org.apps.set(app.identifier, state);
    }
    return state;
  }
}

/**
 * A violation as it is shown, its sentence made now from the record's figures. The fields come in the order the JSON
 * `result` has always had them; a field the rule does not have (a tokensPerUser violation has no token) is left out.
 */
export function violationOf(found: ViolationRecord): Violation {
  const { rule, orgId, userIdentifier, username } = found;
  const [appIdentifier, appDeveloperName, detail] = [found.app.identifier, found.app.developerName, detailOf(found)];
  if (rule === 'unapprovedApp') return { rule, orgId, appIdentifier, appDeveloperName, detail };
  if (rule === 'tokensPerUser') return { rule, orgId, appIdentifier, appDeveloperName, userIdentifier, username, detail };
  const { tokenId, lastUsedAt = null, initialConnectionAt = null } = found;
  return { rule, orgId, appIdentifier, appDeveloperName, userIdentifier, username, tokenId, lastUsedAt, initialConnectionAt, detail };
}

/** The sentence of a violation: what is wrong, with the figures, and what the policy says. */
export function detailOf(found: ViolationRecord): string {
  // A token's dates were read once already, when it was judged: read again here, they are valid.
  const dayOf = (field: 'lastUsedAt' | 'initialConnectionAt'): string => new Date(usageInstant(found, field) ?? NaN).toISOString().slice(0, 10);
  switch (found.rule) {
    case 'stale':
      return found.count === undefined
        ? messages.getMessage('detail.staleNever', [found.limit])
        : messages.getMessage('detail.stale', [found.count, dayOf('lastUsedAt'), found.limit]);
    case 'tokenAge':
      return messages.getMessage('detail.tokenAge', [found.count, dayOf('initialConnectionAt'), found.limit]);
    case 'tokensPerUser':
      return messages.getMessage('detail.tokensPerUser', [found.count, found.limit]);
    case 'unapprovedApp':
      return messages.getMessage('detail.unapprovedApp', [countOf(found.count ?? 0, 'refreshToken'), countOf(found.limit, 'user')]);
  }
}

/** Kept in its org's list for its rule: violations come out by org and rule, each rule in the order read. */
function record(org: OrgState, found: ViolationRecord): void {
  org.violations[RULES.indexOf(found.rule)].push(found);
}

/**
 * The tokens beyond the `keep` most recently used: what `--fix` revokes for tokensPerUser. Never-used tokens count as
 * the least recently used; between equals, the one granted first goes first.
 */
export function beyondMostRecent(tokens: readonly TokenUsage[], keep: number): TokenUsage[] {
  const time = (token: TokenUsage, field: 'lastUsedAt' | 'initialConnectionAt'): number => usageInstant(token, field) ?? -Infinity;
  const newestFirst = [...tokens].sort(
    (a, b) => time(b, 'lastUsedAt') - time(a, 'lastUsedAt') || time(b, 'initialConnectionAt') - time(a, 'initialConnectionAt')
  );
  return newestFirst.slice(keep);
}

const total = (counts: readonly number[]): number => counts.reduce((sum, count) => sum + count, 0);

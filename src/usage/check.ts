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

export type ViolationsByRule = Record<RuleName, number>;

export type OrgCheck = { orgId: string; apps: number; users: number; tokens: number; violations: number };

export type CheckTotals = { apps: number; users: number; tokens: number; violations: number; byRule: ViolationsByRule };

/** What a check found: each org's counts, the totals, every violation (by org, then rule), and what would fix them. */
export type CheckFindings = {
  orgs: OrgCheck[];
  totals: CheckTotals;
  violations: Violation[];
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
type OrgState = { orgId: string; apps: Map<string, AppState>; users: Set<string>; tokens: number };

export class PolicyCheck {
  private readonly orgs = new Map<string, OrgState>();
  private readonly found: Violation[] = [];
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

  /** One user's tokens of one app, judged by every rule in force for the app. */
  public addUserTokens(orgId: string, app: AppRef, user: UserRef, tokens: readonly TokenUsage[]): void {
    if (tokens.length === 0) return;
    const org = this.orgState(orgId);
    const state = this.appState(orgId, app);
    state.tokens += tokens.length;
    state.users += 1;
    org.tokens += tokens.length;
    org.users.add(user.userIdentifier);
    const { staleDays, maxTokenAgeDays, maxTokensPerUser } = state.limits;
    const base = { orgId, appIdentifier: app.identifier, appDeveloperName: app.developerName, userIdentifier: user.userIdentifier };
    for (const token of tokens) {
      const username = token.username ?? user.username;
      const row = { ...base, username, tokenId: token.tokenId, lastUsedAt: token.lastUsedAt ?? null, initialConnectionAt: token.initialConnectionAt ?? null };
      const lastUsed = usageInstant(token, 'lastUsedAt');
      if (staleDays !== undefined && (lastUsed === undefined || this.daysSince(lastUsed) >= staleDays)) {
        const detail =
          lastUsed === undefined
            ? messages.getMessage('detail.staleNever', [staleDays])
            : messages.getMessage('detail.stale', [this.daysSince(lastUsed), day(lastUsed), staleDays]);
        this.violation({ rule: 'stale', ...row, detail });
      }
      const granted = usageInstant(token, 'initialConnectionAt');
      if (maxTokenAgeDays !== undefined && granted !== undefined && this.daysSince(granted) >= maxTokenAgeDays) {
        const detail = messages.getMessage('detail.tokenAge', [this.daysSince(granted), day(granted), maxTokenAgeDays]);
        this.violation({ rule: 'tokenAge', ...row, detail });
      }
    }
    if (maxTokensPerUser !== undefined && tokens.length > maxTokensPerUser) {
      const detail = messages.getMessage('detail.tokensPerUser', [tokens.length, maxTokensPerUser]);
      this.found.push({ rule: 'tokensPerUser', ...base, username: tokens[0].username ?? user.username, detail });
      if (this.options.fixes !== false) for (const token of beyondMostRecent(tokens, maxTokensPerUser)) this.fixToken({ ...base, username: token.username ?? user.username, tokenId: token.tokenId });
    }
  }

  /** Judges the apps (allowedApps) once every token is in, and puts the findings together. */
  public finish(): CheckFindings {
    const fixPlan: PlannedTarget[] = [];
    const wholeApps = new Set<string>();
    for (const org of this.orgs.values()) {
      for (const app of org.apps.values()) {
        if (app.tokens === 0 || isAllowedApp(this.rules, app.developerName)) continue;
        const detail = messages.getMessage('detail.unapprovedApp', [countOf(app.tokens, 'refreshToken'), countOf(app.users, 'user')]);
        this.found.push({ rule: 'unapprovedApp', orgId: org.orgId, appIdentifier: app.identifier, appDeveloperName: app.developerName, detail });
        fixPlan.push({ scope: 'app', appIdentifier: app.identifier, appDeveloperName: app.developerName });
        wholeApps.add(`${org.orgId}/${app.identifier}`);
      }
    }
    // A token of an app revoked whole goes with its app: no DELETE of its own.
    const orgIds = [...this.orgs.keys()];
    const tokenTargets = [...this.tokenFixes.values()]
      .filter(({ orgId, target }) => !wholeApps.has(`${orgId}/${target.appIdentifier ?? ''}`))
      .map(({ target }) => target);
    const violations = sortViolations(this.found, orgIds);
    const byRule = Object.fromEntries(RULES.map((rule) => [rule, violations.filter((v) => v.rule === rule).length])) as ViolationsByRule;
    const orgs = [...this.orgs.values()].map((org) => ({
      orgId: org.orgId,
      apps: org.apps.size,
      users: org.users.size,
      tokens: org.tokens,
      violations: violations.filter((v) => v.orgId === org.orgId).length,
    }));
    const listed = new Set([...this.orgs.values()].flatMap((org) => [...org.apps.values()].map((app) => app.developerName)));
    return {
      orgs,
      totals: {
        apps: sum(orgs, 'apps'),
        users: sum(orgs, 'users'),
        tokens: sum(orgs, 'tokens'),
        violations: violations.length,
        byRule,
      },
      violations,
      fixPlan: [...tokenTargets, ...fixPlan],
      unlistedOverrides: Object.keys(this.rules.apps ?? {}).filter((name) => !listed.has(name)),
      appsByOrg: [...this.orgs.values()].map((org) => ({
        orgId: org.orgId,
        apps: [...org.apps.values()].map((app) => ({ identifier: app.identifier, developerName: app.developerName, rules: this.rulesOf(app) })),
      })),
    };
  }

  private violation(violation: Violation & { tokenId: string }): void {
    this.found.push(violation);
    this.fixToken(violation);
  }

  /** A token to revoke, named by the (app, user) it was read for: never by ids inside the row (commands.md §17). */
  private fixToken(token: Pick<Violation, 'orgId' | 'appIdentifier' | 'appDeveloperName' | 'userIdentifier' | 'username'> & { tokenId: string }): void {
    if (this.options.fixes === false || this.tokenFixes.has(token.tokenId)) return;
    const { orgId, tokenId, appIdentifier, appDeveloperName, userIdentifier, username } = token;
    const target: PlannedTarget = { scope: 'token', tokenId, appIdentifier, appDeveloperName, userIdentifier };
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
      org = { orgId, apps: new Map(), users: new Set(), tokens: 0 };
      this.orgs.set(orgId, org);
    }
    return org;
  }

  private appState(orgId: string, app: AppRef): AppState {
    const org = this.orgState(orgId);
    let state = org.apps.get(app.identifier);
    if (!state) {
      state = { ...app, tokens: 0, users: 0, limits: limitsFor(this.rules, app.developerName) };
      org.apps.set(app.identifier, state);
    }
    return state;
  }
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

function sortViolations(violations: Violation[], orgIds: string[]): Violation[] {
  const order = (v: Violation): number => orgIds.indexOf(v.orgId) * RULES.length + RULES.indexOf(v.rule);
  // Array.prototype.sort is stable: within a rule, violations stay in the order the inventory read them.
  return [...violations].sort((a, b) => order(a) - order(b));
}

const sum = (orgs: readonly OrgCheck[], field: 'apps' | 'users' | 'tokens'): number => orgs.reduce((total, org) => total + org[field], 0);

const day = (time: number): string => new Date(time).toISOString().slice(0, 10);

/*
 * The figures of `usage report`, computed once from token rows, so that the --json result, the HTML
 * and the Markdown can never disagree: the renderers only format what is here. Saved
 * inventories as its source: reportFiles.ts.
 */
import type { AppUsage } from '../api/types.js';
import { firstSorted } from '../common/firstSorted.js';
import { formatMinuteUtc } from '../common/timestamps.js';
import { daysSince, lastUsedMatcher, usageInstant } from './lastUsed.js';

/** How many stale users the report names: enough for a review, few enough to read. */
export const TOP_STALE_USERS = 10;

/** Shown for an org id or instance a saved inventory doesn't carry. */
export const UNKNOWN = 'unknown';

export const AGE_BUCKETS = ['d0_7', 'd8_30', 'd31_90', 'd91_180', 'd181_365', 'over365', 'never'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** Tokens per age in whole days since last use; spelled out (not a Record) so the JSON schema names every bucket. */
export type AgeBuckets = {
  'd0_7': number;
  'd8_30': number;
  'd31_90': number;
  'd91_180': number;
  'd181_365': number;
  over365: number;
  never: number;
};

/** The highest age (in whole days) each bucket holds; `over365` and `never` have no upper end. */
const BUCKET_MAX_DAYS: ReadonlyArray<[AgeBucket, number]> = [
  ['d0_7', 7],
  ['d8_30', 30],
  ['d31_90', 90],
  ['d91_180', 180],
  ['d181_365', 365],
];

export type ReportTotals = {
  apps: number;
  /** Distinct users across every app. */
  users: number;
  tokens: number;
  neverUsedTokens: number;
  staleTokens: number;
  /** staleTokens / tokens, from 0 to 1 (0 when there is no token). */
  staleShare: number;
};

export type ReportApp = {
  identifier: string;
  developerName: string;
  /** null when the source doesn't say (a saved inventory has no app descriptions). */
  description: string | null;
  /** Distinct users holding at least one token of the app. */
  users: number;
  tokens: number;
  neverUsedTokens: number;
  staleTokens: number;
  staleShare: number;
  /** The earliest `lastUsedAt` of the app's tokens; null when none was ever used. */
  oldestLastUsedAt: string | null;
  ageBuckets: AgeBuckets;
};

export type ReportStaleUser = {
  userIdentifier: string;
  username: string;
  staleTokens: number;
  /** Developer names of the apps in which the user holds stale tokens, sorted. */
  apps: string[];
};

export type UsageReport = {
  generatedAt: string;
  orgId: string;
  instanceUrl: string;
  staleDays: number;
  /** Absolute path of the file written; null when the report went to stdout. */
  outputFile: string | null;
  totals: ReportTotals;
  apps: ReportApp[];
  topStaleUsers: ReportStaleUser[];
};

/** What a token row must carry for the report: the fields every `tokens list` row has. */
export type ReportToken = {
  appIdentifier: string;
  appDeveloperName: string;
  userIdentifier: string;
  username: string;
  lastUsedAt?: string | null;
};

export type ReportInput = {
  tokens: readonly ReportToken[];
  /** The apps in scope as the org listed them (live); without them the apps are those of the token rows. */
  apps?: readonly AppUsage[];
  generatedAt: Date;
  staleDays: number;
  orgId: string;
  instanceUrl: string;
  outputFile: string | null;
};

/**
 * Whole days from a token's `lastUsedAt` to `at`, rounded down; undefined for a token never used (null or missing). A
 * value that is no ISO 8601 date-time is an error naming it (usageInstant), never counted as "never used".
 */
export function ageInDays(token: Pick<ReportToken, 'lastUsedAt'> & Partial<ReportToken>, at: Date): number | undefined {
  return daysSince(usageInstant(token, 'lastUsedAt'), at);
}

export function ageBucket(age: number | undefined): AgeBucket {
  if (age === undefined) return 'never';
  return BUCKET_MAX_DAYS.find(([, max]) => age <= max)?.[0] ?? 'over365';
}

export const emptyBuckets = (): AgeBuckets => ({ 'd0_7': 0, 'd8_30': 0, 'd31_90': 0, 'd91_180': 0, 'd181_365': 0, over365: 0, never: 0 });

export const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** The report's figures. Stale follows `tokens list --unused-days`: never used, or not used in the last staleDays days. */
export function buildReport(input: ReportInput): UsageReport {
  const figures = new ReportFigures(input.generatedAt, input.staleDays);
  for (const app of input.apps ?? []) figures.addApp(app);
  for (const token of input.tokens) figures.addToken(token);
  return figures.report(input);
}

/**
 * The figures of one org's report, counted token by token as the tokens are read: what it keeps grows with the apps
 * and the users (the distinct users, the stale ones with their counts), never with the tokens, so the tokens of
 * several files need not all be held at once.
 */
export class ReportFigures {
  private readonly apps = new Map<string, AppFigures>();
  private readonly users = new Set<string>();
  // Per stale user only what the top-stale list shows: the app's name, or a list of names for the few users who hold
  // stale tokens of several apps (an array per user would cost its object and a backing store of 17 slots).
  private readonly staleUsers = new Map<string, StaleUser>();
  private readonly isStale: (token: ReportToken) => boolean;
  private tokens = 0;

  public constructor(private readonly generatedAt: Date, private readonly staleDays: number) {
    this.isStale = lastUsedMatcher({ unusedDays: staleDays }, generatedAt);
  }

  /** An app as the org lists it: its description, and its row even when none of its users holds a token. */
  public addApp(app: AppUsage): void {
    this.app(app.identifier, app.developerName).description ??= typeof app.description === 'string' ? app.description : null;
  }

  public addToken(token: ReportToken): void {
    const app = this.app(token.appIdentifier, token.appDeveloperName);
    const lastUsed = usageInstant(token, 'lastUsedAt');
    this.tokens++;
    this.users.add(token.userIdentifier);
    app.users.add(token.userIdentifier);
    app.tokens++;
    app.buckets[ageBucket(daysSince(lastUsed, this.generatedAt))]++;
    if (lastUsed === undefined) app.neverUsed++;
    else if (app.oldest === undefined || lastUsed < app.oldest.time) app.oldest = { text: token.lastUsedAt!, time: lastUsed };
    if (!this.isStale(token)) return;
    app.stale++;
    const user = this.staleUsers.get(token.userIdentifier);
    if (user === undefined) {
      this.staleUsers.set(token.userIdentifier, { username: token.username, staleTokens: 1, apps: app.developerName });
      return;
    }
    user.staleTokens++;
    if (typeof user.apps === 'string') {
      if (user.apps !== app.developerName) user.apps = [user.apps, app.developerName];
    } else if (!user.apps.includes(app.developerName)) user.apps.push(app.developerName);
  }

  public report(org: Pick<UsageReport, 'orgId' | 'instanceUrl' | 'outputFile'>): UsageReport {
    const apps = [...this.apps.values()].map(
      (app): ReportApp => ({
        identifier: app.identifier,
        developerName: app.developerName,
        description: app.description,
        users: app.users.size,
        tokens: app.tokens,
        neverUsedTokens: app.neverUsed,
        staleTokens: app.stale,
        staleShare: share(app.stale, app.tokens),
        oldestLastUsedAt: app.oldest?.text ?? null,
        ageBuckets: { ...app.buckets },
      })
    );
    // Worst first: the question the report answers is "which apps hold stale tokens".
    apps.sort((a, b) => b.staleTokens - a.staleTokens || b.tokens - a.tokens || a.developerName.localeCompare(b.developerName, 'en'));
    const staleTokens = apps.reduce((sum, app) => sum + app.staleTokens, 0);
    return {
      generatedAt: this.generatedAt.toISOString(),
      orgId: org.orgId,
      instanceUrl: org.instanceUrl,
      staleDays: this.staleDays,
      outputFile: org.outputFile,
      totals: {
        apps: apps.length,
        users: this.users.size,
        tokens: this.tokens,
        neverUsedTokens: apps.reduce((sum, app) => sum + app.neverUsedTokens, 0),
        staleTokens,
        staleShare: share(staleTokens, this.tokens),
      },
      apps,
      // The first of them as a sort would order them, found without copying every stale user to sort them.
      topStaleUsers: firstSorted(this.staleUsers, TOP_STALE_USERS, mostStaleFirst).map(([userIdentifier, user]) => ({
        userIdentifier,
        username: user.username,
        staleTokens: user.staleTokens,
        apps: typeof user.apps === 'string' ? [user.apps] : [...user.apps].sort(),
      })),
    };
  }

  private app(identifier: string, developerName: string): AppFigures {
    let figures = this.apps.get(identifier);
    if (!figures) {
      figures = { identifier, developerName, description: null, users: new Set(), tokens: 0, neverUsed: 0, stale: 0, buckets: emptyBuckets() };
      this.apps.set(identifier, figures);
    }
    return figures;
  }
}

/** `eca-oauth-usage-<orgId>-<YYYY-MM-DD>.html`, dated in UTC like every timestamp of the report. */
export function defaultReportFileName(orgId: string, generatedAt: Date): string {
  const safeOrg = orgId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `eca-oauth-usage-${safeOrg}-${generatedAt.toISOString().slice(0, 10)}.html`;
}

/** A share as people read it, to one decimal; never "0%" for a share above 0, nor "100%" for one below 1. */
export function formatShare(value: number): string {
  if (value <= 0) return '0%';
  if (value >= 1) return '100%';
  if (value < 0.001) return '<0.1%';
  if (value > 0.999) return '>99.9%';
  return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
}

/** A timestamp as "2026-11-20 16:42 UTC", as the list tables show them too (common/timestamps.ts). */
export function formatTimestamp(iso: string | null): string {
  if (iso === null) return '';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return formatMinuteUtc(time);
}

export const formatDate = (iso: string | null): string => (iso === null ? '' : formatTimestamp(iso).slice(0, 10));

/** Bucket names as the report shows them, in chart order. */
export const BUCKET_LABELS: Readonly<Record<AgeBucket, string>> = {
  'd0_7': '0–7 days',
  'd8_30': '8–30 days',
  'd31_90': '31–90 days',
  'd91_180': '91–180 days',
  'd181_365': '181–365 days',
  over365: 'over 365 days',
  never: 'never used',
};

type StaleUser = { username: string; staleTokens: number; apps: string | string[] };

/** Most stale tokens first, then by username, then by id. */
const mostStaleFirst = ([aId, a]: [string, StaleUser], [bId, b]: [string, StaleUser]): number =>
  b.staleTokens - a.staleTokens || a.username.localeCompare(b.username, 'en') || aId.localeCompare(bId);

type AppFigures = {
  identifier: string;
  developerName: string;
  description: string | null;
  users: Set<string>;
  tokens: number;
  neverUsed: number;
  stale: number;
  oldest?: { text: string; time: number };
  buckets: AgeBuckets;
};

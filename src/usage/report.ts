/*
 * The figures of `usage report`, computed once from token rows, so that the --json result, the HTML
 * and the Markdown can never disagree: the renderers only format what is here.
 */
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { AppUsage } from '../api/types.js';
import { formatMinuteUtc } from '../common/timestamps.js';
import { daysSince, lastUsedMatcher, usageInstant } from './lastUsed.js';
import { atFileRow } from './fileRows.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'report');

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
  const isStale = lastUsedMatcher({ unusedDays: input.staleDays }, input.generatedAt);
  const apps = new Map<string, AppFigures>();
  const appFigures = (identifier: string, developerName: string, description: string | null): AppFigures => {
    let figures = apps.get(identifier);
    if (!figures) {
      figures = { identifier, developerName, description, users: new Set(), tokens: 0, neverUsed: 0, stale: 0, buckets: emptyBuckets() };
      apps.set(identifier, figures);
    }
    return figures;
  };
  for (const app of input.apps ?? []) appFigures(app.identifier, app.developerName, typeof app.description === 'string' ? app.description : null);

  const staleUsers = new Map<string, { username: string; staleTokens: number; apps: Set<string> }>();
  for (const token of input.tokens) {
    const app = appFigures(token.appIdentifier, token.appDeveloperName, null);
    const lastUsed = usageInstant(token, 'lastUsedAt');
    const age = daysSince(lastUsed, input.generatedAt);
    app.users.add(token.userIdentifier);
    app.tokens++;
    app.buckets[ageBucket(age)]++;
    if (lastUsed === undefined) app.neverUsed++;
    else if (app.oldest === undefined || lastUsed < app.oldest.time) app.oldest = { text: token.lastUsedAt!, time: lastUsed };
    if (!isStale(token)) continue;
    app.stale++;
    const user = staleUsers.get(token.userIdentifier) ?? { username: token.username, staleTokens: 0, apps: new Set<string>() };
    user.staleTokens++;
    user.apps.add(app.developerName);
    staleUsers.set(token.userIdentifier, user);
  }

  const reportApps = [...apps.values()].map(
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
      ageBuckets: app.buckets,
    })
  );
  // Worst first: the question the report answers is "which apps hold stale tokens".
  reportApps.sort(
    (a, b) => b.staleTokens - a.staleTokens || b.tokens - a.tokens || a.developerName.localeCompare(b.developerName, 'en')
  );
  const tokens = input.tokens.length;
  const staleTokens = reportApps.reduce((sum, app) => sum + app.staleTokens, 0);
  return {
    generatedAt: input.generatedAt.toISOString(),
    orgId: input.orgId,
    instanceUrl: input.instanceUrl,
    staleDays: input.staleDays,
    outputFile: input.outputFile,
    totals: {
      apps: reportApps.length,
      users: new Set(input.tokens.map((token) => token.userIdentifier)).size,
      tokens,
      neverUsedTokens: reportApps.reduce((sum, app) => sum + app.neverUsedTokens, 0),
      staleTokens,
      staleShare: share(staleTokens, tokens),
    },
    apps: reportApps,
    topStaleUsers: [...staleUsers.entries()]
      .map(([userIdentifier, user]) => ({ userIdentifier, username: user.username, staleTokens: user.staleTokens, apps: [...user.apps].sort() }))
      .sort((a, b) => b.staleTokens - a.staleTokens || a.username.localeCompare(b.username, 'en') || a.userIdentifier.localeCompare(b.userIdentifier))
      .slice(0, TOP_STALE_USERS),
  };
}

/**
 * The token rows of a saved `tokens list` output, checked: a file of user rows (from `users list`) or of anything
 * else would give plausible but wrong figures, so a row without the token fields is an error that names where it is
 * (`where`: the line of a CSV, the item of a JSON array, as --from-file numbers them), and so is a lastUsedAt that is no
 * date. An empty CSV cell is how a CSV says null.
 */
export function reportTokensFromRows(rows: ReadonlyArray<{ where: string; row: Record<string, unknown> }>, path: string): ReportToken[] {
  return rows.map(({ where, row }) => {
    const text = (field: string): string | undefined => (typeof row[field] === 'string' && row[field] !== '' ? row[field] : undefined);
    const appIdentifier = text('appIdentifier');
    const userIdentifier = text('userIdentifier');
    if (text('tokenId') === undefined || appIdentifier === undefined || userIdentifier === undefined) {
      throw messages.createError('error.NotATokenRow', [path, where]);
    }
    const token = {
      appIdentifier,
      appDeveloperName: text('appDeveloperName') ?? appIdentifier,
      userIdentifier,
      username: text('username') ?? userIdentifier,
      lastUsedAt: row.lastUsedAt === '' || row.lastUsedAt === undefined ? null : (row.lastUsedAt as string | null),
    };
    try {
      usageInstant(token, 'lastUsedAt');
    } catch (error) {
      throw atFileRow(error, path, where);
    }
    return token;
  });
}

/**
 * The org a saved inventory came from. Token rows from the API don't name it, so this is "unknown" unless the rows
 * carry `orgId` / `instanceUrl` (added by a person or a script) and agree on them.
 */
export function orgOfRows(rows: ReadonlyArray<Record<string, unknown>>): { orgId: string; instanceUrl: string } {
  const only = (field: string): string => {
    const values = new Set(rows.map((row) => row[field]));
    const [value] = values;
    return values.size === 1 && typeof value === 'string' && value !== '' ? value : UNKNOWN;
  };
  return { orgId: only('orgId'), instanceUrl: only('instanceUrl') };
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

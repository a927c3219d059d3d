import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads an ISO 8601 date or date-time typed by a user. A value without a time zone is UTC (the API's timestamps are
 * UTC), and an impossible calendar date such as 2026-02-30 is refused rather than rolled over to March.
 */
export function parseUserDate(value: string): Date {
  const match = ISO_8601.exec(value.trim());
  // A flag value: exit 2, as oclif's own flag errors do (the flags parse it, so the error comes at flag parsing).
  const invalid = (): Error => messages.createError('error.InvalidDate', [value], [], 2);
  if (!match) throw invalid();
  const [, year, month, day, hour, , , zone] = match;
  const base = hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : value.trim().replace(' ', 'T');
  const iso = hour !== undefined && zone === undefined ? `${base}Z` : base;
  const time = Date.parse(iso);
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const sameDay =
    calendar.getUTCFullYear() === Number(year) && calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day);
  if (Number.isNaN(time) || !sameDay) throw invalid();
  return new Date(time);
}

export type LastUsedCriteria = {
  /** Matches rows last used strictly before this instant; never-used rows do not match. */
  before?: Date;
  /** Matches rows last used at or after this instant; never-used rows do not match. */
  after?: Date;
  /** Matches rows last used N days ago or earlier (an age of N whole days or more), never-used rows included. */
  unusedDays?: number;
};

export const hasLastUsedCriteria = (criteria: LastUsedCriteria): boolean =>
  criteria.before !== undefined || criteria.after !== undefined || criteria.unusedDays !== undefined;

/** Builds the criteria from flag values, refusing a range that cannot match anything. */
export function lastUsedCriteria(flags: { before?: string; after?: string; unusedDays?: number }): LastUsedCriteria {
  const before = flags.before === undefined ? undefined : parseUserDate(flags.before);
  const after = flags.after === undefined ? undefined : parseUserDate(flags.after);
  if (before && after && after.getTime() >= before.getTime()) {
    throw messages.createError('error.EmptyDateRange', [after.toISOString(), before.toISOString()]);
  }
  return { before, after, unusedDays: flags.unusedDays };
}

/** What an error about a row's timestamp names: its app and user, as far as the row says. */
export type UsageDateRow = {
  lastUsedAt?: unknown;
  initialConnectionAt?: unknown;
  appDeveloperName?: unknown;
  appIdentifier?: unknown;
  username?: unknown;
  userIdentifier?: unknown;
};

const API_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * The instant of an ISO 8601 date-time with a time zone, as the API sends them (`2025-06-01T12:00:00.000Z`; an offset
 * such as `+00:00` or `+0000` too); undefined for anything else. Date.parse is no judge: it reads
 * `2026-11-30T10:00:00.000 GMT`, `30 Nov 2026` and more, and a date-time without a zone as local time.
 */
export function parseApiDateTime(value: string): number | undefined {
  const match = API_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const fraction = match[7] ?? '';
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10] ?? 0), Number(match[11] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() - offset;
}

/**
 * The instant of a row's `lastUsedAt` or `initialConnectionAt`: undefined when null or missing (never used), and an
 * error for any other value that is not an ISO 8601 date-time. A value that can't be read is never taken as "never
 * used": that would make a token used yesterday stale, and revoke it.
 */
export function usageInstant(row: UsageDateRow, field: 'lastUsedAt' | 'initialConnectionAt'): number | undefined {
  const value = row[field];
  if (value === null || value === undefined) return undefined;
  const time = typeof value === 'string' ? parseApiDateTime(value) : undefined;
  if (time !== undefined) return time;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const name = (primary: unknown, fallback: unknown): string =>
    printable(typeof primary === 'string' && primary !== '' ? primary : typeof fallback === 'string' && fallback !== '' ? fallback : '?');
  throw messages.createError('error.InvalidUsageDate', [
    field,
    printable(text ?? String(value)),
    name(row.appDeveloperName, row.appIdentifier),
    name(row.username, row.userIdentifier),
  ]);
}

/**
 * Whole days from a last use (an instant, as usageInstant reads it) to `at`, rounded down: the age `--unused-days`
 * compares with (lastUsedMatcher: N or more is stale), the report's age buckets, and a table's "Idle Days".
 * Undefined for never used.
 */
export function daysSince(time: number | undefined, at: Date): number | undefined {
  if (time === undefined) return undefined;
  // A clock a little ahead of the org's must not make a token "-1 days" old.
  return Math.max(0, Math.floor((at.getTime() - time) / DAY_MS));
}

/**
 * A predicate over user or token rows; `now` is fixed once per command so every row is judged against the same instant.
 * A row whose lastUsedAt is neither null nor an ISO 8601 date-time stops the command (usageInstant).
 */
export function lastUsedMatcher(criteria: LastUsedCriteria, now: Date = new Date()): (row: UsageDateRow) => boolean {
  const staleBefore = criteria.unusedDays === undefined ? undefined : now.getTime() - criteria.unusedDays * DAY_MS;
  return (row): boolean => {
    const lastUsed = usageInstant(row, 'lastUsedAt');
    const known = lastUsed !== undefined;
    if (criteria.before && !(known && lastUsed < criteria.before.getTime())) return false;
    if (criteria.after && !(known && lastUsed >= criteria.after.getTime())) return false;
    // Stale means an age of N whole days or more (commands.md §10, the report's rule and tokens list's): a row last
    // used exactly N days ago is stale.
    if (staleBefore !== undefined && known && lastUsed > staleBefore) return false;
    return true;
  };
}

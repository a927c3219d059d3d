import { Messages } from '@salesforce/core';
import './pluginMessages.js';

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

/** A predicate over user or token rows; `now` is fixed once per command so every row is judged against the same instant. */
export function lastUsedMatcher(criteria: LastUsedCriteria, now: Date = new Date()): (row: { lastUsedAt?: string | null }) => boolean {
  const staleBefore = criteria.unusedDays === undefined ? undefined : now.getTime() - criteria.unusedDays * DAY_MS;
  return (row): boolean => {
    const raw = row.lastUsedAt;
    const lastUsed = typeof raw === 'string' && raw !== '' ? Date.parse(raw) : undefined;
    const known = lastUsed !== undefined && !Number.isNaN(lastUsed);
    if (criteria.before && !(known && lastUsed < criteria.before.getTime())) return false;
    if (criteria.after && !(known && lastUsed >= criteria.after.getTime())) return false;
    // Stale means an age of N whole days or more (commands.md §10, the report's rule and tokens list's): a row last
    // used exactly N days ago is stale.
    if (staleBefore !== undefined && known && lastUsed > staleBefore) return false;
    return true;
  };
}

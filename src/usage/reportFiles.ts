/*
 * Saved inventories as the source of `usage report`: the token rows of the files `tokens list` writes, checked, counted
 * by the org they came from, and the fleet's totals when they came from several.
 */
import { resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { as18 } from '../api/salesforceId.js';
import { usageInstant } from './lastUsed.js';
import { atFileRow, type FileRow, readTokenListFile } from './fileRows.js';
import { type ReportFigures, type ReportToken, type ReportTotals, share, UNKNOWN, type UsageReport } from './report.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'report');

/** The `--json` result of a report of several orgs: the fleet's totals, then each org's report as it would be alone. */
export type FleetReport = {
  generatedAt: string;
  /** Summed over the orgs: apps and users belong to one org each (their ids are the org's own), so none is counted twice. */
  totals: ReportTotals;
  orgs: UsageReport[];
};

/** One org of the saved inventories: its figures so far, what its rows say of its instance, and the files that hold it. */
export type OrgInventory = {
  orgId: string;
  /** The instance every row of the org names; "unknown" when a row names none, or rows name different ones. */
  instanceUrl: string;
  /** The files (as given) that hold rows of the org, in the order given. */
  files: string[];
  figures: ReportFigures;
};

/**
 * Reads saved inventories (`tokens list --json` or its `--output-file`, JSON or CSV) and counts their tokens by org,
 * the orgs in the order they first appear. A row's org is its `orgId` (in its 18-character form, so a 15-character one
 * typed by a person is the same org); a row without one belongs to the org the other rows of its file name, when they
 * name exactly one, else to "unknown". Files of the same org add up. The files are read one at a time and each token
 * is only counted, so what stays grows with the orgs, apps and users, not with the tokens. A file given twice is read
 * once. No file with a row gives one "unknown" org without tokens, as a report of an empty inventory.
 */
export async function readInventories(paths: readonly string[], newFigures: () => ReportFigures): Promise<OrgInventory[]> {
  const orgs = new Map<string, OrgInventory & { instance?: string | null }>();
  const seen = new Set<string>();
  for (const path of paths) {
    if (seen.has(resolve(path))) continue;
    seen.add(resolve(path));
    // One file after the other: only one file's rows are ever held.
    // eslint-disable-next-line no-await-in-loop
    const rows = await readTokenListFile(path);
    const fileOrg = onlyOrgOf(rows) ?? UNKNOWN;
    for (const entry of rows) {
      const orgId = orgIdOf(entry.row) ?? fileOrg;
      let org = orgs.get(orgId);
      if (!org) {
        org = { orgId, instanceUrl: UNKNOWN, files: [], figures: newFigures() };
        orgs.set(orgId, org);
      }
      org.figures.addToken(reportTokenFromRow(entry, path));
      if (org.files[org.files.length - 1] !== path) org.files.push(path);
      // undefined: no row yet; null: a row without an instance, or rows that disagree.
      const instance = text(entry.row, 'instanceUrl') ?? null;
      org.instance = org.instance === undefined || org.instance === instance ? instance : null;
    }
  }
  if (orgs.size === 0) return [{ orgId: UNKNOWN, instanceUrl: UNKNOWN, files: [...new Set(paths)], figures: newFigures() }];
  return [...orgs.values()].map(({ instance, ...org }) => ({ ...org, instanceUrl: instance ?? UNKNOWN }));
}

/** The fleet's totals over the reports of its orgs. */
export function fleetReport(orgs: UsageReport[], generatedAt: Date): FleetReport {
  const sum = (field: Exclude<keyof ReportTotals, 'staleShare'>): number => orgs.reduce((total, org) => total + org.totals[field], 0);
  const tokens = sum('tokens');
  const staleTokens = sum('staleTokens');
  return {
    generatedAt: generatedAt.toISOString(),
    totals: { apps: sum('apps'), users: sum('users'), tokens, neverUsedTokens: sum('neverUsedTokens'), staleTokens, staleShare: share(staleTokens, tokens) },
    orgs,
  };
}

export const isFleetReport = (report: UsageReport | FleetReport): report is FleetReport => 'orgs' in report;

/**
 * A token row of a saved `tokens list` output, checked: a file of user rows (from `users list`) or of anything else
 * would give plausible but wrong figures, so a row without the token fields is an error that names where it is
 * (`where`: the line of a CSV, the item of a JSON array, as --from-file numbers them), and so is a lastUsedAt that is no
 * date. An empty CSV cell is how a CSV says null.
 */
export function reportTokenFromRow({ where, row }: FileRow, path: string): ReportToken {
  const appIdentifier = text(row, 'appIdentifier');
  const userIdentifier = text(row, 'userIdentifier');
  if (text(row, 'tokenId') === undefined || appIdentifier === undefined || userIdentifier === undefined) {
    throw messages.createError('error.NotATokenRow', [path, where]);
  }
  const token = {
    appIdentifier,
    appDeveloperName: text(row, 'appDeveloperName') ?? appIdentifier,
    userIdentifier,
    username: text(row, 'username') ?? userIdentifier,
    lastUsedAt: row.lastUsedAt === '' || row.lastUsedAt === undefined ? null : (row.lastUsedAt as string | null),
  };
  try {
    usageInstant(token, 'lastUsedAt');
  } catch (error) {
    throw atFileRow(error, path, where);
  }
  return token;
}

const text = (row: Record<string, unknown>, field: string): string | undefined => {
  const value = row[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const orgIdOf = (row: Record<string, unknown>): string | undefined => {
  const value = text(row, 'orgId');
  return value === undefined ? undefined : as18(value);
};

/** The org the rows of a file name, when they name exactly one (rows that name none aside). */
function onlyOrgOf(rows: readonly FileRow[]): string | undefined {
  let only: string | undefined;
  for (const { row } of rows) {
    const orgId = orgIdOf(row);
    if (orgId === undefined || orgId === only) continue;
    if (only !== undefined) return undefined;
    only = orgId;
  }
  return only;
}

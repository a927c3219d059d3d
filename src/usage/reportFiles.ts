/*
 * Saved inventories as the source of `usage report`: the token rows of the files `tokens list` writes, checked, counted
 * by the org they came from, and the fleet's totals when they came from several.
 */
import { forEachSavedToken, instanceOf } from './savedTokens.js';
import { type ReportFigures, type ReportTotals, share, UNKNOWN, type UsageReport } from './report.js';

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
  await forEachSavedToken(paths, (orgId, token, path) => {
    let org = orgs.get(orgId);
    if (!org) {
      org = { orgId, instanceUrl: UNKNOWN, files: [], figures: newFigures() };
      orgs.set(orgId, org);
    }
    org.figures.addToken(token);
    if (org.files[org.files.length - 1] !== path) org.files.push(path);
    // undefined: no row yet; null: a row without an instance, or rows that disagree.
    const instance = instanceOf(token) ?? null;
    org.instance = org.instance === undefined || org.instance === instance ? instance : null;
  });
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

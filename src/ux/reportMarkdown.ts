/*
 * The Markdown rendering of a usage report, for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY renders GitHub
 * Flavored Markdown, HTML included). Every value from the org or a file goes through escapeMarkdown, so a description
 * can't break a table, start a code span, inject HTML, link somewhere or notify someone. Figures come from report.ts only.
 */
import { AGE_BUCKETS, BUCKET_LABELS, formatDate, formatShare, formatTimestamp, type ReportTotals, type UsageReport } from '../usage/report.js';
import type { FleetReport } from '../usage/reportFiles.js';
import { escapeMarkdown } from './markdownText.js';

export type MarkdownOptions = {
  /** Where the figures came from, e.g. "the org" or "the file tokens.json". */
  source: string;
};

const count = (value: number): string => value.toLocaleString('en-US');
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

export function renderReportMarkdown(report: UsageReport, options: MarkdownOptions): string {
  const lines = [
    '## OAuth usage of external client apps',
    '',
    `Org **${escapeMarkdown(report.orgId)}** at ${escapeMarkdown(report.instanceUrl)} · generated ${formatTimestamp(report.generatedAt)} · ` +
      `from ${escapeMarkdown(options.source)} · stale: never used, or not used for ${report.staleDays} days or more`,
    '',
    ...orgLines(report, '###'),
  ];
  return `${lines.join('\n')}\n`;
}

export type FleetMarkdownOptions = MarkdownOptions & {
  /** Where each org's figures came from, in the order of the fleet's orgs. */
  orgSources: readonly string[];
};

/** A report of several orgs: the fleet's totals and a line per org, then each org's part as its own report has it. */
export function renderFleetMarkdown(fleet: FleetReport, options: FleetMarkdownOptions): string {
  const { staleDays } = fleet.orgs[0];
  const lines = [
    '## OAuth usage of external client apps',
    '',
    `**${fleet.orgs.length} orgs** · generated ${formatTimestamp(fleet.generatedAt)} · from ${escapeMarkdown(options.source)} · ` +
      `stale: never used, or not used for ${staleDays} days or more`,
    '',
    ...totalsTable(fleet.totals),
    '',
    row(['Org', 'Instance', 'Apps', 'Users', 'Refresh tokens', 'Never used', 'Stale', 'Stale share']),
    row([':---', ':---', ...new Array<string>(6).fill('---:')]),
    ...fleet.orgs.map(({ orgId, instanceUrl, totals }) =>
      row([`**${escapeMarkdown(orgId)}**`, escapeMarkdown(instanceUrl), ...totalsCells(totals)])
    ),
    '',
  ];
  // Each org's lines end with an empty line, which parts it from the next.
  fleet.orgs.forEach((report, index) => {
    lines.push(
      `### Org ${escapeMarkdown(report.orgId)}`,
      '',
      `At ${escapeMarkdown(report.instanceUrl)} · from ${escapeMarkdown(options.orgSources[index] ?? options.source)}`,
      '',
      ...orgLines(report, '####')
    );
  });
  return `${lines.join('\n')}\n`;
}

const totalsCells = (totals: ReportTotals): string[] => [
  count(totals.apps),
  count(totals.users),
  count(totals.tokens),
  count(totals.neverUsedTokens),
  count(totals.staleTokens),
  formatShare(totals.staleShare),
];

const totalsTable = (totals: ReportTotals): string[] => [
  row(['Apps', 'Users', 'Refresh tokens', 'Never used', 'Stale', 'Stale share']),
  row(new Array<string>(6).fill('---:')),
  row(totalsCells(totals)),
];

/** One org's totals, apps and stale users, under headings of the given level. */
function orgLines(report: UsageReport, heading: '###' | '####'): string[] {
  const lines = [...totalsTable(report.totals), '', `${heading} Apps`, ''];
  if (report.apps.length === 0) lines.push('No external client app holds OAuth tokens.');
  else {
    lines.push(
      row(['App', 'Users', 'Tokens', 'Never used', 'Stale', 'Stale share', 'Oldest last use', ...AGE_BUCKETS.map((bucket) => BUCKET_LABELS[bucket])]),
      row([':---', ...new Array<string>(5).fill('---:'), ':---', ...AGE_BUCKETS.map(() => '---:')])
    );
    for (const app of report.apps) {
      const description = app.description ? `<br>${escapeMarkdown(app.description)}` : '';
      lines.push(
        row([
          `**${escapeMarkdown(app.developerName)}**${description}`,
          count(app.users),
          count(app.tokens),
          count(app.neverUsedTokens),
          count(app.staleTokens),
          formatShare(app.staleShare),
          app.oldestLastUsedAt ? formatDate(app.oldestLastUsedAt) : 'never',
          ...AGE_BUCKETS.map((bucket) => count(app.ageBuckets[bucket])),
        ])
      );
    }
    lines.push('', 'Age columns: refresh tokens by whole days since last use.');
  }
  lines.push('', `${heading} Stale users with the most tokens`, '');
  if (report.topStaleUsers.length === 0) lines.push('No user holds a stale token.');
  else {
    lines.push(row(['User', 'User ID', 'Stale tokens', 'Apps']), row([':---', ':---', '---:', ':---']));
    for (const user of report.topStaleUsers) {
      lines.push(row([escapeMarkdown(user.username), escapeMarkdown(user.userIdentifier), count(user.staleTokens), user.apps.map(escapeMarkdown).join(', ')]));
    }
  }
  lines.push('');
  return lines;
}

/*
 * What `usage check` shows (commands.md §15): a summary per rule and the violations for a person, one CSV row per
 * violation, and Markdown for a CI job summary. Figures come from the checker only; this formats them.
 */
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { csvHeader, csvLines } from '../common/csv.js';
import { countOf } from '../common/plural.js';
import { violationOf, type CheckTotals, type OrgCheck, type Violation, type ViolationRecord } from '../usage/check.js';
import { RULES, type RuleName } from '../usage/policy.js';
import { escapeMarkdown } from './markdownText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'check');

/** The CSV header of `-r csv`: one row per violation, with rows or without. */
export const VIOLATION_CSV_COLUMNS = [
  'orgId',
  'rule',
  'appDeveloperName',
  'appIdentifier',
  'username',
  'userIdentifier',
  'tokenId',
  'lastUsedAt',
  'initialConnectionAt',
  'detail',
] as const;

/** How many violations the table for people and the Markdown list; CSV and JSON have them all. */
export const SHOWN_VIOLATIONS = 50;

/** What a check's output needs to know: the result's figures and violations, and the rules the policy sets. */
export type CheckView = {
  policyFile: string;
  checkedAt: string;
  orgs: OrgCheck[];
  totals: CheckTotals;
  /** As the checker keeps them: each is made into a Violation (its sentence and all) only when it is written. */
  violations: readonly ViolationRecord[];
  rules: readonly RuleName[];
};

/** How many violations are made into rows at a time when all of them are written (CSV, the human text of a file). */
const ROWS_AT_A_TIME = 500;

/** One row per org and rule in force: what the summary table shows. */
export function summaryRows(view: CheckView): Array<{ orgId: string; rule: RuleName; meaning: string; violations: number }> {
  return view.orgs.flatMap((org) =>
    RULES.filter((rule) => view.rules.includes(rule)).map((rule) => ({
      orgId: org.orgId,
      rule,
      meaning: messages.getMessage(`rule.${rule}`),
      violations: violationsOf(view, org.orgId, rule),
    }))
  );
}

/** The first violations, as the table for people and the Markdown show them. */
export const shownViolations = (view: CheckView): Violation[] => view.violations.slice(0, SHOWN_VIOLATIONS).map(violationOf);

/**
 * `-r csv`: one row per violation, in pieces of a few hundred rows, so that the whole text never exists at once (an
 * output file takes it piece by piece; writeTextPieces).
 */
export function* checkCsvPieces(view: CheckView): Generator<string> {
  yield csvHeader(VIOLATION_CSV_COLUMNS);
  for (let start = 0; start < view.violations.length; start += ROWS_AT_A_TIME) {
    yield csvLines(view.violations.slice(start, start + ROWS_AT_A_TIME).map(violationOf), VIOLATION_CSV_COLUMNS);
  }
}

/** The human output as text, for --output-file: the same lines as on the terminal, without a table's chrome, in pieces. */
export function* checkHumanPieces(view: CheckView): Generator<string> {
  yield `${checkedLine(view)}\n\n`;
  for (const row of summaryRows(view)) yield `${view.orgs.length > 1 ? `${row.orgId} ` : ''}${row.rule}: ${row.violations}\n`;
  yield '\n';
  for (let start = 0; start < view.violations.length; start += ROWS_AT_A_TIME) {
    const rows = view.violations.slice(start, start + ROWS_AT_A_TIME).map(violationOf);
    yield rows.map((v) => `${v.rule}\t${v.appDeveloperName}\t${v.username ?? ''}\t${v.tokenId ?? ''}\t${v.detail}\n`).join('');
  }
  yield `\n${verdictLine(view)}\n`;
}

/** How many violations of a rule an org has. */
function violationsOf(view: CheckView, orgId: string, rule: RuleName): number {
  let count = 0;
  for (const found of view.violations) if (found.orgId === orgId && found.rule === rule) count++;
  return count;
}

/** The line that says what was checked. */
export function checkedLine(view: CheckView): string {
  const { totals } = view;
  const what = [countOf(totals.apps, 'app'), countOf(totals.users, 'user'), countOf(totals.tokens, 'refreshToken')];
  return messages.getMessage(view.orgs.length > 1 ? 'info.checkedOrgs' : 'info.checked', [...what, view.policyFile, view.orgs.length]);
}

/** The verdict: compliant, or how many violations. */
export function verdictLine(view: CheckView): string {
  return view.totals.violations === 0
    ? messages.getMessage('info.compliant', [view.policyFile])
    : messages.getMessage('info.violations', [countOf(view.totals.violations, 'violation'), view.policyFile]);
}

/** The line under a table that shows only the first violations. */
export const moreViolationsLine = (count: number): string => messages.getMessage('info.moreViolations', [countOf(count, 'violation')]);

/** For a CI job summary (GitHub Flavored Markdown): the verdict, the counts per org and rule, then the first violations. */
export function renderCheckMarkdown(view: CheckView): string {
  const rules = RULES.filter((rule) => view.rules.includes(rule));
  const row = (cells: ReadonlyArray<string | number>): string => `| ${cells.join(' | ')} |`;
  const shown = shownViolations(view);
  const lines = [
    `## ${messages.getMessage(view.totals.violations === 0 ? 'markdown.titleCompliant' : 'markdown.titleViolations')}`,
    '',
    escapeMarkdown(checkedLine(view)),
    '',
    row(['Org', 'Apps', 'Users', 'Tokens', ...rules]),
    row(['---', ...Array<string>(3 + rules.length).fill('---:')]),
    ...view.orgs.map((org) =>
      row([
        escapeMarkdown(org.orgId),
        org.apps,
        org.users,
        org.tokens,
        ...rules.map((rule) => violationsOf(view, org.orgId, rule)),
      ])
    ),
    '',
  ];
  if (shown.length > 0) {
    lines.push(
      `### ${messages.getMessage('markdown.violations')}`,
      '',
      row(['Rule', 'App', 'User', 'Token ID', 'Detail']),
      row(['---', '---', '---', '---', '---']),
      ...shown.map((v) =>
        row([v.rule, escapeMarkdown(v.appDeveloperName), escapeMarkdown(v.username ?? v.userIdentifier ?? ''), escapeMarkdown(v.tokenId ?? ''), escapeMarkdown(v.detail)])
      ),
      ''
    );
    if (view.violations.length > shown.length) lines.push(escapeMarkdown(moreViolationsLine(view.violations.length - shown.length)), '');
  }
  lines.push(escapeMarkdown(verdictLine(view)), '');
  return lines.join('\n');
}

/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { expect } from 'chai';
import { readCsv, toCsv } from '../../src/common/csv.js';
import type { TokenUsage } from '../../src/api/types.js';
import { PolicyCheck, violationOf } from '../../src/usage/check.js';
import { rulesInForce, type PolicyRules } from '../../src/usage/policy.js';
import { checkCsvPieces, checkHumanPieces, renderCheckMarkdown, SHOWN_VIOLATIONS, summaryRows, VIOLATION_CSV_COLUMNS, type CheckView } from '../../src/ux/checkOutput.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;
const ORG = '00D000000000001AAA';
const SECOND = '00D000000000002AAA';
const APP = { identifier: '0xI000000000001AAA', developerName: 'Billing_Connector' };

/** `users` users of APP in each org, each with two tokens: one never used (stale), one used a day ago. */
function view(rules: PolicyRules, users: number, orgs = [ORG]): CheckView {
  const checker = new PolicyCheck(rules, NOW);
  for (const orgId of orgs) {
    for (let u = 0; u < users; u++) {
      const user = { userIdentifier: `005${String(u).padStart(15, '0')}`, username: `user${u}, "the ${u}th"@acme.example.com` };
      const tokens: TokenUsage[] = [null, new Date(NOW.getTime() - DAY).toISOString()].map((lastUsedAt, t) => ({
        tokenId: `${orgId.slice(-4)}-${u}-${t}`,
        orgId,
        appIdentifier: APP.identifier,
        appDeveloperName: APP.developerName,
        ...user,
        lastUsedAt,
        initialConnectionAt: new Date(NOW.getTime() - 400 * DAY).toISOString(),
      }));
      checker.addUserTokens(orgId, APP, user, tokens);
    }
  }
  const { orgs: checked, totals, violations } = checker.finish();
  return { policyFile: 'policy.yml', checkedAt: NOW.toISOString(), orgs: checked, totals, violations, rules: rulesInForce(rules) };
}

describe('usage check output', () => {
  it('writes in pieces exactly the CSV of every violation, in order, however many there are', () => {
    // Several pieces' worth of rows (a piece holds a few hundred), and two rules, two orgs: nothing lost or doubled at a seam.
    const checked = view({ staleDays: 30, maxTokenAgeDays: 365 }, 700, [SECOND, ORG]);
    const pieces = [...checkCsvPieces(checked)];
    expect(pieces.length).to.be.greaterThan(4);
    const text = pieces.join('');
    expect(text).to.equal(toCsv(checked.violations.map(violationOf), VIOLATION_CSV_COLUMNS));
    const rows = readCsv(text).map((row) => row.fields);
    expect(rows).to.have.length(2 * (700 + 1400));
    expect(rows.map((row) => `${row.orgId.slice(-4)} ${row.rule}`).filter((key, i, all) => key !== all[i - 1])).to.deep.equal([
      '2AAA stale',
      '2AAA tokenAge',
      '1AAA stale',
      '1AAA tokenAge',
    ]);
    expect(new Set(rows.map((row) => `${row.rule} ${row.tokenId}`)).size).to.equal(rows.length);
  });

  it('writes the header alone when the org is compliant', () => {
    expect([...checkCsvPieces(view({ staleDays: 30 }, 0))].join('')).to.equal(toCsv([], VIOLATION_CSV_COLUMNS));
  });

  it('writes the human text of a file in pieces: what was checked, the counts per rule, every violation, the verdict', () => {
    const checked = view({ staleDays: 30 }, 600);
    const lines = [...checkHumanPieces(checked)].join('').split('\n');
    expect(lines.slice(0, 4)).to.deep.equal([lines[0], '', 'stale: 600', '']);
    expect(lines[0]).to.include('policy.yml');
    const violationLines = lines.slice(4, -3);
    expect(violationLines).to.have.length(600);
    expect(violationLines[599]).to.equal(
      `stale\tBilling_Connector\tuser599, "the 599th"@acme.example.com\t${ORG.slice(-4)}-599-0\t${violationOf(checked.violations[599]).detail}`
    );
    expect(lines.slice(-3)).to.deep.equal(['', lines.at(-2), '']);
    expect(lines.at(-2)).to.match(/600 violations/);
  });

  it('counts per org and rule, and shows only the first violations in Markdown', () => {
    const checked = view({ staleDays: 30, maxTokenAgeDays: 365 }, 40, [SECOND, ORG]);
    expect(summaryRows(checked).map((row) => [row.orgId, row.rule, row.violations])).to.deep.equal([
      [SECOND, 'stale', 40],
      [SECOND, 'tokenAge', 80],
      [ORG, 'stale', 40],
      [ORG, 'tokenAge', 80],
    ]);
    const markdown = renderCheckMarkdown(checked);
    expect(markdown).to.include(`| ${SECOND} | 1 | 40 | 80 | 40 | 80 |`);
    expect(markdown.split('\n').filter((line) => line.startsWith('| stale |') || line.startsWith('| tokenAge |'))).to.have.length(SHOWN_VIOLATIONS);
    expect(markdown).to.include(`and ${240 - SHOWN_VIOLATIONS} violations more`);
  });
});

/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { TokenUsage } from '../../src/api/types.js';
import { PolicyCheck } from '../../src/usage/check.js';
import { rulesInForce, type PolicyRules } from '../../src/usage/policy.js';
import { FAILURE_LINES, renderJunit, xml } from '../../src/ux/junit.js';

export const JUNIT_XSD = fileURLToPath(new URL('../fixtures/junit.xsd', import.meta.url));

/** Runs xmllint: the JUnit file must be valid against the schema CI systems document. */
export function xmllint(file: string, ...args: string[]): string {
  // xmllint ends what it prints with a line break of its own.
  return execFileSync('xmllint', [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
}

const NOW = new Date('2026-12-01T12:00:00.000Z');
const ORG = '00D000000000001AAA';
const NASTY = 'R&D <ops> "q" \'x\' \u0007bell';

function findings(rules: PolicyRules, tokensPerUser: number, orgs = [ORG]): ReturnType<PolicyCheck['finish']> {
  const checker = new PolicyCheck(rules, NOW);
  for (const orgId of orgs) {
    const app = { identifier: '0xI000000000001AAA', developerName: 'A&B_App' };
    checker.addApp(orgId, { identifier: '0xI000000000002AAA', developerName: 'Clean_App' });
    const tokens: TokenUsage[] = Array.from({ length: tokensPerUser }, (_, i) => ({
      tokenId: `t${i}`,
      orgId,
      appIdentifier: app.identifier,
      appDeveloperName: app.developerName,
      userIdentifier: '005000000000001AAA',
      username: NASTY,
      lastUsedAt: null,
      initialConnectionAt: null,
    }));
    checker.addUserTokens(orgId, app, { userIdentifier: '005000000000001AAA', username: NASTY }, tokens);
  }
  return checker.finish();
}

const OPTIONS = {
  policyFile: 'policy & co.yml',
  failureMessage: (rule: string, count: number): string => `${count} violations of ${rule} <&>`,
  moreLine: (count: number): string => `and ${count} more`,
  switchedOff: 'off',
};

describe('JUnit report of usage check', () => {
  let dir: string;
  before(() => {
    if (spawnSync('xmllint', ['--version']).error) throw new Error("xmllint is missing: install Debian's libxml2-utils (the test setup does)");
    dir = mkdtempSync(join(tmpdir(), 'junit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string): string => {
    const file = join(dir, `r${Math.random()}.xml`);
    writeFileSync(file, text);
    return file;
  };

  it('is valid against the JUnit schema, with escaped names and messages that read back as written', () => {
    const rules: PolicyRules = { staleDays: 90, allowedApps: ['Clean_App'], apps: { Clean_App: { staleDays: null } } };
    const found = findings(rules, 2);
    const file = write(renderJunit(found, rulesInForce(rules), OPTIONS));
    xmllint(file, '--noout', '--schema', JUNIT_XSD);
    expect(xmllint(file, '--xpath', 'string(//testsuite[@name="stale"]/testcase[@name="A&B_App"]/failure/@message)')).to.equal('2 violations of stale <&>');
    const text = xmllint(file, '--xpath', 'string(//testsuite[@name="stale"]/testcase[@name="A&B_App"]/failure)');
    // The bell (not allowed in XML 1.0) is replaced; everything else reads back as it was.
    expect(text.split('\n')[0]).to.equal(`${NASTY.replace('\u0007', '\uFFFD')} t0: Never used; the policy counts a token as stale when it was never used, or not used for 90 days.`);
    expect(xmllint(file, '--xpath', 'string(//testsuite[@name="stale"]/properties/property[@name="policy"]/@value)')).to.equal('policy & co.yml');
    // Clean_App: stale is switched off for it (skipped); it is allowed (passes unapprovedApp).
    expect(xmllint(file, '--xpath', 'count(//testsuite[@name="stale"]/testcase[@name="Clean_App"]/skipped)')).to.equal('1');
    expect(xmllint(file, '--xpath', 'count(//testsuite[@name="unapprovedApp"]/testcase[@name="Clean_App"]/*)')).to.equal('0');
    expect(xmllint(file, '--xpath', 'concat(/testsuites/@tests, " ", /testsuites/@failures, " ", /testsuites/@skipped)')).to.equal('4 2 1');
  });

  it('has one suite per org and rule when several orgs were checked, and lists at most FAILURE_LINES violations per failure', () => {
    const rules: PolicyRules = { staleDays: 1 };
    const file = write(renderJunit(findings(rules, FAILURE_LINES + 3, [ORG, '00D000000000002AAA']), rulesInForce(rules), OPTIONS));
    xmllint(file, '--noout', '--schema', JUNIT_XSD);
    expect(xmllint(file, '--xpath', 'count(//testsuite)')).to.equal('2');
    expect(xmllint(file, '--xpath', 'string(//testsuite[2]/@name)')).to.equal('00D000000000002AAA: stale');
    const text = xmllint(file, '--xpath', 'string(//testsuite[1]/testcase[@name="A&B_App"]/failure)');
    expect(text.split('\n')).to.have.length(FAILURE_LINES + 1);
    expect(text.split('\n').at(-1)).to.equal('and 3 more');
  });

  it('escapes the five XML characters and drops what XML 1.0 cannot hold', () => {
    expect(xml('a&b<c>d"e\'f')).to.equal('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(xml('x\u0000y\u001bz\uFFFE')).to.equal('x\uFFFDy\uFFFDz\uFFFD');
    expect(xml('tab\tnew\nline')).to.equal('tab\tnew\nline');
  });
});

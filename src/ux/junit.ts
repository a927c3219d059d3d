/*
 * The JUnit XML of `usage check --junit`: what CI systems show as test results (GitHub test reporters, GitLab's
 * "junit" report, Jenkins, Azure DevOps' PublishTestResults all read this shape). One test suite per rule (per org and
 * rule when several orgs were checked), one test case per app: a failure lists that app's violations of that rule; an
 * app without any passes; an app whose rule the policy switches off is skipped. Written here, not by a library: the
 * shape is small, and every value goes through one escaper.
 */
import { detailOf, type CheckFindings, type ViolationRecord } from '../usage/check.js';
import { RULES, type RuleName } from '../usage/policy.js';

/** How many violations a failure's text lists; the message still counts them all. */
export const FAILURE_LINES = 200;

export type JunitOptions = {
  /** The policy file, named in each suite's properties. */
  policyFile: string;
  /** The failure message of `count` violations of a rule ("3 stale tokens"). */
  failureMessage: (rule: RuleName, count: number) => string;
  /** The line for the violations a failure's text leaves out. */
  moreLine: (count: number) => string;
  /** Why a test case is skipped: the policy switches the rule off for this app. */
  switchedOff: string;
};

type Case = { name: string; violations: ViolationRecord[]; skipped: boolean };

export function renderJunit(findings: Pick<CheckFindings, 'appsByOrg' | 'violations'>, rulesInForce: readonly RuleName[], options: JunitOptions): string {
  const manyOrgs = findings.appsByOrg.length > 1;
  const byKey = new Map<string, ViolationRecord[]>();
  for (const violation of findings.violations) {
    const key = `${violation.orgId}\u0000${violation.rule}\u0000${violation.app.identifier}`;
    const list = byKey.get(key) ?? [];
    list.push(violation);
    byKey.set(key, list);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const { orgId, apps } of findings.appsByOrg) {
    for (const rule of RULES.filter((name) => rulesInForce.includes(name))) {
      const cases: Case[] = apps.map((app) => ({
        name: app.developerName,
        violations: byKey.get(`${orgId}\u0000${rule}\u0000${app.identifier}`) ?? [],
        skipped: !app.rules.includes(rule),
      }));
      const suiteFailures = cases.filter((c) => c.violations.length > 0).length;
      const suiteSkipped = cases.filter((c) => c.skipped && c.violations.length === 0).length;
      tests += cases.length;
      failures += suiteFailures;
      skipped += suiteSkipped;
      const name = manyOrgs ? `${orgId}: ${rule}` : rule;
      suites.push(
        [
          `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}" time="0">`,
          '    <properties>',
          `      <property name="orgId" value="${xml(orgId)}"/>`,
          `      <property name="policy" value="${xml(options.policyFile)}"/>`,
          '    </properties>',
          ...cases.map((c) => testCase(c, `${orgId}.${rule}`, rule, options)),
          '  </testsuite>',
        ].join('\n')
      );
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="OAuth usage policy" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(c: Case, classname: string, rule: RuleName, options: JunitOptions): string {
  const open = `    <testcase name="${xml(c.name)}" classname="${xml(classname)}" time="0"`;
  if (c.violations.length > 0) {
    const lines = c.violations.slice(0, FAILURE_LINES).map(describe);
    if (c.violations.length > FAILURE_LINES) lines.push(options.moreLine(c.violations.length - FAILURE_LINES));
    const message = options.failureMessage(rule, c.violations.length);
    return `${open}>\n      <failure message="${xml(message)}" type="${rule}">${xml(lines.join('\n'))}</failure>\n    </testcase>`;
  }
  if (c.skipped) return `${open}>\n      <skipped message="${xml(options.switchedOff)}"/>\n    </testcase>`;
  return `${open}/>`;
}

/** One violation as a line of a failure's text: who and which token, then what is wrong. */
function describe(violation: ViolationRecord): string {
  const who = [violation.username ?? violation.userIdentifier, violation.tokenId].filter((part) => part !== undefined).join(' ');
  const detail = detailOf(violation);
  return who === '' ? detail : `${who}: ${detail}`;
}

/**
 * Text as XML character data or an attribute value: the five special characters as entities, and the characters XML
 * 1.0 can't hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) as U+FFFD, so a username or a detail
 * from the org can never end the document early or make it unreadable.
 */
export function xml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

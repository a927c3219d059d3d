/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { to18CharId, type EmulatedToken, type EmulatorState } from '../../emulator/model.js';
import { Emulator } from '../../emulator/server.js';
import type { UsageCheckResult } from '../../src/commands/external-client-app/usage/check.js';
import type { TokenUsage } from '../../src/api/types.js';
import { runPlugin, signalWhen, usageRequests, useEmulator } from './runPlugin.js';

/*
 * `usage check` (commands.md §15) against the emulator: each rule on both sides of its boundary, per-app overrides
 * and null, policy-file errors with their lines, saved inventories of one and two orgs, JUnit through xmllint, and
 * --fix (dry run, for real, a partial failure, Ctrl-C) with the org's state afterwards.
 */

const CHECK = ['external-client-app', 'usage', 'check'];
const TOKENS_LIST = ['external-client-app', 'usage', 'tokens', 'list'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** An instant `days` whole days and `hours` hours before the test run: a boundary an hour either side of N days. */
const ago = (days: number, hours = 0): string => new Date(Date.now() - days * DAY - hours * HOUR).toISOString();

const ORG_ID = '00D000000000001AAA';
const SECOND_ORG_ID = '00D000000000002AAA';
const APPS = [
  { identifier: '0xIHs000000Bil1', developerName: 'Billing_Connector' },
  { identifier: '0xIHs000000Mob1', developerName: 'Mobile_Field_App' },
  { identifier: '0xIHs000000Par1', developerName: 'Partner_Gateway' },
].map((app) => ({ ...app, description: '', accessTokenFormat: 'Opaque' as const, isFromPackage: false, availableActions: 'disable, enable' }));
const USERS = ['005Hs0000Ada001', '005Hs0000Ben002', '005Hs0000Cat003', '005Hs0000Dan004'].map((id, n) => ({
  userIdentifier: to18CharId(id),
  username: ['ada', 'ben & co', 'cat', 'dan'][n] + '@acme.example.com',
}));

const token = (tokenId: string, app: number, user: number, lastUsedAt: string | null, initialConnectionAt = ago(100)): EmulatedToken => ({
  tokenId,
  appIdentifier: APPS[app].identifier,
  userIdentifier: USERS[user].userIdentifier,
  lastUsedAt,
  initialConnectionAt,
  useCount: lastUsedAt === null ? 0 : 3,
});

/** What each token is for: the rule and the side of its boundary. */
const TOKENS = {
  staleExactly90: token('stale-90d', 0, 0, ago(90, 1)),
  fresh89: token('fresh-89d', 0, 0, ago(89, 23)),
  ageExactly365: token('age-365d', 0, 0, ago(1), ago(365, 1)),
  age364: token('age-364d', 0, 1, ago(2), ago(364, 23)),
  benNewest: token('ben-1d', 0, 1, ago(1, 0)),
  benOlder: token('ben-3d', 0, 1, ago(3)),
  benOldest: token('ben-5d', 0, 1, ago(5)),
  mobileStale30: token('mobile-30d', 1, 2, ago(30, 1)),
  mobileFresh29: token('mobile-29d', 1, 2, ago(29, 23)),
  partnerNever: token('partner-never', 2, 3, null),
};

/** The policy of the contract example, with per-app overrides and null: test/shared/policy.test.ts reads it too. */
const POLICY = readFileSync(new URL('../fixtures/policy.yml', import.meta.url), 'utf8');

function state(orgId = ORG_ID): EmulatorState {
  return {
    org: { orgId, adminUserId: to18CharId('005Hs0000Adm001'), adminUsername: 'admin@acme.example.com' },
    apps: APPS,
    users: USERS,
    tokens: Object.values(TOKENS),
  };
}

/** The violations as `rule subject`, in the check's order (by rule, then as read). */
const summary = (result: UsageCheckResult): string[] =>
  result.violations.map((v) => `${v.rule} ${v.tokenId ?? (v.rule === 'unapprovedApp' ? v.appDeveloperName : v.username)}`);

const EXPECTED = ['stale stale-90d', 'stale mobile-30d', 'tokenAge age-365d', 'tokensPerUser ben & co@acme.example.com', 'unapprovedApp Partner_Gateway'];

/** What the org holds once --fix is done: every token the policy allows, and nothing else. */
const LEFT_AFTER_FIX = ['age-364d', 'ben-1d', 'ben-3d', 'fresh-89d', 'mobile-29d'];

const xmllint = (...args: string[]): string => execFileSync('xmllint', args, { encoding: 'utf8' }).replace(/\n$/, '');

describe('usage check: a policy gate (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(state());
  const policyFile = (text = POLICY): string => {
    const file = scratch(`policy-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    return file;
  };
  const tokenIds = (): string[] => emulator.state().tokens.map((t) => t.tokenId).sort();

  it('finds each rule on both sides of its boundary, with overrides and null, and exits 3 @smoke', async () => {
    const result = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--json']);
    expect(result.code, result.stderr).to.equal(3);
    expect(result.json!.status).to.equal(3);
    const check = result.json!.result;
    expect(summary(check)).to.deep.equal(EXPECTED);
    expect(check.compliant).to.equal(false);
    expect(check.orgs).to.deep.equal([{ orgId: ORG_ID, apps: 3, users: 4, tokens: 10, violations: 5 }]);
    expect(check.totals).to.deep.equal({ apps: 3, users: 4, tokens: 10, violations: 5, byRule: { stale: 2, tokenAge: 1, tokensPerUser: 1, unapprovedApp: 1 } });
    expect(check.policy.rules.apps).to.deep.equal({ Mobile_Field_App: { staleDays: 30 }, Partner_Gateway: { staleDays: null } });
    expect(check.violations[0]).to.include({ orgId: ORG_ID, appDeveloperName: 'Billing_Connector', userIdentifier: USERS[0].userIdentifier });
    expect(check.violations[0].detail).to.match(/^Last used 90 days ago, on \d{4}-\d\d-\d\d; the policy counts a token as stale after 90 days\.$/);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('passes a compliant org with exit 0, and says so', async () => {
    const result = await runPlugin(emulator, [...CHECK, '--policy', policyFile('maxTokensPerUser: 4\nmaxTokenAgeDays: 366\n')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('Checked 3 apps, 4 users and 10 refresh tokens against');
    expect(result.stdout.trim().split('\n').at(-1)).to.match(/^Compliant: no violation of .*\.yml\.$/);
  });

  it('shows a summary per rule and the violations to a person, one CSV row per violation, and Markdown', async () => {
    const file = policyFile();
    const human = await runPlugin(emulator, [...CHECK, '--policy', file]);
    expect(human.code, human.stderr).to.equal(3);
    // Bordered (sf-plugins-core 13) or padded with spaces (12, the Node 20 line): the row of the rule says 1.
    expect(human.stdout).to.match(/tokensPerUser[\s│]+more tokens of one app per user than the policy allows[\s│]+1\s/);
    expect(human.stdout).to.include('ben & co@acme.example.com').and.include('Holds 4 tokens of the app; the policy allows 3 per user.');
    expect(human.stdout.trim().split('\n').at(-1)).to.equal(`Not compliant: 5 violations of ${file}.`);

    const csv = await runPlugin(emulator, [...CHECK, '--policy', file, '-r', 'csv']);
    expect(csv.code, csv.stderr).to.equal(3);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).to.equal('orgId,rule,appDeveloperName,appIdentifier,username,userIdentifier,tokenId,lastUsedAt,initialConnectionAt,detail');
    expect(lines.slice(1).map((line) => line.split(',')[1])).to.deep.equal(['stale', 'stale', 'tokenAge', 'tokensPerUser', 'unapprovedApp']);

    const output = scratch('summary.md');
    const markdown = await runPlugin(emulator, [...CHECK, '--policy', file, '-r', 'markdown', '--output-file', output]);
    expect(markdown.code, markdown.stderr).to.equal(3);
    expect(markdown.stdout).to.include(`Wrote the check to ${output}.`);
    const text = readFileSync(output, 'utf8');
    expect(text).to.match(/^## OAuth usage policy check: violations found\n/);
    expect(text).to.include(`| ${ORG_ID} | 3 | 4 | 10 | 2 | 1 | 1 | 1 |`);
    // GitHub would ping or link these: the Markdown breaks them.
    expect(text).to.include('ben &#38; co@&#8203;acme.example.com');
  });

  it('writes a JUnit report that xmllint validates: a suite per rule, a case per app, failures, passes and skips', async () => {
    const junit = scratch('policy.xml');
    const result = await runPlugin(emulator, [...CHECK, '--policy', policyFile(), '--junit', junit, '--json']);
    expect(result.code, result.stderr).to.equal(3);
    xmllint('--noout', '--schema', new URL('../fixtures/junit.xsd', import.meta.url).pathname, junit);
    const suites = xmllint('--xpath', 'concat(/testsuites/@tests, " ", /testsuites/@failures, " ", /testsuites/@skipped)', junit);
    expect(suites).to.equal('12 5 1');
    const outcome = (suite: string, app: string): string =>
      xmllint('--xpath', `concat(count(//testsuite[@name="${suite}"]/testcase[@name="${app}"]/failure), count(//testsuite[@name="${suite}"]/testcase[@name="${app}"]/skipped))`, junit);
    expect(['Billing_Connector', 'Mobile_Field_App', 'Partner_Gateway'].map((app) => outcome('stale', app))).to.deep.equal(['10', '10', '01']);
    expect(['Billing_Connector', 'Mobile_Field_App', 'Partner_Gateway'].map((app) => outcome('unapprovedApp', app))).to.deep.equal(['00', '00', '10']);
    // A username with "&" reads back as it was.
    expect(xmllint('--xpath', 'string(//testsuite[@name="tokensPerUser"]/testcase[@name="Billing_Connector"]/failure)', junit)).to.equal(
      'ben & co@acme.example.com: Holds 4 tokens of the app; the policy allows 3 per user.'
    );
  });

  it('refuses a policy file with a typo, naming the key and its line, before any request (exit 1)', async () => {
    const cases: Array<[string, RegExp]> = [
      ['staleDays: 90\nstaleDay: 30\n', /line 2: staleDay is not a key of a policy: did you mean staleDays\?/],
      ['maxTokensPerUser: -1\n', /line 1: maxTokensPerUser must be a whole number of 1 or more, not -1/],
      ['staleDays: 90\napps:\n  Mobile_Field_App: { staleDays: "30" }\n', /line 3: apps\.Mobile_Field_App\.staleDays must be a whole number of 1 or more, or null/],
      ['staleDays: 90\nstaleDays: 30\n', /line 2, is not valid YAML or JSON/],
      ['{ "staleDays": 90, "allowedApps": "Billing_Connector" }\n', /line 1: allowedApps must be a list of app developer names/],
      ['apps: {}\n', /sets no rule/],
    ];
    for (const [text, message] of cases) {
      // eslint-disable-next-line no-await-in-loop -- one CLI at a time on shared cores
      const result = await runPlugin(emulator, [...CHECK, '--policy', policyFile(text), '--json']);
      expect(result.code, text).to.equal(1);
      expect(result.json!.message, text).to.match(message);
    }
    // sf's own look at the org (the target org's Organization record) is all that was sent.
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses flags that do not go together (exit 2)', async () => {
    const file = policyFile();
    // (A value out of a flag's options is oclif's own check, which sf 2.150.6 ends with exit 1, not 2.)
    for (const args of [['--fix', '--from-file', file], ['--dry-run'], ['--no-prompt'], ['--audit-log', file]]) {
      // eslint-disable-next-line no-await-in-loop -- one CLI at a time on shared cores
      const result = await runPlugin(emulator, [...CHECK, '--policy', file, ...args]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(2);
    }
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('checks a saved inventory as it checks the org, and two orgs grouped by org, without contacting any', async () => {
    const first = scratch('first.json');
    const second = scratch('second.json');
    expect((await runPlugin(emulator, [...TOKENS_LIST, '--output-file', first])).code).to.equal(0);
    // A second org is a second emulator: sf takes the org id from the access token it serves.
    const other = await Emulator.start({ state: state(SECOND_ORG_ID) });
    try {
      expect((await runPlugin(other, [...TOKENS_LIST, '--output-file', second])).code).to.equal(0);
    } finally {
      await other.stop();
    }
    const saved = JSON.parse(readFileSync(second, 'utf8')) as TokenUsage[];
    expect(saved[0].orgId).to.equal(SECOND_ORG_ID);
    emulator.clearLog();

    const one = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--from-file', first, '--json']);
    expect(one.code, one.stderr).to.equal(3);
    expect(summary(one.json!.result)).to.deep.equal(EXPECTED);
    expect(one.json!.result.orgs).to.deep.equal([{ orgId: ORG_ID, apps: 3, users: 4, tokens: 10, violations: 5 }]);

    const junit = scratch('fleet.xml');
    const two = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--from-file', first, '--from-file', second, '--junit', junit, '--json']);
    expect(two.code, two.stderr).to.equal(3);
    expect(two.json!.result.orgs.map((org) => [org.orgId, org.violations])).to.deep.equal([
      [ORG_ID, 5],
      [SECOND_ORG_ID, 5],
    ]);
    expect(two.json!.result.totals).to.include({ apps: 6, tokens: 20, violations: 10 });
    xmllint('--noout', '--schema', new URL('../fixtures/junit.xsd', import.meta.url).pathname, junit);
    expect(xmllint('--xpath', 'string(//testsuite[5]/@name)', junit)).to.equal(`${SECOND_ORG_ID}: stale`);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('--fix --dry-run shows what would go, sends no DELETE, and exits 3', async () => {
    const result = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--fix', '--dry-run', '--json']);
    expect(result.code, result.stderr).to.equal(3);
    const fix = result.json!.result.fix!;
    expect(fix.dryRun).to.equal(true);
    expect(fix.successes.map((t) => (t.scope === 'app' ? `app ${t.appDeveloperName}` : t.tokenId)).sort()).to.deep.equal(
      ['age-365d', 'app Partner_Gateway', 'ben-5d', 'mobile-30d', 'stale-90d'].sort()
    );
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(tokenIds()).to.have.length(10);
  });

  it('--fix revokes what the violations select, logs it, and leaves the org as the policy says (exit 0, then compliant) @smoke', async () => {
    const audit = scratch('audit.jsonl');
    const file = policyFile();
    const result = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', file, '--fix', '--no-prompt', '--audit-log', audit, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.compliant).to.equal(false);
    expect(result.json!.result.fix!.failures).to.deep.equal([]);
    expect(usageRequests(emulator, 'DELETE')).to.have.length(5);
    expect(tokenIds()).to.deep.equal(LEFT_AFTER_FIX);
    const records = readFileSync(audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event: string; selection?: unknown; status?: string });
    expect(records[0]).to.deep.include({ event: 'run-start', selection: { policy: file, fix: true } });
    expect(records.filter((r) => r.event === 'result' && r.status === 'revoked')).to.have.length(5);

    const again = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', file, '--json']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.json!.result.compliant).to.equal(true);
  });

  it('--fix reports a revocation that failed target by target and exits 68', async () => {
    emulator.addFaults([{ method: 'DELETE', path: 'stale-90d', times: -1, action: { type: 'status', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }] } }]);
    const result = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--fix', '-p', '--json']);
    expect(result.code, result.stderr).to.equal(68);
    expect(result.json!.result.fix!.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([['stale-90d', 'UNKNOWN_EXCEPTION']]);
    expect(tokenIds()).to.deep.equal([...LEFT_AFTER_FIX, 'stale-90d'].sort());
  });

  it('--fix stops on Ctrl-C, reports what the org lost, and exits 130', async () => {
    emulator.setLatency(300);
    const interrupt = signalWhen(() => usageRequests(emulator, 'DELETE').length >= 1);
    const result = await runPlugin<UsageCheckResult>(emulator, [...CHECK, '--policy', policyFile(), '--fix', '-p', '--concurrency', '1', '--json'], {
      onSpawn: interrupt.onSpawn,
    });
    expect(interrupt.sent()).to.equal(true);
    expect(result.code, result.stderr).to.equal(130);
    const fix = result.json!.result.fix!;
    const gone = Object.values(TOKENS).map((t) => t.tokenId).filter((id) => !tokenIds().includes(id));
    expect(fix.successes.filter((t) => t.scope === 'token').map((t) => t.tokenId).sort()).to.deep.equal(gone.sort());
    expect(fix.failures.length).to.be.greaterThan(0);
    expect(fix.failures.every((t) => t.errorCode === 'NOT_SENT')).to.equal(true);
    expect(fix.successes.length + fix.failures.length).to.equal(5);
  });

  it('--fix without a terminal and without --no-prompt revokes nothing', async () => {
    const result = await runPlugin(emulator, [...CHECK, '--policy', policyFile(), '--fix']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/--no-prompt/);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});

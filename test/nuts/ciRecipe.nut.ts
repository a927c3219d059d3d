import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { DAY_MS, DEFAULT_ORG, generateState, isStale, staleTokens, type EmulatorState } from '../../emulator/model.js';
import type { Emulator } from '../../emulator/server.js';
import { parseCsv } from '../../src/common/csv.js';
import type { TokenUsage } from '../../src/api/types.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { REPO } from '../../scripts/support/hosts.js';
import { run } from '../../scripts/support/process.js';
import { runner } from './runner.js';
import { isolatedHome, useEmulator } from './runPlugin.js';

type Step = { name?: string; id?: string; if?: string; run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { env?: Record<string, string>; steps: Step[] };
type Workflow = { env?: Record<string, string>; jobs: Record<string, Job> };

const GITHUB_ACTIONS = join(REPO, 'examples', 'ci', 'github-actions');
const EXAMPLE_POLICY = join(GITHUB_ACTIONS, 'eca-oauth-policy.yml');
const JUNIT_XSD = join(REPO, 'test', 'fixtures', 'junit.xsd');
const UNUSED_DAYS = 90;

/**
 * The values the test gives the workflows' expressions, besides a job's own (its matrix entry, the result of the jobs
 * it needs). An expression that isn't here fails the test, so a new one in a recipe can't slip by untested.
 */
const EXPRESSIONS: Record<string, string> = { '${{ inputs.unused-days || 90 }}': String(UNUSED_DAYS) };

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

const workflowOf = (file: string): Workflow => parse(readFileSync(join(GITHUB_ACTIONS, file), 'utf8')) as Workflow;

/** xmllint's answer; what it says on stderr ("… validates") is kept for the error it throws when it fails. */
const xmllint = (...args: string[]): string => execFileSync('xmllint', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');

/** A runner of one job: its own workspace (holding the policy file, as the checkout step leaves it) and job summary. */
type Place = { workspace: string; summary: string };

function newPlace(folder: string, policy = readFileSync(EXAMPLE_POLICY, 'utf8')): Place {
  rmSync(folder, { recursive: true, force: true });
  const workspace = join(folder, 'workspace');
  mkdirSync(join(workspace, '.github'), { recursive: true });
  writeFileSync(join(workspace, '.github', 'eca-oauth-policy.yml'), policy);
  const summary = join(folder, 'step-summary.md');
  writeFileSync(summary, '');
  return { workspace, summary };
}

/**
 * What the steps did: each step's exit code by name (null: GitHub would not have run it), what a failed one said, and
 * the step outputs as `<step id>.<name>`.
 */
type JobRun = { codes: Record<string, number | null>; said: Record<string, string>; outputs: Record<string, string> };

/** The steps' exit codes, with what the failed ones said if they are not as expected. */
const expectCodes = (outcome: JobRun, expected: Record<string, number | null>): void => {
  expect(outcome.codes, JSON.stringify(outcome.said, null, 2)).to.deep.equal(expected);
};

/** After a failed step, GitHub runs only the steps whose condition asks for it. */
const runsAfterAFailure = (step: Step): boolean => /always\(\)|failure\(\)|!cancelled\(\)/.test(step.if ?? '');

/** A folder whose `sf` is the runner's CLI, for the PATH of the steps: made before a block's tests, removed after them. */
function useSfOnPath(): () => string {
  let folder: string | undefined;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'eca-nut-ci-bin-'));
    const cli = await runner();
    writeFileSync(join(folder, 'sf'), `#!/usr/bin/env bash\nexec ${cli.argv([]).map(quote).join(' ')} "$@"\n`);
    chmodSync(join(folder, 'sf'), 0o755);
  });
  after(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });
  return () => folder!;
}

/**
 * Runs a job's shell steps as GitHub would (bash -eo pipefail, one process per step, in order, in one workspace; after
 * a failed step only those that ask to run anyway), from the step after its login (or, in a job that logs in nowhere,
 * after the install) on. `sf` is the runner's CLI, the org the login would have made is `org` (an access token in
 * SF_TARGET_ORG), and $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT are files of ours. The steps that use an action are left
 * to the test, which does their part (an upload, a download) itself.
 */
async function runJob(
  workflow: Workflow,
  jobName: string,
  place: Place,
  options: { binDir: string; org?: Emulator; expressions?: Record<string, string> }
): Promise<JobRun> {
  const job = workflow.jobs[jobName];
  const expressions = { ...EXPRESSIONS, ...options.expressions };
  const resolved = (env: Record<string, string> = {}): Record<string, string> =>
    Object.fromEntries(
      Object.entries(env).map(([name, value]) => {
        if (!String(value).includes('${{')) return [name, String(value)];
        if (!(value in expressions)) throw new Error(`${name}: no test value for the expression ${value}`);
        return [name, expressions[value]];
      })
    );
  let setup = -1;
  job.steps.forEach((step, index) => {
    if (/sf org login jwt|sf plugins install/.test(step.run ?? '')) setup = index;
  });
  expect(setup, `${jobName} installs sf`).to.be.greaterThan(-1);
  expect(Boolean(options.org), `${jobName} logs in to an org`).to.equal(job.steps[setup].run!.includes('sf org login jwt'));

  const cli = await runner();
  const outcome: JobRun = { codes: {}, said: {}, outputs: {} };
  let failed = false;
  for (const step of job.steps.slice(setup + 1)) {
    const name = step.name ?? step.uses!;
    if (failed && !runsAfterAFailure(step)) {
      outcome.codes[name] = null;
      continue;
    }
    if (step.run === undefined) continue;
    const output = join(place.workspace, '..', 'github-output');
    writeFileSync(output, '');
    const env = cli.env(isolatedHome(), {
      ...resolved(workflow.env),
      ...resolved(job.env),
      ...resolved(step.env),
      ...(options.org ? { SF_TARGET_ORG: options.org.accessToken, SF_ORG_INSTANCE_URL: options.org.url } : {}),
      GITHUB_STEP_SUMMARY: place.summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: tmpdir(),
      PATH: `${options.binDir}:${process.env.PATH ?? ''}`,
    });
    // Steps run one after the other, as on a runner; each must see what the previous ones wrote.
    // eslint-disable-next-line no-await-in-loop
    const result = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { env, cwd: place.workspace, timeoutMs: 170_000 });
    outcome.codes[name] = result.code;
    if (result.code !== 0) outcome.said[name] = `${result.stdout}${result.stderr}`;
    failed ||= result.code !== 0;
    for (const line of readFileSync(output, 'utf8').split('\n').filter(Boolean)) {
      const [key, ...value] = line.split('=');
      outcome.outputs[`${step.id ?? name}.${key}`] = value.join('=');
    }
  }
  return outcome;
}

const uploadedPaths = (workflow: Workflow, jobName: string): string[] =>
  workflow.jobs[jobName].steps.filter((step) => step.uses?.startsWith('actions/upload-artifact@')).map((step) => String(step.with?.path));

type Limit = 'staleDays' | 'maxTokenAgeDays' | 'maxTokensPerUser';
type Policy = Partial<Record<Limit, number>> & { allowedApps?: string[]; apps?: Record<string, Partial<Record<Limit, number | null>>> };

/**
 * The violations per rule a policy finds in an org's state, counted here from the policy's words (commands.md §15),
 * not by the plugin's code: stale and tokenAge per token, tokensPerUser per app and user, unapprovedApp per app.
 */
function expectedViolations(state: EmulatorState, policy: Policy, now = Date.now()): Record<string, number> {
  const limit = (appId: string, key: Limit): number | undefined => {
    const app = state.apps.find((candidate) => candidate.identifier === appId)!;
    const override = policy.apps?.[app.developerName];
    const value = override && key in override ? override[key] : policy[key];
    return value ?? undefined;
  };
  const counts = { stale: 0, tokenAge: 0, tokensPerUser: 0, unapprovedApp: 0 };
  const held = new Map<string, number>();
  for (const token of state.tokens) {
    const staleDays = limit(token.appIdentifier, 'staleDays');
    if (staleDays !== undefined && isStale(token.lastUsedAt, staleDays, now)) counts.stale++;
    const maxAge = limit(token.appIdentifier, 'maxTokenAgeDays');
    if (maxAge !== undefined && Math.floor((now - Date.parse(token.initialConnectionAt)) / DAY_MS) >= maxAge) counts.tokenAge++;
    const key = `${token.appIdentifier}/${token.userIdentifier}`;
    held.set(key, (held.get(key) ?? 0) + 1);
  }
  for (const [key, count] of held) {
    const max = limit(key.split('/')[0], 'maxTokensPerUser');
    if (max !== undefined && count > max) counts.tokensPerUser++;
  }
  const holding = new Set(state.tokens.map((token) => token.appIdentifier));
  counts.unapprovedApp = state.apps.filter((app) => holding.has(app.identifier) && policy.allowedApps !== undefined && !policy.allowedApps.includes(app.developerName)).length;
  return counts;
}

/** The check's Markdown row of an org: `| org | apps | users | tokens | stale | tokenAge | tokensPerUser | unapprovedApp |`. */
function checkRow(state: EmulatorState, policy: Policy): string {
  const counts = expectedViolations(state, policy);
  const users = new Set(state.tokens.map((token) => token.userIdentifier)).size;
  const cells = [state.org.orgId, state.apps.length, users, state.tokens.length, counts.stale, counts.tokenAge, counts.tokensPerUser, counts.unapprovedApp];
  return `| ${cells.join(' | ')} |`;
}

const examplePolicy = (): Policy => parse(readFileSync(EXAMPLE_POLICY, 'utf8')) as Policy;

describe('CI recipe eca-oauth-audit.yml: the workflow steps after the login, against the emulator', () => {
  const workflow = workflowOf('eca-oauth-audit.yml');
  const { emulator, scratch } = useEmulator(generateState({ apps: 4, usersPerApp: 10, tokensPerUser: 2, seed: 31 }));
  const binDir = useSfOnPath();
  let place: Place;

  it('audits, and gates on the policy: the report and the check in the job summary, the HTML, CSV and JUnit as artifacts', async () => {
    place = newPlace(scratch('audit'));
    const state = emulator.state();
    const policy = examplePolicy();
    const outcome = await runJob(workflow, 'audit', place, { binDir: binDir(), org: emulator });

    // The example policy allows three of the org's four apps: the check fails the step, and the job, with exit 3,
    // and the artifact is still uploaded (its step runs after a failure; the unit test checks it is the last).
    expect(expectedViolations(state, policy).unapprovedApp).to.equal(1);
    expectCodes(outcome, {
      'Report to the job summary': 0,
      'Write the HTML report': 0,
      'List the stale tokens': 0,
      'Check the org against the policy': 3,
    });
    expect(outcome.outputs).to.deep.equal({ 'check.policy': 'violations' });

    const stale = staleTokens(state, UNUSED_DAYS);
    expect(stale.length).to.be.greaterThan(0).and.lessThan(state.tokens.length);
    const markdown = readFileSync(place.summary, 'utf8');
    expect(markdown).to.match(/^## OAuth usage of external client apps\n/);
    const users = new Set(state.tokens.map((token) => token.userIdentifier)).size;
    const neverUsed = state.tokens.filter((token) => token.lastUsedAt === null).length;
    expect(markdown).to.include(`| ${state.apps.length} | ${users} | ${state.tokens.length} | ${neverUsed} | ${stale.length} |`);
    // The check follows the report in the summary, with the violations the policy's words give.
    expect(markdown).to.include('\n## OAuth usage policy check: violations found\n').and.include(checkRow(state, policy));

    expect(uploadedPaths(workflow, 'audit')).to.deep.equal(['eca-audit/']);
    const folder = join(place.workspace, 'eca-audit');
    expect(readdirSync(folder).sort()).to.deep.equal(['eca-oauth-usage-report.html', 'policy-check.md', 'policy-check.xml', 'stale-tokens.csv']);
    const html = readFileSync(join(folder, 'eca-oauth-usage-report.html'), 'utf8');
    expect(html).to.include(`data-total="staleTokens">${stale.length}<`);
    const csv = parseCsv(readFileSync(join(folder, 'stale-tokens.csv'), 'utf8'));
    expect(csv.map((row) => row.tokenId).sort()).to.deep.equal(stale.map((token) => token.tokenId).sort());
    expect(markdown).to.include(readFileSync(join(folder, 'policy-check.md'), 'utf8'));

    const junit = join(folder, 'policy-check.xml');
    xmllint('--noout', '--schema', JUNIT_XSD, junit);
    const unapproved = (app: string): string => xmllint('--xpath', `count(//testsuite[@name="unapprovedApp"]/testcase[@name="${app}"]/failure)`, junit);
    expect(state.apps.map((app) => unapproved(app.developerName))).to.deep.equal(state.apps.map((app) => (policy.allowedApps!.includes(app.developerName) ? '0' : '1')));
  });

  it('passes the gate, and says the org is compliant, when the org keeps the policy', async () => {
    const compliant = newPlace(scratch('compliant'), 'maxTokensPerUser: 2\n');
    const outcome = await runJob(workflow, 'audit', compliant, { binDir: binDir(), org: emulator });
    expectCodes(outcome, {
      'Report to the job summary': 0,
      'Write the HTML report': 0,
      'List the stale tokens': 0,
      'Check the org against the policy': 0,
    });
    expect(outcome.outputs).to.deep.equal({ 'check.policy': 'compliant' });
    expect(readFileSync(compliant.summary, 'utf8')).to.include('\n## OAuth usage policy check: compliant\n');
    xmllint('--noout', '--schema', JUNIT_XSD, join(compliant.workspace, 'eca-audit', 'policy-check.xml'));
  });

  it('fails the check step, and names the file, when the repository holds no policy', async () => {
    const none = newPlace(scratch('no-policy'));
    rmSync(join(none.workspace, '.github'), { recursive: true });
    const outcome = await runJob(workflow, 'audit', none, { binDir: binDir(), org: emulator });
    expect(outcome.codes['Check the org against the policy']).to.equal(1);
    expect(outcome.said['Check the org against the policy']).to.include('::error::No policy at .github/eca-oauth-policy.yml');
    expect(outcome.outputs).to.deep.equal({});
  });

  it('revokes exactly the tokens of the reviewed CSV, and keeps the result as an artifact', async () => {
    const before = emulator.state();
    const listed = parseCsv(readFileSync(join(place.workspace, 'eca-audit', 'stale-tokens.csv'), 'utf8')).map((row) => row.tokenId);
    expect(listed.length).to.be.greaterThan(0);
    emulator.clearLog();

    const outcome = await runJob(workflow, 'revoke', place, { binDir: binDir(), org: emulator });
    expectCodes(outcome, { 'Revoke exactly the reviewed tokens': 0, 'Keep the audit log of the revocation': 0 });

    const remaining = emulator.state().tokens.map((token) => token.tokenId).sort();
    expect(remaining).to.deep.equal(before.tokens.map((token) => token.tokenId).filter((id) => !listed.includes(id)).sort());
    const deletes = emulator.requests().filter((entry) => entry.method === 'DELETE');
    expect(deletes).to.have.length(listed.length);
    expect(uploadedPaths(workflow, 'revoke')).to.deep.equal(['eca-revocation/']);
    const result = JSON.parse(readFileSync(join(place.workspace, 'eca-revocation', 'revoke-result.json'), 'utf8')) as { result: TokensRevokeResult };
    expect(result.result.failures).to.deep.equal([]);
    expect(result.result.successes.map((target) => target.tokenId).sort()).to.deep.equal([...listed].sort());
  });

  it('revokes nothing, and says so, when the reviewed CSV lists no token', async () => {
    const header = readFileSync(join(place.workspace, 'eca-audit', 'stale-tokens.csv'), 'utf8').split('\r\n')[0];
    writeFileSync(join(place.workspace, 'eca-audit', 'stale-tokens.csv'), `${header}\r\n`);
    rmSync(join(place.workspace, 'eca-revocation'), { recursive: true, force: true });
    emulator.clearLog();

    const outcome = await runJob(workflow, 'revoke', place, { binDir: binDir(), org: emulator });
    expectCodes(outcome, { 'Revoke exactly the reviewed tokens': 0, 'Keep the audit log of the revocation': 0 });

    expect(emulator.requests().filter((entry) => entry.method === 'DELETE')).to.deep.equal([]);
    expect(readFileSync(place.summary, 'utf8')).to.include('nothing to revoke');
    expect(existsSync(join(place.workspace, 'eca-revocation'))).to.equal(true);
  });
});

describe('CI recipe eca-oauth-fleet.yml: one job per org, then the fleet job, against two emulated orgs', () => {
  const workflow = workflowOf('eca-oauth-fleet.yml');
  const SECOND_ORG_ID = '00D000000000002AAA';
  const prodState = generateState({ apps: 4, usersPerApp: 6, tokensPerUser: 2, seed: 41 });
  const uatState = { ...generateState({ apps: 3, usersPerApp: 5, tokensPerUser: 3, seed: 42 }), org: { ...DEFAULT_ORG, orgId: SECOND_ORG_ID } };
  const prod = useEmulator(prodState);
  // A Salesforce access token starts with its org's id: so does this one, as a second org's would.
  const uat = useEmulator(uatState, { accessToken: `${SECOND_ORG_ID}!emulator` });
  const binDir = useSfOnPath();
  const orgs = (): Array<{ org: string; emulator: Emulator; state: EmulatorState }> => {
    const names = (workflow.jobs.inventory as Job & { strategy: { matrix: { org: string[] } } }).strategy.matrix.org;
    expect(names).to.have.length(2);
    return [
      { org: names[0], emulator: prod.emulator, state: prodState },
      { org: names[1], emulator: uat.emulator, state: uatState },
    ];
  };
  const inventoryOf = (org: string): string => join(prod.scratch(`inventory-${org}`), 'workspace', 'inventory', `${org}.json`);

  /** Each org's job, on a runner of its own, with its matrix entry. */
  async function runInventories(): Promise<void> {
    for (const { org, emulator } of orgs()) {
      // eslint-disable-next-line no-await-in-loop -- one CLI at a time on shared cores, as the matrix's runners would not
      const outcome = await runJob(workflow, 'inventory', newPlace(prod.scratch(`inventory-${org}`)), {
        binDir: binDir(),
        org: emulator,
        expressions: { '${{ matrix.org }}': org },
      });
      expectCodes(outcome, { 'Save the inventory': 0 });
    }
  }

  /**
   * The fleet job on a runner of its own, given the inventories download-artifact would have merged into inventory/
   * (the pattern eca-inventory-*, merge-multiple), and the result of the inventory jobs.
   */
  async function runFleet(inventories: string[], result: string): Promise<{ outcome: JobRun; place: Place }> {
    const place = newPlace(prod.scratch('fleet'));
    mkdirSync(join(place.workspace, 'inventory'));
    for (const org of inventories) copyFileSync(inventoryOf(org), join(place.workspace, 'inventory', `${org}.json`));
    const outcome = await runJob(workflow, 'fleet', place, { binDir: binDir(), expressions: { '${{ needs.inventory.result }}': result } });
    return { outcome, place };
  }

  it("saves each org's inventory, read from that org alone, under the org's name, for upload", async () => {
    await runInventories();
    expect(uploadedPaths(workflow, 'inventory')).to.deep.equal(['inventory/']);
    for (const { org, state } of orgs()) {
      const rows = JSON.parse(readFileSync(inventoryOf(org), 'utf8')) as TokenUsage[];
      expect(rows.map((row) => row.tokenId).sort(), org).to.deep.equal(state.tokens.map((token) => token.tokenId).sort());
    }
  });

  // Needs rows that carry orgId (commands.md §16).
  it('each inventory says which org its rows come from', async () => {
    await runInventories();
    for (const { org, state } of orgs()) {
      const rows = JSON.parse(readFileSync(inventoryOf(org), 'utf8')) as Array<TokenUsage & { orgId?: string }>;
      expect([...new Set(rows.map((row) => row.orgId))], org).to.deep.equal([state.org.orgId]);
    }
  });

  // Needs rows that carry orgId and `usage report` with several --from-file (commands.md §16).
  it('merges them into one fleet report and one check per org, which fails the job on violations', async () => {
    await runInventories();
    const names = orgs().map(({ org }) => org);
    const { outcome, place } = await runFleet(names, 'success');
    expectCodes(outcome, {
      'Merge them into one fleet report': 0,
      'Check every org against the policy': 3,
      "Fail when an org's inventory is missing": 0,
    });

    const summary = readFileSync(place.summary, 'utf8');
    const policy = examplePolicy();
    for (const { state } of orgs()) {
      expect(summary.split('## OAuth usage policy check')[0], 'the report names each org').to.include(state.org.orgId);
      expect(summary, 'the check has a row per org').to.include(checkRow(state, policy));
    }
    expect(summary).to.include(`Merged from the inventories of ${[...names].sort().join(', ')}.`);

    expect(uploadedPaths(workflow, 'fleet')).to.deep.equal(['eca-fleet/']);
    const folder = join(place.workspace, 'eca-fleet');
    expect(readdirSync(folder).sort()).to.deep.equal(['eca-oauth-fleet-report.html', 'policy-check.md', 'policy-check.xml']);
    const html = readFileSync(join(folder, 'eca-oauth-fleet-report.html'), 'utf8');
    for (const { state } of orgs()) expect(html).to.include(state.org.orgId);
    const junit = join(folder, 'policy-check.xml');
    xmllint('--noout', '--schema', JUNIT_XSD, junit);
    for (const { state } of orgs()) expect(xmllint('--xpath', `count(//testsuite[@name="${state.org.orgId}: stale"])`, junit)).to.equal('1');
  });

  it("reports and checks the orgs it has, then fails, when an org's inventory is missing", async () => {
    await runInventories();
    const [first] = orgs();
    const { outcome, place } = await runFleet([first.org], 'failure');
    expectCodes(outcome, {
      'Merge them into one fleet report': 0,
      'Check every org against the policy': 3,
      "Fail when an org's inventory is missing": 1,
    });
    const summary = readFileSync(place.summary, 'utf8');
    expect(summary).to.include(`Merged from the inventories of ${first.org}.`);
    expect(summary).to.include('**The inventory of at least one org failed (see its job)');
    expect(readdirSync(join(place.workspace, 'eca-fleet')).sort()).to.deep.equal(['eca-oauth-fleet-report.html', 'policy-check.md', 'policy-check.xml']);
  });

  it('fails at the merge, and checks nothing, when no org saved an inventory', async () => {
    const { outcome } = await runFleet([], 'failure');
    expectCodes(outcome, {
      'Merge them into one fleet report': 1,
      'Check every org against the policy': null,
      "Fail when an org's inventory is missing": 1,
    });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { readPolicyFile } from '../../src/usage/policy.js';
import { REPO } from '../../scripts/support/hosts.js';

const GITHUB_ACTIONS = join(REPO, 'examples', 'ci', 'github-actions');
const AUDIT_WORKFLOW = join(GITHUB_ACTIONS, 'eca-oauth-audit.yml');
const FLEET_WORKFLOW = join(GITHUB_ACTIONS, 'eca-oauth-fleet.yml');
const EXAMPLE_POLICY = join(GITHUB_ACTIONS, 'eca-oauth-policy.yml');
/** Where both workflows read the policy: a file of the repository that runs them. */
const POLICY_PATH = '.github/eca-oauth-policy.yml';

const CI_EXAMPLES = join(REPO, 'examples', 'ci');
const README = join(REPO, 'README.md');

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = {
  steps: Step[];
  environment?: string;
  needs?: string;
  if?: string;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown> };
};
type Workflow = { on: Record<string, unknown>; env: Record<string, string>; jobs: Record<string, Job> };

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(.*)$/;
/** `owner/repo[/path]@<full commit SHA> # v1.2.3`: a tag can be moved to other code, a commit cannot. */
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;

/** Every `uses:` line of a text (a workflow, or the README's snippets) that does not pin its action by commit SHA. */
const unpinnedUses = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => USES_LINE.exec(line)?.[1].trim())
    .filter((uses): uses is string => uses !== undefined && !PINNED.test(uses));

/** The one step of a job whose script runs this command. */
const stepRunning = (job: Job, command: string): Step => {
  const steps = job.steps.filter((step) => step.run?.includes(command));
  expect(steps, command).to.have.length(1);
  return steps[0];
};

/** The actions a job uses, by name without the version: `actions/upload-artifact` and the like. */
const usesOf = (job: Job, action: string): Step[] => job.steps.filter((step) => step.uses?.split('@')[0] === action);

/** After a failed step, GitHub runs only the steps whose condition asks for it: always(), failure() or !cancelled(). */
const runsAfterAFailure = (step: Step): boolean => /always\(\)|failure\(\)|!cancelled\(\)/.test(step.if ?? '');

/** The check as a gate: its JUnit file and Markdown land in the uploaded folder, which is uploaded after violations too. */
function expectGate(job: Job, uploaded: string): void {
  const check = stepRunning(job, 'usage check');
  expect(check.run).to.match(/--policy "\$ECA_POLICY"/);
  expect(check.run).to.include(`--junit ${uploaded}policy-check.xml`).and.include(`--output-file ${uploaded}policy-check.md`);
  expect(check.run).to.include('>> "$GITHUB_STEP_SUMMARY"');
  // The check's own exit code ends the step: 3 on violations fails the job.
  expect(check.run!.trim().split('\n').at(-1)).to.equal('exit "$status"');
  const after = job.steps.slice(job.steps.indexOf(check) + 1);
  const uploads = after.filter((step) => step.uses?.startsWith('actions/upload-artifact@'));
  expect(uploads.map((step) => step.with?.path)).to.deep.equal([uploaded]);
  for (const step of after) expect(runsAfterAFailure(step), step.name ?? step.uses).to.equal(true);
}

/** A sparse checkout of the policy file alone, leaving no token behind. */
function expectPolicyCheckout(workflow: Workflow, job: Job): void {
  expect(workflow.env.ECA_POLICY).to.equal(POLICY_PATH);
  const [checkout] = usesOf(job, 'actions/checkout');
  expect(checkout.with).to.deep.equal({ 'sparse-checkout': POLICY_PATH, 'sparse-checkout-cone-mode': false, 'persist-credentials': false });
}

/*
 * The CI recipe validated against GitHub's workflow schema (SchemaStore's github-workflow.json, compiled into
 * @action-validator/core, so the check needs no network), plus what the README promises about it. Its shell steps
 * run against the emulator in test/nuts/ciRecipe.nut.ts.
 */
describe('CI recipe: examples/ci/github-actions/eca-oauth-audit.yml', () => {
  const source = readFileSync(AUDIT_WORKFLOW, 'utf8');
  const workflow = parse(source) as Workflow;

  it("is a valid GitHub Actions workflow by GitHub's workflow schema", () => {
    expect(validateWorkflow(source).errors).to.deep.equal([]);
  });

  it('would catch a broken workflow (the validator is really checking)', () => {
    expect(validateWorkflow(source.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest')).errors).not.to.deep.equal([]);
    expect(validateWorkflow(source.replace("cron: '17 6 * * 1'", 'cron: 17')).errors).not.to.deep.equal([]);
  });

  it('runs weekly and by hand, and revokes only behind a protected environment, after the audit, when asked', () => {
    expect(Object.keys(workflow.on).sort()).to.deep.equal(['schedule', 'workflow_dispatch']);
    const { revoke } = workflow.jobs;
    expect(revoke).to.include({ environment: 'eca-revoke', needs: 'audit' });
    expect(revoke.if).to.include('inputs.revoke');
    const revokeRuns = revoke.steps.map((step) => step.run ?? '').join('\n');
    expect(revokeRuns).to.match(/tokens revoke .*\s+--from-file eca-audit\/stale-tokens\.csv --no-prompt/);
  });

  it('gates on the policy: the check fails the job on violations, after its JUnit file and summary are kept', () => {
    const { audit } = workflow.jobs;
    expectPolicyCheckout(workflow, audit);
    expectGate(audit, 'eca-audit/');
    // The policy result goes out of the job, to let the revoke job tell violations from an audit that broke off.
    const check = stepRunning(audit, 'usage check');
    expect(audit.outputs).to.deep.equal({ policy: `\${{ steps.${check.id!}.outputs.policy }}` });
    expect(check.run).to.include('3) echo "policy=violations" >> "$GITHUB_OUTPUT"');
    // The check runs after the stale-token list, so a policy result means that list was complete.
    expect(audit.steps.indexOf(check)).to.be.greaterThan(audit.steps.indexOf(stepRunning(audit, 'tokens list')));
    expect(source).to.include(`# commit the policy as ${POLICY_PATH}`);
  });

  it('still lets a person revoke when the check failed the audit job on violations, not when the audit broke off', () => {
    const condition = workflow.jobs.revoke.if!;
    expect(condition).to.match(/^\$\{\{ !cancelled\(\) && /);
    expect(condition).to.include("needs.audit.outputs.policy == 'violations'").and.include("needs.audit.outputs.policy == 'compliant'");
  });

  it("pins every action by full commit SHA with its version in a comment, as GitHub's hardening guide advises", () => {
    const examples = readdirSync(CI_EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name));
    expect(examples).to.include.members([join('github-actions', 'eca-oauth-audit.yml'), join('github-actions', 'eca-oauth-fleet.yml')]);
    for (const name of examples) expect(unpinnedUses(readFileSync(join(CI_EXAMPLES, name), 'utf8')), name).to.deep.equal([]);
    expect(unpinnedUses(readFileSync(README, 'utf8')), 'README.md').to.deep.equal([]);
    // The line check saw every step that uses an action.
    for (const text of [source, readFileSync(FLEET_WORKFLOW, 'utf8')]) {
      const steps = Object.values((parse(text) as Workflow).jobs).flatMap((job) => job.steps.filter((step) => step.uses !== undefined));
      expect(text.split('\n').filter((line) => USES_LINE.test(line))).to.have.length(steps.length).and.length.greaterThan(0);
    }
    // A tag pin is refused.
    expect(unpinnedUses(source.replace(/@[0-9a-f]{40} # (v\d+)\S*/, '@$1'))).to.have.length(1);
  });

  it('takes the login from secrets only, and never writes a secret into a run script', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) expect(step.run ?? '', step.name).not.to.include('${{');
    }
    expect(source.match(/secrets\.\w+/g)!.sort()).to.include.members(['secrets.SF_CLIENT_ID', 'secrets.SF_USERNAME', 'secrets.SF_JWT_KEY']);
    expect(source).not.to.match(/echo[^\n]*SF_JWT_KEY/);
  });
});

describe('CI recipe: examples/ci/github-actions/eca-oauth-policy.yml', () => {
  it('is a policy the check accepts, setting every rule, with an override and a rule switched off', async () => {
    const { rules } = await readPolicyFile(EXAMPLE_POLICY);
    expect(rules).to.include.keys('staleDays', 'maxTokenAgeDays', 'maxTokensPerUser', 'allowedApps');
    const overrides = Object.values(rules.apps ?? {}).flatMap((app) => Object.values(app));
    expect(overrides).to.include(null);
    expect(overrides.some((value) => typeof value === 'number')).to.equal(true);
  });

  it('says where it goes, and both workflows name it', () => {
    expect(readFileSync(EXAMPLE_POLICY, 'utf8')).to.include(`as\n# ${POLICY_PATH}`);
    for (const file of [AUDIT_WORKFLOW, FLEET_WORKFLOW]) expect(readFileSync(file, 'utf8'), file).to.include('start from eca-oauth-policy.yml next to this file');
  });
});

/*
 * The fleet: one job per org (a matrix), each logging in with its own secrets and uploading its inventory, then one job
 * that merges the inventories into one report and one check. Its shell steps run against two emulated orgs in
 * test/nuts/ciRecipe.nut.ts.
 */
describe('CI recipe: examples/ci/github-actions/eca-oauth-fleet.yml', () => {
  const source = readFileSync(FLEET_WORKFLOW, 'utf8');
  const workflow = parse(source) as Workflow;
  const { inventory, fleet } = workflow.jobs;

  it("is a valid GitHub Actions workflow by GitHub's workflow schema, and the validator is really checking", () => {
    expect(validateWorkflow(source).errors).to.deep.equal([]);
    expect(validateWorkflow(source.replace('      matrix:\n', '      matrics:\n')).errors).not.to.deep.equal([]);
    expect(validateWorkflow(source.replace('needs: inventory', 'need: inventory')).errors).not.to.deep.equal([]);
  });

  it('runs one inventory job per org, none cancelling the others, each uploading its own inventory', () => {
    expect(Object.keys(workflow.on).sort()).to.deep.equal(['schedule', 'workflow_dispatch']);
    expect(inventory.strategy!['fail-fast']).to.equal(false);
    const orgs = inventory.strategy!.matrix.org as string[];
    expect(orgs.length).to.be.greaterThan(1);
    // Each name ends secret names: upper-case letters, digits and underscores only.
    for (const org of orgs) expect(org).to.match(/^[A-Z][A-Z0-9_]*$/);
    expect(inventory.env).to.deep.equal({ ORG: '${{ matrix.org }}' });
    expect(stepRunning(inventory, 'tokens list').run).to.include('--output-file "inventory/${ORG}.json"');
    const [upload] = usesOf(inventory, 'actions/upload-artifact');
    expect(upload.with).to.include({ name: 'eca-inventory-${{ matrix.org }}', path: 'inventory/', 'if-no-files-found': 'error' });
  });

  it("logs each org in with that org's own secrets, by the documented naming scheme, and never writes one into a script", () => {
    const login = stepRunning(inventory, 'sf org login jwt');
    for (const name of ['SF_CLIENT_ID', 'SF_USERNAME', 'SF_JWT_KEY']) {
      expect(login.env![name]).to.equal(`\${{ secrets[format('${name}_{0}', matrix.org)] }}`);
      expect(source).to.include(`#   ${name === 'SF_CLIENT_ID' ? 'secrets   ' : '          '}${name}_<ORG>`);
    }
    expect(login.env!.SF_LOGIN_URL).to.equal("${{ vars[format('SF_LOGIN_URL_{0}', matrix.org)] || 'https://login.salesforce.com' }}");
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) expect(step.run ?? '', step.name).not.to.include('${{');
    expect(source).not.to.match(/echo[^\n]*SF_JWT_KEY/);
    // The merging job reads files only: no org's secret reaches it.
    expect(JSON.stringify(fleet)).not.to.match(/secrets|vars\./);
  });

  it('merges every inventory into one fleet report and one check, which fails the job on violations', () => {
    expect(fleet.needs).to.equal('inventory');
    expect(fleet.if).to.equal('${{ !cancelled() }}');
    const [download] = usesOf(fleet, 'actions/download-artifact');
    expect(download.with).to.deep.equal({ pattern: 'eca-inventory-*', 'merge-multiple': true, path: 'inventory' });
    const report = stepRunning(fleet, 'usage report');
    expect(report.run).to.include('for file in inventory/*.json; do').and.include('from+=(--from-file "$file")');
    expect(report.run).to.include('usage report "${from[@]}"').and.include('--result-format markdown >> "$GITHUB_STEP_SUMMARY"');
    expect(report.run).to.include('--output-file eca-fleet/eca-oauth-fleet-report.html');
    expect(stepRunning(fleet, 'usage check').run).to.include('usage check "${from[@]}"');
    expectPolicyCheckout(workflow, fleet);
    expectGate(fleet, 'eca-fleet/');
  });

  it("fails the fleet job, last, when an org's inventory is missing", () => {
    const last = fleet.steps.at(-1)!;
    expect(last.env).to.deep.equal({ INVENTORIES: '${{ needs.inventory.result }}' });
    expect(last.run).to.include('if [ "$INVENTORIES" != success ]; then');
  });
});

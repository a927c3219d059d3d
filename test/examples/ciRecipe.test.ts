import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { readPolicyFile } from '../../src/usage/policy.js';
import { REPO } from '../../scripts/support/hosts.js';

const GITHUB_ACTIONS = join(REPO, 'examples', 'ci', 'github-actions');
const AUDIT_WORKFLOW = join(GITHUB_ACTIONS, 'eca-oauth-audit.yml');
const EXAMPLE_POLICY = join(GITHUB_ACTIONS, 'eca-oauth-policy.yml');
/** Where the workflow reads the policy: a file of the repository that runs it. */
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
    expect(examples).to.include(join('github-actions', 'eca-oauth-audit.yml'));
    for (const name of examples) expect(unpinnedUses(readFileSync(join(CI_EXAMPLES, name), 'utf8')), name).to.deep.equal([]);
    expect(unpinnedUses(readFileSync(README, 'utf8')), 'README.md').to.deep.equal([]);
    // The line check saw every step that uses an action.
    for (const text of [source]) {
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

  it('says where it goes, and the workflow names it', () => {
    expect(readFileSync(EXAMPLE_POLICY, 'utf8')).to.include(`as\n# ${POLICY_PATH}`);
    for (const file of [AUDIT_WORKFLOW]) expect(readFileSync(file, 'utf8'), file).to.include('start from eca-oauth-policy.yml next to this file');
  });
});


import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { REPO } from '../../scripts/support/hosts.js';

const AUDIT_WORKFLOW = join(REPO, 'examples', 'ci', 'github-actions', 'eca-oauth-audit.yml');

const CI_EXAMPLES = join(REPO, 'examples', 'ci');
const README = join(REPO, 'README.md');

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; environment?: string; needs?: string; if?: string }> };

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(.*)$/;
/** `owner/repo[/path]@<full commit SHA> # v1.2.3`: a tag can be moved to other code, a commit cannot. */
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;

/** Every `uses:` line of a text (a workflow, or the README's snippets) that does not pin its action by commit SHA. */
const unpinnedUses = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => USES_LINE.exec(line)?.[1].trim())
    .filter((uses): uses is string => uses !== undefined && !PINNED.test(uses));

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

  it("pins every action by full commit SHA with its version in a comment, as GitHub's hardening guide advises", () => {
    const examples = readdirSync(CI_EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name));
    expect(examples).to.include(join('github-actions', 'eca-oauth-audit.yml'));
    for (const name of examples) expect(unpinnedUses(readFileSync(join(CI_EXAMPLES, name), 'utf8')), name).to.deep.equal([]);
    expect(unpinnedUses(readFileSync(README, 'utf8')), 'README.md').to.deep.equal([]);
    // The line check saw every step that uses an action.
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps.filter((step) => step.uses !== undefined));
    expect(source.split('\n').filter((line) => USES_LINE.test(line))).to.have.length(steps.length).and.length.greaterThan(0);
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

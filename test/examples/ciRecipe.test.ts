import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { REPO } from '../support/hosts.js';

const AUDIT_WORKFLOW = join(REPO, 'examples', 'ci', 'github-actions', 'eca-oauth-audit.yml');

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; environment?: string; needs?: string; if?: string }> };

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

  it('takes the login from secrets only, and never writes a secret into a run script', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) expect(step.run ?? '', step.name).not.to.include('${{');
    }
    expect(source.match(/secrets\.\w+/g)!.sort()).to.include.members(['secrets.SF_CLIENT_ID', 'secrets.SF_USERNAME', 'secrets.SF_JWT_KEY']);
    expect(source).not.to.match(/echo[^\n]*SF_JWT_KEY/);
  });
});

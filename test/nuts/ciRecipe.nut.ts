import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { generateState, staleTokens } from '../../emulator/model.js';
import { parseCsv } from '../../src/common/csv.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { REPO } from '../../scripts/support/hosts.js';
import { run } from '../../scripts/support/process.js';
import { runner } from '../../scripts/support/runner.js';
import { isolatedHome, useEmulator } from './runPlugin.js';

type Step = { name?: string; run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { env?: Record<string, string>; steps: Step[] };
type Workflow = { env?: Record<string, string>; jobs: Record<string, Job> };

const WORKFLOW = join(REPO, 'examples', 'ci', 'github-actions', 'eca-oauth-audit.yml');
const UNUSED_DAYS = 90;

/**
 * The values the test gives the workflow's expressions. An expression that isn't here fails the test, so a new one
 * in the recipe can't slip by untested.
 */
const EXPRESSIONS: Record<string, string> = { '${{ inputs.unused-days || 90 }}': String(UNUSED_DAYS) };

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

/*
 * Runs the recipe's shell steps as GitHub would (bash -eo pipefail, one process per step, in order, in one
 * workspace), from the step after the login on: `sf` is the runner's CLI, the target org is the emulator (the org the
 * JWT login would have made, as an access token in SF_TARGET_ORG), and $GITHUB_STEP_SUMMARY is a file of ours.
 */
describe('CI recipe: the workflow steps after the login, against the emulator', () => {
  const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
  const { emulator, scratch } = useEmulator(generateState({ apps: 4, usersPerApp: 10, tokensPerUser: 2, seed: 31 }));
  let workspace: string;
  let summary: string;
  let binDir: string;

  before(async () => {
    workspace = scratch('workspace');
    binDir = scratch('bin');
    mkdirSync(workspace);
    mkdirSync(binDir);
    summary = scratch('step-summary.md');
    writeFileSync(summary, '');
    const cli = await runner();
    writeFileSync(join(binDir, 'sf'), `#!/usr/bin/env bash\nexec ${cli.argv([]).map(quote).join(' ')} "$@"\n`);
    chmodSync(join(binDir, 'sf'), 0o755);
  });

  const resolved = (env: Record<string, string> = {}): Record<string, string> =>
    Object.fromEntries(
      Object.entries(env).map(([name, value]) => {
        if (!String(value).includes('${{')) return [name, String(value)];
        if (!(value in EXPRESSIONS)) throw new Error(`${name}: no test value for the expression ${value}`);
        return [name, EXPRESSIONS[value]];
      })
    );

  /** The `run:` steps of a job after its login step, each run with bash as GitHub runs it. */
  async function runStepsAfterLogin(jobName: string): Promise<void> {
    const job = workflow.jobs[jobName];
    const login = job.steps.findIndex((step) => step.run?.includes('sf org login jwt'));
    expect(login, `${jobName} has a login step`).to.be.greaterThan(-1);
    const cli = await runner();
    for (const step of job.steps.slice(login + 1).filter((candidate) => candidate.run !== undefined)) {
      const env = cli.env(isolatedHome(), {
        ...resolved(workflow.env),
        ...resolved(job.env),
        ...resolved(step.env),
        SF_TARGET_ORG: emulator.accessToken,
        SF_ORG_INSTANCE_URL: emulator.url,
        GITHUB_STEP_SUMMARY: summary,
        RUNNER_TEMP: tmpdir(),
        PATH: `${binDir}:${process.env.PATH ?? ''}`,
      });
      // Steps run one after the other, as on a runner; each must see what the previous ones wrote.
      // eslint-disable-next-line no-await-in-loop
      const result = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { env, cwd: workspace, timeoutMs: 170_000 });
      expect(result.code, `step "${step.name ?? ''}": ${result.stderr}`).to.equal(0);
    }
  }

  const uploadedPaths = (jobName: string): string[] =>
    workflow.jobs[jobName].steps.filter((step) => step.uses?.startsWith('actions/upload-artifact@')).map((step) => String(step.with?.path));

  it('audits: the Markdown report in the job summary, the HTML report and the stale-token CSV as artifacts', async () => {
    const state = emulator.state();
    await runStepsAfterLogin('audit');
    const stale = staleTokens(state, UNUSED_DAYS);
    expect(stale.length).to.be.greaterThan(0).and.lessThan(state.tokens.length);

    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).to.match(/^## OAuth usage of external client apps\n/);
    const users = new Set(state.tokens.map((token) => token.userIdentifier)).size;
    const neverUsed = state.tokens.filter((token) => token.lastUsedAt === null).length;
    expect(markdown).to.include(`| ${state.apps.length} | ${users} | ${state.tokens.length} | ${neverUsed} | ${stale.length} |`);

    const artifacts = uploadedPaths('audit');
    expect(artifacts).to.deep.equal(['eca-audit/']);
    const html = readFileSync(join(workspace, 'eca-audit', 'eca-oauth-usage-report.html'), 'utf8');
    expect(html).to.include(`data-total="staleTokens">${stale.length}<`);
    const csv = parseCsv(readFileSync(join(workspace, 'eca-audit', 'stale-tokens.csv'), 'utf8'));
    expect(csv.map((row) => row.tokenId).sort()).to.deep.equal(stale.map((token) => token.tokenId).sort());
  });

  it('revokes exactly the tokens of the reviewed CSV, and keeps the result as an artifact', async () => {
    const before = emulator.state();
    const listed = parseCsv(readFileSync(join(workspace, 'eca-audit', 'stale-tokens.csv'), 'utf8')).map((row) => row.tokenId);
    expect(listed.length).to.be.greaterThan(0);
    emulator.clearLog();

    await runStepsAfterLogin('revoke');

    const remaining = emulator.state().tokens.map((token) => token.tokenId).sort();
    expect(remaining).to.deep.equal(before.tokens.map((token) => token.tokenId).filter((id) => !listed.includes(id)).sort());
    const deletes = emulator.requests().filter((entry) => entry.method === 'DELETE');
    expect(deletes).to.have.length(listed.length);
    expect(uploadedPaths('revoke')).to.deep.equal(['eca-revocation/']);
    const result = JSON.parse(readFileSync(join(workspace, 'eca-revocation', 'revoke-result.json'), 'utf8')) as { result: TokensRevokeResult };
    expect(result.result.failures).to.deep.equal([]);
    expect(result.result.successes.map((target) => target.tokenId).sort()).to.deep.equal([...listed].sort());
  });

  it('revokes nothing, and says so, when the reviewed CSV lists no token', async () => {
    const header = readFileSync(join(workspace, 'eca-audit', 'stale-tokens.csv'), 'utf8').split('\r\n')[0];
    writeFileSync(join(workspace, 'eca-audit', 'stale-tokens.csv'), `${header}\r\n`);
    rmSync(join(workspace, 'eca-revocation'), { recursive: true, force: true });
    emulator.clearLog();

    await runStepsAfterLogin('revoke');

    expect(emulator.requests().filter((entry) => entry.method === 'DELETE')).to.deep.equal([]);
    expect(readFileSync(summary, 'utf8')).to.include('nothing to revoke');
    expect(existsSync(join(workspace, 'eca-revocation'))).to.equal(true);
  });
});

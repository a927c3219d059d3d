import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestContext, MockTestOrgData } from '@salesforce/core/testSetup';
import { SfError } from '@salesforce/core';
import { stubPrompter, stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import TokensRevoke from '../../../../../src/commands/external-client-app/usage/tokens/revoke.js';
import { apiError, app, appPage, fakeOrg } from '../../../fakeOrg.js';

describe('external-client-app usage tokens revoke', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let ux: ReturnType<typeof stubSfCommandUx>;
  let prompter: ReturnType<typeof stubPrompter>;
  let wasTTY: boolean | undefined;
  let auditDir: string;
  const auditLogWas = process.env.SF_ECA_AUDIT_LOG;

  beforeEach(async () => {
    // Never append to the developer's own audit log in ~/.sf.
    auditDir = await mkdtemp(join(tmpdir(), 'eca-revoke-audit-'));
    process.env.SF_ECA_AUDIT_LOG = join(auditDir, 'audit.jsonl');
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    prompter = stubPrompter($$.SANDBOX);
    wasTTY = process.stdin.isTTY;
  });
  afterEach(async () => {
    if (auditLogWas === undefined) delete process.env.SF_ECA_AUDIT_LOG;
    else process.env.SF_ECA_AUDIT_LOG = auditLogWas;
    await rm(auditDir, { recursive: true, force: true });
    process.stdin.isTTY = wasTTY as boolean;
    process.exitCode = undefined;
    $$.restore();
  });

  const deleteRoute = (): Array<[RegExp, () => unknown]> => [[/^\/apps\/oauth\/usage\/tokens\//, (): undefined => undefined]];

  const question = (): string => (prompter.confirm.firstCall.args[0] as { message: string }).message;

  it('asks before revoking, naming the count and the org as the user named it', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(true);
    const calls = fakeOrg($$, deleteRoute());
    const result = await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA', '--token-id', 'tokB']);
    expect(question()).to.equal(`Revoke 2 refresh tokens in org ${testOrg.username}? This can't be undone.`);
    expect(result.successes.map((t) => t.status)).to.deep.equal(['revoked', 'revoked']);
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).to.deep.equal(['/apps/oauth/usage/tokens/tokA', '/apps/oauth/usage/tokens/tokB']);
  });

  it('records in the audit log who revoked, in which org, chosen how, without sending a request to learn it', async () => {
    const calls = fakeOrg($$, deleteRoute());
    await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA', '--no-prompt']);
    const records = (await readFile(process.env.SF_ECA_AUDIT_LOG!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.event)).to.deep.equal(['run-start', 'sending', 'result', 'run-end']);
    expect(records[0]).to.deep.include({ orgId: testOrg.orgId, actorUsername: testOrg.username, actorUserId: testOrg.userId, selection: { 'token-id': ['tokA'] }, planned: 1 });
    expect(records[0]).not.to.have.property('target-org');
    expect(records[3]).to.deep.include({ counts: { revoked: 1 }, exitCode: 0, interrupted: false });
    // The API version probe and the DELETE; nothing to learn who is logged in.
    expect(calls.map((c) => c.url)).to.deep.equal(['/services/data', '/apps/oauth/usage/tokens/tokA']);
  });

  it('names the org by the alias given to --target-org', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(false);
    $$.stubAliases({ prod: testOrg.username });
    fakeOrg($$, deleteRoute());
    await TokensRevoke.run(['--target-org', 'prod', '--token-id', 'tokA']);
    expect(question()).to.equal("Revoke 1 refresh token in org prod? This can't be undone.");
  });

  it('names the default org by the alias the target-org config holds', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(false);
    $$.stubAliases({ prod: testOrg.username });
    await $$.stubConfig({ 'target-org': 'prod' });
    fakeOrg($$, deleteRoute());
    await TokensRevoke.run(['--token-id', 'tokA']);
    expect(question()).to.include('in org prod?');
  });

  it('breaks a plan across apps down per app: users and tokens, the largest five, then how many more', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(false);
    const rows = [1, 2, 3, 4, 5, 6].flatMap((appN) =>
      [1, 2].map((userN) => ({
        tokenId: `t${appN}-${userN}`,
        appIdentifier: `0xIHs00000000${String(appN).padStart(2, '0')}`,
        appDeveloperName: `App_${appN}`,
        userIdentifier: `005Hs00000000${String(userN).padStart(2, '0')}AAA`,
        username: `user${userN}@acme.example.com`,
      }))
    );
    const dir = await mkdtemp(join(tmpdir(), 'eca-revoke-cmd-'));
    const file = join(dir, 'tokens.json');
    await writeFile(file, JSON.stringify({ status: 0, result: [...rows, { ...rows[0], tokenId: 't1-3' }] }));
    try {
      const calls = fakeOrg($$, deleteRoute());
      await TokensRevoke.run(['--target-org', testOrg.username, '--from-file', file]);
      expect(question().split('\n')).to.deep.equal([
        `Revoke 13 refresh tokens of 2 users in 6 apps in org ${testOrg.username}:`,
        '  App_1: 3 refresh tokens of 2 users',
        '  App_2: 2 refresh tokens of 2 users',
        '  App_3: 2 refresh tokens of 2 users',
        '  App_4: 2 refresh tokens of 2 users',
        '  App_5: 2 refresh tokens of 2 users',
        '  … and 1 more app',
        "This can't be undone. Revoke?",
      ]);
      expect(calls.filter((c) => c.method === 'DELETE')).to.deep.equal([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts the users of an app before asking to revoke all of its tokens', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(false);
    const calls = fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1)], url)],
      [/0xIHs0000000001\/users/, () => ({ users: [{ userIdentifier: '005Hs0000000001AAA', username: 'u1@x.com' }, { userIdentifier: '005Hs0000000002AAA', username: 'u2@x.com' }], nextPageUrl: null })],
    ]);
    await TokensRevoke.run(['--target-org', testOrg.username, '--app', 'App_1', '--all-users']);
    expect(question()).to.equal(`Revoke every token of App_1 (2 users) in org ${testOrg.username}? This can't be undone.`);
    expect(calls.filter((c) => c.method === 'DELETE')).to.deep.equal([]);
  });

  it('reads no users of the app when nobody reviews the plan (--no-prompt)', async () => {
    const calls = fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1)], url)],
      [/0xIHs0000000001\/tokens$/, (): undefined => undefined],
    ]);
    await TokensRevoke.run(['--target-org', testOrg.username, '--app', 'App_1', '--all-users', '-p']);
    expect(calls.filter((c) => c.url.includes('/users'))).to.deep.equal([]);
    expect(ux.log.lastCall.args[0]).to.equal('Every token of App_1: revoked the tokens of 1 app, not found 0, failed 0.');
  });

  it('sends nothing when the answer is no', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(false);
    const calls = fakeOrg($$, deleteRoute());
    const result = await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA']);
    expect(result).to.deep.equal({ dryRun: false, successes: [], failures: [] });
    expect(calls.filter((c) => c.method === 'DELETE')).to.deep.equal([]);
    expect(ux.log.lastCall.args[0]).to.equal('Nothing was revoked.');
  });

  it('fails without a terminal and without --no-prompt, sending nothing', async () => {
    process.stdin.isTTY = false;
    const calls = fakeOrg($$, deleteRoute());
    try {
      await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as SfError).name).to.equal('NoPromptWithoutTerminalError');
      expect((error as SfError).actions?.join(' ')).to.include('--no-prompt');
    }
    expect(calls).to.deep.equal([]);
    expect(prompter.confirm.called).to.equal(false);
  });

  it('--dry-run shows would-revoke and sends no DELETE', async () => {
    process.stdin.isTTY = false;
    const calls = fakeOrg($$, deleteRoute());
    const result = await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA', '--dry-run']);
    expect(result).to.deep.equal({ dryRun: true, successes: [{ scope: 'token', tokenId: 'tokA', status: 'would-revoke' }], failures: [] });
    expect(calls.filter((c) => c.method === 'DELETE')).to.deep.equal([]);
  });

  it('reports not-found as a success with a warning, and failures with the API errorCode, exit 68', async () => {
    fakeOrg($$, [
      [
        /tokens\/gone$/,
        () => {
          throw apiError('NOT_FOUND', 'The requested resource does not exist');
        },
      ],
      [
        /tokens\/broken$/,
        () => {
          throw apiError('UNKNOWN_EXCEPTION', 'An unexpected error occurred.');
        },
      ],
      ...deleteRoute(),
    ]);
    const result = await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'ok', '--token-id', 'gone', '--token-id', 'broken', '-p']);
    expect(result.successes.map((t) => [t.tokenId, t.status])).to.deep.equal([
      ['ok', 'revoked'],
      ['gone', 'not-found'],
    ]);
    expect(result.failures).to.deep.equal([
      { scope: 'token', tokenId: 'broken', status: 'failed', errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' },
    ]);
    expect(process.exitCode).to.equal(68);
    expect(String(ux.warn.firstCall.args[0])).to.include('Already gone (not found), so nothing to revoke: 1 refresh token.');
    expect(ux.log.lastCall.args[0]).to.equal('3 refresh tokens: revoked 1 refresh token, not found 1, failed 1.');
    const table = ux.table.firstCall.args[0] as { data: Array<Record<string, unknown>> };
    expect(table.data.map((row) => row.tokenId)).to.deep.equal(['broken', 'ok', 'gone']);
  });

  it('counts targets never sent after the API limit apart from those that failed', async () => {
    fakeOrg($$, [
      [
        /tokens\/t2$/,
        () => {
          throw apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        },
      ],
      ...deleteRoute(),
    ]);
    const ids = ['t1', 't2', 't3', 't4'];
    await TokensRevoke.run(['--target-org', testOrg.username, ...ids.flatMap((id) => ['--token-id', id]), '--concurrency', '1', '-p']);
    const lines = ux.log.getCalls().map((call) => String(call.args[0]));
    expect(lines).to.include('4 refresh tokens: revoked 1 refresh token, not found 0, failed 1, not sent 2.');
    expect(process.exitCode).to.equal(68);
  });

  it('shows at most 50 rows of a long run, then how many more; --json keeps every target', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `tok${i}`);
    fakeOrg($$, deleteRoute());
    const result = await TokensRevoke.run(['--target-org', testOrg.username, ...ids.flatMap((id) => ['--token-id', id]), '--dry-run']);
    expect((ux.table.firstCall.args[0] as { data: unknown[] }).data).to.have.length(50);
    expect(ux.log.getCalls().map((call) => String(call.args[0]))).to.include('… and 10 more (use --json for every target).');
    expect(ux.log.lastCall.args[0]).to.equal('Dry run: 60 refresh tokens would be revoked. Nothing was sent.');
    expect(result.successes).to.have.length(60);
  });

  it('refuses a hostile token id before any request', async () => {
    const calls = fakeOrg($$, deleteRoute());
    try {
      await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', '../../apps/oauth/usage/0xIHs0000000001/tokens', '-p']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as SfError).name).to.equal('InvalidTokenIdError');
    }
    expect(calls).to.deep.equal([]);
  });

  it('refuses conflicting selections and names the valid ones', async () => {
    fakeOrg($$, []);
    try {
      await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'a', '--all-users', '--app', 'X', '-p']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as SfError).name).to.equal('ConflictingSelectionError');
      expect((error as SfError).message).to.include('--from-file');
    }
  });
});

import { expect } from 'chai';
import { TestContext, MockTestOrgData } from '@salesforce/core/testSetup';
import { SfError } from '@salesforce/core';
import { stubPrompter, stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import TokensRevoke from '../../../../../src/commands/external-client-app/usage/tokens/revoke.js';
import { apiError, fakeOrg } from '../../../fakeOrg.js';

describe('external-client-app usage tokens revoke', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let ux: ReturnType<typeof stubSfCommandUx>;
  let prompter: ReturnType<typeof stubPrompter>;
  let wasTTY: boolean | undefined;

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    prompter = stubPrompter($$.SANDBOX);
    wasTTY = process.stdin.isTTY;
  });
  afterEach(() => {
    process.stdin.isTTY = wasTTY as boolean;
    process.exitCode = undefined;
    $$.restore();
  });

  const deleteRoute = (): Array<[RegExp, () => unknown]> => [[/^\/apps\/oauth\/usage\/tokens\//, (): undefined => undefined]];

  it('asks before revoking, naming the count and the org id, never the username', async () => {
    process.stdin.isTTY = true;
    prompter.confirm.resolves(true);
    const calls = fakeOrg($$, deleteRoute());
    const result = await TokensRevoke.run(['--target-org', testOrg.username, '--token-id', 'tokA', '--token-id', 'tokB']);
    const question = (prompter.confirm.firstCall.args[0] as { message: string }).message;
    expect(question).to.include('2 refresh token(s)');
    expect(question).to.include(testOrg.orgId);
    expect(question).not.to.include(testOrg.username);
    expect(result.successes.map((t) => t.status)).to.deep.equal(['revoked', 'revoked']);
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).to.deep.equal(['/apps/oauth/usage/tokens/tokA', '/apps/oauth/usage/tokens/tokB']);
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
    expect(String(ux.warn.firstCall.args[0])).to.include('Already gone (not found), so nothing to revoke: 1 target(s).');
    expect(ux.log.lastCall.args[0]).to.equal('3 refresh token(s): revoked 1, not found 1, failed 1.');
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

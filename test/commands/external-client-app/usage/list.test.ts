import { expect } from 'chai';
import { MockTestOrgData } from '@salesforce/core/testSetup';
import { SfError } from '@salesforce/core';
import UsageList from '../../../../src/commands/external-client-app/usage/list.js';
import { apiError, app, appPage, commandTestContext, fakeOrg } from '../../fakeOrg.js';
import type { AppUsage } from '../../../../src/api/types.js';

describe('external-client-app usage list', () => {
  const testOrg = new MockTestOrgData();
  const { $$, ux } = commandTestContext(testOrg);
  const apps = [1, 2, 3, 4, 5].map(app);

  it('pages through the apps and returns every field the API sent', async () => {
    const calls = fakeOrg($$, [[/\/apps\/oauth\/usage\?/, ({ url }) => appPage(apps, url)]]);
    const result = await UsageList.run(['--target-org', testOrg.username, '--page-size', '2']);
    expect(result).to.deep.equal(apps);
    expect(calls.filter((c) => c.url.includes('usage')).map((c) => c.url)).to.deep.equal([
      '/apps/oauth/usage?page=0&pageSize=2',
      '/services/data/v62.0/apps/oauth/usage?page=1&pageSize=2',
      '/services/data/v62.0/apps/oauth/usage?page=2&pageSize=2',
      // Page 2 was short, but only the empty page ends the list.
      '/services/data/v62.0/apps/oauth/usage?page=3&pageSize=2',
    ]);
  });

  it('prints a table with the developer names and a summary line', async () => {
    fakeOrg($$, [[/\/apps\/oauth\/usage\?/, ({ url }) => appPage(apps, url)]]);
    await UsageList.run(['--target-org', testOrg.username]);
    const table = ux().table.firstCall.args[0] as { data: Array<Record<string, unknown>>; columns: Array<{ key: string }> };
    expect(table.data.map((row) => row.developerName)).to.deep.equal(apps.map((a) => a.developerName));
    expect(table.columns.map((c) => c.key)).to.deep.equal(['developerName', 'identifier', 'accessTokenFormat', 'isFromPackage']);
    expect(ux().log.lastCall.args[0]).to.equal('5 external client apps with OAuth usage.');
  });

  it('says "1 external client app", singular, for one app', async () => {
    fakeOrg($$, [[/\/apps\/oauth\/usage\?/, ({ url }) => appPage(apps.slice(0, 1), url)]]);
    await UsageList.run(['--target-org', testOrg.username]);
    expect(ux().log.lastCall.args[0]).to.equal('1 external client app with OAuth usage.');
  });

  it('adds userCount with --user-counts by reading every page of users', async () => {
    const users = (n: number): Array<Record<string, unknown>> =>
      Array.from({ length: n }, (_, i) => ({ userIdentifier: `005Hs00000000${String(i).padStart(2, '0')}AAA`, username: `u${i}@x.com` }));
    fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage(apps.slice(0, 2), url)],
      [/0xIHs0000000001\/users/, () => ({ users: users(3), nextPageUrl: null })],
      [/0xIHs0000000002\/users/, () => ({ users: [], nextPageUrl: '/services/data/v62.0/apps/oauth/usage/0xIHs0000000002/users?page=1' })],
    ]);
    const result = await UsageList.run(['--target-org', testOrg.username, '--user-counts']);
    expect((result as AppUsage[]).map((a) => a.userCount)).to.deep.equal([3, 0]);
    expect((ux().table.firstCall.args[0] as { columns: Array<{ key: string }> }).columns.map((c) => c.key)).to.include('userCount');
  });

  const csvOf = async (rows: Array<Record<string, unknown>>, ...args: string[]): Promise<string> => {
    fakeOrg($$, [[/\/apps\/oauth\/usage\?/, ({ url }) => appPage(rows, url)]]);
    const write = $$.SANDBOX.stub(process.stdout, 'write');
    try {
      await UsageList.run(['--target-org', testOrg.username, '-r', 'csv', ...args]);
    } finally {
      write.restore();
    }
    return write.getCalls().map((c) => String(c.args[0])).join('');
  };
  const header = 'identifier,developerName,description,accessTokenFormat,isFromPackage,availableActions,usageDetailsUrl';

  it('writes CSV with the documented field names as header and RFC 4180 quoting; other fields stay in --json', async () => {
    expect(await csvOf(apps.slice(0, 1))).to.equal(
      `${header}\r\n` +
        '0xIHs0000000001,App_1,"App number 1, ""quoted""",JWT,false,"disable, enable",/services/data/v62.0/apps/oauth/usage/0xIHs0000000001/users\r\n'
    );
    expect(ux().table.called).to.equal(false);
  });

  it('writes the same CSV header with no app as with apps, userCount only with --user-counts', async () => {
    expect(await csvOf([])).to.equal(`${header}\r\n`);
    expect(await csvOf([], '--user-counts')).to.equal(`${header},userCount\r\n`);
  });

  it('writes a description that starts like a formula as text', async () => {
    const text = await csvOf([{ ...apps[0], description: '=HYPERLINK("http://evil.example","Click")' }]);
    expect(text).to.include(',App_1,"\'=HYPERLINK(""http://evil.example"",""Click"")",JWT,');
  });

  it('says so kindly when no app has OAuth usage', async () => {
    fakeOrg($$, [[/\/apps\/oauth\/usage\?/, ({ url }) => appPage([], url)]]);
    const result = await UsageList.run(['--target-org', testOrg.username]);
    expect(result).to.deep.equal([]);
    expect(ux().log.lastCall.args[0]).to.equal('No external client app has OAuth usage in this org.');
  });

  it('refuses --api-version 58.0 with an action, before any usage request', async () => {
    const calls = fakeOrg($$, []);
    try {
      await UsageList.run(['--target-org', testOrg.username, '--api-version', '58.0']);
      expect.fail('should throw');
    } catch (error) {
      const sfError = error as SfError;
      expect(sfError.name).to.equal('ApiVersionTooLowError');
      expect(sfError.message).to.include('58.0');
      expect(sfError.actions?.[0]).to.include('--api-version 59.0');
    }
    expect(calls.filter((c) => c.url.includes('usage'))).to.deep.equal([]);
  });

  const apiErrors: Array<{ title: string; errorCode: string; message: string; name: string; actions: (actions: string[] | undefined) => void }> = [
    {
      title: 'maps an expired session to SessionExpiredError with an action to log in again',
      errorCode: 'INVALID_SESSION_ID',
      message: 'Session expired or invalid',
      name: 'SessionExpiredError',
      actions: (actions) => expect(actions?.join(' ')).to.include('sf org login web'),
    },
    {
      title: 'maps missing permission to InsufficientAccessError',
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
      message: 'insufficient access rights',
      name: 'InsufficientAccessError',
      actions: (actions) => expect(actions).to.have.length.greaterThan(0),
    },
  ];
  for (const { title, errorCode, message, name, actions } of apiErrors) {
    it(title, async () => {
      fakeOrg($$, [
        [
          /\/apps\/oauth\/usage\?/,
          () => {
            throw apiError(errorCode, message);
          },
        ],
      ]);
      try {
        await UsageList.run(['--target-org', testOrg.username]);
        expect.fail('should throw');
      } catch (error) {
        expect((error as SfError).name).to.equal(name);
        actions((error as SfError).actions);
      }
    });
  }

  it('rejects a --page-size above 2000 as a flag error', async () => {
    fakeOrg($$, []);
    try {
      await UsageList.run(['--target-org', testOrg.username, '--page-size', '5000']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.match(/2000/);
    }
  });
});

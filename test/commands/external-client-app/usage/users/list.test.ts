import { expect } from 'chai';
import { MockTestOrgData } from '@salesforce/core/testSetup';
import { SfError } from '@salesforce/core';
import UsersList from '../../../../../src/commands/external-client-app/usage/users/list.js';
import { app, appPage, commandTestContext, fakeOrg } from '../../../fakeOrg.js';
import type { UserUsage } from '../../../../../src/api/types.js';

const user = (n: number, lastUsedAt: string | null): Record<string, unknown> => ({
  userIdentifier: `005Hs00000000${String(n).padStart(2, '0')}AAA`,
  username: `user${n}@acme.example.com`,
  appIdentifier: '0xIHs0000000001',
  appDeveloperName: 'App_1',
  initialConnectionAt: '2025-01-01T00:00:00.000Z',
  lastUsedAt,
  useCount: n,
  revocationUrl: `/services/data/v62.0/apps/oauth/usage/0xIHs0000000001/005Hs00000000${String(n).padStart(2, '0')}AAA/tokens`,
});

describe('external-client-app usage users list', () => {
  const testOrg = new MockTestOrgData();
  const { $$, ux } = commandTestContext(testOrg);
  const users = [user(1, '2026-11-01T00:00:00.000Z'), user(2, null), user(3, '2024-01-01T00:00:00.000Z')];

  const routes = (): ReturnType<typeof fakeOrg> =>
    fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1), app(2)], url)],
      [
        /0xIHs0000000001\/users/,
        ({ url }) => {
          // Every user on the first page, then the empty page that ends the list (nextPageUrl is on every page).
          const page = Number(new URL(url, 'http://x').searchParams.get('page'));
          return { users: page === 0 ? users : [], nextPageUrl: `/services/data/v62.0/apps/oauth/usage/0xIHs0000000001/users?page=${page + 1}&pageSize=100` };
        },
      ],
    ]);

  it('resolves the app by an 18-character id and uses the API id in the URL', async () => {
    const calls = routes();
    const result = await UsersList.run(['--target-org', testOrg.username, '--app', '0xIHs0000000001MAA']);
    expect(result).to.deep.equal(users);
    expect(calls.map((c) => c.url)).to.include('/apps/oauth/usage/0xIHs0000000001/users?page=0&pageSize=100');
    expect(ux().log.lastCall.args[0]).to.equal('3 users of App_1.');
  });

  it('says "1 user", singular, for one user', async () => {
    routes();
    await UsersList.run(['--target-org', testOrg.username, '--app', 'App_1', '--last-used-after', '2026-10-01']);
    expect(ux().log.lastCall.args[0]).to.equal('1 user of App_1.');
  });

  it('keeps never-used users for --unused-days and drops recent ones', async () => {
    routes();
    const result = await UsersList.run(['--target-org', testOrg.username, '--app', 'app_1', '--unused-days', '90']);
    expect((result as UserUsage[]).map((u) => u.username)).to.deep.equal(['user2@acme.example.com', 'user3@acme.example.com']);
    const table = ux().table.firstCall.args[0] as { data: Array<Record<string, unknown>> };
    expect(table.data[0].lastUsedAt).to.equal('never');
  });

  it('suggests the closest developer name for an unknown app', async () => {
    routes();
    try {
      await UsersList.run(['--target-org', testOrg.username, '--app', 'App_9']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as SfError).name).to.equal('UnknownAppError');
      expect((error as SfError).actions?.[0]).to.include('App_1');
    }
  });

  it('refuses an impossible date before any request', async () => {
    const calls = routes();
    try {
      await UsersList.run(['--target-org', testOrg.username, '--app', 'App_1', '--last-used-before', '2026-02-30']);
      expect.fail('should throw');
    } catch (error) {
      expect((error as SfError).name).to.equal('InvalidDateError');
    }
    expect(calls).to.deep.equal([]);
  });

  it('gives every row the 18-character id of its org', async () => {
    routes();
    const result = (await UsersList.run(['--target-org', testOrg.username, '--app', 'App_1'])) as UserUsage[];
    // MockTestOrgData's org id is no Salesforce id: it is carried as sf holds it.
    expect(result.map((row) => row.orgId)).to.deep.equal(users.map(() => testOrg.orgId));
  });
});

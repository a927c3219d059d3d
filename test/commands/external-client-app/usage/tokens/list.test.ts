import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MockTestOrgData } from '@salesforce/core/testSetup';
import TokensList from '../../../../../src/commands/external-client-app/usage/tokens/list.js';
import { app, appPage, commandTestContext, fakeOrg } from '../../../fakeOrg.js';
import type { TokenUsage } from '../../../../../src/api/types.js';

const token = (appN: number, userN: number, id: string, lastUsedAt: string | null): Record<string, unknown> => ({
  appIdentifier: `0xIHs00000000${String(appN).padStart(2, '0')}`,
  appDeveloperName: `App_${appN}`,
  userIdentifier: `005Hs00000000${String(userN).padStart(2, '0')}AAA`,
  username: `user${userN}@acme.example.com`,
  initialConnectionAt: '2024-01-01T00:00:00.000Z',
  lastUsedAt,
  useCount: 1,
  accessTokenFormat: 'JWT',
  revocationUrl: `/services/data/v62.0/apps/oauth/usage/tokens/${id}`,
});

describe('external-client-app usage tokens list', () => {
  const testOrg = new MockTestOrgData();
  // An org id in the 15-character form, as sf may hold it.
  testOrg.orgId = '00D000000000042';
  const { $$, ux } = commandTestContext(testOrg);

  it('takes an inventory across apps and users, filters stale tokens, and adds tokenId', async () => {
    const users = (appN: number): unknown => ({
      users: [1, 2].map((n) => ({ userIdentifier: `005Hs00000000${String(n).padStart(2, '0')}AAA`, username: `user${n}@acme.example.com`, appIdentifier: `0xIHs00000000${String(appN).padStart(2, '0')}` })),
      nextPageUrl: null,
    });
    const calls = fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1), app(2)], url)],
      [/0xIHs0000000001\/users/, () => users(1)],
      [/0xIHs0000000002\/users/, () => users(2)],
      [/0xIHs0000000001\/005Hs0000000001AAA\/tokens/, () => ({ tokens: [token(1, 1, 'a1-old', '2020-01-01T00:00:00Z'), token(1, 1, 'a1-new', new Date().toISOString())] })],
      [/0xIHs0000000001\/005Hs0000000002AAA\/tokens/, () => ({ tokens: [token(1, 2, 'a2-never', null)] })],
      [/0xIHs0000000002\/005Hs0000000001AAA\/tokens/, () => ({ tokens: [] })],
      [/0xIHs0000000002\/005Hs0000000002AAA\/tokens/, () => ({ tokens: [token(2, 2, 'b2.old_x', '2025-01-01T00:00:00Z')] })],
    ]);
    const result = await TokensList.run(['--target-org', testOrg.username, '--unused-days', '90']);
    expect((result as TokenUsage[]).map((t) => t.tokenId)).to.deep.equal(['a1-old', 'a2-never', 'b2.old_x']);
    expect(calls.filter((c) => c.url.endsWith('/tokens'))).to.have.length(4);
    expect(ux().log.lastCall.args[0]).to.equal('3 refresh tokens of 2 users in 2 apps.');
  });

  it('says "1 refresh token of 1 user in 1 app", singular, for one of each', async () => {
    fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1)], url)],
      [/users/, () => ({ users: [{ userIdentifier: '005Hs0000000001AAA', username: 'user1@acme.example.com' }], nextPageUrl: null })],
      [/tokens$/, () => ({ tokens: [token(1, 1, 'only', null)] })],
    ]);
    await TokensList.run(['--target-org', testOrg.username]);
    expect(ux().log.lastCall.args[0]).to.equal('1 refresh token of 1 user in 1 app.');
  });

  it('refuses a revocationUrl on a foreign origin', async () => {
    fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1)], url)],
      [/users/, () => ({ users: [{ userIdentifier: '005Hs0000000001AAA', username: 'u@x.com' }], nextPageUrl: null })],
      [/tokens$/, () => ({ tokens: [{ ...token(1, 1, 'x', null), revocationUrl: 'https://evil.example.com/services/data/v62.0/apps/oauth/usage/tokens/x' }] })],
    ]);
    try {
      await TokensList.run(['--target-org', testOrg.username]);
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).name).to.equal('ForeignUrlError');
    }
  });

  it('gives every row, in JSON and in a CSV file, the 18-character id of its org, also when sf holds the 15-character one', async () => {
    fakeOrg($$, [
      [/\/apps\/oauth\/usage\?/, ({ url }) => appPage([app(1)], url)],
      [/users/, () => ({ users: [{ userIdentifier: '005Hs0000000001AAA', username: 'user1@acme.example.com' }], nextPageUrl: null })],
      [/tokens$/, () => ({ tokens: [token(1, 1, 'one', null), token(1, 1, 'two', '2026-01-01T00:00:00Z')] })],
    ]);
    const result = (await TokensList.run(['--target-org', testOrg.username])) as TokenUsage[];
    expect(result.map((row) => row.orgId)).to.deep.equal(['00D000000000042EAA', '00D000000000042EAA']);
    const dir = mkdtempSync(join(tmpdir(), 'eca-tokens-'));
    try {
      await TokensList.run(['--target-org', testOrg.username, '--output-file', join(dir, 'tokens.csv')]);
      const [header, ...rows] = readFileSync(join(dir, 'tokens.csv'), 'utf8').trim().split('\r\n');
      expect(header.split(',').pop()).to.equal('orgId');
      expect(rows.map((row) => row.split(',').pop())).to.deep.equal(['00D000000000042EAA', '00D000000000042EAA']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

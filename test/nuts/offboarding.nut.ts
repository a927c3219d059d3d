import { expect } from 'chai';
import { generateState, to18CharId, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import type { TokenUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

/* Offboarding: `tokens revoke --user U` with no --app revokes U's tokens in every app. */

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const LIST = ['external-client-app', 'usage', 'tokens', 'list'];
const NEWBIE = { userIdentifier: to18CharId('005Hs0000NeWbIe'), username: 'new.hire@acme.example.com' };

function seed(): EmulatorState {
  // Every generated user holds tokens of every app; dropping some makes users who hold tokens in some apps only.
  const state = generateState({ apps: 5, usersPerApp: 6, tokensPerUser: 2, seed: 31 });
  const appIndex = (id: string): number => state.apps.findIndex((app) => app.identifier === id);
  const userIndex = (id: string): number => state.users.findIndex((user) => user.userIdentifier === id);
  const tokens = state.tokens.filter((t) => (appIndex(t.appIdentifier) + userIndex(t.userIdentifier)) % 3 !== 0);
  return { ...state, users: [...state.users, NEWBIE], tokens };
}

const path = (line: string): string => line.replace(/^(\w+) \/services\/data\/v\d+\.\d/, '$1 ');

/** The users holding tokens in some apps but not in all, with those apps in the order the API lists them. */
function holders(state: EmulatorState): Array<{ userIdentifier: string; username: string; apps: string[] }> {
  const listed = [...state.apps].sort((a, b) => a.developerName.localeCompare(b.developerName));
  return state.users
    .map((user) => ({
      ...user,
      apps: listed
        .filter((app) => state.tokens.some((t) => t.appIdentifier === app.identifier && t.userIdentifier === user.userIdentifier))
        .map((app) => app.identifier),
    }))
    .filter((user) => user.apps.length > 1 && user.apps.length < state.apps.length);
}

describe('offboarding: tokens revoke --user in every app (against the emulator)', () => {
  const { emulator } = useEmulator(seed());

  it('revokes every token of the user with one user-level DELETE per app where they hold tokens, and nothing else @smoke', async () => {
    const before = emulator.state();
    const [leaver] = holders(before);
    expect(leaver, 'the seed has a user with tokens in some apps only').to.not.equal(undefined);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--user', leaver.username, '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const deletes = usageRequests(emulator, 'DELETE').map(path);
    expect(deletes).to.have.members(leaver.apps.map((app) => `DELETE /apps/oauth/usage/${app}/${leaver.userIdentifier}/tokens`));
    expect(deletes).to.have.length(leaver.apps.length);
    // One token list per app, and no user list: the user was found in the org, not in the usage lists.
    expect(usageRequests(emulator, 'GET').filter((line) => line.includes('/users'))).to.deep.equal([]);
    expect(usageRequests(emulator, 'GET').filter((line) => line.endsWith('/tokens'))).to.have.length(before.apps.length);
    const appName = (id: string): string => before.apps.find((app) => app.identifier === id)!.developerName;
    expect(result.json!.result.successes).to.deep.equal(
      leaver.apps.map((app) => ({
        scope: 'user',
        appIdentifier: app,
        appDeveloperName: appName(app),
        userIdentifier: leaver.userIdentifier,
        username: leaver.username,
        tokenCount: before.tokens.filter((t) => t.appIdentifier === app && t.userIdentifier === leaver.userIdentifier).length,
        status: 'revoked',
      }))
    );
    const after = emulator.state();
    expect(after.tokens.filter((t) => t.userIdentifier === leaver.userIdentifier)).to.deep.equal([]);
    expect(after.tokens).to.deep.equal(before.tokens.filter((t) => t.userIdentifier !== leaver.userIdentifier));
  });

  it('--dry-run lists the (app, user) pairs and sends nothing; tokens list --user names the same apps', async () => {
    const [first, second] = holders(emulator.state());
    const users = ['--user', first.username, '--user', second.userIdentifier];
    const dry = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, ...users, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).to.equal(0);
    const pairs = dry.json!.result.successes.map((t) => `${t.appIdentifier}/${t.userIdentifier}`);
    expect(pairs).to.have.members([
      ...first.apps.map((app) => `${app}/${first.userIdentifier}`),
      ...second.apps.map((app) => `${app}/${second.userIdentifier}`),
    ]);
    expect(dry.json!.result.successes.every((t) => t.scope === 'user' && t.status === 'would-revoke' && t.username)).to.equal(true);
    const listed = await runPlugin<TokenUsage[]>(emulator, [...LIST, ...users, '--json']);
    expect([...new Set(listed.json!.result.map((t) => `${t.appIdentifier}/${t.userIdentifier}`))]).to.have.members(pairs);
    const human = await runPlugin(emulator, [...REVOKE, ...users, '--dry-run']);
    expect(human.stdout).to.match(/would-revoke/);
    expect(human.stdout).to.match(/\b2 users?\b.* in \d+ apps\b/);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(seed().tokens.length);
  });

  it('a re-run, and a real user who never held a token, are "Nothing to revoke", exit 0; an unknown username sends nothing', async () => {
    const [leaver] = holders(emulator.state());
    await runPlugin(emulator, [...REVOKE, '--user', leaver.username, '--no-prompt']);
    emulator.clearLog();
    for (const username of [leaver.username, NEWBIE.username]) {
      // eslint-disable-next-line no-await-in-loop
      const again = await runPlugin(emulator, [...REVOKE, '--user', username, '--no-prompt']);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.match(/Nothing to revoke/);
    }
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    emulator.clearLog();
    const unknown = await runPlugin(emulator, [...REVOKE, '--user', 'gone.forever@acme.example.com', '--no-prompt', '--json']);
    expect(unknown.code).to.equal(1);
    expect(unknown.json?.name).to.equal('UnknownUserError');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});

import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import { isStale } from '../../emulator/stale.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import type { UserUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

/* Revoking by each user's last use: `tokens revoke <filter> --by-user`, and `--from-file` with
 * the output of `users list`. */

const USAGE = ['external-client-app', 'usage'];
const REVOKE = [...USAGE, 'tokens', 'revoke'];
const USERS_LIST = [...USAGE, 'users', 'list'];
const DAYS = 90;
/** The plugin's page size for the pages it reads (DEFAULT_PAGE_SIZE). */
const PAGE_SIZE = 100;

// More users per app than one page holds, and two tokens per user: a user is stale only when both tokens are.
const seed = (): EmulatorState => generateState({ apps: 3, usersPerApp: 130, tokensPerUser: 2, staleFraction: 0.5, seed: 47 });

type Pair = { appIdentifier: string; appDeveloperName: string; userIdentifier: string; username: string };

/**
 * The (app, user) pairs whose user row is stale, computed from the emulator's state as its users route does: the
 * user's last use of an app is the latest lastUsedAt of their tokens of that app, null when none was ever used.
 */
function stalePairs(state: EmulatorState, apps = state.apps): Pair[] {
  return apps.flatMap((app) =>
    state.users.flatMap((user) => {
      const tokens = state.tokens.filter((t) => t.appIdentifier === app.identifier && t.userIdentifier === user.userIdentifier);
      if (tokens.length === 0) return [];
      const used = tokens.map((t) => t.lastUsedAt).filter((d): d is string => d !== null);
      const lastUsed = used.length === 0 ? null : used.reduce((a, b) => (b > a ? b : a));
      return isStale(lastUsed, DAYS) ? [{ appIdentifier: app.identifier, appDeveloperName: app.developerName, ...user }] : [];
    })
  );
}

/** Users of an app as the emulator lists them, for the page count. */
const usersOf = (state: EmulatorState, appIdentifier: string): number =>
  new Set(state.tokens.filter((t) => t.appIdentifier === appIdentifier).map((t) => t.userIdentifier)).size;

const key = (pair: { appIdentifier?: string; userIdentifier?: string }): string => `${pair.appIdentifier ?? ''}/${pair.userIdentifier ?? ''}`;
const userDelete = (pair: Pair | UserUsage): string => `DELETE /apps/oauth/usage/${pair.appIdentifier}/${pair.userIdentifier}/tokens`;
const path = (line: string): string => line.replace(/^(\w+) \/services\/data\/v\d+\.\d/, '$1 ');

describe('tokens revoke --by-user and --from-file with users list output (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());

  it('sends app pages, user pages and one user-level DELETE per stale (app, user), and nothing else @smoke', async () => {
    const before = emulator.state();
    const expected = stalePairs(before);
    expect(expected.length, 'the seed has stale users').to.be.greaterThan(0);
    expect(expected.length, 'and fresh ones').to.be.lessThan(before.apps.length * 130);

    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--unused-days', String(DAYS), '--by-user', '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);

    const gets = usageRequests(emulator, 'GET').map(path);
    const appPages = gets.filter((line) => line.startsWith('GET /apps/oauth/usage?'));
    const userPages = gets.filter((line) => line.includes('/users?'));
    // Only an empty page ends a list (a short one does not), so an app of n users takes ceil(n / 100) + 1 pages.
    const expectedUserPages = before.apps.reduce((sum, app) => sum + Math.ceil(usersOf(before, app.identifier) / PAGE_SIZE) + 1, 0);
    expect(appPages).to.have.length(Math.ceil(before.apps.length / PAGE_SIZE) + 1);
    expect(userPages).to.have.length(expectedUserPages);
    expect(gets.filter((line) => line.includes('/tokens'))).to.deep.equal([]);
    expect(gets).to.have.length(appPages.length + userPages.length);

    const deletes = usageRequests(emulator, 'DELETE').map(path);
    expect(deletes).to.have.members(expected.map(userDelete));
    expect(deletes).to.have.length(expected.length);
    expect(result.json!.result.successes.map(key)).to.have.members(expected.map(key));
    expect(result.json!.result.successes.every((target) => target.scope === 'user' && target.status === 'revoked')).to.equal(true);

    // Every token of a selected user for that app is gone; every other token is still there.
    const revoked = new Set(expected.map(key));
    expect(emulator.state().tokens).to.deep.equal(before.tokens.filter((t) => !revoked.has(key(t))));
  });

  it('narrows to the apps given with --app, and a dry run lists the (app, user) pairs and sends no DELETE', async () => {
    const before = emulator.state();
    const [app] = before.apps;
    const expected = stalePairs(before, [app]);
    const dry = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--unused-days', String(DAYS), '--by-user', '--app', app.developerName, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.json!.result.dryRun).to.equal(true);
    expect(dry.json!.result.successes).to.have.deep.members(expected.map((pair) => ({ scope: 'user', ...pair, status: 'would-revoke' })));
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(usageRequests(emulator).filter((line) => line.includes('/users?') && !line.includes(app.identifier))).to.deep.equal([]);

    const human = await runPlugin(emulator, [...REVOKE, '--unused-days', String(DAYS), '--by-user', '--app', app.developerName, '--dry-run']);
    expect(human.code, human.stderr).to.equal(0);
    expect(expected.length, 'the table shows every row').to.be.at.most(50);
    for (const pair of expected) expect(human.stdout).to.match(new RegExp(`${pair.appDeveloperName}\\s.*${pair.username.replace(/[.+]/g, '\\$&')}`));
    expect(human.stdout).to.include('Dry run:');
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('refuses --by-user without a filter, or with --user, with exit 2 and no request', async () => {
    const [app] = emulator.state().apps;
    const alone = await runPlugin(emulator, [...REVOKE, '--by-user', '--app', app.developerName, '--json']);
    expect(alone.code).to.equal(2);
    expect(alone.json?.name).to.equal('ByUserWithoutFilterError');
    const withUser = await runPlugin(emulator, [...REVOKE, '--by-user', '--unused-days', '90', '--user', emulator.state().users[0].username, '--json']);
    expect(withUser.code).to.equal(2);
    expect(withUser.json?.name).to.equal('ByUserWithUserError');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  for (const format of ['csv', 'json'] as const) {
    it(`revokes exactly the users that "users list --unused-days ${DAYS}" wrote (${format}), one user-level DELETE each`, async () => {
      const before = emulator.state();
      const [, app] = before.apps;
      const args = [...USERS_LIST, '--app', app.developerName, '--unused-days', String(DAYS)];
      const listed = await runPlugin<UserUsage[]>(emulator, format === 'csv' ? [...args, '--result-format', 'csv'] : [...args, '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      const users = (await runPlugin<UserUsage[]>(emulator, [...args, '--json'])).json!.result;
      expect(users.map(key), 'users list agrees with the emulator').to.have.members(stalePairs(before, [app]).map(key));
      const file = scratch(`stale-users.${format}`);
      writeFileSync(file, listed.stdout);
      emulator.clearLog();

      const dry = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']);
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.json!.result.successes).to.deep.equal(
        users.map((user) => ({
          scope: 'user',
          appIdentifier: user.appIdentifier,
          appDeveloperName: user.appDeveloperName,
          userIdentifier: user.userIdentifier,
          username: user.username,
          status: 'would-revoke',
        }))
      );
      expect(usageRequests(emulator)).to.deep.equal([]);

      const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '--no-prompt', '--json']);
      expect(run.code, run.stderr).to.equal(0);
      const sent = usageRequests(emulator).map(path);
      expect(sent).to.have.members(users.map(userDelete));
      expect(sent).to.have.length(users.length);
      const revoked = new Set(users.map(key));
      expect(emulator.state().tokens).to.deep.equal(before.tokens.filter((t) => !revoked.has(key(t))));
    });
  }
});

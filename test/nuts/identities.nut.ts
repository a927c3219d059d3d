import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState, to18CharId, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import type { TokenUsage } from '../../src/api/types.js';
import type { Emulator } from '../../emulator/server.js';
import { runPlugin, usageRequests as loggedRequests, useEmulator } from './runPlugin.js';

/*
 * Contract §12-13: every id a person types is verified before anything is sent, a 15-character id means its
 * 18-character form, and the audit log says who revoked with which version of the plugin. The emulator answers 404 for
 * a 15-character user id in a usage path, as the API of the acceptance run did, so a plugin that put a typed id into a
 * path as given would list nothing and revoke nothing.
 */

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const LIST = ['external-client-app', 'usage', 'tokens', 'list'];
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The usage requests the emulator saw, without the API version (which a runner's saved login may pin). */
const usageRequests = (emulator: Emulator, method?: string): string[] =>
  loggedRequests(emulator, method).map((line) => line.replace(/ \/services\/data\/v\d+\.\d\/apps\/oauth\/usage/, ' …'));

const seed = (): EmulatorState => generateState({ apps: 3, usersPerApp: 5, tokensPerUser: 2, seed: 23 });

describe('identities: typed ids verified before anything is sent (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());

  /** A user holding tokens of the first listed app, with the app's ids in both forms. */
  const someHolder = (): { app15: string; app18: string; appName: string; user15: string; user18: string; username: string; held: number } => {
    const state = emulator.state();
    const app = [...state.apps].sort((a, b) => a.developerName.localeCompare(b.developerName))[0];
    const token = state.tokens.find((t) => t.appIdentifier === app.identifier)!;
    const user = state.users.find((u) => u.userIdentifier === token.userIdentifier)!;
    const held = state.tokens.filter((t) => t.appIdentifier === app.identifier && t.userIdentifier === user.userIdentifier).length;
    return {
      app15: app.identifier.slice(0, 15),
      app18: to18CharId(app.identifier.slice(0, 15)),
      appName: app.developerName,
      user15: user.userIdentifier.slice(0, 15),
      user18: user.userIdentifier,
      username: user.username,
      held,
    };
  };

  it('15-character app and user ids, as Setup URLs show them, list and revoke the user\'s tokens through the 18-character user id @smoke', async () => {
    const holder = someHolder();
    expect(holder.held).to.be.greaterThan(0);
    const listed = await runPlugin<TokenUsage[]>(emulator, [...LIST, '--app', holder.app15, '--user', holder.user15, '--json']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.json!.result).to.have.length(holder.held);
    expect(usageRequests(emulator, 'GET').filter((line) => line.endsWith('/tokens'))).to.deep.equal([
      `GET …/${holder.app15}/${holder.user18}/tokens`,
    ]);
    emulator.clearLog();
    const revoked = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--app', holder.app15, '--user', holder.user15, '--no-prompt', '--json']);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.json!.result.successes).to.deep.equal([
      { scope: 'user', appIdentifier: holder.app15, appDeveloperName: holder.appName, userIdentifier: holder.user18, username: holder.username, tokenCount: holder.held, status: 'revoked' },
    ]);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([`DELETE …/${holder.app15}/${holder.user18}/tokens`]);
    expect(emulator.state().tokens.filter((t) => t.userIdentifier === holder.user18 && t.appIdentifier === holder.app15)).to.deep.equal([]);
  });

  it('offboarding a 15-character user id finds every app where the user holds tokens, and the dry run says how many each holds', async () => {
    const holder = someHolder();
    const state = emulator.state();
    const held = state.tokens.filter((t) => t.userIdentifier === holder.user18);
    const apps = new Set(held.map((t) => t.appIdentifier));
    const dry = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--user', holder.user15, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.json!.result.successes.map((t) => [t.appIdentifier, t.userIdentifier, t.tokenCount])).to.have.deep.members(
      [...apps].map((app) => [app, holder.user18, held.filter((t) => t.appIdentifier === app).length])
    );
    const human = await runPlugin(emulator, [...REVOKE, '--user', holder.user15, '--dry-run']);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/Tokens/);
    expect(human.stdout).to.include(`Dry run: all ${held.length} refresh tokens of 1 user in ${apps.size} apps`);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('an 18-character id whose checksum is wrong is refused as mistyped, naming it, with nothing sent to the usage resources', async () => {
    const holder = someHolder();
    for (const [flag, value] of [
      ['--app', `${holder.app15}XXX`],
      ['--user', `${holder.user15}ZZZ`],
    ]) {
      const args = flag === '--app' ? [...REVOKE, '--app', value, '--all-users', '--no-prompt', '--json'] : [...REVOKE, '--user', value, '--no-prompt', '--json'];
      // eslint-disable-next-line no-await-in-loop
      const result = await runPlugin(emulator, args);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.json?.name).to.equal('MistypedIdError');
      expect(result.json?.message).to.include(`"${value}" is mistyped`);
    }
    expect(usageRequests(emulator)).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(seed().tokens.length);
  });

  it('a user id that is no user of the org is an error naming it, exit 1, before any usage request', async () => {
    const nobody = to18CharId('005Hs0000NoBody');
    for (const command of [
      [...REVOKE, '--user', nobody, '--no-prompt', '--json'],
      [...LIST, '--user', nobody.slice(0, 15), '--json'],
    ]) {
      // eslint-disable-next-line no-await-in-loop
      const result = await runPlugin(emulator, command);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.json?.name).to.equal('UnknownUserError');
      expect(result.json?.message).to.include(`the ID "${nobody}"`);
    }
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('an app id no app with OAuth usage has: "Nothing to revoke", exit 0, saying the id is not among the apps that hold usage', async () => {
    const gone = to18CharId('0xIHs0000000Gon');
    const result = await runPlugin(emulator, [...REVOKE, '--app', gone, '--all-users', '--no-prompt']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`the app ID "${gone}" is not among the apps that hold OAuth usage`);
    expect(result.stdout).not.to.include('no token matches');
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('--by-user that selects nobody says no user matches', async () => {
    const result = await runPlugin(emulator, [...REVOKE, '--by-user', '--last-used-before', '2000-01-01', '--no-prompt']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('Nothing to revoke: no user matches.');
  });

  it("offboarding plans from the (app, user) it asked about: a row in a user's token list naming another user is left out and reported", async () => {
    const holder = someHolder();
    const state = emulator.state();
    const other = state.users.find((u) => u.userIdentifier !== holder.user18)!;
    // The org answers the holder's token list of one app with a row that names another user.
    emulator.addFaults([
      {
        method: 'GET',
        path: `/${holder.app15}/${holder.user18}/tokens`,
        action: {
          type: 'status',
          status: 200,
          body: {
            tokens: [
              {
                appIdentifier: holder.app15,
                appDeveloperName: holder.appName,
                userIdentifier: other.userIdentifier,
                username: other.username,
                revocationUrl: '/services/data/v66.0/apps/oauth/usage/tokens/foreignToken1',
                initialConnectionAt: '2026-01-01T00:00:00.000Z',
                lastUsedAt: null,
                useCount: 0,
              },
            ],
          },
        },
      },
    ]);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--user', holder.user18, '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const deletes = usageRequests(emulator, 'DELETE');
    expect(deletes.some((line) => line.includes(other.userIdentifier))).to.equal(false);
    expect(result.json!.result.successes.every((t) => t.userIdentifier === holder.user18)).to.equal(true);
    expect(JSON.stringify(result.json!.warnings)).to.include('rows that name another app or user');
  });

  it('the audit log says who revoked (username and 18-character id, asked from the org for an access-token login) and the plugin\'s own version', async () => {
    const holder = someHolder();
    const log = scratch('audit.jsonl');
    const result = await runPlugin(emulator, [...REVOKE, '--app', holder.appName, '--user', holder.username, '--no-prompt', '--audit-log', log]);
    expect(result.code, result.stderr).to.equal(0);
    const [start] = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const { org } = emulator.state();
    expect(start).to.deep.include({ event: 'run-start', actorUsername: org.adminUsername, actorUserId: org.adminUserId, pluginVersion: PACKAGE_VERSION });
    expect(readFileSync(log, 'utf8')).not.to.include(emulator.accessToken);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import { REPO } from '../../scripts/support/hosts.js';
import type { AppUsage } from '../../src/api/types.js';
import { KEYCHAIN_IN_HOME, saveExpiredLogin } from '../../scripts/support/savedLogin.js';
import { type CliResult, runCli, useEmulator } from './runPlugin.js';

/**
 * The @salesforce/core the plugin under test runs with (its own, also inside a real sf): 9.2 and later take a
 * cross-process lock around a refresh-token refresh and save the rotated refresh token; 8 (the Node 20 line) does
 * neither.
 */
const coreMajor = Number(
  (JSON.parse(readFileSync(join(REPO, 'node_modules', '@salesforce', 'core', 'package.json'), 'utf8')) as { version: string }).version.split('.')[0]
);

// An External Client App that rotates refresh tokens, and two scheduled jobs sharing one saved login whose access
// token has expired: both find the session expired before either refresh is answered.
describe('two runs refreshing one saved login at once, with refresh token rotation (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(generateState({ apps: 3, usersPerApp: 2, tokensPerUser: 1, seed: 15 }));
  let home: string;

  before(async () => {
    home = mkdtempSync(scratch('home-'));
    await saveExpiredLogin(emulator, home, 'emu');
    // Each refresh is answered only once both runs were refused with 401, so both hold the same refresh token. A run
    // is refused twice before it sends its refresh (its request, then the GET that core's refreshAuth() sends), so
    // the third refusal is the other run's first request.
    emulator.setOAuth({ rotate: true, holdUntilExpiredSessions: 3 });
  });

  const list = (): Promise<CliResult<AppUsage[]>> =>
    runCli<AppUsage[]>(['external-client-app', 'usage', 'list', '-o', 'emu', '--json'], { home, env: KEYCHAIN_IN_HOME });
  const refreshAnswers = (): number[] => emulator.requests().filter((entry) => entry.path === '/services/oauth2/token').map((entry) => entry.status);

  it('main line (core 9): both finish, no refresh is refused, and the saved login still refreshes for a third run; Node 20 line (core 8): the login is lost', async () => {
    const both = await Promise.all([list(), list()]);
    const concurrent = refreshAnswers();
    // The access tokens the refreshes issued expire, so the third run must refresh with the refresh token on disk.
    emulator.expireSessions();
    const third = await list();
    const outcome = { exitCodes: both.map((run) => run.code), refreshAnswers: concurrent, thirdRun: third.code };
    process.stderr.write(`      (@salesforce/core ${coreMajor}: ${JSON.stringify(outcome)})\n`);

    if (coreMajor < 9) {
      // The Node 20 line, for the record (docs/release-lines.md): core 8 refreshes without a lock and keeps
      // the refresh token it sent, which rotation retired: the second refresh spends a retired token and its run
      // fails, and the login on disk is lost whichever run won.
      expect([...both.map((run) => run.code)].sort()).to.deep.equal([0, 1]);
      expect(concurrent).to.deep.equal([200, 400]);
      expect(third.code).to.equal(1);
      expect(third.json?.name).to.equal('SessionRefreshRefusedError');
      return;
    }
    for (const run of both) {
      expect(run.code, run.stderr).to.equal(0);
      expect(run.json?.result).to.have.length(3);
    }
    expect(concurrent.filter((status) => status !== 200), 'refused refreshes').to.deep.equal([]);
    expect(third.code, third.stderr).to.equal(0);
    expect(third.json?.result).to.have.length(3);
    expect(refreshAnswers()).to.deep.equal([...concurrent, 200]);
  });
});

import { mkdtempSync } from 'node:fs';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import type { AppUsage, TokenUsage } from '../../src/api/types.js';
import { KEYCHAIN_IN_HOME, saveExpiredLogin } from '../../scripts/support/savedLogin.js';
import { runCli, usageRequests, useEmulator } from './runPlugin.js';

// A saved login (refresh token) whose access token has expired: core refreshes it at the org's token endpoint.
describe('an expired session of a saved login (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(generateState({ apps: 2, usersPerApp: 30, tokensPerUser: 1, seed: 9 }));
  let home: string;

  beforeEach(async () => {
    home = mkdtempSync(scratch('home-'));
    emulator.refuseRefresh(false);
    await saveExpiredLogin(emulator, home, 'emu');
    emulator.clearLog();
  });

  const list = (...extra: string[]): ReturnType<typeof runCli<AppUsage[]>> =>
    runCli<AppUsage[]>(['external-client-app', 'usage', 'list', '-o', 'emu', ...extra], { home, env: KEYCHAIN_IN_HOME });

  it('is refreshed by sf, and the command goes on', async () => {
    const result = await list('--json');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result).to.have.length(2);
    expect(emulator.requests().filter((entry) => entry.path === '/services/oauth2/token').map((entry) => entry.status)).to.include(200);
  });

  // The plugin sends most requests straight over Node's http with the session's token; a 401 there must go back to
  // core's refresh (src/api/http.ts), once for the run, and every request it refused must be sent again.
  it('is refreshed once when it expires in the middle of an inventory, and every token is still listed', async () => {
    emulator.setOAuth({ issueSessions: true });
    emulator.setLatency(20);
    try {
      const tokenLists = (): number => emulator.requests().filter((entry) => entry.path.endsWith('/tokens')).length;
      let finished = false;
      const run = runCli<TokenUsage[]>(['external-client-app', 'usage', 'tokens', 'list', '-o', 'emu', '--json'], { home, env: KEYCHAIN_IN_HOME }).finally(() => {
        finished = true;
      });
      while (!finished && tokenLists() < 10) {
        // eslint-disable-next-line no-await-in-loop
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(finished, 'the inventory ended before its session could expire').to.equal(false);
      emulator.expireSessions();
      const result = await run;
      expect(result.code, result.stderr).to.equal(0);
      expect(result.json!.result).to.have.length(60);
      expect(new Set(result.json!.result.map((row) => row.tokenId)).size).to.equal(60);
      const log = emulator.requests();
      expect(log.filter((entry) => entry.path === '/services/oauth2/token').map((entry) => entry.status)).to.deep.equal([200, 200]);
      const refused = log.filter((entry) => entry.status === 401 && entry.path.endsWith('/tokens'));
      expect(refused.length).to.be.within(1, 8);
      for (const entry of refused) {
        expect(log.some((later) => later.seq > entry.seq && later.path === entry.path && later.status === 200), entry.path).to.equal(true);
      }
      // Each token list was answered once, and only a refused one was sent a second time.
      expect(log.filter((entry) => entry.path.endsWith('/tokens') && entry.status === 200)).to.have.length(60);
      expect(tokenLists()).to.equal(60 + refused.length);
    } finally {
      emulator.setOAuth({ issueSessions: false });
      emulator.setLatency(0);
    }
  });

  it('says that the refresh was refused, with advice for a person and for a pipeline, when the org refuses it', async () => {
    emulator.refuseRefresh();
    const result = await list('--json');
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('SessionRefreshRefusedError');
    expect(result.json?.message).to.match(/session .*expired.* refused to refresh it/i);
    expect(result.json?.message).to.include('expired access/refresh token');
    const actions = result.json?.actions?.join('\n') ?? '';
    expect(actions).to.include('sf org login web');
    expect(actions).to.include('sf org login jwt');
    expect(actions).to.include('sf org login sfdx-url');
    expect(usageRequests(emulator).every((line) => !line.startsWith('DELETE'))).to.equal(true);

    const human = await list();
    expect(human.code).to.equal(1);
    expect(human.stderr).to.match(/refused to refresh/);
    expect(`${result.stdout}${human.stderr}`).not.to.include(emulator.refreshToken);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import type { AppUsage } from '../../src/api/types.js';
import { PLUGIN_ROOT_LOGGER_NAME } from '../../src/command/hostLogger.js';
import { REPO } from '../../scripts/support/hosts.js';
import { packOnce } from './pack.js';
import { runner } from './runner.js';
import { runCli, runPlugin, useEmulator } from './runPlugin.js';

// What only means something inside a real sf: its Node, the link, a saved login used as `-o ALIAS`, and the peer
// route users take today (`sf api request rest`), which must see the same org as the plugin.
describe('inside the real sf @host-only', () => {
  const { emulator } = useEmulator(generateState({ apps: 3, usersPerApp: 4, tokensPerUser: 2, seed: 11 }));

  it('runs on the Node the host is meant for and lists the plugin as linked', async () => {
    const { host } = await runner();
    const version = await runCli(['--version']);
    expect(version.stdout).to.include(`@salesforce/cli/${host!.cliVersion}`);
    expect(version.stdout).to.match(new RegExp(`node-v${host!.name.endsWith('node22') ? 22 : 20}\\.`));
    const plugins = await runCli(['plugins', '--core']);
    const name = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string }).name;
    expect(plugins.stdout).to.match(new RegExp(`${name}.*\\(link\\)`));
  });

  it('works with -o ALIAS from a saved login, and sf api request rest sees the same apps', async () => {
    const login = await runCli(['org', 'login', 'access-token', '--instance-url', emulator.url, '--no-prompt', '--alias', 'emu', '--json'], {
      env: { SF_ACCESS_TOKEN: emulator.accessToken },
    });
    expect(login.code, login.stderr).to.equal(0);
    const plugin = await runCli<AppUsage[]>(['external-client-app', 'usage', 'list', '-o', 'emu', '--json']);
    expect(plugin.code, plugin.stderr).to.equal(0);
    const peer = await runCli(['api', 'request', 'rest', '/services/data/v62.0/apps/oauth/usage', '-o', 'emu']);
    expect(peer.code, peer.stderr).to.equal(0);
    // sf 2.138.0's api request rest prints the bare body; newer ones print it too without --json.
    const body = JSON.parse(peer.stdout.slice(peer.stdout.indexOf('{'))) as { apps: Array<{ developerName: string }> };
    expect(plugin.json!.result.map((app) => app.developerName)).to.deep.equal(body.apps.map((app) => app.developerName).sort());
    expect(`${login.stdout}${plugin.stdout}${plugin.stderr}`).not.to.include(emulator.accessToken.split('!')[1]);
  });

  it("logs through sf's own log writer: no second worker thread, the plugin's records in sf's log file", async () => {
    const home = mkdtempSync(join(tmpdir(), 'eca-log-'));
    try {
      // Node's own debug output names every worker thread started; sf starts one to write its log file.
      const listed = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '--json'], { home, env: { NODE_DEBUG: 'worker', SF_LOG_LEVEL: 'debug' } });
      expect(listed.code, listed.stderr).to.equal(0);
      expect(listed.stderr.match(/created Worker with ID/g), listed.stderr).to.have.length(1);
      const logFile = readdirSync(join(home, '.sf')).find((name) => /^sf-.*\.log$/.test(name));
      const names = readFileSync(join(home, '.sf', logFile!), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { name?: string }).name);
      expect(names.filter((name) => name?.startsWith(`${PLUGIN_ROOT_LOGGER_NAME}:`))).to.not.be.empty;
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('loads from the packed tarball as users install it (sf plugins install file:…)', async function () {
    this.timeout(15 * 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'eca-install-'));
    try {
      const { tarball } = packOnce();
      const cli = await runner();
      // Its own HOME and plugin folder: installing must not replace the link the rest of the suite uses.
      const env = { XDG_DATA_HOME: join(dir, 'data') };
      const installed = await cli.exec(['plugins', 'install', `file:${tarball}`], dir, { extraEnv: env, input: 'y\n', timeoutMs: 14 * 60_000 });
      expect(installed.code, installed.stderr).to.equal(0);
      const listed = await cli.exec(['external-client-app', 'usage', 'list', '--json', '--target-org', emulator.accessToken], dir, {
        extraEnv: { ...env, SF_ORG_INSTANCE_URL: emulator.url },
      });
      expect(listed.code, listed.stderr).to.equal(0);
      expect((JSON.parse(listed.stdout) as { result: AppUsage[] }).result).to.have.length(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

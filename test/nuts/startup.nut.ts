import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import { REPO } from '../../scripts/support/hosts.js';
import { run } from '../../scripts/support/process.js';
import { KEYCHAIN_IN_HOME, saveLogin } from '../../scripts/support/savedLogin.js';
import { runPlugin, useEmulator } from './runPlugin.js';

// Node names each module it loads (CommonJS "load", ES modules "Storing ... in ModuleLoadMap") under NODE_DEBUG.
const MODULE_DEBUG = { NODE_DEBUG: 'module,esm' };

/** The plugin's own files and dependencies the process loaded (sf's are elsewhere, unless linked from this repo). */
function pluginModulesLoaded(stderr: string): string[] {
  const ours = new RegExp(`${REPO.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(lib|node_modules)/[^\\s'"]+`, 'g');
  return [...new Set(stderr.match(ours) ?? [])].filter((path) => !path.includes('/.cache/'));
}

describe('what a command costs before its work (against the emulator)', () => {
  const { emulator } = useEmulator(generateState({ apps: 3, usersPerApp: 4, tokensPerUser: 1, seed: 5 }));

  // With its manifest (as users install it), sf imports only the module of the command that runs; the plugin's own
  // bin/run.js has none and imports every command, so this imports the built module alone, as sf does.
  const CHECK_ONLY = 'policy|check|checkFiles|checkOutput|junit';
  const COMMANDS = {
    'usage/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/users/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|inventory|${CHECK_ONLY})\\.js$`),
    'usage/tokens/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/tokens/revoke': new RegExp(`/lib/[a-z]+/(report|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/report': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/check': /\/lib\/[a-z]+\/(selection|report|reportHtml|reportMarkdown)\.js$/,
  };
  // The YAML reader is for policy files only.
  const needlessPackages = (command: string): RegExp | undefined => (command === 'usage/check' ? undefined : /\/node_modules\/yaml\//);
  for (const [command, needless] of Object.entries(COMMANDS)) {
    it(`${command.replace(/\//g, ' ')} loads nothing that only its other paths or other commands need @bin-only`, async () => {
      const module = pathToFileURL(join(REPO, 'lib', 'commands', 'external-client-app', `${command}.js`)).href;
      const imported = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(module)});`], {
        cwd: REPO,
        env: { ...process.env, ...MODULE_DEBUG },
      });
      expect(imported.code, imported.stderr.slice(-2000)).to.equal(0);
      const loaded = pluginModulesLoaded(imported.stderr);
      expect(loaded.some((path) => path.endsWith(`/lib/commands/external-client-app/${command}.js`))).to.equal(true);
      expect(loaded.filter((path) => needless.test(path))).to.deep.equal([]);
      expect(loaded.filter((path) => needlessPackages(command)?.test(path))).to.deep.equal([]);
    });
  }

  it('usage list -o ALIAS sends only the pages of apps (the one with rows, the empty one that ends the list): no identity, version or limits call', async () => {
    const home = mkdtempSync(join(tmpdir(), 'eca-alias-'));
    try {
      await saveLogin(emulator, home, 'emu', { expired: false });
      emulator.clearLog();
      const listed = await runPlugin(emulator, ['external-client-app', 'usage', 'list', '--json', '-o', 'emu'], { home, env: KEYCHAIN_IN_HOME });
      expect(listed.code, listed.stderr).to.equal(0);
      expect(emulator.requests().map((entry) => `${entry.method} ${entry.path}?${entry.query}`)).to.deep.equal([
        'GET /services/data/v66.0/apps/oauth/usage?page=0&pageSize=100',
        'GET /services/data/v66.0/apps/oauth/usage?page=1&pageSize=100',
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

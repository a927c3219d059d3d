/*
 * The packages of this line, installed when they are missing or older than package-lock.json: the first step of
 * `npm run demo` and `npm test`, so that a fresh clone needs no `npm ci` of its own (README's Quick start). Plain
 * JavaScript with no dependencies: it runs before anything is installed. npm ci runs on a Node this line accepts
 * (scripts/node22.js fetches Node 22 for the main line on a machine whose Node is 20).
 *   node scripts/install.js    installs if needed, and says so; silent when the packages are up to date
 */
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { REPO } from './node22.js';

/**
 * npm ci writes node_modules/.package-lock.json last: missing, or older than package-lock.json (a fresh clone has none; a
 * pull that changed the lock makes it older), means the packages are not those of the lock.
 */
export function packagesUpToDate(repo = REPO) {
  const installed = join(repo, 'node_modules', '.package-lock.json');
  const lock = join(repo, 'package-lock.json');
  return existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
}

if (process.argv[1] && resolve(process.argv[1]) === join(REPO, 'scripts', 'install.js')) {
  if (!packagesUpToDate()) {
    process.stderr.write('Installing the packages of this line (npm ci), as node_modules is missing or older than package-lock.json. Once only: later runs reuse them.\n');
    const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'node22.js'), 'npm', 'ci', '--no-audit', '--no-fund'], { cwd: REPO, stdio: 'inherit' });
    if (result.error) throw result.error;
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../scripts/support/hosts.js';

export type Packed = { tarball: string; files: string[] };
let packed: Packed | undefined;

/** `npm pack` of the repository (prepack builds, writes the manifest and the shrinkwrap), once per test process. */
export function packOnce(): Packed {
  if (packed) return packed;
  const dir = mkdtempSync(join(tmpdir(), 'eca-pack-'));
  const env = { ...process.env };
  // Started from `npm run`, npm_config_* of the outer npm (dry-run, json…) would reach the inner one.
  for (const name of Object.keys(env)) if (/^npm_/i.test(name)) delete env[name];
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = { tarball: join(dir, info.filename), files: info.files.map((file) => file.path).sort() };
  return packed;
}

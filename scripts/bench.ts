/*
 * Benchmark of the plugin against the in-process OAuth usage emulator with injected latency: exit 0 whatever the
 * figures, 1 only when a command fails or returns wrong results, 2 on a usage error. Each figure is a ratio of two
 * things measured side by side in this run. `npm run bench` (bin/run.js and every real sf of scripts/support/hosts.ts);
 * `-- --smoke` for CI (tiny sizes, bin/run.js only); --host NAME, --no-hosts, --scenario NAME (single-call or a key of
 * SCENARIOS), --runs N, --out FILE, --verbose, --keep.
 * Every HOME holds a saved login (alias `bench`), and commands name the org by it, as users do.
 * 1. single call: `usage list --json` vs `sf api request rest <usage resource>`, same sf and HOME, the latency on every
 *    request of both, medians of --runs
 *    rounds (each setup's pair adjacent, which goes first alternating, the setups rotating), in HOMEs with the plugin
 *    as users get it (a copy with oclif.manifest.json, linked), with the org named by its alias and by an access
 *    token; the same with SF_DISABLE_LOG_FILE=true; and a minimal plugin of one command vs the same peer (info).
 * 2. scenarios (SCENARIOS below: what runs, at which size, and how its result is checked), each vs its floor =
 *    start-up + sum over stages of max(ceil(requests / concurrency), longest page chain) x latency, requests counted
 *    from the emulator's log; start-up = median of `usage list --json` on an empty org at 0 ms, same runner, sampled
 *    between the runs so machine load moves both alike; peak RSS (GNU time -v) against that start-up's.
 * 3. per token: the filter revoke's wall / tokens revoked vs a loop of `sf api request rest <revocationUrl> --method
 *    DELETE`.
 * Every command's result is checked: exit code, --json result, the emulator's state and log afterwards.
 */
/* eslint-disable no-await-in-loop -- measurements run one after another, never overlapping */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { readCsv } from '../src/common/csv.js';
import { Emulator, type RequestLogEntry } from '../emulator/server.js';
import { generateState, staleTokens, type EmulatorState, type SeedSpec } from '../emulator/model.js';
import { buildReason } from './support/build.js';
import { ensureHost, HOST_NAMES, REPO, type HostName, type SfHost } from './support/hosts.js';
import { jsonOf, killGroup, run, sfEnv, type RunResult } from './support/process.js';
import { KEYCHAIN_IN_HOME, saveLogin } from './support/savedLogin.js';

const LATENCY_MS = 20;
// The plugin's default --concurrency too: the output-file scenarios run with the default, as the issue measures them.
const CONCURRENCY = 8;
const OUTPUT_FILE_LATENCY_MS = 10;
const UNUSED_DAYS = 90;
const PEER_API_VERSION = '62.0';
const CMD_TIMEOUT_MS = 300_000;
// GNU time reports the child's exact peak RSS (ru_maxrss); polling /proc would miss the last moments before exit,
// which is when a --json inventory is written.
const TIME_BIN = '/usr/bin/time';
const USAGE = ['external-client-app', 'usage'];
const PACKAGED = 'packaged (with manifest)';
const NO_LOG_FILE = 'packaged, SF_DISABLE_LOG_FILE=true';
const MINIMAL = 'minimal installed plugin, SF_DISABLE_LOG_FILE=true';
const EMPTY: SeedSpec = { apps: 0, usersPerApp: 0, tokensPerUser: 0, seed: 1 };

const ALIAS = 'bench';
// An org whose daily API allocation is no limit here: the budget guard's reading must never stop a measured run.
const API_LIMIT = 10_000_000;

type Goal = { op: '<=' | '<' | '>=' | '=='; value: number; text: string };
const GOALS: Record<'overhead' | 'bulk' | 'byUser' | 'exactRequests' | 'inventory' | 'flatMemory' | 'perToken' | 'memoryMb' | 'checkMemory', Goal> = {
  overhead: { op: '<=', value: 1.05, text: '<= 1.05x' },
  bulk: { op: '<=', value: 1.5, text: '<= 1.5x floor' },
  byUser: { op: '<=', value: 1.3, text: '<= 1.3x floor' },
  exactRequests: { op: '==', value: 1, text: 'exactly 1.00' },
  inventory: { op: '<=', value: 1.2, text: '<= 1.2x floor' },
  flatMemory: { op: '<=', value: 1.3, text: '<= 1.3x start-up' },
  perToken: { op: '>=', value: 50, text: '>= 50x faster' },
  // usage check keeps its violations (30% of the tokens in its scenario), so its memory may grow by them alone.
  checkMemory: { op: '<=', value: 1.5, text: '<= 1.5x start-up' },
  memoryMb: { op: '<', value: 300, text: '< 300 MB' },
};

// The output-file scenarios: CSV and JSON, each at a small and a large size (flat memory: the same peak at both).
const OUTPUT_FORMATS = ['csv', 'json'] as const;
const OUTPUT_SIZES = ['small', 'large'] as const;
const outputFileKey = (format: string, size: string): string => `outputFile-${format}-${size}`;
/** An entry for each output-file scenario, made from the index of its size. */
const perOutputFile = <T>(value: (sizeIndex: number) => T): Record<string, T> =>
  Object.fromEntries(OUTPUT_FORMATS.flatMap((f) => OUTPUT_SIZES.map((z, i) => [outputFileKey(f, z), value(i)])));

// full: filter revoke of 540 stale tokens out of 1200; by-user revoke of 1 app x 100,000 users, 30% stale (20% unused
// 91+ days, 10% never used); inventory of 10,000 tokens. smoke: the same shapes at a tiny size, bin/run.js only.
const SIZES = {
  full: { minStartups: 3, minStale: 500, loopSample: 10, overheadSeed: { apps: 5, usersPerApp: 40, tokensPerUser: 2, seed: 7 } as SeedSpec,
    runs: { revokeFilter: [3, 1], revokeByUser: [1, 1], inventoryJson: [2, 2], ...perOutputFile(() => [1, 1]), check: [1, 1], report: [1, 1] } as Record<string, [number, number]>,
    seeds: { revokeFilter: { apps: 6, usersPerApp: 100, tokensPerUser: 2, seed: 11 },
      // 100,000 tokens, 30% of them stale (20% unused 91+ days, 10% never used): the violations of `staleDays: 90`.
      check: { apps: 4, usersPerApp: 5000, tokensPerUser: 5, seed: 23, staleFraction: 0.2, neverUsedFraction: 0.1 },
      // 100,000 tokens of 50,000 users of one app.
      report: { apps: 1, usersPerApp: 50_000, tokensPerUser: 2, seed: 29 },
      revokeByUser: { apps: 1, usersPerApp: 100_000, tokensPerUser: 1, seed: 17, staleFraction: 0.2, neverUsedFraction: 0.1 },
      inventoryJson: { apps: 20, usersPerApp: 250, tokensPerUser: 2, seed: 13 },
      // 10,000 and 100,000 tokens: 4 apps, 5 tokens per user (2,000 and 20,000 token lists).
      ...perOutputFile((i) => ({ apps: 4, usersPerApp: [10_000, 100_000][i] / 20, tokensPerUser: 5, seed: 19 })) } as Record<string, SeedSpec> },
  smoke: { minStartups: 1, minStale: 50, loopSample: 0, overheadSeed: EMPTY,
    runs: { revokeFilter: [1, 0], revokeByUser: [1, 0], inventoryJson: [1, 0], ...perOutputFile(() => [1, 0]), check: [1, 0], report: [1, 0] } as Record<string, [number, number]>,
    seeds: { revokeFilter: { apps: 2, usersPerApp: 28, tokensPerUser: 2, seed: 11 },
      check: { apps: 2, usersPerApp: 20, tokensPerUser: 5, seed: 23, staleFraction: 0.2, neverUsedFraction: 0.1 },
      report: { apps: 1, usersPerApp: 100, tokensPerUser: 2, seed: 29 },
      revokeByUser: { apps: 1, usersPerApp: 250, tokensPerUser: 1, seed: 17, staleFraction: 0.2, neverUsedFraction: 0.1 },
      inventoryJson: { apps: 4, usersPerApp: 25, tokensPerUser: 2, seed: 13 },
      ...perOutputFile((i) => ({ apps: 2, usersPerApp: [100, 200][i] / 10, tokensPerUser: 5, seed: 19 })) } as Record<string, SeedSpec> },
};

/** A command failed or returned wrong results: the only reason to exit 1. */
class Broken extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Broken(message);
}

/** The range of the samples, for a figure whose median alone would hide two modes. */
const spread = (xs: readonly number[]): string => (xs.length ? `${fmtMs(Math.min(...xs))}–${fmtMs(Math.max(...xs))}` : '-');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, d = 0): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const fmtMs = (ms: number): string =>
  !Number.isFinite(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}x` : '-');
const short = (text: string, max = 600): string => (text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text.trim());
const log = (m: string): boolean => process.stderr.write(`[bench] ${m}\n`);

const usage = 'usage: npm run bench -- [--smoke] [--host NAME]... [--no-hosts] [--scenario NAME]... [--runs N] [--out FILE] [--verbose] [--keep]';
let parsed;
try {
  const flag = { type: 'boolean', default: false } as const;
  parsed = parseArgs({ options: { smoke: flag, 'no-hosts': flag, verbose: flag, keep: flag, help: flag, host: { type: 'string', multiple: true }, scenario: { type: 'string', multiple: true }, runs: { type: 'string', default: '9' }, out: { type: 'string' } } }).values;
  if (!/^[1-9]\d*$/.test(parsed.runs)) throw new Error(`--runs must be a positive integer, got ${parsed.runs}`);
  const unknown = parsed.host?.find((h) => !(HOST_NAMES as readonly string[]).includes(h));
  if (unknown) throw new Error(`unknown host ${unknown}; known: ${HOST_NAMES.join(', ')}`);
  const names = ['single-call', ...Object.keys(SIZES.full.seeds)];
  const wrong = parsed.scenario?.find((x) => !names.includes(x));
  if (wrong) throw new Error(`unknown scenario ${wrong}; known: ${names.join(', ')}`);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const opt = parsed;
const mode = opt.smoke ? 'smoke' : 'full';
const sizes = SIZES[mode];
const hostNames: HostName[] = opt.smoke || opt['no-hosts'] ? [] : ((opt.host as HostName[] | undefined) ?? [...HOST_NAMES]);
const runs = Number(opt.runs);
const outFile = resolve(opt.out ?? join(REPO, 'bench-results', `${mode === 'smoke' ? 'smoke' : 'latest'}.json`));

// Runners: bin/run.js, or a real sf with the plugin linked into a HOME of its own.
type Runner = { label: string; node: string; entry: string[]; home: string; extraEnv: Record<string, string> };
type Result = RunResult & { cmd: string; json?: { status?: number; result?: unknown }; peakRssKb?: number };

const emu = await Emulator.start({ state: generateState(EMPTY), accessToken: `00D000000000001AAA!bench${process.pid}${Date.now()}` });
const homes: string[] = [];
const newHome = (tag: string): string => {
  homes.push(mkdtempSync(join(tmpdir(), `eca-bench-${tag.replace(/\W+/g, '-')}-`)));
  return homes[homes.length - 1];
};
let current: ChildProcess | undefined; // the one running command, killed on Ctrl-C (it is in a process group of its own)
let timeFiles = 0;

/** How a command names the org: by the alias of the HOME's saved login (as users do), by an access token, or not. */
type Naming = 'alias' | 'token' | false;

async function exec(r: Runner, args: string[], { peak = false, org = 'alias' as Naming, env: extra = {} as Record<string, string> } = {}): Promise<Result> {
  const argv = [...r.entry, ...args, ...(org ? ['--target-org', org === 'alias' ? ALIAS : emu.accessToken] : [])];
  const timeFile = peak && existsSync(TIME_BIN) ? join(r.home, `time-${++timeFiles}.txt`) : undefined;
  // An access token needs the instance URL from the environment; an alias has it in its saved login.
  const instance = org === 'token' ? { SF_ORG_INSTANCE_URL: emu.url } : { SF_ORG_INSTANCE_URL: undefined };
  const env = sfEnv(r.home, { ...instance, SF_ACCESS_TOKEN: undefined, ...KEYCHAIN_IN_HOME, ...r.extraEnv, ...extra });
  const res = await run(timeFile ? TIME_BIN : r.node, timeFile ? ['-v', '-o', timeFile, r.node, ...argv] : argv, { env, cwd: r.home, timeoutMs: CMD_TIMEOUT_MS, onSpawn: (child) => (current = child) });
  const json = jsonOf(res.stdout) as Result['json'];
  const rss = timeFile && existsSync(timeFile) ? /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8')) : null;
  const cmd = `${r.label}: ${args.join(' ')}${org ? ` --target-org ${org === 'alias' ? ALIAS : '<token>'}` : ''}`;
  if (opt.verbose) log(`  ${cmd} => exit ${res.code} in ${fmtMs(res.durationMs)}${rss ? `, peak RSS ${Math.round(Number(rss[1]) / 1024)} MB` : ''}`);
  return { ...res, cmd, json, peakRssKb: rss ? Number(rss[1]) : undefined };
}

function expectOk(r: Result, what = r.cmd): void {
  check(!r.timedOut, `${what}: timed out after ${fmtMs(r.durationMs)}`);
  check(r.code === 0, `${what}: exit ${r.code ?? r.signal}\nstdout: ${short(r.stdout)}\nstderr: ${short(r.stderr)}`);
}

function okJson(r: Result): unknown {
  expectOk(r);
  check(r.json?.status === 0, `${r.cmd}: no --json envelope with status 0\nstdout: ${short(r.stdout)}`);
  return r.json.result;
}

/** bin/run.js has no `org login`: its HOME gets the same kind of saved login through @salesforce/core. */
async function pluginRunner(): Promise<Runner> {
  const r: Runner = { label: 'bin/run.js', node: process.execPath, entry: [join(REPO, 'bin', 'run.js')], home: newHome('plugin'), extraEnv: {} };
  await saveLogin(emu, r.home, ALIAS, { expired: false });
  return r;
}

const sfRunner = (host: SfHost, tag: string, home: string, extraEnv: Record<string, string> = {}): Runner => ({ label: `${host.name}, ${tag}`, node: host.node, entry: ['--no-deprecation', host.runJs], home, extraEnv });

/**
 * `sf plugins link` into a fresh HOME (sf keeps links in $HOME/.local/share/sf), checked with `sf plugins --core`, then
 * `sf org login access-token --alias bench`, as a user logs in once.
 */
async function linked(host: SfHost, dir: string, tag: string, extraEnv: Record<string, string> = {}): Promise<Runner> {
  const r = sfRunner(host, tag, newHome(`${host.name}-${tag}`), extraEnv);
  expectOk(await exec(r, ['plugins', 'link', dir, '--no-install'], { org: false }));
  const list = await exec(r, ['plugins', '--core'], { org: false });
  const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
  check(list.stdout.split('\n').some((l) => l.includes(name) && l.includes('(link)')), `${r.label}: ${name} is not listed as (link) after linking`);
  expectOk(await exec(r, ['org', 'login', 'access-token', '--instance-url', emu.url, '--no-prompt', '--alias', ALIAS, '--json'], { org: false, env: { SF_ACCESS_TOKEN: emu.accessToken } }));
  return r;
}

/** A plugin as `sf plugins install` gets it: its files plus an oclif.manifest.json made there (never in the repo). */
async function installedPlugin(tag: string, writeFiles: (dir: string) => void): Promise<string> {
  const dir = newHome(tag);
  writeFiles(dir);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const r = await run(process.execPath, [join(REPO, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], { env: sfEnv(newHome('oclif')), cwd: dir, timeoutMs: 120_000 });
  check(r.code === 0 && existsSync(join(dir, 'oclif.manifest.json')), `oclif manifest failed (exit ${r.code}): ${short(r.stderr)}`);
  return dir;
}

const packagedCopy = (): Promise<string> =>
  installedPlugin('packaged', (dir) => {
    for (const entry of ['package.json', 'lib', 'messages', 'schemas']) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  });

// The least a plugin can be: one command that sends the peer's requests (core's session check, then the resource).
// Installed into sf, it loads its own copies of @salesforce/core, sf-plugins-core and @oclif/core, which
// `sf api request rest` (bundled with sf) shares with sf.
const MINIMAL_COMMAND = `import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
export default class MinimalList extends SfCommand {
  static enableJsonFlag = true;
  static flags = { 'target-org': Flags.requiredOrg({ char: 'o' }) };
  async run() {
    const { flags } = await this.parse(MinimalList);
    const org = flags['target-org'];
    await org.refreshAuth();
    const connection = org.getConnection();
    return await connection.request(\`/services/data/v\${connection.getApiVersion()}/apps/oauth/usage\`);
  }
}
`;
const minimalPlugin = (): Promise<string> =>
  installedPlugin('minimal', (dir) => {
    // `oclif manifest` requires a files list, as a published package has.
    const oclif = { commands: './lib/commands', topicSeparator: ' ' };
    const manifest = { name: 'bench-minimal-plugin', version: '1.0.0', type: 'module', files: ['/lib'], oclif };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    mkdirSync(join(dir, 'lib', 'commands', 'minimal'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'commands', 'minimal', 'list.js'), MINIMAL_COMMAND);
  });

function prepare(seed: SeedSpec, latencyMs: number): EmulatorState {
  emu.reset(generateState(seed));
  emu.clearFaults();
  emu.setLatency(latencyMs);
  emu.setApiLimit(API_LIMIT, API_LIMIT);
  emu.clearLog();
  return emu.state();
}

const staleIds = (state: EmulatorState): string[] => staleTokens(state, UNUSED_DAYS).map((t) => t.tokenId);

/** Stage of a usage request, and the chain it belongs to: pages of one list must be read one after another. */
function stageOf(e: RequestLogEntry): [string, string] | undefined {
  const rest = /\/apps\/oauth\/usage(.*)$/.exec(e.path)?.[1];
  if (rest === undefined) return undefined;
  if (e.method === 'DELETE') return ['deletes', ''];
  if (rest === '') return ['appPages', 'apps'];
  const app = /^\/([^/]+)\/users$/.exec(rest)?.[1];
  if (app) return ['userPages', app];
  return rest.endsWith('/tokens') ? ['tokenLists', ''] : ['otherUsage', ''];
}

type Stage = { requests: number; longestChain: number; rounds: number };
function account(entries: RequestLogEntry[]): { stages: Record<string, Stage>; otherRequests: number; rounds: number } {
  const stages: Record<string, Stage & { chains: Record<string, number> }> = {};
  let otherRequests = 0;
  for (const e of entries) {
    const s = stageOf(e);
    if (!s) otherRequests++;
    else {
      const st = (stages[s[0]] ??= { requests: 0, longestChain: 1, rounds: 0, chains: {} });
      st.requests++;
      if (s[1]) st.longestChain = Math.max(st.longestChain, (st.chains[s[1]] = (st.chains[s[1]] ?? 0) + 1));
    }
  }
  let rounds = 0;
  for (const st of Object.values(stages)) rounds += st.rounds = Math.max(Math.ceil(st.requests / CONCURRENCY), st.longestChain);
  const plain = Object.fromEntries(Object.entries(stages).map(([k, { requests, longestChain, rounds: r }]) => [k, { requests, longestChain, rounds: r }]));
  return { stages: plain, otherRequests, rounds };
}

type Startup = { samplesMs: number[]; medianMs?: number; peakRssSamplesKb: number[]; peakRssMedianMb?: number };
type Overhead = { pluginMedianMs: number; peerMedianMs: number; ratio: number; pluginSamplesMs: number[]; peerSamplesMs: number[] };
/** A scenario's wall time against its floor. */
type Section = { medianMs: number; samplesMs: number[]; startupMs: number; floorMs: number; floorFormula: string; ratio: number };
type ScenarioResult = Section & { title: string; units: number; requests: unknown; sentRequests: number; neededRequests?: number; peakRssMb: number | null; stdoutBytes: number; emulatorCpuMs: number; emulatorCpuMsPerRequest: number };
const results = {
  startup: {} as Record<string, Startup>,
  overhead: {} as Record<string, Record<string, Overhead>>,
  scenarios: {} as Record<string, Record<string, ScenarioResult>>,
  loop: {} as Record<string, { home: string; tokens: number; wallMs: number; perTokenMs: number }>,
};

/** `usage list --json` on an empty org at 0 ms latency: what every command pays before its first request. */
async function startup(r: Runner, record = true): Promise<number> {
  prepare(EMPTY, 0);
  const res = await exec(r, [...USAGE, 'list', '--json'], { peak: true });
  const result = okJson(res);
  check(Array.isArray(result) && result.length === 0, `${res.cmd}: expected no apps, got ${short(res.stdout)}`);
  if (record) {
    const s = (results.startup[r.label] ??= { samplesMs: [], peakRssSamplesKb: [] });
    s.samplesMs.push(res.durationMs);
    s.medianMs = median(s.samplesMs);
    if (res.peakRssKb) s.peakRssSamplesKb.push(res.peakRssKb);
    s.peakRssMedianMb = round(median(s.peakRssSamplesKb) / 1024, 1);
  }
  return res.durationMs;
}

/** The first run warms the file cache and sf's own caches; it is not counted. */
const warmUp = (r: Runner): Promise<boolean> => startup(r, false).then(() => true);

/** What a scenario's run did, checked: how many things (tokens, users) and the fewest requests that do it, if counted. */
type Outcome = { units: number; neededRequests?: number };
type Scenario = {
  key: string;
  title: (units: number) => string;
  args: string[];
  peak: boolean;
  wallGoal?: Goal;
  /** Peak RSS in MB, or peak RSS / the start-up's peak RSS of the same runner (a no-op command): flat memory. */
  rssGoal?: Goal;
  rssRatioGoal?: Goal;
  /** Checks exit code, result and the emulator's state and log against the state before the run. */
  check: (res: Result, before: EmulatorState) => Outcome;
  /** Latency of the emulator for this scenario, when not LATENCY_MS. */
  latencyMs?: number;
};

const revokeArgs = [...USAGE, 'tokens', 'revoke', '--unused-days', String(UNUSED_DAYS), '--no-prompt', '--json', '--concurrency', String(CONCURRENCY)];
type RevokeResult = { dryRun: boolean; failures: unknown[]; successes: Array<{ tokenId?: string; userIdentifier?: string; appIdentifier?: string; status: string; scope: string }> };

function revoked(res: Result, scope: string): RevokeResult['successes'] {
  const result = okJson(res) as RevokeResult;
  check(result.dryRun === false && result.failures.length === 0, `${res.cmd}: dryRun ${result.dryRun}, ${result.failures.length} failures, e.g. ${JSON.stringify(result.failures[0])}`);
  check(result.successes.every((x) => x.status === 'revoked' && x.scope === scope), `${res.cmd}: a success is not a revoked ${scope}`);
  return result.successes;
}

/** The emulator holds every token it held before except exactly `gone`. */
function leftExactly(res: Result, before: EmulatorState, gone: ReadonlySet<string>): void {
  const left = new Set(emu.state().tokens.map((t) => t.tokenId));
  check(before.tokens.every((t) => left.has(t.tokenId) !== gone.has(t.tokenId)) && left.size === before.tokens.length - gone.size, `${res.cmd}: the emulator lost other tokens or still holds some it should not`);
}

/** The fewest pages that list n items: only an empty page ends a list (a server may serve short pages), so one more. */
const pagesFor = (n: number, pageSize = 100): number => Math.ceil(n / pageSize) + 1;
const usersByApp = (state: EmulatorState): Map<string, Set<string>> => {
  const users = new Map<string, Set<string>>();
  for (const t of state.tokens) users.set(t.appIdentifier, (users.get(t.appIdentifier) ?? new Set()).add(t.userIdentifier));
  return users;
};

/** The output files' folder: one per bench run; a scenario checks that no temporary file is left in it. */
const outputDir = newHome('output-files');
const outputPath = (key: string, format: string): string => join(outputDir, `${key}.${format}`);
/** The policy of the check scenario: the stale rule alone, so that its violations are exactly the stale tokens. */
const policyFile = outputPath('policy', 'yml');
writeFileSync(policyFile, `staleDays: ${UNUSED_DAYS}\n`);

/** The token ids of an output file: the CSV's tokenId column, or the JSON array's rows. */
function tokenIdsOfFile(path: string, format: string): string[] {
  const text = readFileSync(path, 'utf8');
  // The plugin's own reader: it takes off the formula guard (a token id may begin with "-").
  if (format === 'csv') return readCsv(text).map((row) => row.fields.tokenId);
  return (JSON.parse(text) as Array<{ tokenId: string }>).map((row) => row.tokenId);
}

/** `tokens list --output-file` at the default concurrency: the rows stream to the file, memory stays flat. */
const outputFileScenarios = (): Scenario[] =>
  OUTPUT_FORMATS.flatMap((format) =>
    OUTPUT_SIZES.map((size): Scenario => {
      const key = outputFileKey(format, size);
      return {
        key,
        title: (n) => `tokens list --output-file (${format.toUpperCase()}) over ${n.toLocaleString('en-US')} tokens`,
        args: [...USAGE, 'tokens', 'list', '--json', '--output-file', outputPath(key, format)],
        peak: true,
        latencyMs: OUTPUT_FILE_LATENCY_MS,
        wallGoal: GOALS.inventory,
        rssRatioGoal: GOALS.flatMemory,
        check: (res, before): Outcome => {
          const path = outputPath(key, format);
          const result = okJson(res) as { outputFile: string; format: string; rows: number };
          const expected = new Set(before.tokens.map((t) => t.tokenId));
          check(result.outputFile === path && result.format === format && result.rows === expected.size, `${res.cmd}: result ${JSON.stringify(result)}`);
          const ids = tokenIdsOfFile(path, format);
          check(ids.length === expected.size && ids.every((id) => expected.has(id)) && new Set(ids).size === ids.length, `${res.cmd}: the file's ${ids.length} rows are not exactly the emulator's ${expected.size} tokens`);
          check(readdirSync(dirname(path)).every((name) => !name.endsWith('.tmp')), `${res.cmd}: a temporary file was left beside ${path}`);
          return { units: expected.size };
        },
      };
    })
  );

/**
 * What `npm run bench` measures besides the single call; a new scenario is an entry here and its seed and runs in SIZES.
 */
const SCENARIOS: Scenario[] = [
  {
    key: 'revokeFilter',
    title: (n) => `revoke ${n} stale tokens (--unused-days ${UNUSED_DAYS})`,
    args: revokeArgs,
    peak: false,
    wallGoal: GOALS.bulk,
    check: (res, before): Outcome => {
      const expected = staleIds(before);
      check(expected.length >= sizes.minStale, `the filter seed gives only ${expected.length} stale tokens`);
      const ids = new Set(revoked(res, 'token').map((x) => x.tokenId ?? ''));
      check(ids.size === expected.length && expected.every((id) => ids.has(id)), `${res.cmd}: revoked ${ids.size}, expected exactly the ${expected.length} stale tokens`);
      leftExactly(res, before, ids);
      return { units: expected.length };
    },
  },
  {
    key: 'revokeByUser',
    title: (n) => `revoke --by-user ${n.toLocaleString('en-US')} stale users of 1 app`,
    args: [...revokeArgs, '--by-user'],
    peak: true,
    wallGoal: GOALS.byUser,
    check: (res, before): Outcome => {
      // A user is selected when none of their tokens of the app was used within the days (never used counts as stale).
      const stale = new Set(staleIds(before));
      const fresh = new Set(before.tokens.filter((t) => !stale.has(t.tokenId)).map((t) => `${t.appIdentifier}/${t.userIdentifier}`));
      const expected = new Set(before.tokens.map((t) => `${t.appIdentifier}/${t.userIdentifier}`).filter((pair) => !fresh.has(pair)));
      const got = new Set(revoked(res, 'user').map((x) => `${x.appIdentifier}/${x.userIdentifier}`));
      check(got.size === expected.size && [...expected].every((pair) => got.has(pair)), `${res.cmd}: revoked ${got.size} users, expected exactly the ${expected.size} stale ones`);
      leftExactly(res, before, new Set(before.tokens.filter((t) => expected.has(`${t.appIdentifier}/${t.userIdentifier}`)).map((t) => t.tokenId)));
      const acc = account(emu.requests());
      check(!acc.stages.tokenLists, `${res.cmd} read token lists`);
      const users = usersByApp(before);
      // app pages + user pages + one DELETE per stale user, the API budget's one reading for a plan of over 200, and
      // the audit log's actor (commands.md §13): one userinfo GET, as a login saved from a refresh token holds no user id.
      const neededRequests = pagesFor(users.size) + [...users.values()].reduce((n, u) => n + pagesFor(u.size), 0) + expected.size + (expected.size > 200 ? 1 : 0) + 1;
      return { units: expected.size, neededRequests };
    },
  },
  {
    key: 'inventoryJson',
    title: (n) => `tokens list --json over ${n.toLocaleString('en-US')} tokens`,
    args: [...USAGE, 'tokens', 'list', '--json', '--concurrency', String(CONCURRENCY)],
    peak: true,
    wallGoal: GOALS.inventory,
    rssGoal: GOALS.memoryMb,
    check: (res, before): Outcome => {
      const expected = new Set(before.tokens.map((t) => t.tokenId));
      const rows = okJson(res) as Array<{ tokenId: string }>;
      const ids = new Set(rows.map((t) => t.tokenId));
      check(rows.length === expected.size && ids.size === rows.length && [...ids].every((id) => expected.has(id)), `${res.cmd}: ${rows.length} rows are not exactly the emulator's ${expected.size} tokens`);
      check(!account(emu.requests()).stages.deletes, `${res.cmd} sent DELETEs`);
      return { units: expected.size };
    },
  },
  ...outputFileScenarios(),
  {
    key: 'check',
    title: (n) => `usage check of ${n.toLocaleString('en-US')} tokens, 30% violating (CSV file, JUnit)`,
    args: [...USAGE, 'check', '--policy', policyFile, '-r', 'csv', '--output-file', outputPath('check', 'csv'), '--junit', outputPath('check', 'xml')],
    peak: true,
    latencyMs: OUTPUT_FILE_LATENCY_MS,
    wallGoal: GOALS.inventory,
    rssRatioGoal: GOALS.checkMemory,
    check: (res, before): Outcome => {
      // Exit 3: the org breaks the policy, which is what this scenario is about.
      check(!res.timedOut && res.code === 3, `${res.cmd}: exit ${res.code ?? res.signal}, expected 3\nstderr: ${short(res.stderr)}`);
      const expected = new Set(staleIds(before));
      const rows = readCsv(readFileSync(outputPath('check', 'csv'), 'utf8')).map((row) => row.fields);
      const ids = new Set(rows.map((row) => row.tokenId));
      check(rows.every((row) => row.rule === 'stale') && ids.size === rows.length && rows.length === expected.size && [...ids].every((id) => expected.has(id)), `${res.cmd}: ${rows.length} violations are not exactly the emulator's ${expected.size} stale tokens`);
      check(readFileSync(outputPath('check', 'xml'), 'utf8').includes(`failures="${usersByApp(before).size}"`), `${res.cmd}: the JUnit file does not fail every app`);
      check(!account(emu.requests()).stages.deletes, `${res.cmd} sent DELETEs`);
      return { units: before.tokens.length };
    },
  },
  {
    key: 'report',
    title: (n) => `usage report of ${n.toLocaleString('en-US')} tokens of 1 app (Markdown file)`,
    args: [...USAGE, 'report', '-r', 'markdown', '--output-file', outputPath('report', 'md'), '--json'],
    peak: true,
    latencyMs: OUTPUT_FILE_LATENCY_MS,
    wallGoal: GOALS.inventory,
    rssRatioGoal: GOALS.flatMemory,
    check: (res, before): Outcome => {
      const report = okJson(res) as { totals: { tokens: number; staleTokens: number } };
      check(report.totals.tokens === before.tokens.length && report.totals.staleTokens === staleIds(before).length, `${res.cmd}: totals ${JSON.stringify(report.totals)}`);
      check(!account(emu.requests()).stages.deletes, `${res.cmd} sent DELETEs`);
      return { units: before.tokens.length };
    },
  },
];

/** One scenario through one runner: its runs between start-up samples (S M S M ...), checked, against its floor. */
async function scenario(r: Runner, sc: Scenario, n: number): Promise<void> {
  if (n === 0) return;
  const latencyMs = sc.latencyMs ?? LATENCY_MS;
  const startups: number[] = [];
  const done: Array<{ res: Result; entries: RequestLogEntry[]; outcome: Outcome; emulatorCpuMs: number }> = [];
  for (let i = 0; i < Math.max(n, sizes.minStartups); i++) {
    if (i < sizes.minStartups) startups.push(await startup(r));
    if (i >= n) continue;
    const before = prepare(sizes.seeds[sc.key], latencyMs);
    // The emulator answers in this process, which does nothing else while the command runs: its CPU time is the
    // emulator's, to show that the floor is the latency, not the emulator.
    const cpu = process.cpuUsage();
    const res = await exec(r, sc.args, { peak: sc.peak });
    const { user, system } = process.cpuUsage(cpu);
    const entries = emu.requests();
    done.push({ res, entries, outcome: sc.check(res, before), emulatorCpuMs: (user + system) / 1000 });
  }
  const { res, entries, outcome, emulatorCpuMs } = done[done.length - 1];
  const acc = account(entries);
  const samplesMs = done.map((d) => d.res.durationMs);
  const [medianMs, startupMs] = [median(samplesMs), median(startups)];
  const floorMs = startupMs + acc.rounds * latencyMs;
  const floorFormula = `${fmtMs(startupMs)} start-up + ${acc.rounds} rounds x ${latencyMs} ms`;
  const ratio = round(medianMs / floorMs, 3);
  const peaks = done.flatMap((d) => d.res.peakRssKb ?? []);
  const peakRssMb = peaks.length ? round(Math.max(...peaks) / 1024, 1) : null;
  const title = sc.title(outcome.units);
  const emulatorCpuMsPerRequest = round(emulatorCpuMs / Math.max(1, entries.length), 3);
  (results.scenarios[sc.key] ??= {})[r.label] = { medianMs, samplesMs, startupMs, floorMs, floorFormula, ratio, title, units: outcome.units, requests: acc, sentRequests: entries.length, neededRequests: outcome.neededRequests, peakRssMb, stdoutBytes: Buffer.byteLength(res.stdout), emulatorCpuMs: round(emulatorCpuMs), emulatorCpuMsPerRequest };
  log(`${title} (${r.label}): ${fmtMs(medianMs)} vs floor ${fmtMs(floorMs)} (${floorFormula}) = ${fmtRatio(ratio)}; ${entries.length} requests${outcome.neededRequests ? ` (${outcome.neededRequests} needed)` : ''}; emulator CPU ${emulatorCpuMsPerRequest} ms/request${peakRssMb ? `; peak RSS ${peakRssMb} MB` : ''}`);
}

/** Figure 3's peer: one `sf api request rest <revocationUrl> --method DELETE` per token, as a shell loop would. */
async function loop(host: SfHost, r: Runner): Promise<void> {
  const sample = staleIds(prepare(sizes.seeds.revokeFilter, LATENCY_MS)).slice(0, sizes.loopSample);
  const t0 = performance.now();
  for (const id of sample) {
    expectOk(await exec(r, ['api', 'request', 'rest', `/services/data/v${PEER_API_VERSION}/apps/oauth/usage/tokens/${id}`, '--method', 'DELETE', '--body', '@/dev/null']));
  }
  const wallMs = performance.now() - t0;
  const left = new Set(emu.state().tokens.map((t) => t.tokenId));
  check(sample.every((id) => !left.has(id)), `${r.label} api request rest DELETE loop: sampled tokens are still there`);
  const deletes = emu.requests().filter((e) => e.method === 'DELETE');
  check(deletes.length === sample.length && deletes.every((e) => e.status === 204), `${r.label} DELETE loop: ${deletes.map((e) => e.status).join(',')}`);
  results.loop[host.name] = { home: r.label, tokens: sample.length, wallMs, perTokenMs: wallMs / sample.length };
  log(`loop ${r.label}: ${sample.length} DELETEs in ${fmtMs(wallMs)} = ${fmtMs(wallMs / sample.length)} per token`);
}

/** A single call's setup: the plugin's command and `api request rest` in the same sf and HOME. */
type Setup = { key: string; runner: Runner; org: Naming; args: string[]; apps: (result: unknown) => unknown };

/** Figure 1: each setup's plugin command and its peer as adjacent pairs, the setups rotating round by round. */
async function overhead(host: SfHost, setups: Setup[]): Promise<void> {
  const state = prepare(sizes.overheadSeed, LATENCY_MS);
  // Each side pays for every request it sends, as on a real org: the plugin reads the list to its empty last page (two
  // usage requests), the peer sends one usage request after core's session check (GET /services/data/vNN.N).
  emu.setLatency(LATENCY_MS, { everyRequest: true });
  const apps = new Set(state.tokens.map((t) => t.appIdentifier)).size;
  const resource = `/services/data/v${PEER_API_VERSION}/apps/oauth/usage`;
  // Both must answer every app: the plugin in its --json result, the peer as the raw resource.
  const go = async (s: Setup, peer: boolean): Promise<number> => {
    const res = await exec(s.runner, peer ? ['api', 'request', 'rest', resource] : s.args, { org: s.org });
    if (peer) expectOk(res);
    const list = peer ? (res.json as { apps?: unknown } | undefined)?.apps : s.apps(okJson(res));
    check(Array.isArray(list) && list.length === apps, `${res.cmd}: expected ${apps} apps, got ${short(res.stdout)}`);
    return res.durationMs;
  };
  const samples = setups.map(() => ({ pluginSamplesMs: [] as number[], peerSamplesMs: [] as number[] }));
  for (const s of setups) for (const peer of [false, true]) await go(s, peer); // warm-up
  for (let i = 0; i < runs; i++) {
    // The first of a pair alternates: what one command leaves behind (page cache, a busy disk) weighs on both sides.
    for (let k = 0; k < setups.length; k++) {
      const j = (k + i) % setups.length;
      for (const peer of i % 2 ? [true, false] : [false, true]) {
        samples[j][peer ? 'peerSamplesMs' : 'pluginSamplesMs'].push(await go(setups[j], peer));
      }
    }
  }
  const out: Record<string, Overhead> = {};
  setups.forEach((s, j) => {
    const [p, q] = [median(samples[j].pluginSamplesMs), median(samples[j].peerSamplesMs)];
    out[s.key] = { pluginMedianMs: p, peerMedianMs: q, ratio: round(p / q, 3), ...samples[j] };
    log(`overhead ${host.name} (${s.key}): ${s.args.join(' ')} ${fmtMs(p)} vs api request rest ${fmtMs(q)} = ${fmtRatio(p / q)}`);
  });
  results.overhead[host.name] = out;
}

type RowFn = (figure: string, measured: string, reference: string, ratio: string, goal?: Goal, value?: number) => void;

/** Each scenario's wall vs floor, requests sent vs needed (where counted) and peak RSS vs start-up, per runner. */
function scenarioRows(row: RowFn): void {
  for (const sc of SCENARIOS) {
    for (const [label, x] of Object.entries(results.scenarios[sc.key] ?? {})) {
      row(`${x.title}, ${sc.latencyMs ?? LATENCY_MS} ms latency (${label})`, fmtMs(x.medianMs), `${fmtMs(x.floorMs)} (floor)`, fmtRatio(x.ratio), sc.wallGoal, x.ratio);
      if (x.neededRequests) {
        const r = x.sentRequests / x.neededRequests;
        row(`${x.title}: requests sent / needed (${label})`, String(x.sentRequests), `${x.neededRequests} (needed)`, r.toFixed(r === 1 ? 2 : 5), GOALS.exactRequests, r);
      }
      const base = results.startup[label]?.peakRssMedianMb;
      if (x.peakRssMb !== null) {
        const ratio = base ? x.peakRssMb / base : NaN;
        row(`${x.title}: peak RSS (${label})`, `${x.peakRssMb} MB`, base ? `${base} MB (start-up)` : '-', fmtRatio(ratio), sc.rssGoal ?? sc.rssRatioGoal, sc.rssGoal ? x.peakRssMb : round(ratio, 2));
      }
    }
  }
}

type Row = { figure: string; measured: string; reference: string; ratio: string; goal: string; met: string };
function figures(): Row[] {
  const rows: Row[] = [];
  const row: RowFn = (figure, measured, reference, ratio, goal, value) => {
    const met = !goal || value === undefined || !Number.isFinite(value) ? '-' : { '>=': value >= goal.value, '<': value < goal.value, '<=': value <= goal.value, '==': value === goal.value }[goal.op] ? 'yes' : 'NO';
    rows.push({ figure, measured, reference, ratio, goal: goal?.text ?? '- (info)', met });
  };
  for (const [name, setups] of Object.entries(results.overhead)) {
    for (const [key, s] of Object.entries(setups)) {
      // The goal is for the plugin as users install it, with sf's log file on and off (issue 23); the minimal plugin
      // shows what any installed plugin pays.
      const goal = key === MINIMAL ? undefined : GOALS.overhead;
      // The median with the spread of the samples: a bimodal command (a slow exit now and then) shows in the spread.
      row(
        key === MINIMAL
          ? `single call: minimal installed plugin vs api request rest, log file off, ${name}`
          : `single call: usage list vs api request rest, ${name}, ${key}`,
        `${fmtMs(s.pluginMedianMs)} (${spread(s.pluginSamplesMs)})`,
        `${fmtMs(s.peerMedianMs)} (${spread(s.peerSamplesMs)}, peer)`,
        fmtRatio(s.ratio),
        goal,
        s.ratio
      );
    }
  }
  scenarioRows(row);
  const filter = results.scenarios.revokeFilter ?? {};
  for (const [name, l] of Object.entries(results.loop)) {
    // against the filter revoke through the same sf and HOME
    const b = filter[l.home];
    if (!b) continue;
    const perTokenMs = b.medianMs / b.units;
    const speedup = l.perTokenMs / perTokenMs;
    row(`per token: revoke (${l.home}) vs api request rest loop (${name})`, `${fmtMs(perTokenMs)}/token`, `${fmtMs(l.perTokenMs)}/token (peer, ${l.tokens} calls)`, `${fmtRatio(speedup)} faster`, GOALS.perToken, speedup);
  }
  for (const [label, s] of Object.entries(results.startup)) {
    row(`start-up: usage list on an empty org, 0 ms latency (${label})`, `${fmtMs(s.medianMs ?? NaN)}${s.peakRssMedianMb ? `, ${s.peakRssMedianMb} MB` : ''}`, '-', '-');
  }
  return rows;
}

function table(rows: Row[]): string {
  const head: Row = { figure: 'figure', measured: 'measured', reference: 'floor / peer', ratio: 'ratio', goal: 'goal', met: 'met?' };
  const keys = Object.keys(head) as Array<keyof Row>;
  const widths = keys.map((k) => Math.max(...[head, ...rows].map((r) => r[k].length)));
  const line = (r: Row): string => `| ${keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const started = Date.now();
const loadAtStart = loadavg().map((x) => round(x, 2));
const errors: Array<{ what: string; message: string }> = [];
const phases: Array<{ what: string; seconds: number; failed?: boolean }> = [];
const skipped: string[] = [];
/** One phase: a failure is recorded and the bench goes on with what does not depend on it. */
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  const t = Date.now();
  try {
    const value = await fn();
    phases.push({ what, seconds: round((Date.now() - t) / 1000, 1) });
    return value;
  } catch (e) {
    phases.push({ what, seconds: round((Date.now() - t) / 1000, 1), failed: true });
    const message = e instanceof Broken ? e.message : e instanceof Error ? e.stack ?? e.message : String(e);
    errors.push({ what, message });
    log(`FAILED: ${what}: ${message}`);
    return undefined;
  }
}

/** Stops the emulator and removes the HOMEs (unless --keep): at the end, and on Ctrl-C. */
async function cleanUp(): Promise<void> {
  await emu.stop();
  if (!opt.keep) for (const h of homes) rmSync(h, { recursive: true, force: true, maxRetries: 3 });
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (current) killGroup(current, 'SIGKILL');
    void cleanUp().finally(() => process.exit(code));
  });
}

// A stale lib/ measures old code: say so, but don't rebuild a tree others may be editing (`npm run bench` builds first).
const stale = buildReason();
if (stale) log(`WARNING: ${stale}; run \`npm run build\` first to measure the current code`);
log(`mode ${mode}; ${cpus().length} CPUs, Node ${process.version}; emulator at ${emu.url}; hosts: ${hostNames.join(', ') || 'none (bin/run.js only)'}`);

const chosen = SCENARIOS.filter((sc) => !opt.scenario || opt.scenario.includes(sc.key));
const scenarios = async (r: Runner, host: boolean): Promise<void> => {
  for (const sc of chosen) await attempt(`${sc.key} ${r.label}`, () => scenario(r, sc, sizes.runs[sc.key][host ? 1 : 0]));
};
const plugin = await attempt('saved login for bin/run.js', pluginRunner);
if (plugin && (await attempt('warm-up bin/run.js', () => warmUp(plugin)))) await scenarios(plugin, false);
const singleCall = !opt.scenario || opt.scenario.includes('single-call');
const packaged = hostNames.length ? await attempt('packaged copy of the plugin', packagedCopy) : undefined;
const minimal = hostNames.length && singleCall ? await attempt('minimal plugin', minimalPlugin) : undefined;
// Without the log-file worker threads, whose shutdown adds up to ~1 s to any sf command, at random.
const noLogFile = { SF_DISABLE_LOG_FILE: 'true' };
for (const name of hostNames) {
  const host = await attempt(`install ${name}`, () => Promise.resolve(ensureHost(name)));
  const sf = host && packaged && (await attempt(`link the packaged copy into ${name}`, () => linked(host, packaged, PACKAGED)));
  if (!host || !sf) continue;
  if (singleCall) {
    const usageList = { args: [...USAGE, 'list', '--json'], apps: (result: unknown): unknown => result };
    const setups: Setup[] = [
      { key: `${PACKAGED}, -o ALIAS`, runner: sf, org: 'alias', ...usageList },
      { key: `${PACKAGED}, -o TOKEN`, runner: sf, org: 'token', ...usageList },
      { key: NO_LOG_FILE, runner: sfRunner(host, NO_LOG_FILE, sf.home, noLogFile), org: 'alias', ...usageList },
    ];
    const small = minimal && (await attempt(`link the minimal plugin into ${name}`, () => linked(host, minimal, MINIMAL, noLogFile)));
    // Its --json envelope wraps the raw resource.
    const apps = (result: unknown): unknown => (result as { apps?: unknown } | undefined)?.apps;
    if (small) setups.push({ key: MINIMAL, runner: small, org: 'alias', args: ['minimal', 'list', '--json'], apps });
    await attempt(`overhead ${name}`, () => overhead(host, setups));
  }
  if (await attempt(`warm-up ${sf.label}`, () => warmUp(sf))) {
    await scenarios(sf, true);
    if (chosen.some((sc) => sc.key === 'revokeFilter')) await attempt(`api request rest loop ${sf.label}`, () => loop(host, sf));
  }
}
if (opt.smoke) skipped.push('single-call overhead and the api request rest loop need a real sf: not run in --smoke');
if (!existsSync(TIME_BIN)) skipped.push(`peak RSS: ${TIME_BIN} is missing`);
await cleanUp();

const rows = figures();
const totalSeconds = round((Date.now() - started) / 1000, 1);
const report = {
  schema: 3,
  mode,
  command: ['npm run bench --', ...process.argv.slice(2)].join(' '),
  startedAt: new Date(started).toISOString(),
  totalSeconds,
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, platform: `${platform()} ${release()}`, loadavgAtStart: loadAtStart, loadavgAtEnd: loadavg().map((x) => round(x, 2)) },
  settings: { latencyMs: LATENCY_MS, concurrency: CONCURRENCY, unusedDays: UNUSED_DAYS, peerApiVersion: PEER_API_VERSION, singleCallRuns: runs, peakRss: `${TIME_BIN} -v`, sizes },
  goals: GOALS,
  figures: rows,
  results,
  phases,
  skipped,
  errors,
  ok: errors.length === 0,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);

const say = (text = ''): boolean => process.stdout.write(`${text}\n`);
say(`\nBenchmark (${mode}): emulator latency ${LATENCY_MS} ms, --concurrency ${CONCURRENCY}, ${cpus().length} CPUs, Node ${process.version}\n`);
say(table(rows));
say('\nfloor = start-up (usage list on an empty org, 0 ms latency, same runner) + sum over stages (app pages, user pages,');
say('token lists, DELETEs) of max(ceil(requests / concurrency), longest page chain) x latency; requests from the emulator log.');
for (const s of skipped) say(`skipped: ${s}`);
for (const e of errors) say(`FAILED: ${e.what}: ${short(e.message, 2000)}`);
say(`load average (1/5/15 min) at start ${loadAtStart.join(' ')}, at end ${report.machine.loadavgAtEnd.join(' ')}`);
say(`\n${errors.length ? 'BROKEN' : 'ok'}: ${totalSeconds} s in all; JSON in ${relative(process.cwd(), outFile)}`);
// Missed goals never fail the run: only failed commands and wrong results do.
process.exit(errors.length ? 1 : 0);

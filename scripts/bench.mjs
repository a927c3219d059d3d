#!/usr/bin/env node
// Benchmark of the plugin against the local OAuth usage emulator with injected latency. Node built-ins only.
// A benchmark, not a timed test: it exits 0 whatever the numbers are, and 1 only when a command fails or returns
// wrong results (2 on a usage error). Every figure is a ratio of two things measured side by side in this run.
//
//   npm run bench                                   full run: bin/run.js and the real sf hosts of scripts/sf-hosts.mjs
//   node scripts/bench.mjs --smoke                  CI: tiny sizes, bin/run.js only, < 60 s
//   options: --host NAME (repeatable; default every host in HOSTS), --no-hosts (bin/run.js only, full sizes),
//            --runs N (single-call runs per side, default 5), --out FILE, --verbose, --keep (keep temp HOMEs)
//
// Figures
//   1. single-call overhead: `sf external-client-app usage list` vs `sf api request rest <usage resource>` in the same
//      real sf and HOME, one warm-up each, then interleaved runs in rotating order, medians. Two HOMEs per host: the
//      plugin as users get it (a temp copy with an oclif.manifest.json generated there, linked) and a dev link of the
//      repo (no manifest); plus the packaged HOME with SF_DISABLE_LOG_FILE=true (no log-file worker threads, whose
//      shutdown adds up to ~1 s to any sf command, at random); `api request rest` without the plugin alongside.
//   2. bulk revoke of the stale tokens (`tokens revoke --unused-days 90 --no-prompt --json --concurrency 8`) vs its
//      floor = start-up + sum over stages of rounds x latency, with rounds = max(ceil(requests / concurrency), longest
//      chain of requests that must follow each other, i.e. pages of one list). Requests are counted per stage from
//      the emulator's log (app pages, user pages, token lists, DELETEs). Start-up = median wall time of
//      `usage list --json` against an empty emulator at 0 ms latency, same runner, sampled between the runs.
//   3. per token: bulk wall / tokens revoked vs a bash loop of `sf api request rest <revocationUrl> --method DELETE
//      --body @/dev/null` over a sample (wall / sample size), same sf and HOME.
//   4. inventory: `tokens list --json` over every token: wall vs floor (as in 2), and peak RSS of the plugin process
//      (GNU time -v when available, else the VmHWM of /proc/<pid>/status polled until exit).
// Every command's output is checked (exit code, --json result, the emulator's state and log afterwards).
// Results: a table on stdout, and JSON in bench-results/latest.json (smoke: bench-results/smoke.json).

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { killGroupOnTimeout } from './child-timeout.mjs';
import { emulatorControl, startEmulatorProcess, stopEmulatorProcess } from './emulator-process.mjs';
import { HOSTS, REPO_DIR, ensureHost, linkPlugin, sfEnv } from './sf-hosts.mjs';

const DAY_MS = 24 * 3600 * 1000;
const UNUSED_DAYS = 90;
const LATENCY_MS = 20;
const CONCURRENCY = 8;
const PEER_API_VERSION = '62.0';
const RUN_JS = path.join(REPO_DIR, 'bin', 'run.js');
const TIME_BIN = '/usr/bin/time';
const EMULATOR_START_TIMEOUT_MS = 90_000;
const CMD_TIMEOUT_MS = 300_000;
const USAGE = ['external-client-app', 'usage'];
const PACKAGED = 'packaged (with manifest)';
const DEV_LINK = 'dev link (no manifest)';
const NO_LOG_FILE = 'packaged, SF_DISABLE_LOG_FILE=true';

const GOALS = {
  overhead: { op: '<=', value: 1.1, text: '<= 1.10x' },
  bulk: { op: '<=', value: 1.5, text: '<= 1.5x floor' },
  perToken: { op: '>=', value: 50, text: '>= 50x faster' },
  memoryMb: { op: '<', value: 300, text: '< 300 MB' },
};

const SIZES = {
  full: {
    minStartups: 3,
    versionRuns: 3,
    overheadSeed: { apps: 5, usersPerApp: 40, tokensPerUser: 2, seed: 7 },
    // 6 apps x 100 users x 2 tokens = 1200 tokens, of which 45% (540) are stale: never used or unused 91+ days
    bulkSeed: { apps: 6, usersPerApp: 100, tokensPerUser: 2, seed: 11 },
    bulkRuns: 3,
    minStale: 500,
    loopSample: 10,
    // 20 apps x 250 users x 2 tokens = 10,000 tokens
    inventorySeed: { apps: 20, usersPerApp: 250, tokensPerUser: 2, seed: 13 },
    inventoryRuns: 2,
  },
  smoke: {
    minStartups: 2,
    versionRuns: 0,
    overheadSeed: null,
    // 2 x 28 x 2 = 112 tokens, 50 stale
    bulkSeed: { apps: 2, usersPerApp: 28, tokensPerUser: 2, seed: 11 },
    bulkRuns: 1,
    minStale: 50,
    loopSample: 0,
    // 4 x 25 x 2 = 200 tokens
    inventorySeed: { apps: 4, usersPerApp: 25, tokensPerUser: 2, seed: 13 },
    inventoryRuns: 1,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// arguments

function parseCli(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      host: { type: 'string', multiple: true },
      'no-hosts': { type: 'boolean', default: false },
      runs: { type: 'string' },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new UsageError(`--runs must be a positive integer, got ${values.runs}`);
  const known = HOSTS.map((h) => h.name);
  for (const h of values.host ?? []) if (!known.includes(h)) throw new UsageError(`unknown host ${h}; known: ${known.join(', ')}`);
  const hosts = values.smoke || values['no-hosts'] ? [] : values.host?.length ? values.host : [...known].reverse(); // newest first
  return {
    smoke: values.smoke,
    hosts,
    runs: runs ?? (values.smoke ? 3 : 5),
    out: path.resolve(values.out ?? path.join(REPO_DIR, 'bench-results', values.smoke ? 'smoke.json' : 'latest.json')),
    verbose: values.verbose,
    keep: values.keep,
    help: values.help,
  };
}

class UsageError extends Error {}
/** A command failed or returned wrong results: the only reasons the bench exits 1. */
class BrokenError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// small helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 0) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const fmtMs = (ms) => (!Number.isFinite(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}x` : '-');
const rmrf = (p) => fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const sameSet = (a, b) => {
  const sb = new Set(b);
  return a.length === b.length && new Set(a).size === a.length && a.every((x) => sb.has(x));
};

function assert(cond, message) {
  if (!cond) throw new BrokenError(message);
}

function parseJson(text) {
  const t = (text ?? '').trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function short(text, max = 600) {
  const s = String(text ?? '').trim();
  return s.length > max ? `${s.slice(0, max)}... (${s.length} chars)` : s;
}

// ---------------------------------------------------------------------------------------------------------------
// processes

/**
 * Runs one command in its own process group and measures its wall time. With `peakRss`, the peak resident set size
 * of the command's process is measured as well (GNU time -v, else /proc/<pid>/status VmHWM polled until exit).
 */
function runProc(cmd, args, { env, cwd, timeoutMs = CMD_TIMEOUT_MS, peakRss = false } = {}) {
  return new Promise((resolve, reject) => {
    let file = cmd;
    let argv = args;
    let timeFile;
    const useTime = peakRss && hasGnuTime();
    if (useTime) {
      timeFile = path.join(os.tmpdir(), `bench-time-${process.pid}-${crypto.randomBytes(4).toString('hex')}.txt`);
      file = TIME_BIN;
      argv = ['-v', '-o', timeFile, cmd, ...args];
    }
    const startedAt = Date.now();
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    const deadline = killGroupOnTimeout(child, timeoutMs);
    let hwmKb = 0;
    let poller;
    if (peakRss && !useTime) {
      const poll = () => {
        try {
          const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
        } catch {
          /* exited */
        }
      };
      poll();
      poller = setInterval(poll, 20);
    }
    child.on('error', (e) => {
      deadline.clear();
      clearInterval(poller);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      deadline.clear();
      clearInterval(poller);
      let peakRssKb;
      let rssMethod;
      if (useTime) {
        try {
          const text = fs.readFileSync(timeFile, 'utf8');
          const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
          if (m) peakRssKb = Number(m[1]);
          rssMethod = 'GNU time -v (Maximum resident set size)';
        } catch {
          /* no file: the command could not be started */
        }
        rmrf(timeFile);
      } else if (peakRss) {
        peakRssKb = hwmKb || undefined;
        rssMethod = '/proc/<pid>/status VmHWM, polled every 20 ms';
      }
      resolve({
        code,
        signal,
        timedOut: deadline.timedOut(),
        wallMs,
        startedAt,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        peakRssKb,
        rssMethod,
      });
    });
  });
}

let gnuTime;
function hasGnuTime() {
  if (gnuTime === undefined) {
    const r = fs.existsSync(TIME_BIN) ? spawnSync(TIME_BIN, ['-v', '-o', '/dev/null', 'true'], { encoding: 'utf8' }) : { status: 1 };
    gnuTime = r.status === 0;
  }
  return gnuTime;
}

/**
 * A way to run the plugin's commands: the plugin's own bin/run.js on this Node, or a real sf host with the plugin
 * linked into a temp HOME. `run(args, opts)` returns runProc's result plus the parsed JSON and the shown command.
 */
function makeRunner({ label, kind, node, entry, home, ctx, extraEnv = {} }) {
  const extraNodeArgs = kind === 'sf' ? ['--no-deprecation'] : [];
  return {
    label,
    kind,
    home,
    node,
    entry,
    async run(args, { peakRss = false, withOrg = true, timeoutMs } = {}) {
      const env = sfEnv(home, {
        FORCE_COLOR: '0',
        SF_TARGET_ORG: undefined,
        SF_ACCESS_TOKEN: undefined,
        SF_ORG_INSTANCE_URL: ctx.emu.url,
        ...extraEnv,
      });
      const argv = withOrg ? [...args, '--target-org', ctx.emu.token] : args;
      const r = await runProc(node, [...extraNodeArgs, entry, ...argv], { env, cwd: home, peakRss, timeoutMs });
      r.json = parseJson(r.stdout);
      r.cmd = `${kind === 'sf' ? `sf(${label})` : 'bin/run.js'} ${args.join(' ')}${withOrg ? ' --target-org <token>' : ''}`;
      if (ctx.verbose) log(`  ${r.cmd} => exit ${r.code} in ${fmtMs(r.wallMs)}${r.peakRssKb ? `, peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MB` : ''}`);
      return r;
    },
  };
}

function expectOk(r, what) {
  assert(!r.timedOut, `${what}: timed out after ${fmtMs(r.wallMs)} (${r.cmd})`);
  assert(r.code === 0, `${what}: exit ${r.code ?? r.signal} (${r.cmd})\nstdout: ${short(r.stdout)}\nstderr: ${short(r.stderr)}`);
}

function expectJsonOk(r, what) {
  expectOk(r, what);
  assert(r.json && r.json.status === 0, `${what}: no --json envelope with status 0 (${r.cmd})\nstdout: ${short(r.stdout)}`);
  return r.json.result;
}

// ---------------------------------------------------------------------------------------------------------------
// emulator child process and its control API

async function startEmulator(token) {
  const empty = ['--apps', '0', '--users', '0', '--tokens', '0', '--random-seed', '1', '--latency', '0'];
  try {
    return await startEmulatorProcess([...empty, '--port', '0', '--token', token], { token, timeoutMs: EMULATOR_START_TIMEOUT_MS });
  } catch (error) {
    throw new BrokenError(error.message);
  }
}

const stopEmulator = stopEmulatorProcess;

async function control(ctx, method, sub, body) {
  try {
    return await emulatorControl(ctx.emu.url, method, sub, body);
  } catch (error) {
    throw new BrokenError(error.message);
  }
}

/** Fresh data (or an empty org), a latency, an empty log. */
async function prepare(ctx, seed, latencyMs) {
  await control(ctx, 'POST', 'reset', { seed: seed ?? { apps: 0, usersPerApp: 0, tokensPerUser: 0, seed: 1 } });
  await control(ctx, 'DELETE', 'faults');
  await control(ctx, 'POST', 'latency', { ms: latencyMs });
  await control(ctx, 'DELETE', 'log');
  return control(ctx, 'GET', 'state');
}

const staleIds = (state, now = Date.now()) =>
  state.tokens.filter((t) => t.lastUsedAt === null || Date.parse(t.lastUsedAt) < now - UNUSED_DAYS * DAY_MS).map((t) => t.tokenId);

// ---------------------------------------------------------------------------------------------------------------
// request accounting from the emulator's log

function stageOf(entry) {
  const p = entry.path;
  if (!p.includes('/apps/oauth/usage')) return 'other';
  if (entry.method === 'DELETE') return 'deletes';
  if (/\/apps\/oauth\/usage$/.test(p)) return 'appPages';
  const users = /\/apps\/oauth\/usage\/([^/]+)\/users$/.exec(p);
  if (users) return 'userPages';
  if (/\/tokens$/.test(p)) return 'tokenLists';
  return 'otherUsage';
}

const STAGES = ['appPages', 'userPages', 'tokenLists', 'deletes'];

/**
 * Requests per stage, and the floor: rounds = max(ceil(n / concurrency), longest chain of pages that must be read one
 * after another), floor = startup + sum(rounds) x latency. Also a timeline (ms after the process started).
 */
function accountRequests(entries, { concurrency, latencyMs, startedAt, wallMs }) {
  const stages = {};
  for (const s of [...STAGES, 'otherUsage', 'other']) stages[s] = { requests: 0, statuses: {}, chains: {}, firstAtMs: undefined, lastAtMs: undefined };
  for (const e of entries) {
    const s = stages[stageOf(e)];
    s.requests++;
    s.statuses[e.status] = (s.statuses[e.status] ?? 0) + 1;
    const chainKey = stageOf(e) === 'appPages' ? 'apps' : stageOf(e) === 'userPages' ? /usage\/([^/]+)\/users$/.exec(e.path)[1] : `#${s.requests}`;
    s.chains[chainKey] = (s.chains[chainKey] ?? 0) + 1;
    const at = Date.parse(e.at) - startedAt;
    s.firstAtMs = s.firstAtMs === undefined ? at : Math.min(s.firstAtMs, at);
    s.lastAtMs = s.lastAtMs === undefined ? at : Math.max(s.lastAtMs, at);
  }
  let rounds = 0;
  const perStage = {};
  for (const name of [...STAGES, 'otherUsage']) {
    const s = stages[name];
    const longestChain = Math.max(0, ...Object.values(s.chains));
    const r = s.requests === 0 ? 0 : Math.max(Math.ceil(s.requests / concurrency), longestChain);
    rounds += r;
    perStage[name] = {
      requests: s.requests,
      statuses: s.statuses,
      longestChain,
      rounds: r,
      latencyMs: r * latencyMs,
      firstAnsweredAtMs: s.firstAtMs,
      lastAnsweredAtMs: s.lastAtMs,
    };
  }
  const all = entries.map((e) => Date.parse(e.at) - startedAt);
  const usage = entries.filter((e) => e.path.includes('/apps/oauth/usage')).map((e) => Date.parse(e.at) - startedAt);
  return {
    stages: perStage,
    otherRequests: stages.other.requests,
    usageRequests: entries.filter((e) => e.path.includes('/apps/oauth/usage')).length,
    rounds,
    roundsLatencyMs: rounds * latencyMs,
    timeline: {
      firstRequestAnsweredMs: all.length ? Math.min(...all) : undefined,
      firstUsageAnsweredMs: usage.length ? Math.min(...usage) : undefined,
      lastUsageAnsweredMs: usage.length ? Math.max(...usage) : undefined,
      exitMs: round(wallMs),
      afterLastRequestMs: usage.length ? round(wallMs - Math.max(...usage)) : undefined,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the measurements

/** One start-up sample: `usage list --json` against an empty org at 0 ms latency (what every command pays). */
async function startupSample(ctx, runner, { record = true } = {}) {
  await prepare(ctx, null, 0);
  const r = await runner.run([...USAGE, 'list', '--json'], { peakRss: true });
  const result = expectJsonOk(r, `${runner.label} start-up (usage list on an empty org)`);
  assert(Array.isArray(result) && result.length === 0, `${runner.label} start-up: expected no apps, got ${short(JSON.stringify(result))}`);
  if (record) {
    const s = (ctx.results.startup[runner.label] ??= { runner: runner.label, command: 'usage list --json (empty org, 0 ms latency)', samplesMs: [] });
    s.samplesMs.push(round(r.wallMs));
    s.medianMs = round(median(s.samplesMs));
    if (r.peakRssKb) (s.peakRssSamplesKb ??= []).push(r.peakRssKb);
    if (s.peakRssSamplesKb) s.peakRssMedianMb = round(median(s.peakRssSamplesKb) / 1024, 1);
  }
  return r.wallMs;
}

/** A first run of a runner warms the file cache (and sf's own caches); its time is not used. */
async function warmUp(ctx, runner) {
  await startupSample(ctx, runner, { record: false });
  const n = ctx.sizes.versionRuns;
  if (!n) return;
  const samples = [];
  for (let i = 0; i < n; i++) {
    const r = await runner.run(['--version'], { withOrg: false });
    expectOk(r, `${runner.label} --version`);
    samples.push(r.wallMs);
  }
  const s = (ctx.results.startup[runner.label] ??= { runner: runner.label, command: 'usage list --json (empty org, 0 ms latency)', samplesMs: [] });
  s.versionMedianMs = round(median(samples));
  s.versionSamplesMs = samples.map((x) => round(x));
}

/**
 * Runs `measure(i)` `runs` times with start-up samples in between (S M S M ...), so that a change in machine load
 * affects the measurement and its floor alike. Returns the start-up median of this section and the results.
 */
async function interleaved(ctx, runner, runs, measure) {
  const startups = [];
  const results = [];
  const n = Math.max(runs, ctx.sizes.minStartups);
  for (let i = 0; i < n; i++) {
    if (i < ctx.sizes.minStartups) startups.push(await startupSample(ctx, runner));
    if (i < runs) results.push(await measure(i));
  }
  return { startupMs: median(startups), startupSamplesMs: startups.map((x) => round(x)), results };
}

/** Figure 2: revoke every stale token; checks that exactly those were revoked, and nothing else. */
async function measureBulk(ctx, runner, runs) {
  const section = await interleaved(ctx, runner, runs, async (i) => {
    const state = await prepare(ctx, ctx.sizes.bulkSeed, LATENCY_MS);
    const expected = staleIds(state);
    assert(expected.length >= ctx.sizes.minStale, `bulk seed gives only ${expected.length} stale tokens, wanted >= ${ctx.sizes.minStale}`);
    const r = await runner.run([...USAGE, 'tokens', 'revoke', '--unused-days', String(UNUSED_DAYS), '--no-prompt', '--json', '--concurrency', String(CONCURRENCY)]);
    const result = expectJsonOk(r, `${runner.label} tokens revoke`);
    assert(result.dryRun === false, `${runner.label} tokens revoke: dryRun is not false`);
    assert(Array.isArray(result.failures) && result.failures.length === 0, `${runner.label} tokens revoke: ${result.failures?.length} failures, e.g. ${short(JSON.stringify(result.failures?.[0]))}`);
    assert(result.successes.every((s) => s.status === 'revoked' && s.scope === 'token'), `${runner.label} tokens revoke: a success is not a revoked token`);
    const ids = result.successes.map((s) => s.tokenId);
    assert(sameSet(ids, expected), `${runner.label} tokens revoke: revoked ${ids.length} tokens, expected exactly the ${expected.length} stale ones`);
    const after = await control(ctx, 'GET', 'state');
    const left = new Set(after.tokens.map((t) => t.tokenId));
    assert(expected.every((id) => !left.has(id)) && left.size === state.tokens.length - expected.length, `${runner.label} tokens revoke: the emulator still holds stale tokens or lost others`);
    const acc = accountRequests(await control(ctx, 'GET', 'log'), { concurrency: CONCURRENCY, latencyMs: LATENCY_MS, startedAt: r.startedAt, wallMs: r.wallMs });
    assert(acc.stages.deletes.requests === expected.length, `${runner.label} tokens revoke: ${acc.stages.deletes.requests} DELETEs for ${expected.length} tokens`);
    // The fewest requests that can do it, from the data alone (a list ends at its first short page).
    const apps = new Set(state.tokens.map((t) => t.appIdentifier));
    const usersPerApp = [...apps].map((a) => new Set(state.tokens.filter((t) => t.appIdentifier === a).map((t) => t.userIdentifier)).size);
    acc.minimumRequests = {
      appPages: Math.floor(apps.size / 100) + 1,
      userPages: usersPerApp.reduce((n, u) => n + Math.floor(u / 100) + 1, 0),
      tokenLists: new Set(state.tokens.map((t) => `${t.appIdentifier}/${t.userIdentifier}`)).size,
      deletes: expected.length,
    };
    if (ctx.verbose) log(`  bulk ${runner.label} run ${i + 1}: ${fmtMs(r.wallMs)}, ${acc.rounds} rounds`);
    return { wallMs: r.wallMs, acc, revoked: expected.length };
  });
  const wall = median(section.results.map((x) => x.wallMs));
  const { acc, revoked } = section.results.at(-1);
  const floorMs = section.startupMs + acc.rounds * LATENCY_MS;
  const out = {
    runner: runner.label,
    command: `tokens revoke --unused-days ${UNUSED_DAYS} --no-prompt --json --concurrency ${CONCURRENCY}`,
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    seed: ctx.sizes.bulkSeed,
    tokensRevoked: revoked,
    medianMs: round(wall),
    samplesMs: section.results.map((x) => round(x.wallMs)),
    startupMs: round(section.startupMs),
    startupSamplesMs: section.startupSamplesMs,
    floorMs: round(floorMs),
    floorFormula: `${fmtMs(section.startupMs)} start-up + ${acc.rounds} rounds x ${LATENCY_MS} ms`,
    ratio: round(wall / floorMs, 3),
    perTokenMs: round(wall / revoked, 2),
    requests: acc,
  };
  ctx.results.bulk[runner.label] = out;
  log(`bulk ${runner.label}: ${revoked} tokens in ${fmtMs(out.medianMs)} vs floor ${fmtMs(out.floorMs)} (${out.floorFormula}) = ${fmtRatio(out.ratio)}`);
  return out;
}

/** Figure 3's peer: a bash loop of `sf api request rest <revocationUrl> --method DELETE --body @/dev/null`. */
async function measureLoop(ctx, host, runner) {
  const state = await prepare(ctx, ctx.sizes.bulkSeed, LATENCY_MS);
  const sample = staleIds(state).slice(0, ctx.sizes.loopSample);
  const urls = sample.map((id) => `/services/data/v${PEER_API_VERSION}/apps/oauth/usage/tokens/${id}`);
  const script = [
    'set -u',
    'fails=0',
    'for url in "$@"; do',
    '  "$SF_NODE" --no-deprecation "$SF_RUN_JS" api request rest "$url" --method DELETE --body @/dev/null --target-org "$BENCH_TARGET_ORG" >/dev/null || fails=$((fails+1))',
    'done',
    'exit $fails',
  ].join('\n');
  const env = sfEnv(runner.home, {
    FORCE_COLOR: '0',
    SF_TARGET_ORG: undefined,
    SF_ACCESS_TOKEN: undefined,
    SF_ORG_INSTANCE_URL: ctx.emu.url,
    SF_NODE: runner.node,
    SF_RUN_JS: runner.entry,
    BENCH_TARGET_ORG: ctx.emu.token,
  });
  const r = await runProc('bash', ['-c', script, 'bench-loop', ...urls], { env, cwd: runner.home });
  r.cmd = `bash loop of sf(${runner.label}) api request rest <revocationUrl> --method DELETE --body @/dev/null x ${urls.length}`;
  expectOk(r, `${runner.label} api request rest DELETE loop (${r.code} of ${urls.length} calls failed)`);
  const after = new Set((await control(ctx, 'GET', 'state')).tokens.map((t) => t.tokenId));
  assert(sample.every((id) => !after.has(id)), `${runner.label} api request rest DELETE loop: some sampled tokens are still there`);
  const deletes = (await control(ctx, 'GET', 'log')).filter((e) => e.method === 'DELETE');
  assert(deletes.length === sample.length && deletes.every((e) => e.status === 204), `${runner.label} DELETE loop: expected ${sample.length} DELETEs answered 204, saw ${deletes.map((e) => e.status).join(',')}`);
  const out = {
    host: host.name,
    home: runner.label,
    command: 'for url in ...; do sf api request rest "$url" --method DELETE --body @/dev/null --target-org <token>; done',
    latencyMs: LATENCY_MS,
    tokens: sample.length,
    wallMs: round(r.wallMs),
    perTokenMs: round(r.wallMs / sample.length),
  };
  ctx.results.loop[host.name] = out;
  log(`loop ${runner.label}: ${sample.length} DELETEs in ${fmtMs(out.wallMs)} = ${fmtMs(out.perTokenMs)} per token`);
  return out;
}

/** Figure 4: `tokens list --json` over the whole inventory, wall vs floor and peak RSS; checks every token is listed. */
async function measureInventory(ctx, runner, runs) {
  const section = await interleaved(ctx, runner, runs, async (i) => {
    const state = await prepare(ctx, ctx.sizes.inventorySeed, LATENCY_MS);
    const expected = new Set(state.tokens.map((t) => t.tokenId));
    const r = await runner.run([...USAGE, 'tokens', 'list', '--json', '--concurrency', String(CONCURRENCY)], { peakRss: true });
    const result = expectJsonOk(r, `${runner.label} tokens list`);
    assert(Array.isArray(result), `${runner.label} tokens list: result is not an array`);
    const ids = result.map((t) => t.tokenId);
    assert(ids.length === expected.size, `${runner.label} tokens list: ${ids.length} rows, expected ${expected.size}`);
    assert(new Set(ids).size === ids.length && ids.every((id) => expected.has(id)), `${runner.label} tokens list: the rows are not exactly the emulator's tokens`);
    const acc = accountRequests(await control(ctx, 'GET', 'log'), { concurrency: CONCURRENCY, latencyMs: LATENCY_MS, startedAt: r.startedAt, wallMs: r.wallMs });
    assert(acc.stages.deletes.requests === 0, `${runner.label} tokens list sent DELETEs`);
    if (ctx.verbose) log(`  inventory ${runner.label} run ${i + 1}: ${fmtMs(r.wallMs)}, ${acc.rounds} rounds, peak RSS ${r.peakRssKb} kB`);
    return { wallMs: r.wallMs, acc, tokens: expected.size, peakRssKb: r.peakRssKb, rssMethod: r.rssMethod, stdoutBytes: Buffer.byteLength(r.stdout) };
  });
  const wall = median(section.results.map((x) => x.wallMs));
  const last = section.results.at(-1);
  const rss = section.results.map((x) => x.peakRssKb).filter(Boolean);
  const floorMs = section.startupMs + last.acc.rounds * LATENCY_MS;
  const out = {
    runner: runner.label,
    command: `tokens list --json --concurrency ${CONCURRENCY}`,
    latencyMs: LATENCY_MS,
    seed: ctx.sizes.inventorySeed,
    tokens: last.tokens,
    medianMs: round(wall),
    samplesMs: section.results.map((x) => round(x.wallMs)),
    startupMs: round(section.startupMs),
    startupSamplesMs: section.startupSamplesMs,
    floorMs: round(floorMs),
    floorFormula: `${fmtMs(section.startupMs)} start-up + ${last.acc.rounds} rounds x ${LATENCY_MS} ms`,
    ratio: round(wall / floorMs, 3),
    peakRssMb: rss.length ? round(Math.max(...rss) / 1024, 1) : null,
    peakRssSamplesKb: rss,
    rssMethod: last.rssMethod,
    stdoutBytes: last.stdoutBytes,
    requests: last.acc,
  };
  ctx.results.inventory[runner.label] = out;
  log(`inventory ${runner.label}: ${out.tokens} tokens in ${fmtMs(out.medianMs)} vs floor ${fmtMs(out.floorMs)} (${out.floorFormula}) = ${fmtRatio(out.ratio)}; peak RSS ${out.peakRssMb} MB`);
  return out;
}

/**
 * Figure 1: `usage list` through the plugin vs `api request rest` on the same resource, in the same sf and HOME.
 * Two HOMEs: the plugin as users get it (a copy with oclif.manifest.json) and a dev link of the repo (no manifest),
 * plus `api request rest` in a HOME without the plugin. One warm-up each, then `runs` rounds in rotating order.
 */
async function measureOverhead(ctx, host, setups, bare, runs) {
  const state = await prepare(ctx, ctx.sizes.overheadSeed, LATENCY_MS);
  const expectedApps = new Set(state.tokens.map((t) => t.appIdentifier)).size;
  const resource = `/services/data/v${PEER_API_VERSION}/apps/oauth/usage`;
  const checkPlugin = (r) => {
    const result = expectJsonOk(r, `${r.cmd}`);
    assert(Array.isArray(result) && result.length === expectedApps, `${r.cmd}: expected ${expectedApps} apps, got ${short(r.stdout)}`);
  };
  const checkPeer = (r) => {
    expectOk(r, `${r.cmd}`);
    const body = parseJson(r.stdout);
    assert(Array.isArray(body?.apps) && body.apps.length === expectedApps, `${r.cmd}: expected ${expectedApps} apps, got ${short(r.stdout)}`);
  };
  const cmds = [];
  for (const s of setups) {
    cmds.push({ key: `${s.key}|plugin`, run: () => s.runner.run([...USAGE, 'list', '--json']), check: checkPlugin });
    cmds.push({ key: `${s.key}|peer`, run: () => s.runner.run(['api', 'request', 'rest', resource]), check: checkPeer });
  }
  cmds.push({ key: 'no plugin|peer', run: () => bare.run(['api', 'request', 'rest', resource]), check: checkPeer });
  const samples = Object.fromEntries(cmds.map((c) => [c.key, []]));
  for (const c of cmds) c.check(await c.run()); // warm-up
  for (let i = 0; i < runs; i++) {
    const order = cmds.map((_, k) => cmds[(k + i) % cmds.length]);
    for (const c of i % 2 ? order.reverse() : order) {
      const r = await c.run();
      c.check(r);
      samples[c.key].push(r.wallMs);
    }
  }
  // What each side sends (one more run each, on a clean log): explains a difference in requests.
  const requestsOf = async (c) => {
    await control(ctx, 'DELETE', 'log');
    c.check(await c.run());
    return (await control(ctx, 'GET', 'log')).map((e) => `${e.method} ${e.path}${e.query ? `?${e.query.slice(0, 30)}...` : ''}`);
  };
  const med = (key) => round(median(samples[key]));
  const out = {
    host: host.name,
    latencyMs: LATENCY_MS,
    seed: ctx.sizes.overheadSeed,
    plugin: { command: 'sf external-client-app usage list --json --target-org <token>', requests: await requestsOf(cmds[0]) },
    peer: { command: `sf api request rest ${resource} --target-org <token>`, requests: await requestsOf(cmds[1]) },
    setups: {},
    peerWithoutPlugin: { medianMs: med('no plugin|peer'), samplesMs: samples['no plugin|peer'].map((x) => round(x)) },
  };
  for (const s of setups) {
    const p = med(`${s.key}|plugin`);
    const q = med(`${s.key}|peer`);
    out.setups[s.key] = {
      description: s.description,
      pluginMedianMs: p,
      peerMedianMs: q,
      ratio: round(p / q, 3),
      pluginSamplesMs: samples[`${s.key}|plugin`].map((x) => round(x)),
      peerSamplesMs: samples[`${s.key}|peer`].map((x) => round(x)),
    };
    log(`overhead ${host.name} (${s.key}): usage list ${fmtMs(p)} vs api request rest ${fmtMs(q)} = ${fmtRatio(p / q)}`);
  }
  log(`overhead ${host.name}: api request rest without the plugin ${fmtMs(out.peerWithoutPlugin.medianMs)}`);
  ctx.results.overhead[host.name] = out;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// table

function met(goal, value) {
  if (!goal || !Number.isFinite(value)) return '-';
  const ok = goal.op === '<=' ? value <= goal.value : goal.op === '<' ? value < goal.value : value >= goal.value;
  return ok ? 'yes' : 'NO';
}

function buildFigures(ctx) {
  const rows = [];
  const R = ctx.results;
  const row = (figure, measured, reference, ratio, ratioText, goal, value) =>
    rows.push({ figure, measured, reference, ratio, ratioText, goal: goal?.text ?? '- (info)', met: goal ? met(goal, value) : '-' });
  for (const [name, o] of Object.entries(R.overhead)) {
    for (const [key, s] of Object.entries(o.setups)) {
      row(`single call: usage list vs api request rest, ${name}, ${key}`, fmtMs(s.pluginMedianMs), `${fmtMs(s.peerMedianMs)} (peer)`, s.ratio, fmtRatio(s.pluginMedianMs / s.peerMedianMs), GOALS.overhead, s.ratio);
    }
    const dev = o.setups[DEV_LINK];
    if (dev) {
      const r = dev.peerMedianMs / o.peerWithoutPlugin.medianMs;
      row(`api request rest with the dev link vs without the plugin, ${name}`, fmtMs(dev.peerMedianMs), `${fmtMs(o.peerWithoutPlugin.medianMs)} (no plugin)`, round(r, 3), fmtRatio(r));
    }
  }
  for (const [label, b] of Object.entries(R.bulk)) {
    row(`bulk revoke ${b.tokensRevoked} stale tokens, ${b.latencyMs} ms latency (${label})`, fmtMs(b.medianMs), `${fmtMs(b.floorMs)} (floor)`, b.ratio, fmtRatio(b.medianMs / b.floorMs), GOALS.bulk, b.ratio);
  }
  for (const [hostName, l] of Object.entries(R.loop)) {
    // compare with the bulk run through the same sf and HOME when there is one, else bin/run.js
    const b = R.bulk[l.home] ?? R.bulk['bin/run.js'];
    if (!b) continue;
    const speedup = l.perTokenMs / b.perTokenMs;
    row(
      `per token: bulk revoke (${b.runner}) vs api request rest loop (${hostName})`,
      `${fmtMs(b.perTokenMs)}/token`,
      `${fmtMs(l.perTokenMs)}/token (peer, ${l.tokens} calls)`,
      round(speedup, 1),
      `${fmtRatio(speedup)} faster`,
      GOALS.perToken,
      speedup
    );
  }
  for (const [label, inv] of Object.entries(R.inventory)) {
    const n = inv.tokens.toLocaleString('en-US');
    row(`inventory ${n} tokens, tokens list --json (${label})`, fmtMs(inv.medianMs), `${fmtMs(inv.floorMs)} (floor)`, inv.ratio, fmtRatio(inv.medianMs / inv.floorMs));
    const base = R.startup[label]?.peakRssMedianMb;
    row(`inventory ${n} tokens: peak RSS (${label})`, `${inv.peakRssMb} MB`, base ? `${base} MB (start-up)` : '-', null, '-', GOALS.memoryMb, inv.peakRssMb);
  }
  for (const [label, s] of Object.entries(R.startup)) {
    row(
      `start-up: usage list on an empty org, 0 ms latency (${label})`,
      `${fmtMs(s.medianMs)}${s.peakRssMedianMb ? `, ${s.peakRssMedianMb} MB` : ''}`,
      Number.isFinite(s.versionMedianMs) ? `--version ${fmtMs(s.versionMedianMs)}` : '-',
      null,
      '-'
    );
  }
  return rows;
}

function renderTable(rows) {
  const head = ['figure', 'measured', 'floor / peer', 'ratio', 'goal', 'met?'];
  const body = rows.map((r) => [r.figure, r.measured, r.reference, r.ratioText, r.goal, r.met]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// main

/**
 * The plugin as `sf plugins install` would get it: package.json, lib/, messages/, schemas/ and an oclif.manifest.json
 * generated there (never in the repo), with node_modules linked to the repo's. Returns the folder.
 */
async function packagedCopy(dir) {
  for (const entry of ['package.json', 'lib', 'messages', 'schemas']) {
    const from = path.join(REPO_DIR, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO_DIR, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const oclifBin = path.join(REPO_DIR, 'node_modules', 'oclif', 'bin', 'run.js');
  const env = { ...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', OCLIF_DISABLE_UPDATE_CHECK: 'true' };
  delete env.NODE_OPTIONS;
  const r = await runProc(process.execPath, [oclifBin, 'manifest'], { env, cwd: dir, timeoutMs: 120_000 });
  if (r.code !== 0 || !fs.existsSync(path.join(dir, 'oclif.manifest.json'))) {
    throw new BrokenError(`oclif manifest failed (exit ${r.code}): ${short(r.stderr)}`);
  }
  const commands = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'oclif.manifest.json'), 'utf8')).commands ?? {});
  log(`packaged copy with an oclif.manifest.json of ${commands.length} commands in ${dir}`);
  return dir;
}

function ensureBuilt() {
  const commands = path.join(REPO_DIR, 'lib', 'commands');
  if (!fs.existsSync(commands)) {
    log('lib/ is missing: running npm run build');
    const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new BrokenError('npm run build failed');
    return 'built';
  }
  // A stale lib/ measures old code: say so, but don't rebuild a tree others may be editing.
  const newest = (dir, ext) => {
    let t = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p, ext));
      else if (e.name.endsWith(ext)) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
    return t;
  };
  const src = newest(path.join(REPO_DIR, 'src'), '.ts');
  const lib = newest(path.join(REPO_DIR, 'lib'), '.js');
  if (src > lib) {
    log('WARNING: src/ has changes newer than lib/; run `npm run build` first to measure the current code');
    return 'stale';
  }
  return 'up to date';
}

async function main() {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n\nusage: node scripts/bench.mjs [--smoke] [--host NAME]... [--no-hosts] [--runs N] [--out FILE] [--verbose] [--keep]`);
    return 2;
  }
  if (opts.help) {
    console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    return 0;
  }
  const started = Date.now();
  const mode = opts.smoke ? 'smoke' : 'full';
  const sizes = SIZES[mode];
  const token = `00D000000000001AAA!bench${crypto.randomBytes(12).toString('hex')}`;
  const ctx = {
    sizes,
    verbose: opts.verbose,
    emu: undefined,
    results: { startup: {}, overhead: {}, bulk: {}, loop: {}, inventory: {} },
  };
  const errors = [];
  const skipped = [];
  const homes = [];
  const newHome = (tag) => {
    const h = fs.mkdtempSync(path.join(os.tmpdir(), `eca-bench-${tag}-`));
    homes.push(h);
    return h;
  };
  const phases = [];
  const attempt = async (what, fn) => {
    const t = Date.now();
    try {
      const out = await fn();
      phases.push({ what, seconds: round((Date.now() - t) / 1000, 1), loadavg1: round(os.loadavg()[0], 2) });
      return out;
    } catch (e) {
      phases.push({ what, seconds: round((Date.now() - t) / 1000, 1), failed: true });
      errors.push({ what, message: e.message, broken: e instanceof BrokenError });
      log(`FAILED: ${what}: ${e instanceof BrokenError ? e.message : e.stack}`);
      return undefined;
    }
  };

  let onSignal;
  try {
    const build = ensureBuilt();
    log(`mode ${mode}; lib/ ${build}; ${os.cpus().length} CPUs, Node ${process.version}; hosts: ${opts.hosts.join(', ') || 'none (bin/run.js only)'}`);
    const loadAtStart = os.loadavg().map((x) => round(x, 2));
    ctx.loadAtStart = loadAtStart;
    const te = Date.now();
    ctx.emu = await startEmulator(token);
    phases.push({ what: 'start the emulator', seconds: round((Date.now() - te) / 1000, 1) });
    onSignal = () => {
      stopEmulator(ctx.emu).finally(() => process.exit(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    log(`emulator at ${ctx.emu.url}`);

    // bin/run.js: bulk revoke and inventory, each with its start-up samples in between
    const plugin = makeRunner({ label: 'bin/run.js', kind: 'plugin', node: process.execPath, entry: RUN_JS, home: newHome('plugin'), ctx });
    if (await attempt('warm-up bin/run.js', () => warmUp(ctx, plugin).then(() => true))) {
      await attempt('bulk revoke bin/run.js', () => measureBulk(ctx, plugin, sizes.bulkRuns));
      await attempt('inventory bin/run.js', () => measureInventory(ctx, plugin, sizes.inventoryRuns));
    }

    // real sf hosts: single-call overhead, then bulk revoke, the api request rest loop and inventory as users get it
    let packaged;
    if (opts.hosts.length) packaged = await attempt('packaged copy of the plugin', () => packagedCopy(newHome('packaged')));
    for (const name of opts.hosts) {
      const host = await attempt(`install ${name}`, () => ensureHost(name, { log: (m) => log(m) }));
      if (!host) continue;
      const link = (dir, tag) =>
        attempt(`link ${tag} into ${name}`, async () => {
          const t = Date.now();
          const home = newHome(`${name}-${tag.replace(/\W+/g, '-')}`);
          const l = await linkPlugin(host, home, dir);
          if (l.warnings.length) throw new BrokenError(`linkPlugin: ${l.warnings.join('; ')}`);
          log(`linked ${tag} into ${name} as ${l.listedAs} in ${fmtMs(Date.now() - t)}`);
          return makeRunner({ label: `${name}, ${tag}`, kind: 'sf', node: host.node, entry: host.runJs, home, ctx });
        });
      const setups = [];
      if (packaged) {
        const runner = await link(packaged, PACKAGED);
        if (runner) {
          setups.push({ key: PACKAGED, runner, description: 'a copy of package.json, lib/, messages/ and schemas/ with oclif.manifest.json, as `sf plugins install` gets it (node_modules linked to the repo)' });
          const quiet = makeRunner({ label: `${name}, ${NO_LOG_FILE}`, kind: 'sf', node: host.node, entry: host.runJs, home: runner.home, ctx, extraEnv: { SF_DISABLE_LOG_FILE: 'true' } });
          setups.push({ key: NO_LOG_FILE, runner: quiet, description: 'the same packaged HOME with SF_DISABLE_LOG_FILE=true: no pino log-file worker threads, whose shutdown adds up to ~1 s after the exit event (bimodal)' });
        }
      }
      const dev = await link(REPO_DIR, DEV_LINK);
      if (dev) setups.push({ key: DEV_LINK, runner: dev, description: '`sf plugins link` of the repo itself: no oclif.manifest.json, so sf imports every command of the plugin on each start' });
      if (!setups.length) continue;
      const bare = makeRunner({ label: `${name}, no plugin`, kind: 'sf', node: host.node, entry: host.runJs, home: newHome(`${name}-bare`), ctx });
      await attempt(`overhead ${name}`, () => measureOverhead(ctx, host, setups, bare, opts.runs));
      const sf = setups[0].runner;
      if (await attempt(`warm-up ${sf.label}`, () => warmUp(ctx, sf).then(() => true))) {
        await attempt(`bulk revoke ${sf.label}`, () => measureBulk(ctx, sf, sizes.bulkRuns));
        await attempt(`api request rest loop ${sf.label}`, () => measureLoop(ctx, host, sf));
        await attempt(`inventory ${sf.label}`, () => measureInventory(ctx, sf, 1));
      }
    }
    if (opts.smoke) skipped.push('single-call overhead and the api request rest loop need the real sf: not run in --smoke');
  } catch (e) {
    errors.push({ what: 'setup', message: e.message, broken: true });
    log(`FAILED: ${e.stack}`);
  } finally {
    await stopEmulator(ctx.emu);
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (!opts.keep) for (const h of homes) rmrf(h);
  }

  const figures = buildFigures(ctx);
  const totalSeconds = round((Date.now() - started) / 1000, 1);
  const command = `node scripts/bench.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const report = {
    schema: 1,
    mode,
    command,
    startedAt: new Date(started).toISOString(),
    totalSeconds,
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      platform: `${os.platform()} ${os.release()}`,
      loadavgAtStart: ctx.loadAtStart,
      loadavgAtEnd: os.loadavg().map((x) => round(x, 2)),
    },
    phases,
    settings: { latencyMs: LATENCY_MS, concurrency: CONCURRENCY, unusedDays: UNUSED_DAYS, peerApiVersion: PEER_API_VERSION, singleCallRuns: opts.runs, sizes },
    goals: GOALS,
    figures,
    results: ctx.results,
    skipped,
    errors,
    ok: errors.length === 0,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\nBenchmark (${mode}): emulator latency ${LATENCY_MS} ms, --concurrency ${CONCURRENCY}, ${os.cpus().length} CPUs, Node ${process.version}\n`);
  console.log(renderTable(figures));
  console.log(
    '\nfloor = start-up (usage list on an empty org, 0 ms latency, same runner) + sum over stages (app pages, user pages,\n' +
      'token lists, DELETEs) of max(ceil(requests / concurrency), longest page chain) x latency; requests from the emulator log.'
  );
  for (const s of skipped) console.log(`skipped: ${s}`);
  for (const e of errors) console.log(`FAILED: ${e.what}: ${short(e.message, 2000)}`);
  console.log(`load average (1/5/15 min) at start ${ctx.loadAtStart?.join(' ') ?? '-'}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`\n${errors.length ? 'BROKEN' : 'ok'}: ${totalSeconds} s in all; JSON in ${path.relative(process.cwd(), opts.out) || opts.out}`);
  // Missed goals never fail the run: only failed commands and wrong results do.
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  }
);

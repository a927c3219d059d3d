#!/usr/bin/env node
// `npm run demo`: a guided, self-checking tour of `sf external-client-app usage ...` against the local OAuth usage
// emulator. Node built-ins only.
//
//   1. builds the plugin if lib/ is missing or older than src/ or messages/ (npm run build);
//   2. starts the emulator (test/emulator/cli.ts) with a fixed, realistic seed, so every run shows the same data;
//   3. runs bin/run.js in an isolated sf state (a fresh temporary HOME, no telemetry, no update checks), with
//      SF_ORG_INSTANCE_URL=<emulator> and --target-org <emulator access token>;
//   4. walks an admin's journeys: apps, users of an app, stale tokens, dry run, revoke, check, revoke one user, offboard;
//      after each step it checks the exit code, and after the revokes it checks the emulator's own state;
//   5. stops the emulator and removes the temporary HOME, also on failure, time-out and Ctrl-C.
//
// Exit code: 0 when every step and check passed, 1 when one failed, 130 on Ctrl-C (SIGINT), 143 on SIGTERM.
// Environment: DEMO_STEP_TIMEOUT_MS (default 60000) limits each command; NO_COLOR turns colours off.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUN_JS = path.join(REPO, 'bin', 'run.js');
const EMULATOR_CLI = path.join('test', 'emulator', 'cli.ts');

/** Fixed seed: 6 apps, 300 users, 2 tokens per user and app = 3600 tokens; the same names and counts every run. */
const SEED = { apps: 6, users: 300, tokens: 2, randomSeed: 2026 };
const UNUSED_DAYS = 90;
const DAY_MS = 86_400_000;

const STEP_TIMEOUT_MS = positiveInt(process.env.DEMO_STEP_TIMEOUT_MS, 60_000);
const BUILD_TIMEOUT_MS = 5 * 60_000;
const EMULATOR_START_TIMEOUT_MS = 90_000;
const KILL_GRACE_MS = 3_000;

/** Lines dropped from every command's output: expected against a loopback http:// emulator, and only noise here. */
const NOISE = [/Using insecure protocol/i];

// ---------------------------------------------------------------------------------------------------------------
// Presentation

const COLOR = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
const paint = (code) => (text) => (COLOR ? `\u001b[${code}m${text}\u001b[0m` : String(text));
const bold = paint('1');
const dim = paint('2');
const cyan = paint('36');
const green = paint('32');
const red = paint('31');
const yellow = paint('33');

const out = (text = '') => process.stdout.write(`${text}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How a command line is shown: quoted only where a shell would need it. */
function shellWord(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function heading(number, total, title) {
  out();
  out(bold(`── Step ${number} of ${total} · ${title}`));
}

function showCommand(args) {
  out(cyan(`$ sf ${args.map(shellWord).join(' ')}`));
}

function ok(text) {
  out(green(`✔ ${text}`));
}

function note(text) {
  out(dim(text));
}

// Ignore a closed stdout (e.g. `npm run demo | head`): the demo still cleans up after itself.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

class DemoFailure extends Error {}

function positiveInt(value, fallback) {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------------------------------------------
// Resources that must never outlive the demo: child processes and the temporary HOME

const children = new Set();
let emulatorChild;
let tempHome;
let interrupted = false;

const isRunning = (child) => child.exitCode === null && child.signalCode === null;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if it has not gone within KILL_GRACE_MS; resolves once it has exited. */
function stopChild(child) {
  if (!child || !isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function removeTempHome() {
  if (tempHome === undefined) return;
  fs.rmSync(tempHome, { recursive: true, force: true, maxRetries: 3 });
  tempHome = undefined;
}

async function cleanup() {
  await Promise.all([...children].map(stopChild));
  removeTempHome();
}

// Last resort, synchronous: whatever path leads to exit, no child and no temp dir is left behind.
process.on('exit', () => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  try {
    removeTempHome();
  } catch {
    // nothing more can be done while exiting
  }
});

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    if (interrupted) {
      // Second signal: don't wait any longer.
      for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
      process.exit(code);
    }
    interrupted = true;
    process.stderr.write(`\n${yellow(`Interrupted (${signal}): stopping the emulator and removing the temporary HOME.`)}\n`);
    cleanup().finally(() => process.exit(code));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes with line-by-line output

/** Calls onLine for every complete line of a stream, and for the last partial one at its end. */
function eachLine(stream, onLine) {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial.replace(/\r$/, ''));
    partial = '';
  });
}

/**
 * Prints lines as they come, but at most `head` of them, then remembers only the last `tail` lines and prints them,
 * after a "... N more ..." marker, once the stream has ended.
 */
function limitedPrinter(write, limit) {
  if (!limit) return { line: write, end: () => undefined };
  let seen = 0;
  const kept = [];
  const omitted = [];
  return {
    line(text) {
      seen += 1;
      if (seen <= limit.head) return write(text);
      kept.push(text);
      if (kept.length > limit.tail) omitted.push(kept.shift());
    },
    end() {
      if (omitted.length > 0) {
        const rows = omitted.every((text) => text.startsWith('│'));
        write(dim(`  ⋮ ${plural(omitted.length, rows ? 'more row' : 'more line')} not shown`));
      }
      kept.forEach(write);
    },
  };
}

/**
 * Runs a process and waits for it. Output is streamed through (minus NOISE lines) unless `capture` is set, in which
 * case stdout is collected and returned; stderr is always streamed.
 */
function runProcess(command, args, { env, cwd = REPO, timeoutMs, capture = false, limit } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = track(spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const printer = limitedPrinter(out, limit);
    let openStreams = 2;
    let exit;
    const finish = () => {
      if (openStreams > 0 || exit === undefined) return;
      clearTimeout(timer);
      if (!interrupted) printer.end();
      resolve({ ...exit, stdout, stderr, timedOut, durationMs: Date.now() - started });
    };
    eachLine(child.stdout, (line) => {
      if (NOISE.some((re) => re.test(line))) return;
      stdout += `${line}\n`;
      if (!capture && !interrupted) printer.line(line);
    });
    eachLine(child.stderr, (line) => {
      if (NOISE.some((re) => re.test(line))) return;
      stderr += `${line}\n`;
      // Once the demo is being torn down, a child's dying words (e.g. oclif's EEXIT: 130 trace) are only noise.
      if (!interrupted) process.stderr.write(`${line}\n`);
    });
    child.stdout.on('close', () => {
      openStreams -= 1;
      finish();
    });
    child.stderr.on('close', () => {
      openStreams -= 1;
      finish();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DemoFailure(`Could not start ${command}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      finish();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Build

function filesUnder(dir, keep) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .filter(keep);
}

/** Why lib/ must be (re)built, or undefined when it is up to date with src/ and messages/. */
function buildReason() {
  const lib = path.join(REPO, 'lib');
  if (!fs.existsSync(lib)) return 'lib/ is missing';
  const sources = filesUnder(path.join(REPO, 'src'), (file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  const inputs = [...sources, ...filesUnder(path.join(REPO, 'messages'), () => true)];
  // The files tsc writes for our sources; a stray old file in lib/ (from a deleted source) doesn't count.
  const outputs = sources.map((file) => path.join(lib, path.relative(path.join(REPO, 'src'), file)).replace(/\.ts$/, '.js'));
  const missing = outputs.find((file) => !fs.existsSync(file));
  if (missing) return `${path.relative(REPO, missing)} is missing`;
  const oldestOutput = Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
  const newer = inputs.find((file) => fs.statSync(file).mtimeMs > oldestOutput);
  return newer ? `${path.relative(REPO, newer)} is newer than lib/` : undefined;
}

async function buildIfNeeded() {
  const reason = buildReason();
  if (!reason) {
    note('Build: lib/ is up to date with src/ and messages/.');
    return;
  }
  out(`Build: ${reason}, so building first.`);
  out(cyan('$ npm run build'));
  // Under `npm run`, npm_execpath is npm's own CLI script; otherwise use the npm on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli, 'run', 'build']] : ['npm', ['run', 'build']];
  const result = await runProcess(command, args, { env: process.env, timeoutMs: BUILD_TIMEOUT_MS });
  if (result.timedOut) throw new DemoFailure(`The build did not finish within ${seconds(BUILD_TIMEOUT_MS)}.`);
  if (result.code !== 0) throw new DemoFailure(`The build failed (exit code ${result.code ?? result.signal}); see its output above.`);
  const still = buildReason();
  if (still) throw new DemoFailure(`The build succeeded but lib/ is still not up to date: ${still}.`);
  ok(`Built in ${seconds(result.durationMs)}.`);
}

// ---------------------------------------------------------------------------------------------------------------
// Isolated sf environment

/** The user's environment minus anything that would point sf at their own orgs, config or auth files. */
function isolatedEnv(home, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SF|SFDX|XDG)_/i.test(key) || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  const noProxy = [env.NO_PROXY ?? env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    OCLIF_DISABLE_LINKED_ESM_WARNING: 'true',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Emulator

/** Starts the emulator and resolves with its URL, access token and data summary once it has printed them. */
function startEmulator(env) {
  const args = [
    '--loader',
    'ts-node/esm',
    '--no-warnings=ExperimentalWarning',
    EMULATOR_CLI,
    '--apps',
    String(SEED.apps),
    '--users',
    String(SEED.users),
    '--tokens',
    String(SEED.tokens),
    '--random-seed',
    String(SEED.randomSeed),
  ];
  const child = track(spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  emulatorChild = child;
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  child.emulatorStderr = () => stderrTail.trim();
  return new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => {
      reject(new DemoFailure(`The emulator did not start within ${seconds(EMULATOR_START_TIMEOUT_MS)}.\n${stderrTail.trim()}`));
    }, EMULATOR_START_TIMEOUT_MS);
    eachLine(child.stdout, (line) => {
      const match = /^(EMULATOR_URL|EMULATOR_TOKEN)=(.+)$/.exec(line);
      if (match) found[match[1]] = match[2].trim();
      if (line.startsWith('Data: ')) found.data = line.slice('Data: '.length);
      if (found.EMULATOR_URL && found.EMULATOR_TOKEN && found.data) {
        clearTimeout(timer);
        resolve({ url: found.EMULATOR_URL, token: found.EMULATOR_TOKEN, data: found.data, child });
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DemoFailure(`Could not start the emulator: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new DemoFailure(`The emulator exited while starting (${code ?? signal}).\n${stderrTail.trim()}`));
    });
  });
}

async function emulatorState(url) {
  let response;
  try {
    response = await fetch(`${url}/__emulator/state`, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new DemoFailure(`Could not read the emulator's state: ${error.message}${emulatorDiedNote()}`);
  }
  if (!response.ok) throw new DemoFailure(`GET /__emulator/state answered ${response.status}.`);
  return response.json();
}

function emulatorDiedNote() {
  if (!emulatorChild || isRunning(emulatorChild)) return '';
  const how = emulatorChild.exitCode ?? emulatorChild.signalCode;
  return `\nThe emulator is no longer running (exit ${how}).\n${emulatorChild.emulatorStderr()}`;
}

/** The same rule as the CLI's --unused-days: never used, or last used more than N days ago. */
function isStale(token, now = Date.now()) {
  return token.lastUsedAt === null || Date.parse(token.lastUsedAt) < now - UNUSED_DAYS * DAY_MS;
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// The tour

async function main() {
  const demoStarted = Date.now();
  out(bold('External client apps: who holds OAuth access, and how to revoke it (demo against a local emulator)'));
  out();

  tempHome = fs.mkdtempSync(path.join(os.tmpdir(), 'eca-demo-home-'));
  const baseEnv = isolatedEnv(tempHome);

  // The emulator compiles its TypeScript while the plugin builds: both take a few seconds.
  const emulatorStarting = startEmulator(baseEnv);
  emulatorStarting.catch(() => undefined); // handled below; avoid an unhandled rejection while the build runs
  await buildIfNeeded();
  const emulator = await emulatorStarting;
  out(`Emulator: ${emulator.url}  (${SEED.apps} apps × ${SEED.users} users × ${SEED.tokens} tokens, random seed ${SEED.randomSeed})`);
  note(`  ${emulator.data}`);
  note(`sf state: a fresh temporary HOME (${tempHome}), deleted at the end; your own sf auth files are never read.`);
  note('Each command runs as `node bin/run.js <command> --target-org <token>` with SF_ORG_INSTANCE_URL=<emulator URL>;');
  note('the command lines below leave out "--target-org <token>", as if the emulator were your default org.');

  const sfEnv = { ...baseEnv, SF_ORG_INSTANCE_URL: emulator.url };
  const TOTAL = 10;
  let step = 0;

  /** Shows and runs one sf command; any exit code other than `expectCode` fails the demo. */
  const sf = async (title, args, { capture = false, limit, expectCode = 0, explain } = {}) => {
    step += 1;
    heading(step, TOTAL, title);
    if (explain) note(explain);
    showCommand(args);
    const result = await runProcess(process.execPath, [RUN_JS, ...args, '--target-org', emulator.token], {
      env: sfEnv,
      timeoutMs: STEP_TIMEOUT_MS,
      capture,
      limit,
    });
    const line = `sf ${args.map(shellWord).join(' ')}`;
    if (result.timedOut) throw new DemoFailure(`Step ${step} timed out after ${seconds(STEP_TIMEOUT_MS)}: ${line}${emulatorDiedNote()}`);
    if (result.code !== expectCode) {
      throw new DemoFailure(
        `Step ${step} failed: "${line}" exited with ${result.code === null ? `signal ${result.signal}` : `code ${result.code}`}` +
          ` (expected ${expectCode}).${emulatorDiedNote()}`
      );
    }
    note(`(exit code ${result.code}, ${seconds(result.durationMs)})`);
    return result;
  };

  const check = (condition, success, failure) => {
    if (!condition) throw new DemoFailure(`Check failed after step ${step}: ${failure}`);
    ok(success);
  };

  // What the demo will work on, chosen from the data: the app with the most stale tokens.
  const initial = await emulatorState(emulator.url);
  const appName = new Map(initial.apps.map((app) => [app.identifier, app.developerName]));
  const initialStaleByApp = countBy(initial.tokens.filter((t) => isStale(t)), (t) => appName.get(t.appIdentifier));
  const [targetApp] = [...initialStaleByApp.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  if (!targetApp) throw new DemoFailure('The emulator has no stale tokens to demonstrate with.');
  const targetAppId = initial.apps.find((app) => app.developerName === targetApp).identifier;

  // a. Apps, with how many users hold access through each.
  await sf('Which external client apps hold OAuth access, and how many users each?', [
    'external-client-app',
    'usage',
    'list',
    '--user-counts',
  ]);

  // b. The users of one app.
  await sf(
    `Who uses ${targetApp}? (first 10 users)`,
    ['external-client-app', 'usage', 'users', 'list', '--app', targetApp, '--limit', '10'],
    { explain: 'One row per user: when they first connected, when the app last used their token, and how often.' }
  );

  // c. Stale tokens across every app: a first look, then the full count.
  await sf(
    `Which refresh tokens have not been used for ${UNUSED_DAYS} days (or never)? (first 15, all apps)`,
    ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', String(UNUSED_DAYS), '--limit', '15'],
    { explain: '--limit stops after 15 rows, so this is only the start of the list.' }
  );
  const listed = await sf(
    'How many stale tokens are there in all? (the same list as JSON, summarized by the demo)',
    ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', String(UNUSED_DAYS), '--json'],
    { capture: true }
  );
  let envelope;
  try {
    envelope = JSON.parse(listed.stdout);
  } catch (error) {
    throw new DemoFailure(`Step ${step}: the --json output is not JSON (${error.message}).`);
  }
  if (envelope.status !== 0 || !Array.isArray(envelope.result)) {
    throw new DemoFailure(`Step ${step}: the --json output has status ${envelope.status} and no result array.`);
  }
  const stale = envelope.result;
  const staleByApp = countBy(stale, (t) => t.appDeveloperName);
  const neverUsed = stale.filter((t) => t.lastUsedAt === null).length;
  const staleUsers = new Set(stale.map((t) => t.userIdentifier)).size;
  out(
    `${bold(plural(stale.length, 'stale refresh token'))} in all (${neverUsed} never used), ` +
      `held by ${plural(staleUsers, 'user')} in ${plural(staleByApp.size, 'app')}:`
  );
  const width = Math.max(...[...staleByApp.keys()].map((name) => name.length));
  for (const [name, count] of [...staleByApp.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    out(`  ${name.padEnd(width)}  ${String(count).padStart(5)}${name === targetApp ? dim('   ← the most: cleaned up next') : ''}`);
  }
  const emulatorStale = initial.tokens.filter((t) => isStale(t)).length;
  check(
    stale.length === emulatorStale && staleByApp.get(targetApp) === initialStaleByApp.get(targetApp),
    `Emulator agrees: ${emulatorStale} tokens unused for ${UNUSED_DAYS}+ days, ${initialStaleByApp.get(targetApp)} of them for ${targetApp}.`,
    `the CLI found ${stale.length} stale tokens (${staleByApp.get(targetApp) ?? 0} for ${targetApp}), ` +
      `the emulator holds ${emulatorStale} (${initialStaleByApp.get(targetApp)} for ${targetApp}).`
  );

  // d. Dry run of the revoke for one app.
  const revokeArgs = ['external-client-app', 'usage', 'tokens', 'revoke', '--app', targetApp, '--unused-days', String(UNUSED_DAYS)];
  const tableLimit = { head: 13, tail: 4 };
  await sf(`What would revoking the stale tokens of ${targetApp} do? (dry run: nothing is sent)`, [...revokeArgs, '--dry-run'], {
    limit: tableLimit,
  });
  const afterDryRun = await emulatorState(emulator.url);
  check(
    afterDryRun.tokens.length === initial.tokens.length,
    `Emulator confirms: the dry run revoked nothing (${afterDryRun.tokens.length} tokens, as before).`,
    `the dry run changed the token count from ${initial.tokens.length} to ${afterDryRun.tokens.length}.`
  );

  // e. The revoke itself.
  await sf(`Revoke the stale tokens of ${targetApp}`, [...revokeArgs, '--no-prompt'], {
    limit: tableLimit,
    explain: '--no-prompt skips the confirmation question, as a script would.',
  });

  // f. The list again, and the emulator's own view.
  const staleBefore = initialStaleByApp.get(targetApp);
  const appTokensBefore = afterDryRun.tokens.filter((t) => t.appIdentifier === targetAppId).length;
  const listedAgain = await sf(`Are any stale tokens of ${targetApp} left?`, [
    'external-client-app',
    'usage',
    'tokens',
    'list',
    '--app',
    targetApp,
    '--unused-days',
    String(UNUSED_DAYS),
  ]);
  const afterRevoke = await emulatorState(emulator.url);
  const appTokensAfter = afterRevoke.tokens.filter((t) => t.appIdentifier === targetAppId);
  const staleLeft = appTokensAfter.filter((t) => isStale(t)).length;
  check(
    staleLeft === 0,
    `Emulator confirms: 0 stale tokens left for ${targetApp}.`,
    `the emulator still holds ${staleLeft} stale tokens of ${targetApp}.`
  );
  check(
    !listedAgain.stdout.split('\n').some((line) => line.startsWith('│') && line.includes(targetApp)),
    'The CLI agrees: it lists no stale token.',
    `the emulator holds no stale token of ${targetApp}, but the CLI still lists some.`
  );
  check(
    appTokensAfter.length === appTokensBefore - staleBefore && afterRevoke.tokens.length === afterDryRun.tokens.length - staleBefore,
    `Exactly ${staleBefore} tokens were revoked: the ${appTokensAfter.length} recently used tokens of ${targetApp} and every token of the other apps are untouched.`,
    `expected ${afterDryRun.tokens.length - staleBefore} tokens in all (${appTokensBefore - staleBefore} of ${targetApp}), ` +
      `the emulator holds ${afterRevoke.tokens.length} (${appTokensAfter.length} of ${targetApp}).`
  );

  // g. One user leaves: revoke all their tokens for the app. Pick the user with the most tokens of it left.
  const userById = new Map(afterRevoke.users.map((user) => [user.userIdentifier, user.username]));
  const tokensPerUser = countBy(appTokensAfter, (t) => t.userIdentifier);
  const [leaverId] = [...tokensPerUser.entries()].sort((a, b) => b[1] - a[1] || userById.get(a[0]).localeCompare(userById.get(b[0])))[0] ?? [];
  if (!leaverId) throw new DemoFailure(`No user of ${targetApp} has tokens left for the last steps.`);
  const leaver = userById.get(leaverId);
  const otherAppsBefore = afterRevoke.tokens.filter((t) => t.userIdentifier === leaverId && t.appIdentifier !== targetAppId).length;
  await sf(
    `${leaver} has left: which tokens of ${targetApp} do they still hold?`,
    ['external-client-app', 'usage', 'tokens', 'list', '--app', targetApp, '--user', leaver],
    {}
  );
  await sf(`Revoke every token of ${leaver} for ${targetApp}`, [
    'external-client-app',
    'usage',
    'tokens',
    'revoke',
    '--app',
    targetApp,
    '--user',
    leaver,
    '--no-prompt',
  ]);
  const afterUser = await emulatorState(emulator.url);
  const leaverLeft = afterUser.tokens.filter((t) => t.userIdentifier === leaverId && t.appIdentifier === targetAppId).length;
  const otherAppsAfter = afterUser.tokens.filter((t) => t.userIdentifier === leaverId && t.appIdentifier !== targetAppId).length;
  check(
    leaverLeft === 0 && otherAppsAfter === otherAppsBefore,
    `Emulator confirms: ${leaver} holds 0 tokens of ${targetApp} (was ${tokensPerUser.get(leaverId)}), ` +
      `and still holds their ${otherAppsAfter} tokens of other apps.`,
    `${leaver} still holds ${leaverLeft} tokens of ${targetApp}, and ${otherAppsAfter} of other apps (was ${otherAppsBefore}).`
  );

  // h. Offboarding: everything the leaver still holds, in every app.
  await sf(`Offboard ${leaver}: revoke every token they still hold, in every app`, [
    'external-client-app',
    'usage',
    'tokens',
    'revoke',
    '--user',
    leaver,
    '--no-prompt',
  ]);
  const afterOffboarding = await emulatorState(emulator.url);
  const leaverAnywhere = afterOffboarding.tokens.filter((t) => t.userIdentifier === leaverId).length;
  check(
    leaverAnywhere === 0 && afterOffboarding.tokens.length === afterUser.tokens.length - otherAppsAfter,
    `Emulator confirms: ${leaver} holds no token in any app (${otherAppsAfter} revoked), and nobody else lost one.`,
    `${leaver} still holds ${leaverAnywhere} tokens; the emulator holds ${afterOffboarding.tokens.length} in all.`
  );

  out();
  out(green(bold(`Demo passed: ${TOTAL} steps in ${seconds(Date.now() - demoStarted)}.`)) + dim(' Stopping the emulator.'));
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  if (!interrupted) {
    exitCode = 1;
    const message = error instanceof DemoFailure ? error.message : (error?.stack ?? String(error));
    process.stderr.write(`\n${red(bold('Demo FAILED:'))} ${red(message)}\n`);
  }
} finally {
  if (!interrupted) await cleanup();
}
if (!interrupted) process.exit(exitCode);

/*
 * `npm run demo`: a guided, self-checking tour of `sf external-client-app usage ...` against the OAuth usage emulator,
 * run in this process with a fixed seed, so every run shows the same data.
 *   1. builds the plugin when lib/ is missing or older than src/ or messages/ (npm run build);
 *   2. runs bin/run.js in the isolated sf environment of scripts/support/process.ts (a fresh temporary HOME), with
 *      SF_ORG_INSTANCE_URL=<emulator> and --target-org <emulator access token>;
 *   3. walks an admin's journeys: apps, users of an app, stale tokens, dry run, revoke, check, revoke one user; every
 *      step's exit code is checked, and after the list and the revokes the emulator's own state;
 *   4. stops the emulator and removes the temporary HOME, also on failure, time-out and Ctrl-C.
 * Exit 0 when every step and check passed, 1 when one failed, 130 on SIGINT, 143 on SIGTERM, 129 on SIGHUP.
 * DEMO_STEP_TIMEOUT_MS (default 60000) limits each command; NO_COLOR turns colours off.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Emulator } from '../emulator/server.js';
import { staleTokens, summarizeState, type EmulatedToken } from '../emulator/model.js';
import { buildReason } from './support/build.js';
import { REPO } from './support/hosts.js';
import { excerpt, plural } from './support/excerpt.js';
import { jsonOf, killGroup, run, sfEnv, type RunResult } from './support/process.js';

/** 6 apps x 300 users x 2 tokens = 3600 tokens; the same names and counts every run. */
const SEED = { apps: 6, usersPerApp: 300, tokensPerUser: 2, seed: 2026 };
const UNUSED_DAYS = 90;
const STEP_TIMEOUT_MS = Number(process.env.DEMO_STEP_TIMEOUT_MS) > 0 ? Number(process.env.DEMO_STEP_TIMEOUT_MS) : 60_000;
const TOTAL = 10;
/** Expected against a loopback http:// emulator, and only noise here. */
const NOISE = /Using insecure protocol/i;

const COLOR = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
const paint =
  (code: string) =>
  (text: string): string =>
    COLOR ? `\u001b[${code}m${text}\u001b[0m` : text;
const [bold, dim, cyan, green, red, yellow] = ['1', '2', '36', '32', '31', '33'].map(paint);
const out = (text = ''): boolean => process.stdout.write(`${text}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** A command line as shown: quoted only where a shell would need it. */
const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);
const countBy = <T>(items: T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

class DemoFailure extends Error {}

// A closed stdout (`npm run demo | head`) must not stop the demo from cleaning up after itself.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

// What must never outlive the demo: the emulator, the running command (in a process group of its own, so Ctrl-C in
// the terminal does not reach it) and the temporary HOME.
const home = mkdtempSync(join(tmpdir(), 'eca-demo-home-'));
let emulator: Emulator | undefined;
let current: ChildProcess | undefined;
let interrupted = false;
async function cleanup(): Promise<void> {
  if (current) killGroup(current, 'SIGKILL');
  await emulator?.stop();
  rmSync(home, { recursive: true, force: true, maxRetries: 3 });
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(code); // a second signal: don't wait any longer
    interrupted = true;
    process.stderr.write(`\n${yellow(`Interrupted (${signal}): stopping the emulator and removing the temporary HOME.`)}\n`);
    void cleanup().finally(() => process.exit(code));
  });
}

async function buildIfNeeded(): Promise<void> {
  const reason = buildReason();
  if (!reason) return void out(dim('Build: lib/ is up to date with src/ and messages/.'));
  out(`Build: ${reason}, so building first.`);
  out(cyan('$ npm run build'));
  const pass = (chunk: string): boolean => process.stdout.write(chunk);
  const r = await run('npm', ['run', 'build'], { cwd: REPO, timeoutMs: 5 * 60_000, onStdout: pass, onStderr: pass, onSpawn: (c) => (current = c) });
  current = undefined;
  if (r.timedOut) throw new DemoFailure('The build did not finish within 5 minutes.');
  if (r.code !== 0) throw new DemoFailure(`The build failed (exit code ${r.code ?? r.signal}); see its output above.`);
  const still = buildReason();
  if (still) throw new DemoFailure(`The build succeeded but lib/ is still not up to date: ${still}.`);
  out(green(`✔ Built in ${seconds(r.durationMs)}.`));
}

/** Prints a command's output minus NOISE; a long table is cut to its first 13 and last 4 lines, with one note (excerpt). */
function show(text: string, write: (line: string) => unknown, limit: boolean): void {
  const lines = text.split('\n').filter((l) => !NOISE.test(l)).join('\n').trimEnd().split('\n');
  if (lines.length === 1 && lines[0] === '') return;
  (limit ? excerpt(lines, dim) : lines).forEach((l) => write(l));
}

async function main(): Promise<void> {
  const started = Date.now();
  out(bold('External client apps: who holds OAuth access, and how to revoke it (demo against a local emulator)'));
  out();
  await buildIfNeeded();
  const emu = await Emulator.start({ seed: SEED });
  emulator = emu;
  const s = summarizeState(emu.state(), UNUSED_DAYS);
  out(`Emulator: ${emu.url}  (${SEED.apps} apps × ${SEED.usersPerApp} users × ${SEED.tokensPerUser} tokens, random seed ${SEED.seed})`);
  out(dim(`  ${s.appsWithTokens}/${s.apps} apps with tokens, ${s.usersWithTokens} users with tokens, ${s.tokens} tokens, ${s.stale} stale (unused ${UNUSED_DAYS}+ days, ${s.neverUsed} never used)`));
  out(dim(`sf state: a fresh temporary HOME (${home}), deleted at the end; your own sf auth files are never read.`));
  out(dim('Each command runs as `node bin/run.js <command> --target-org <token>` with SF_ORG_INSTANCE_URL=<emulator URL>;'));
  out(dim('the command lines below leave out "--target-org <token>", as if the emulator were your default org.'));

  const env = sfEnv(home, { SF_ORG_INSTANCE_URL: emu.url });
  let step = 0;
  /** Shows and runs one sf command; any exit code but 0 fails the demo. */
  const sf = async (title: string, args: string[], { capture = false, limit = false, explain = '' } = {}): Promise<RunResult> => {
    step += 1;
    out();
    out(bold(`── Step ${step} of ${TOTAL} · ${title}`));
    if (explain) out(dim(explain));
    const line = `sf ${args.map(shellWord).join(' ')}`;
    out(cyan(`$ ${line}`));
    const r = await run(process.execPath, [join(REPO, 'bin', 'run.js'), ...args, '--target-org', emu.accessToken], {
      env,
      cwd: REPO,
      timeoutMs: STEP_TIMEOUT_MS,
      onSpawn: (c) => (current = c),
    });
    current = undefined;
    if (interrupted) return r; // a command's dying words are only noise while the demo is torn down
    if (!capture) show(r.stdout, out, limit);
    show(r.stderr, (l) => process.stderr.write(`${l}\n`), false);
    if (r.timedOut) throw new DemoFailure(`Step ${step} timed out after ${seconds(STEP_TIMEOUT_MS)}: ${line}`);
    if (r.code !== 0) throw new DemoFailure(`Step ${step} failed: "${line}" exited with ${r.code === null ? `signal ${r.signal}` : `code ${r.code}`} (expected 0).`);
    out(dim(`(exit code ${r.code}, ${seconds(r.durationMs)})`));
    return r;
  };
  const check = (condition: boolean, success: string, failure: string): void => {
    if (!condition) throw new DemoFailure(`Check failed after step ${step}: ${failure}`);
    out(green(`✔ ${success}`));
  };
  const staleOf = (tokens: EmulatedToken[]): EmulatedToken[] => staleTokens({ ...emu.state(), tokens }, UNUSED_DAYS);

  // What the demo works on, chosen from the data: the app with the most stale tokens.
  const initial = emu.state();
  const appName = new Map(initial.apps.map((a) => [a.identifier, a.developerName]));
  const initialStaleByApp = countBy(staleOf(initial.tokens), (t) => appName.get(t.appIdentifier) ?? '?');
  const [targetApp] = [...initialStaleByApp.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  if (!targetApp) throw new DemoFailure('The emulator has no stale tokens to demonstrate with.');
  const targetAppId = initial.apps.find((a) => a.developerName === targetApp)?.identifier;
  const ofTarget = (t: EmulatedToken): boolean => t.appIdentifier === targetAppId;
  const usage = (...rest: string[]): string[] => ['external-client-app', 'usage', ...rest];
  const days = String(UNUSED_DAYS);

  // a. Apps, with how many users hold access through each; b. the users of one app.
  await sf('Which external client apps hold OAuth access, and how many users each?', usage('list', '--user-counts'));
  await sf(`Who uses ${targetApp}? (first 10 users)`, usage('users', 'list', '--app', targetApp, '--limit', '10'), {
    explain: 'One row per user: when they first connected, when the app last used their token, and how often.',
  });

  // c. Stale tokens across every app: a first look, then the full count, checked against the emulator.
  await sf(`Which refresh tokens have not been used for ${UNUSED_DAYS} days (or never)? (first 15, all apps)`, usage('tokens', 'list', '--unused-days', days, '--limit', '15'), {
    explain: '--limit stops after 15 rows, so this is only the start of the list.',
  });
  const listed = await sf('How many stale tokens are there in all? (the same list as JSON, summarized by the demo)', usage('tokens', 'list', '--unused-days', days, '--json'), { capture: true });
  const envelope = jsonOf(listed.stdout) as { status?: number; result?: unknown } | undefined;
  if (envelope?.status !== 0 || !Array.isArray(envelope.result)) throw new DemoFailure(`Step ${step}: the --json output is not JSON with status 0 and a result array.`);
  const stale = envelope.result as Array<{ appDeveloperName: string; userIdentifier: string; lastUsedAt: string | null }>;
  const staleByApp = countBy(stale, (t) => t.appDeveloperName);
  const neverUsed = stale.filter((t) => t.lastUsedAt === null).length;
  out(`${bold(plural(stale.length, 'stale refresh token'))} in all (${neverUsed} never used), held by ${plural(new Set(stale.map((t) => t.userIdentifier)).size, 'user')} in ${plural(staleByApp.size, 'app')}:`);
  const width = Math.max(...[...staleByApp.keys()].map((name) => name.length));
  for (const [name, count] of [...staleByApp.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    out(`  ${name.padEnd(width)}  ${String(count).padStart(5)}${name === targetApp ? dim('   ← the most: cleaned up next') : ''}`);
  }
  const emulatorStale = staleOf(initial.tokens).length;
  const targetStale = initialStaleByApp.get(targetApp) ?? 0;
  check(
    stale.length === emulatorStale && staleByApp.get(targetApp) === targetStale,
    `Emulator agrees: ${emulatorStale} tokens unused for ${UNUSED_DAYS}+ days, ${targetStale} of them for ${targetApp}.`,
    `the CLI found ${stale.length} stale tokens (${staleByApp.get(targetApp) ?? 0} for ${targetApp}), the emulator holds ${emulatorStale} (${targetStale} for ${targetApp}).`
  );

  // d. A dry run of the revoke for one app: nothing may change.
  const revokeArgs = usage('tokens', 'revoke', '--app', targetApp, '--unused-days', days);
  await sf(`What would revoking the stale tokens of ${targetApp} do? (dry run: nothing is sent)`, [...revokeArgs, '--dry-run'], { limit: true });
  const afterDryRun = emu.state();
  check(
    afterDryRun.tokens.length === initial.tokens.length,
    `Emulator confirms: the dry run revoked nothing (${afterDryRun.tokens.length} tokens, as before).`,
    `the dry run changed the token count from ${initial.tokens.length} to ${afterDryRun.tokens.length}.`
  );

  // e. The revoke itself; f. the list again, and the emulator's own view: exactly the stale tokens of that app went.
  await sf(`Revoke the stale tokens of ${targetApp}`, [...revokeArgs, '--no-prompt'], { limit: true, explain: '--no-prompt skips the confirmation question, as a script would.' });
  const appTokensBefore = afterDryRun.tokens.filter(ofTarget).length;
  const listedAgain = await sf(`Are any stale tokens of ${targetApp} left?`, usage('tokens', 'list', '--app', targetApp, '--unused-days', days));
  const afterRevoke = emu.state();
  const appTokensAfter = afterRevoke.tokens.filter(ofTarget);
  const staleLeft = staleOf(appTokensAfter).length;
  check(staleLeft === 0, `Emulator confirms: 0 stale tokens left for ${targetApp}.`, `the emulator still holds ${staleLeft} stale tokens of ${targetApp}.`);
  check(
    !listedAgain.stdout.split('\n').some((l) => l.startsWith('│') && l.includes(targetApp)),
    'The CLI agrees: it lists no stale token.',
    `the emulator holds no stale token of ${targetApp}, but the CLI still lists some.`
  );
  check(
    appTokensAfter.length === appTokensBefore - targetStale && afterRevoke.tokens.length === afterDryRun.tokens.length - targetStale,
    `Exactly ${targetStale} tokens were revoked: the ${appTokensAfter.length} recently used tokens of ${targetApp} and every token of the other apps are untouched.`,
    `expected ${afterDryRun.tokens.length - targetStale} tokens in all (${appTokensBefore - targetStale} of ${targetApp}), the emulator holds ${afterRevoke.tokens.length} (${appTokensAfter.length} of ${targetApp}).`
  );

  // g. One user leaves: offboard them from every app at once. The user who holds tokens in the most apps left.
  const username = new Map(afterRevoke.users.map((u) => [u.userIdentifier, u.username]));
  const name = (id: string): string => username.get(id) ?? id;
  const userAppPairs = new Set(afterRevoke.tokens.map((t) => `${t.userIdentifier}|${t.appIdentifier}`));
  const appsPerUser = countBy([...userAppPairs], (pair) => pair.split('|')[0]);
  const [leaverId] = [...appsPerUser.entries()].sort((a, b) => b[1] - a[1] || name(a[0]).localeCompare(name(b[0])))[0] ?? [];
  if (!leaverId) throw new DemoFailure('No user has tokens left for the last steps.');
  const leaver = name(leaverId);
  const held = afterRevoke.tokens.filter((t) => t.userIdentifier === leaverId).length;
  await sf(`${leaver} has left: which tokens do they still hold, in every app?`, usage('tokens', 'list', '--user', leaver));
  await sf(`Offboard ${leaver}: revoke every token they hold, in every app`, usage('tokens', 'revoke', '--user', leaver, '--no-prompt'));
  const afterUser = emu.state();
  const leaverLeft = afterUser.tokens.filter((t) => t.userIdentifier === leaverId).length;
  check(
    leaverLeft === 0 && afterUser.tokens.length === afterRevoke.tokens.length - held,
    `Emulator confirms: ${leaver} holds no token in any app (was ${held} in ${appsPerUser.get(leaverId) ?? 0} apps), and nobody else lost one.`,
    `${leaver} still holds ${leaverLeft} tokens; the emulator holds ${afterUser.tokens.length} in all (expected ${afterRevoke.tokens.length - held}).`
  );

  // h. The report a security lead forwards: written where it outlives the demo's temporary HOME.
  const report = join(REPO, 'tmp', 'demo', 'eca-oauth-usage-report.html');
  mkdirSync(dirname(report), { recursive: true });
  await sf('Write the audit report a security review reads', usage('report', '--output-file', report));
  check(
    existsSync(report) && readFileSync(report, 'utf8').includes('Content-Security-Policy'),
    `The report is a self-contained page: open ${report} in a browser.`,
    `no self-contained report at ${report}.`
  );

  out();
  out(green(bold(`Demo passed: ${TOTAL} steps in ${seconds(Date.now() - started)}.`)) + dim(' Stopping the emulator.'));
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  if (!interrupted) {
    exitCode = 1;
    process.stderr.write(`\n${red(bold('Demo FAILED:'))} ${red(e instanceof DemoFailure ? e.message : e instanceof Error ? e.stack ?? e.message : String(e))}\n`);
  }
} finally {
  if (!interrupted) await cleanup();
}
if (!interrupted) process.exit(exitCode);

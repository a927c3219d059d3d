#!/usr/bin/env node
// Host test: runs every plugin command through the REAL sf CLI (each host of scripts/sf-hosts.mjs) against the
// local OAuth usage emulator, and checks --json results, exit codes and what reached the emulator.
// Node built-ins only.
//
//   node scripts/host-test.mjs                      every host in HOSTS (installs missing ones into .cache/sf-hosts)
//   node scripts/host-test.mjs --host sf-2.150.6-node22 [--host ...]
//   node scripts/host-test.mjs --node22-suites      run the plugin's unit tests and NUTs on the cached Node 22 instead
//   node scripts/host-test.mjs --tarball x.tgz      `sf plugins install file:x.tgz` instead of linking the repo (the
//                                                   way users get the plugin; needs the npm registry)
//   options: --verbose (print every sf call), --keep (keep the temp HOMEs), --only TEXT (checks whose name contains
//   TEXT), --build (run `npm run build` first; otherwise only when lib/ is missing; a lib/ older than src/ is only
//   warned about, since others may be editing src/), --no-build (fail if lib/ is missing)
//
// Per host: a fresh temp HOME, `sf plugins link <repo> --no-install`, one emulator child process (3 apps x 8 users x 2
// tokens, fixed seed, a random access token made for this run), then the checks below. The emulator's control API
// (GET state, GET/DELETE log, POST/DELETE faults, POST latency, POST reset) gives the expected answers and shows what
// was sent. Mutating checks start from the initial state with an empty log and no faults.
// Prints a host x check table; exits 1 if any check failed, 2 on a usage error.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { killGroupOnTimeout } from './child-timeout.mjs';
import { emulatorControl, startEmulatorProcess, stopEmulatorProcess } from './emulator-process.mjs';
import { HOSTS, REPO_DIR, ensureHost, linkPlugin, runSf, sfEnv } from './sf-hosts.mjs';

const SF_TIMEOUT_MS = 120_000; // one sf call; a warm one takes 1-8 s depending on the machine
const EMULATOR_START_TIMEOUT_MS = 90_000;
const UNUSED_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;
const SEED = { apps: 3, users: 8, tokens: 2, randomSeed: 20261128 };
const USAGE = ['external-client-app', 'usage'];
const REVOKE = [...USAGE, 'tokens', 'revoke'];

// ---------------------------------------------------------------------------------------------------------------
// small helpers

class CheckError extends Error {}

function assert(cond, message) {
  if (!cond) throw new CheckError(message);
}

function assertEqual(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new CheckError(`${what}: expected ${short(JSON.stringify(expected))}, got ${short(JSON.stringify(actual))}`);
  }
}

function short(text, max = 400) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max)}... (${s.length} chars)` : s;
}

const sorted = (a) => [...a].sort();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function parseJson(text) {
  const t = (text ?? '').trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
}

// ---------------------------------------------------------------------------------------------------------------
// emulator child process

async function startEmulator(token) {
  const seed = ['--apps', String(SEED.apps), '--users', String(SEED.users), '--tokens', String(SEED.tokens), '--random-seed', String(SEED.randomSeed)];
  return startEmulatorProcess([...seed, '--port', '0', '--token', token], { token, timeoutMs: EMULATOR_START_TIMEOUT_MS });
}

const stopEmulator = stopEmulatorProcess;
const control = (emu, method, sub, body) => emulatorControl(emu.url, method, sub, body, 15_000);

const getState = (emu) => control(emu, 'GET', 'state');
const getLog = (emu) => control(emu, 'GET', 'log');
const usageLog = async (emu, method) =>
  (await getLog(emu)).filter((e) => e.path.includes('/apps/oauth/usage') && (method === undefined || e.method === method));

async function resetEmulator(ctx) {
  await control(ctx.emu, 'POST', 'reset', ctx.initialState);
  await control(ctx.emu, 'DELETE', 'faults');
  await control(ctx.emu, 'POST', 'latency', { ms: 0 });
  await control(ctx.emu, 'DELETE', 'log');
}

// expected answers, computed from the emulator's state independently of the plugin
const appsWithTokens = (state) =>
  state.apps.filter((a) => state.tokens.some((t) => t.appIdentifier === a.identifier)).sort((a, b) => (a.developerName < b.developerName ? -1 : 1));
const staleTokenIds = (state, days, now = Date.now()) =>
  state.tokens.filter((t) => t.lastUsedAt === null || Date.parse(t.lastUsedAt) < now - days * DAY_MS).map((t) => t.tokenId);
const usersOfApp = (state, appIdentifier) => {
  const ids = new Set(state.tokens.filter((t) => t.appIdentifier === appIdentifier).map((t) => t.userIdentifier));
  return state.users.filter((u) => ids.has(u.userIdentifier));
};

// ---------------------------------------------------------------------------------------------------------------
// running sf

function redact(ctx, text) {
  return String(text).split(ctx.token).join('<TOKEN>');
}

function display(ctx, args, extraEnv = {}) {
  const env = Object.entries(extraEnv)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return redact(ctx, [...env, 'sf', ...args.map(quote)].join(' '));
}

/** One sf call; recorded for the leak check and the notes. `orgEnv: false` leaves SF_ORG_INSTANCE_URL unset. */
async function sf(ctx, args, { extraEnv = {}, orgEnv = true, input, timeoutMs = SF_TIMEOUT_MS } = {}) {
  const shown = { ...(orgEnv ? { SF_ORG_INSTANCE_URL: ctx.emu.url } : {}), ...extraEnv };
  const env = sfEnv(ctx.home, {
    FORCE_COLOR: '0',
    SF_TARGET_ORG: undefined,
    SF_ACCESS_TOKEN: undefined,
    SF_ORG_INSTANCE_URL: orgEnv ? ctx.emu.url : undefined,
    ...extraEnv,
  });
  const r = await runSf(ctx.host, args, { env, home: ctx.home, input, timeoutMs });
  r.json = parseJson(r.stdout);
  r.cmd = display(ctx, args, shown);
  ctx.runs.push(r);
  if (ctx.verbose) {
    console.error(`    [${ctx.host.name}] ${r.cmd}  => exit ${r.code}${r.timedOut ? ' (TIMED OUT)' : ''} in ${secs(r.durationMs)}`);
    if (r.stderr.trim()) console.error(redact(ctx, r.stderr.trim().replace(/^/gm, '      stderr| ')));
  }
  assert(!r.timedOut, `${r.cmd}: timed out after ${secs(timeoutMs)}`);
  return r;
}

function expectExit(r, code) {
  assert(r.code === code, `${r.cmd}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}, expected ${code}\n      stdout: ${short(r.stdout, 600)}\n      stderr: ${short(r.stderr, 600)}`);
}

function expectJson(r, status) {
  assert(r.json, `${r.cmd}: stdout is not JSON: ${short(r.stdout)}`);
  if (status !== undefined) assertEqual(r.json.status, status, `${r.cmd}: json.status`);
  return r.json;
}

// ---------------------------------------------------------------------------------------------------------------
// the checks: [id, function(ctx) -> optional note]

const CHECKS = [
  [
    'sf --version (host Node)',
    async (ctx) => {
      const r = await sf(ctx, ['--version'], { orgEnv: false });
      expectExit(r, 0);
      assert(r.stdout.includes(`@salesforce/cli/${ctx.host.cliVersion}`), `unexpected version line: ${r.stdout.trim()}`);
      assert(r.stdout.includes(`node-${ctx.host.nodeVersion}`), `sf does not run on ${ctx.host.nodeVersion}: ${r.stdout.trim()}`);
      return r.stdout.trim();
    },
  ],
  [
    'plugin linked or installed (sf plugins --core)',
    async (ctx) => {
      // setup ran `sf plugins link` (or `sf plugins install file:<tgz>` with --tarball) and read `sf plugins --core`;
      // every command check below proves that its command loads in this sf.
      assert(ctx.link.warnings.length === 0, `warnings: ${ctx.link.warnings.join('; ')}`);
      if (ctx.tarball) assert(ctx.link.listedAs && !/\(link\)/.test(ctx.link.listedAs), `listed as: ${ctx.link.listedAs}`);
      else assert(/\(link\)/.test(ctx.link.listedAs ?? ''), `listed as: ${ctx.link.listedAs}`);
      return ctx.link.listedAs;
    },
  ],
  [
    'usage list (--target-org <token>)',
    async (ctx) => {
      const r = await sf(ctx, [...USAGE, 'list', '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const want = appsWithTokens(await getState(ctx.emu));
      assertEqual(j.result.map((a) => [a.developerName, a.identifier]), want.map((a) => [a.developerName, a.identifier]), 'apps');
      return `${j.result.length} apps; warnings ${JSON.stringify(j.warnings ?? [])}`;
    },
  ],
  [
    'org login access-token (saved login)',
    async (ctx) => {
      const r = await sf(ctx, ['org', 'login', 'access-token', '--instance-url', ctx.emu.url, '--no-prompt', '--alias', 'emu', '--json'], {
        orgEnv: false,
        extraEnv: { SF_ACCESS_TOKEN: ctx.token },
      });
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const state = await getState(ctx.emu);
      assertEqual(j.result.username, state.org.adminUsername, 'logged-in username');
      ctx.loggedIn = true;
      return `${j.result.username}, API ${j.result.instanceApiVersion}`;
    },
  ],
  [
    'usage list -o <alias>',
    async (ctx) => {
      assert(ctx.loggedIn, 'needs the saved login of the previous check');
      const r = await sf(ctx, [...USAGE, 'list', '-o', 'emu', '--json'], { orgEnv: false });
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const want = appsWithTokens(await getState(ctx.emu));
      assertEqual(j.result.map((a) => a.developerName), want.map((a) => a.developerName), 'apps');
      return `${j.result.length} apps`;
    },
  ],
  [
    'users list --app <name>',
    async (ctx) => {
      const state = await getState(ctx.emu);
      const app = appsWithTokens(state)[0];
      const r = await sf(ctx, [...USAGE, 'users', 'list', '--app', app.developerName, '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const want = usersOfApp(state, app.identifier);
      assertEqual(sorted(j.result.map((u) => u.userIdentifier)), sorted(want.map((u) => u.userIdentifier)), 'user ids');
      assertEqual(sorted(j.result.map((u) => u.username)), sorted(want.map((u) => u.username)), 'usernames');
      assert(j.result.every((u) => u.appDeveloperName === app.developerName), 'every row names the app');
      return `${app.developerName}: ${j.result.length} users`;
    },
  ],
  [
    `tokens list --unused-days ${UNUSED_DAYS}`,
    async (ctx) => {
      const r = await sf(ctx, [...USAGE, 'tokens', 'list', '--unused-days', String(UNUSED_DAYS), '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const want = staleTokenIds(await getState(ctx.emu), UNUSED_DAYS);
      assert(want.length > 0, 'seed has no stale tokens');
      assertEqual(sorted(j.result.map((t) => t.tokenId)), sorted(want), 'stale token ids');
      return `${j.result.length} stale of ${(await getState(ctx.emu)).tokens.length}`;
    },
  ],
  [
    'tokens list -r csv (stdout is only CSV)',
    async (ctx) => {
      const r = await sf(ctx, [...USAGE, 'tokens', 'list', '--unused-days', String(UNUSED_DAYS), '-r', 'csv', '--target-org', ctx.token]);
      expectExit(r, 0);
      const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
      const header = lines[0]?.split(',') ?? [];
      assert(header.includes('tokenId'), `no tokenId column in the header: ${short(lines[0])}`);
      const col = header.indexOf('tokenId');
      const want = staleTokenIds(await getState(ctx.emu), UNUSED_DAYS);
      // token ids are URL-safe base64: never quoted, never contain commas
      assertEqual(sorted(lines.slice(1).map((l) => l.split(',')[col])), sorted(want), 'token ids in the CSV');
      return `${lines.length - 1} rows, ${header.length} columns; stderr: ${short(r.stderr.trim().replace(/\s+/g, ' '), 120) || '(empty)'}`;
    },
  ],
  [
    'revoke --token-id --no-prompt',
    async (ctx) => {
      await resetEmulator(ctx);
      const id = ctx.initialState.tokens[0].tokenId;
      const r = await sf(ctx, [...REVOKE, '--token-id', id, '--no-prompt', '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      assertEqual(j.result.successes.map((t) => [t.tokenId, t.status]), [[id, 'revoked']], 'successes');
      assertEqual(j.result.failures, [], 'failures');
      const deletes = await usageLog(ctx.emu, 'DELETE');
      assertEqual(deletes.map((e) => e.path.replace(/^\/services\/data\/v\d+\.\d+/, '')), [`/apps/oauth/usage/tokens/${id}`], 'DELETEs sent');
      assert(!(await getState(ctx.emu)).tokens.some((t) => t.tokenId === id), 'token still in the emulator');
      ctx.revokedId = id;
      return `DELETE ${deletes[0].path}`;
    },
  ],
  [
    'revoke same id again -> not-found, exit 0',
    async (ctx) => {
      assert(ctx.revokedId, 'needs the previous check');
      const r = await sf(ctx, [...REVOKE, '--token-id', ctx.revokedId, '--no-prompt', '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      assertEqual(j.result.successes.map((t) => t.status), ['not-found'], 'statuses');
      return `warnings: ${short(JSON.stringify(j.warnings ?? []), 200)}`;
    },
  ],
  [
    'revoke without --no-prompt, stdin closed -> exit 1',
    async (ctx) => {
      await resetEmulator(ctx);
      const id = ctx.initialState.tokens[1].tokenId;
      const r = await sf(ctx, [...REVOKE, '--token-id', id, '--target-org', ctx.token]);
      expectExit(r, 1);
      assert(r.stderr.includes('--no-prompt'), `stderr does not mention --no-prompt: ${short(r.stderr)}`);
      assertEqual((await usageLog(ctx.emu, 'DELETE')).length, 0, 'DELETEs');
      assert((await getState(ctx.emu)).tokens.some((t) => t.tokenId === id), 'token was revoked');
      const all = await getLog(ctx.emu);
      return `requests sent before refusing: ${all.map((e) => `${e.method} ${e.path}`).join(', ') || 'none'}`;
    },
  ],
  [
    "revoke on a TTY (script): 'n' -> nothing, 'y' -> revoked",
    async (ctx) => {
      if (!SCRIPT_BIN) return 'SKIP: util-linux `script` not found';
      await resetEmulator(ctx);
      const [keep, drop] = ctx.initialState.tokens.slice(4, 6).map((t) => t.tokenId);
      const no = await sfOnTty(ctx, [...REVOKE, '--token-id', keep, '--target-org', ctx.token], 'n');
      expectExit(no, 0);
      assert(no.sawPrompt, `no prompt seen: ${short(no.stdout)}`);
      assert(/Nothing was revoked/.test(no.stdout), `no cancel message: ${short(no.stdout)}`);
      assertEqual((await usageLog(ctx.emu, 'DELETE')).length, 0, "DELETEs after 'n'");
      const yes = await sfOnTty(ctx, [...REVOKE, '--token-id', drop, '--target-org', ctx.token], 'y');
      expectExit(yes, 0);
      assert(/revoked 1, not found 0, failed 0/i.test(yes.stdout), `no summary line: ${short(yes.stdout, 3000)}`);
      assertEqual((await usageLog(ctx.emu, 'DELETE')).map((e) => e.path.split('/').pop()), [drop], "DELETEs after 'y'");
      const prompt = /\? (Revoke[^\r\n]*?)\s*\(y\//.exec(no.stdout)?.[1] ?? '?';
      return `prompt: "${prompt}"`;
    },
  ],
  [
    `revoke --unused-days ${UNUSED_DAYS} --dry-run`,
    async (ctx) => {
      await resetEmulator(ctx);
      const r = await sf(ctx, [...REVOKE, '--unused-days', String(UNUSED_DAYS), '--dry-run', '--target-org', ctx.token, '--json']);
      expectExit(r, 0);
      const j = expectJson(r, 0);
      const want = staleTokenIds(ctx.initialState, UNUSED_DAYS);
      assertEqual(j.result.dryRun, true, 'dryRun');
      assertEqual(sorted(j.result.successes.map((t) => t.tokenId)), sorted(want), 'planned token ids');
      assert(j.result.successes.every((t) => t.status === 'would-revoke'), 'every status is would-revoke');
      assertEqual((await usageLog(ctx.emu, 'DELETE')).length, 0, 'DELETEs');
      assertEqual((await getState(ctx.emu)).tokens.length, ctx.initialState.tokens.length, 'token count');
      return `${want.length} would-revoke, 0 DELETE`;
    },
  ],
  [
    'revoke partial failure (DELETE 500) -> exit 68',
    async (ctx) => {
      await resetEmulator(ctx);
      const [ok, bad] = ctx.initialState.tokens.slice(2, 4).map((t) => t.tokenId);
      await control(ctx.emu, 'POST', 'faults', [
        { method: 'DELETE', path: bad, times: -1, action: { type: 'status', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }] } },
      ]);
      const r = await sf(ctx, [...REVOKE, '--token-id', ok, '--token-id', bad, '--no-prompt', '--target-org', ctx.token, '--json']);
      expectExit(r, 68);
      const j = expectJson(r, 68);
      assertEqual(j.result.successes.map((t) => [t.tokenId, t.status]), [[ok, 'revoked']], 'successes');
      assertEqual(j.result.failures.map((t) => [t.tokenId, t.status, t.errorCode]), [[bad, 'failed', 'UNKNOWN_EXCEPTION']], 'failures');
      const tokens = (await getState(ctx.emu)).tokens.map((t) => t.tokenId);
      assert(!tokens.includes(ok) && tokens.includes(bad), 'emulator state after the partial failure');
      const deletes = await usageLog(ctx.emu, 'DELETE');
      await control(ctx.emu, 'DELETE', 'faults');
      return `${deletes.length} DELETEs (${deletes.map((e) => e.status).join(',')}); json keys ${Object.keys(j).join(',')}`;
    },
  ],
  [
    'usage list --api-version 58.0 -> ApiVersionTooLowError',
    async (ctx) => {
      await control(ctx.emu, 'DELETE', 'log');
      const r = await sf(ctx, [...USAGE, 'list', '--api-version', '58.0', '--target-org', ctx.token, '--json']);
      expectExit(r, 1);
      const j = expectJson(r, 1);
      assertEqual(j.name, 'ApiVersionTooLowError', 'error name');
      assertEqual((await usageLog(ctx.emu)).length, 0, 'usage requests');
      const sent = (await getLog(ctx.emu)).map((e) => `${e.method} ${e.path}`);
      return `${short(j.message, 160)} [requests sf sent anyway: ${sent.join(', ') || 'none'}]`;
    },
  ],
  [
    'sf api request rest .../apps/oauth/usage',
    async (ctx) => {
      // 2.138.0 ships plugin-api 1.3.x (beta, no --json: stdout is the body); newer ones have --json.
      const withJson = ctx.host.cliVersion !== '2.138.0';
      const args = ['api', 'request', 'rest', '/services/data/v62.0/apps/oauth/usage', '-o', ctx.loggedIn ? 'emu' : ctx.token, ...(withJson ? ['--json'] : [])];
      const r = await sf(ctx, args, { orgEnv: !ctx.loggedIn });
      expectExit(r, 0);
      const parsed = parseJson(r.stdout);
      assert(parsed, `stdout is not JSON: ${short(r.stdout)}`);
      const body = withJson ? parsed.result?.body : parsed;
      if (withJson) assertEqual(parsed.result?.statusCode, 200, 'statusCode');
      const want = appsWithTokens(await getState(ctx.emu));
      assertEqual((body?.apps ?? []).map((a) => a.developerName), want.map((a) => a.developerName), 'apps');
      return `${withJson ? '--json envelope' : 'raw body'}; stderr: ${short(r.stderr.trim(), 120) || '(empty)'}`;
    },
  ],
  [
    'revoke: SIGINT mid-run -> exit 130 + report',
    async (ctx) => {
      await resetEmulator(ctx);
      const ids = ctx.initialState.tokens.slice(0, 16).map((t) => t.tokenId);
      await control(ctx.emu, 'POST', 'latency', { ms: 300 });
      const args = [...REVOKE, ...ids.flatMap((id) => ['--token-id', id]), '--concurrency', '2', '--no-prompt', '--target-org', ctx.token, '--json'];
      const r = await sfInterrupted(ctx, args, async () => (await usageLog(ctx.emu, 'DELETE')).length >= 3);
      await control(ctx.emu, 'POST', 'latency', { ms: 0 });
      assert(r.signalled, `never saw 3 DELETEs, so no SIGINT was sent (exit ${r.code}; stderr ${short(r.stderr)})`);
      expectExit(r, 130);
      const j = expectJson(r);
      const left = new Set((await getState(ctx.emu)).tokens.map((t) => t.tokenId));
      const gone = ids.filter((id) => !left.has(id));
      assertEqual(sorted(j.result.successes.map((t) => t.tokenId)), sorted(gone), 'reported successes = tokens gone');
      assert(j.result.failures.every((t) => t.errorCode === 'NOT_SENT'), 'failures are NOT_SENT');
      assertEqual(j.result.successes.length + j.result.failures.length, ids.length, 'every target reported');
      assert(gone.length > 0 && gone.length < ids.length, `expected some but not all revoked, got ${gone.length}/${ids.length}`);
      assertEqual((await usageLog(ctx.emu, 'DELETE')).length, gone.length, 'DELETEs sent = tokens gone');
      return `revoked ${gone.length}/${ids.length}, json.status ${j.status}, stderr: ${short(r.stderr.trim().replace(/\s+/g, ' '), 160)}`;
    },
  ],
  [
    'tokens list: SIGINT while a request hangs -> exit 130',
    async (ctx) => {
      await resetEmulator(ctx);
      await control(ctx.emu, 'POST', 'faults', [{ method: 'GET', path: '/apps/oauth/usage\\?', times: 1, action: { type: 'hang' } }]);
      const args = [...USAGE, 'tokens', 'list', '--target-org', ctx.token, '--json'];
      // ready once the hang rule is used up, i.e. the app-list request arrived and is hanging
      const r = await sfInterrupted(ctx, args, async () => (await control(ctx.emu, 'GET', 'faults')).length === 0);
      await control(ctx.emu, 'DELETE', 'faults');
      assert(r.signalled, `the app list was never requested (exit ${r.code}; stderr ${short(r.stderr)})`);
      const stack = /^\s+at .+:\d+:\d+\)?$/m.test(r.stderr + r.stdout);
      assert(r.code === 130 && !stack, `exit ${r.code ?? r.signal}, expected 130${stack ? ', with a stack trace' : ''}\n      stdout: ${short(r.stdout, 500)}\n      stderr: ${short(r.stderr, 900)}`);
      return `exit ${r.code} ${secs(r.killMs ?? 0)} after SIGINT; stdout ${r.stdout.trim() ? short(r.stdout.trim().replace(/\s+/g, ' '), 120) : '(empty)'}; stderr ${short(r.stderr.trim().replace(/\s+/g, ' '), 160) || '(empty)'}`;
    },
  ],
  [
    'access token in no stdout/stderr',
    async (ctx) => {
      const secret = ctx.token.split('!')[1];
      const needles = [ctx.token, encodeURIComponent(ctx.token), secret];
      const leaks = ctx.runs.filter((r) => needles.some((n) => r.stdout.includes(n) || r.stderr.includes(n))).map((r) => r.cmd);
      assert(leaks.length === 0, `token printed by: ${leaks.join(' | ')}`);
      return `${ctx.runs.length} sf runs scanned`;
    },
  ],
  [
    'access token in no file under HOME',
    async (ctx) => {
      const secret = ctx.token.split('!')[1];
      const hits = [];
      const walk = (dir) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isSymbolicLink()) continue;
          if (e.isDirectory()) walk(p);
          else if (e.isFile() && fs.statSync(p).size < 50 * 1024 * 1024 && fs.readFileSync(p).includes(secret)) hits.push(path.relative(ctx.home, p));
        }
      };
      walk(ctx.home);
      assert(hits.length === 0, `token in: ${hits.join(', ')}`);
      return 'auth files are encrypted; logs clean';
    },
  ],
];

const SCRIPT_BIN = ['/usr/bin/script', '/bin/script'].find((p) => fs.existsSync(p));

/** Runs sf on a pseudo-terminal (util-linux `script`), answers the first `?` prompt with `answer` + Enter. */
function sfOnTty(ctx, args, answer) {
  const env = sfEnv(ctx.home, { FORCE_COLOR: '0', SF_TARGET_ORG: undefined, SF_ACCESS_TOKEN: undefined, SF_ORG_INSTANCE_URL: ctx.emu.url });
  const q = (a) => `'${String(a).replaceAll("'", "'\\''")}'`;
  const cmdline = [ctx.host.node, '--no-deprecation', ctx.host.runJs, ...args].map(q).join(' ');
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(SCRIPT_BIN, ['-q', '-e', '-c', cmdline, '/dev/null'], { cwd: ctx.home, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let raw = '';
    let sawPrompt = false;
    const onData = (c) => {
      raw += c;
      if (!sawPrompt && /\(y\/\s*N\)/.test(raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
        sawPrompt = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.stdin.on('error', () => {});
    const deadline = killGroupOnTimeout(child, SF_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      deadline.clear();
      child.stdin.destroy();
      // the pty merges stdout and stderr; strip terminal escapes
      const text = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      const r = { code, signal, stdout: text, stderr: '', sawPrompt, durationMs: Date.now() - started, cmd: `${display(ctx, args, { SF_ORG_INSTANCE_URL: ctx.emu.url })}  (on a pty, answered '${answer}')` };
      ctx.runs.push(r);
      if (ctx.verbose) console.error(`    [${ctx.host.name}] ${r.cmd}  => exit ${code ?? signal} in ${secs(r.durationMs)}`);
      resolve(r);
    });
  });
}

/** Runs sf in its own process group and sends SIGINT to the group (like Ctrl-C) once `ready()` resolves true. */
function sfInterrupted(ctx, args, ready) {
  const env = sfEnv(ctx.home, { FORCE_COLOR: '0', SF_TARGET_ORG: undefined, SF_ACCESS_TOKEN: undefined, SF_ORG_INSTANCE_URL: ctx.emu.url });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(ctx.host.node, ['--no-deprecation', ctx.host.runJs, ...args], { cwd: ctx.home, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    let signalledAt;
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const group = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* gone */
      }
    };
    let polling = false;
    const poll = setInterval(async () => {
      if (signalled || polling) return;
      polling = true;
      try {
        if ((await ready()) && !signalled) {
          signalled = true;
          signalledAt = Date.now();
          group('SIGINT');
        }
      } catch {
        /* emulator busy; next tick */
      } finally {
        polling = false;
      }
    }, 25);
    const timer = setTimeout(() => group('SIGKILL'), SF_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const r = { code, signal, stdout, stderr, signalled, killMs: signalledAt && Date.now() - signalledAt, durationMs: Date.now() - started, json: parseJson(stdout), cmd: `${display(ctx, args, { SF_ORG_INSTANCE_URL: ctx.emu.url })}  (+ SIGINT)` };
      ctx.runs.push(r);
      if (ctx.verbose) console.error(`    [${ctx.host.name}] ${r.cmd}  => exit ${code ?? signal} in ${secs(r.durationMs)}`);
      resolve(r);
    });
  });
}

/**
 * `sf plugins install file:<tgz>` into the temp HOME, the way users install a published plugin (dependencies come from
 * the registry, pinned by the tarball's npm-shrinkwrap.json if it has one). sf asks whether to trust the unsigned
 * plugin; the answer 'y' goes to its stdin. Returns the same shape as linkPlugin.
 */
async function installTarball(host, home, tarball) {
  const tgz = path.resolve(tarball);
  if (!fs.existsSync(tgz)) throw new Error(`--tarball ${tgz} does not exist`);
  const env = sfEnv(home, { FORCE_COLOR: '0' });
  const installResult = await runSf(host, ['plugins', 'install', `file:${tgz}`], { env, home, input: 'y\n', timeoutMs: 15 * 60 * 1000 });
  if (installResult.code !== 0) throw new Error(`sf plugins install file:${tgz} exited ${installResult.code}:\n${installResult.stderr.slice(-3000)}\n${installResult.stdout.slice(-1000)}`);
  const listResult = await runSf(host, ['plugins', '--core'], { env, home, timeoutMs: SF_TIMEOUT_MS });
  const pkgName = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')).name;
  const listedAs = listResult.stdout.split('\n').find((l) => l.includes(pkgName))?.trim();
  if (!listedAs) throw new Error(`sf plugins --core does not list ${pkgName} after the install:\n${listResult.stdout}`);
  // Compare the installed versions with the tarball's shrinkwrap. npm applies a dependency's npm-shrinkwrap.json only
  // when the registry's packument says _hasShrinkwrap; for file: (and git) installs it resolves afresh, so this shows
  // how far a fresh resolution on this host's Node is from the pins, not whether the pins were used.
  let shrinkwrap = 'tarball has no npm-shrinkwrap.json';
  const entries = spawnSync('tar', ['-xzOf', tgz, 'package/npm-shrinkwrap.json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lockPath = path.join(home, '.local', 'share', 'sf', 'package-lock.json');
  if (entries.status === 0 && entries.stdout && fs.existsSync(lockPath)) {
    const sw = JSON.parse(entries.stdout).packages ?? {};
    const got = JSON.parse(fs.readFileSync(lockPath, 'utf8')).packages ?? {};
    const names = new Map(); // package name -> versions npm installed anywhere in the tree
    for (const [p, e] of Object.entries(got)) {
      const n = p.replace(/^.*node_modules\//, '');
      if (p) names.set(n, new Set([...(names.get(n) ?? []), e.version]));
    }
    let same = 0;
    const differ = [];
    for (const [p, e] of Object.entries(sw)) {
      if (!p || e.dev || e.devOptional) continue;
      const n = p.replace(/^.*node_modules\//, '');
      if (names.get(n)?.has(e.version)) same++;
      else differ.push(`${n}@${e.version} (installed: ${[...(names.get(n) ?? [])].join('/') || 'none'})`);
    }
    shrinkwrap = `fresh resolution (file: installs ignore npm-shrinkwrap.json) vs the tarball's pins: ${same} production packages at the pinned version, ${differ.length} not${differ.length ? `: ${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', ...' : ''}` : ''}`;
  }
  return { name: pkgName, listedAs, warnings: [], linkResult: installResult, listResult, shrinkwrap };
}

// ---------------------------------------------------------------------------------------------------------------
// one host

async function testHost(name, opts) {
  const started = Date.now();
  const result = { host: name, checks: new Map(), notes: [], stderrLines: new Map(), durationMs: 0, setupError: undefined };
  const ctx = { verbose: opts.verbose, runs: [], token: `00DHT${crypto.randomBytes(5).toString('hex').toUpperCase()}!HostTest_${crypto.randomBytes(12).toString('hex')}` };
  let home;
  try {
    const t0 = Date.now();
    ctx.host = await ensureHost(name, { log: (m) => console.error(m) });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'eca-host-test-home-'));
    ctx.home = home;
    ctx.tarball = opts.tarball;
    const [link, emu] = await Promise.all([opts.tarball ? installTarball(ctx.host, home, opts.tarball) : linkPlugin(ctx.host, home, REPO_DIR), startEmulator(ctx.token)]);
    ctx.link = link;
    ctx.emu = emu;
    ctx.initialState = await getState(emu);
    result.notes.push(`setup (host check, ${opts.tarball ? 'plugins install' : 'plugins link'}, emulator) ${secs(Date.now() - t0)}; ${ctx.host.node} (${ctx.host.nodeVersion})`);
    const linkStderr = (link.linkResult?.stderr ?? '').trim();
    if (linkStderr) result.notes.push(`sf plugins ${opts.tarball ? 'install' : 'link'} stderr: ${short(linkStderr.replace(/\s+/g, ' '), 300)}`);
    if (link.shrinkwrap) result.notes.push(link.shrinkwrap);

    for (const [id, fn] of CHECKS) {
      if (interrupted) break;
      if (opts.only && !opts.only.some((o) => id.includes(o))) continue;
      const t = Date.now();
      try {
        const note = await fn(ctx);
        result.checks.set(id, { ok: true, ms: Date.now() - t, note: note ? redact(ctx, note) : '' });
      } catch (e) {
        const msg = e instanceof CheckError ? e.message : e.stack ?? String(e);
        result.checks.set(id, { ok: false, ms: Date.now() - t, note: redact(ctx, msg) });
      }
      if (!opts.verbose) process.stderr.write(result.checks.get(id).ok ? '.' : 'F');
    }
    if (!opts.verbose) process.stderr.write('\n');
    for (const r of ctx.runs) {
      for (const line of r.stderr.split('\n').map((l) => l.trim()).filter(Boolean)) {
        const key = redact(ctx, line).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(ctx.home, '$HOME');
        if (!result.stderrLines.has(key)) result.stderrLines.set(key, r.cmd.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'));
      }
    }
  } catch (e) {
    result.setupError = redact(ctx, e.stack ?? String(e));
  } finally {
    await stopEmulator(ctx.emu).catch(() => {});
    if (home && !opts.keep) rmrf(home);
    else if (home) result.notes.push(`HOME kept: ${home}`);
    result.durationMs = Date.now() - started;
    result.sfCalls = ctx.runs.length;
    result.sfMs = ctx.runs.reduce((s, r) => s + (r.durationMs ?? 0), 0);
  }
  return result;
}

function printTable(results) {
  const ids = CHECKS.map(([id]) => id).filter((id) => results.some((r) => r.checks.has(id)));
  const w0 = Math.max(5, ...ids.map((id) => id.length));
  const cols = results.map((r) => Math.max(r.host.length, 14));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(i === 0 ? w0 : cols[i - 1])).join('  ');
  console.log();
  console.log(line(['check', ...results.map((r) => r.host)]));
  console.log(line(['-'.repeat(w0), ...cols.map((w) => '-'.repeat(w))]));
  for (const id of ids) {
    console.log(
      line([
        id,
        ...results.map((r) => {
          const c = r.checks.get(id);
          return c ? `${c.ok ? 'pass' : 'FAIL'} ${secs(c.ms)}` : r.setupError ? 'not run' : '-';
        }),
      ])
    );
  }
  console.log(line(['total (incl. setup)', ...results.map((r) => `${r.setupError ? 'SETUP FAILED ' : ''}${secs(r.durationMs)}`)]));
  console.log(line(['sf calls (time in sf)', ...results.map((r) => `${r.sfCalls} (${secs(r.sfMs)})`)]));
  for (const r of results) {
    console.log(`\n== ${r.host}`);
    for (const n of r.notes) console.log(`  ${n}`);
    if (r.setupError) console.log(`  SETUP FAILED: ${r.setupError}`);
    for (const [id, c] of r.checks) console.log(`  ${c.ok ? 'pass' : 'FAIL'}  ${id}${c.note ? `: ${c.note.replace(/\n/g, '\n        ')}` : ''}`);
    if (r.stderrLines.size) {
      console.log('  distinct stderr lines printed by sf (first command that printed each):');
      for (const [l, cmd] of r.stderrLines) console.log(`    ${short(l, 200)}\n        <- ${short(cmd, 200)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// build, Node 22 suites, main

function newestMtime(dir, filter) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !filter(e.name)) continue;
    newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return newest;
}

function ensureBuilt({ noBuild, build }) {
  const lib = path.join(REPO_DIR, 'lib', 'commands');
  const missing = !fs.existsSync(lib);
  const stale = !missing && newestMtime(path.join(REPO_DIR, 'src'), (n) => n.endsWith('.ts')) > newestMtime(path.join(REPO_DIR, 'lib'), (n) => n.endsWith('.js'));
  if (!missing && !stale && !build) return;
  if (noBuild && missing) throw new Error('lib/ is missing and --no-build was given');
  if (stale && !build) {
    // others may be editing src/ in this tree: do not build their half-done work unasked
    console.error('[host-test] WARNING: src/ has files newer than lib/; testing the existing build (pass --build to rebuild first)');
    return;
  }
  console.error(`[host-test] ${missing ? 'lib/ is missing' : '--build'}: npm run build`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_DIR, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

function runLogged(cmd, args, { env, logFile, timeoutMs }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const out = fs.createWriteStream(logFile);
    const child = spawn(cmd, args, { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let text = '';
    const onData = (c) => {
      text += c;
      out.write(c);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const deadline = killGroupOnTimeout(child, timeoutMs);
    child.on('close', (code, signal) => {
      deadline.clear();
      out.end();
      resolve({ code, signal, text, timedOut: deadline.timedOut(), durationMs: Date.now() - started });
    });
    child.on('error', (e) => {
      deadline.clear();
      resolve({ code: null, text: String(e), timedOut: deadline.timedOut(), durationMs: Date.now() - started });
    });
  });
}

async function node22Suites(opts) {
  const host = await ensureHost('sf-2.150.6-node22', { log: (m) => console.error(m) });
  const binDir = path.dirname(host.node);
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (/^npm_(lifecycle|package|node_execpath|execpath)|^npm_config_node_gyp$/i.test(k)) delete env[k];
  env.FORCE_COLOR = '0';

  const v = spawnSync('node', ['-v'], { env, encoding: 'utf8' });
  const nodeV = v.stdout?.trim();
  console.log(`node on PATH: ${nodeV} (${binDir})`);
  if (!nodeV?.startsWith('v22.')) {
    console.log('FAIL: `node` on the prepended PATH is not Node 22');
    return 1;
  }
  ensureBuilt(opts);
  const logDir = path.join(REPO_DIR, '.cache', 'host-test');
  fs.mkdirSync(logDir, { recursive: true });
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eca-node22-probe-'));
  const probe = path.join(probeDir, 'node-version-probe.cjs');
  fs.writeFileSync(probe, 'process.stdout.write(`[node22-suites] mocha runs on node ${process.version}\\n`);\n');
  const suites = [
    ['unit', ['mocha', '--require', probe, 'test/{shared,commands,emulator}/**/*.test.ts']],
    ['nuts', ['mocha', '--require', probe, 'test/nuts/**/*.nut.ts', '--timeout', '180000']],
  ];
  let failed = 0;
  const rows = [];
  try {
    for (const [name, args] of suites) {
      const logFile = path.join(logDir, `node22-${name}.log`);
      console.error(`[host-test] node22 ${name}: npx ${args.join(' ')} (log: ${path.relative(REPO_DIR, logFile)})`);
      const r = await runLogged('npx', args, { env, logFile, timeoutMs: 30 * 60 * 1000 });
      const inside = /\[node22-suites\] mocha runs on node (\S+)/.exec(r.text)?.[1] ?? '?';
      const passing = /(\d+) passing/.exec(r.text)?.[1] ?? '0';
      const failing = /(\d+) failing/.exec(r.text)?.[1] ?? '0';
      const pending = /(\d+) pending/.exec(r.text)?.[1] ?? '0';
      const ok = r.code === 0 && inside.startsWith('v22.');
      if (!ok) failed++;
      rows.push({ name, ok, code: r.code, inside, passing, failing, pending, ms: r.durationMs, logFile, text: r.text, timedOut: r.timedOut });
    }
  } finally {
    rmrf(probeDir);
  }
  console.log('\nsuite  result  exit  node-in-mocha  passing  failing  pending  time');
  for (const r of rows) {
    console.log(`${r.name.padEnd(5)}  ${(r.ok ? 'pass' : 'FAIL').padEnd(6)}  ${String(r.code).padEnd(4)}  ${r.inside.padEnd(13)}  ${r.passing.padEnd(7)}  ${r.failing.padEnd(7)}  ${r.pending.padEnd(7)}  ${secs(r.ms)}${r.timedOut ? ' TIMED OUT' : ''}`);
  }
  for (const r of rows.filter((x) => !x.ok)) {
    const i = r.text.search(/\n\s*\d+ failing/);
    console.log(`\n--- ${r.name}: ${i >= 0 ? 'failures' : 'tail of output'} (full log ${path.relative(REPO_DIR, r.logFile)})`);
    console.log(short(i >= 0 ? r.text.slice(i) : r.text.slice(-4000), 8000));
  }
  return failed ? 1 : 0;
}

function parseArgs(argv) {
  const opts = { hosts: [], verbose: false, keep: false, noBuild: false, build: false, node22Suites: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--host') opts.hosts.push(argv[++i]);
    else if (a === '--only') (opts.only ??= []).push(argv[++i]);
    else if (a === '--tarball') opts.tarball = argv[++i];
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-build') opts.noBuild = true;
    else if (a === '--build') opts.build = true;
    else if (a === '--node22-suites') opts.node22Suites = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const h of opts.hosts) if (!HOSTS.some((x) => x.name === h)) throw new Error(`unknown host ${h}; known: ${HOSTS.map((x) => x.name).join(', ')}`);
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\nusage: node scripts/host-test.mjs [--host NAME]... [--only TEXT]... [--verbose] [--keep] [--build|--no-build] [--tarball TGZ] | --node22-suites`);
    return 2;
  }
  if (opts.help) {
    console.log('usage: node scripts/host-test.mjs [--host NAME]... [--only TEXT]... [--verbose] [--keep] [--build|--no-build] [--tarball TGZ]\n       node scripts/host-test.mjs --node22-suites');
    console.log(`hosts: ${HOSTS.map((h) => h.name).join(', ')}\nchecks:\n${CHECKS.map(([id]) => `  ${id}`).join('\n')}`);
    return 0;
  }
  if (opts.node22Suites) return node22Suites(opts);

  if (!opts.tarball) ensureBuilt(opts);
  const started = Date.now();
  const results = [];
  for (const name of opts.hosts.length ? opts.hosts : HOSTS.map((h) => h.name)) {
    if (interrupted) break;
    console.error(`[host-test] ${name}`);
    results.push(await testHost(name, opts));
  }
  printTable(results);
  const failed = results.reduce((n, r) => n + (r.setupError ? 1 : 0) + [...r.checks.values()].filter((c) => !c.ok).length, 0);
  const verdict = interrupted ? `INTERRUPTED (${failed} failed before that)` : failed ? `${failed} FAILED` : 'all passed';
  console.log(`\n${verdict} in ${secs(Date.now() - started)}`);
  return failed ? 1 : 0;
}

// Ctrl-C: let the finally blocks stop emulators and delete HOMEs (child processes got the signal too).
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('\n[host-test] interrupted; cleaning up (Ctrl-C again to quit at once)');
  process.exitCode = 130;
});

main().then(
  (code) => process.exit(interrupted ? 130 : code),
  (e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  }
);

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FaultRule } from '../../emulator/server.js';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import { type CliResult, isolatedHome, runPlugin, useEmulator } from './runPlugin.js';

/*
 * The fault matrix: every command against every fault the emulator can inject, asserting the outcome (success after
 * retry, or the right error and exit code) and, from the emulator's log, that no request was sent that the user did
 * not ask for and nothing was revoked twice. It also proves the access token appears in no output and no log.
 */

const SECRET = '00D000000000001AAA!Sup3rSecretT0kenValue';
const EVIL = 'https://evil.example.com';

type CommandName = 'list' | 'users' | 'tokens' | 'revoke';
type Ctx = { state: EmulatorState; appName: string; appId: string; username: string; userId: string; tokenId: string };
type Cell = {
  fault: string;
  /** Fault rules on the command's own request; undefined = the cell does not inject a fault (e.g. hostile input). */
  rules?: (target: string, method: string) => FaultRule[];
  env?: Record<string, string>;
  args?: (ctx: Ctx) => string[];
  expect: (run: CliResult<unknown>, requests: Requests, ctx: Ctx) => void;
  outcome: string;
  /** Time for a deliberately late answer to reach the emulator's log after the command has finished. */
  settleMs?: number;
};
type Requests = { target: Array<{ status: number; at: string; fault?: string }>; usage: string[] };

const commands: Record<CommandName, { args: (ctx: Ctx) => string[]; target: string; method: string }> = {
  list: { args: () => ['external-client-app', 'usage', 'list', '--page-size', '2'], target: '/apps/oauth/usage\\?page=0&', method: 'GET' },
  users: {
    args: (c) => ['external-client-app', 'usage', 'users', 'list', '--app', c.appName, '--page-size', '2'],
    target: '/users\\?page=0&',
    method: 'GET',
  },
  tokens: {
    args: (c) => ['external-client-app', 'usage', 'tokens', 'list', '--app', c.appName, '--user', c.username],
    target: '/[0-9A-Za-z]{18}/tokens\\?',
    method: 'GET',
  },
  revoke: { args: (c) => ['external-client-app', 'usage', 'tokens', 'revoke', '--token-id', c.tokenId, '-p'], target: '/tokens/', method: 'DELETE' },
};

const errorName = (run: CliResult<unknown>): string | undefined => run.json?.name;
const revokeResult = (run: CliResult<unknown>): { successes: Array<{ status: string }>; failures: Array<{ errorCode?: string }> } =>
  run.json!.result as { successes: Array<{ status: string }>; failures: Array<{ errorCode?: string }> };

function expectFailure(run: CliResult<unknown>, command: CommandName, name: string, errorCode: string): void {
  if (command === 'revoke') {
    expect(run.code).to.equal(1);
    expect(revokeResult(run).failures.map((f) => f.errorCode)).to.deep.equal([errorCode]);
  } else {
    expect(run.code).to.equal(1);
    expect(errorName(run)).to.equal(name);
  }
}

const matrix = (command: CommandName): Cell[] => [
  {
    fault: '503 twice, then OK',
    rules: (path, method) => [{ method, path, times: 2, action: { type: 'status', status: 503 } }],
    outcome: 'success after 2 retries',
    expect: (run, req) => {
      expect(run.code, run.stderr).to.equal(0);
      expect(req.target.map((r) => r.status)).to.deep.equal([503, 503, command === 'revoke' ? 204 : 200]);
    },
  },
  {
    fault: '429 with Retry-After: 1',
    rules: (path, method) => [{ method, path, times: 1, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } }],
    outcome: 'success after waiting Retry-After',
    expect: (run, req) => {
      expect(run.code, run.stderr).to.equal(0);
      expect(req.target).to.have.length(2);
      expect(Date.parse(req.target[1].at) - Date.parse(req.target[0].at)).to.be.at.least(900);
    },
  },
  {
    fault: 'persistent 500',
    rules: (path, method) => [
      { method, path, times: -1, action: { type: 'status', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }] } },
    ],
    outcome: 'ServerError / failed, exit 1, not retried',
    expect: (run, req) => {
      expectFailure(run, command, 'ServerError', 'UNKNOWN_EXCEPTION');
      expect(req.target).to.have.length(1);
    },
  },
  {
    fault: 'connection reset twice, then OK',
    rules: (path, method) => [{ method, path, times: 2, action: { type: 'reset' } }],
    outcome: 'success after 2 retries',
    expect: (run, req) => {
      expect(run.code, run.stderr).to.equal(0);
      expect(req.target).to.have.length(3);
    },
  },
  {
    fault: 'connection reset, always',
    rules: (path, method) => [{ method, path, times: -1, action: { type: 'reset' } }],
    env: { SF_ECA_MAX_ATTEMPTS: '3' },
    outcome: 'ConnectionFailedError after 3 attempts',
    expect: (run, req) => {
      expectFailure(run, command, 'ConnectionFailedError', 'ECONNRESET');
      expect(req.target).to.have.length(3);
    },
  },
  {
    fault: 'slow response past the time-out',
    rules: (path, method) => [{ method, path, times: 1, action: { type: 'delay', ms: 1500 } }],
    env: { SF_ECA_REQUEST_TIMEOUT_MS: '400' },
    settleMs: 1600,
    outcome: 'timed out, retried, success',
    expect: (run, req, ctx) => {
      expect(run.code, run.stderr).to.equal(0);
      if (command === 'revoke') expect(revokeResult(run).successes.map((s) => s.status)).to.deep.equal(['revoked']);
      expect(req.target).to.have.length(2);
      void ctx;
    },
  },
  {
    fault: 'HTML page with status 200',
    rules: (path, method) => [{ method, path, times: -1, action: { type: 'html' } }],
    outcome: 'UnexpectedBodyError, exit 1, not retried',
    expect: (run, req, ctx) => {
      expectFailure(run, command, 'UnexpectedBodyError', 'UNEXPECTED_BODY');
      expect(req.target).to.have.length(1);
      if (command === 'revoke') expect(ctx.state.tokens.map((t) => t.tokenId)).to.include(ctx.tokenId);
    },
  },
  {
    fault: 'truncated JSON',
    rules: (path, method) => [{ method, path, times: -1, action: { type: 'truncated' } }],
    outcome: command === 'revoke' ? 'revoked (a DELETE has no body to damage)' : 'UnexpectedBodyError, exit 1',
    expect: (run, req) => {
      if (command === 'revoke') {
        expect(run.code, run.stderr).to.equal(0);
        expect(revokeResult(run).successes.map((s) => s.status)).to.deep.equal(['revoked']);
      } else expectFailure(run, command, 'UnexpectedBodyError', 'UNEXPECTED_BODY');
      expect(req.target).to.have.length(1);
    },
  },
  {
    fault: '401 INVALID_SESSION_ID',
    rules: (path, method) => [
      { method, path, times: -1, action: { type: 'status', status: 401, body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] } },
    ],
    outcome: 'SessionExpiredError, exit 1, not retried',
    expect: (run, req) => {
      expectFailure(run, command, 'SessionExpiredError', 'INVALID_SESSION_ID');
      expect(req.target).to.have.length(1);
    },
  },
  {
    fault: '403 REQUEST_LIMIT_EXCEEDED',
    rules: (path, method) => [
      {
        method,
        path,
        times: -1,
        action: { type: 'status', status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }] },
      },
    ],
    outcome: 'RequestLimitExceededError, exit 1, nothing more sent',
    expect: (run, req) => {
      expectFailure(run, command, 'RequestLimitExceededError', 'REQUEST_LIMIT_EXCEEDED');
      expect(req.target).to.have.length(1);
      expect(req.usage[req.usage.length - 1]).to.match(/ 403$/);
    },
  },
  {
    fault: '302 to another origin',
    rules: (path, method) => [{ method, path, times: -1, action: { type: 'redirect', status: 302, location: `${EVIL}/services/data/v62.0/apps/oauth/usage` } }],
    outcome: 'RedirectNotFollowedError, exit 1, never followed, not retried',
    expect: (run, req, ctx) => {
      expectFailure(run, command, 'RedirectNotFollowedError', 'REDIRECT_NOT_FOLLOWED');
      expect(req.target).to.have.length(1);
      expect(command === 'revoke' ? revokeResult(run).failures.map((f) => JSON.stringify(f)).join() : run.json?.message).to.include(EVIL);
      if (command === 'revoke') expect(ctx.state.tokens.map((t) => t.tokenId)).to.include(ctx.tokenId);
    },
  },
  {
    fault: 'URL on a foreign origin',
    rules: command === 'revoke' ? undefined : (path, method) => [{ method, path, times: -1, action: { type: 'foreignUrls', origin: EVIL } }],
    args: command === 'revoke' ? (c): string[] => [...commands.revoke.args(c).slice(0, 4), '--token-id', `${EVIL}/services/data/v62.0/apps/oauth/usage/tokens/${c.tokenId}`, '-p'] : undefined,
    outcome: command === 'revoke' ? 'revoked on the org: the DELETE URL is built from the id' : 'ForeignUrlError, exit 1, never followed',
    expect: (run, req) => {
      if (command === 'revoke') {
        expect(run.code, run.stderr).to.equal(0);
        expect(req.target).to.have.length(1);
      } else {
        expect(run.code).to.equal(1);
        expect(errorName(run)).to.equal('ForeignUrlError');
        expect(req.target).to.have.length(1);
      }
    },
  },
  {
    fault: 'hostile input',
    args: (c) =>
      ({
        list: ['external-client-app', 'usage', 'list', '--page-size', '-1'],
        users: ['external-client-app', 'usage', 'users', 'list', '--app', c.appName, '--last-used-before', '2026-02-30'],
        tokens: ['external-client-app', 'usage', 'tokens', 'list', '--app', c.appName, '--user', '005%2F..%2Ftokens'],
        revoke: ['external-client-app', 'usage', 'tokens', 'revoke', '--token-id', '../../0xIHs0000000001/tokens', '-p'],
      }[command]),
    outcome: 'refused before any usage request',
    expect: (run, req) => {
      expect(run.code).to.be.oneOf([1, 2]);
      expect(req.usage).to.deep.equal([]);
    },
  },
];

describe('fault matrix: every command under every fault (against the emulator)', function () {
  this.timeout(60_000);
  const seed = generateState({ apps: 3, usersPerApp: 6, tokensPerUser: 2, seed: 99 });
  const { emulator } = useEmulator(seed, { accessToken: SECRET });
  const table: string[][] = [];
  const outputs: string[] = [];

  after(() => {
    // eslint-disable-next-line no-console
    console.log(`\n${formatTable(['fault', 'command', 'outcome', 'result'], table)}`);
  });

  it('holds no fault rule that was never consumed by mistake in an earlier cell', () => {
    expect(emulator.pendingFaults()).to.deep.equal([]);
  });

  for (const command of Object.keys(commands) as CommandName[]) {
    for (const cell of matrix(command)) {
      it(`${command} × ${cell.fault}: ${cell.outcome}${command === 'revoke' ? ' @smoke' : ''}`, async () => {
        const state = emulator.state();
        const token = state.tokens[0];
        const app = state.apps.find((a) => a.identifier === token.appIdentifier)!;
        const user = state.users.find((u) => u.userIdentifier === token.userIdentifier)!;
        const ctx: Ctx = { state, appName: app.developerName, appId: app.identifier, username: user.username, userId: user.userIdentifier, tokenId: token.tokenId };
        const spec = commands[command];
        if (cell.rules) emulator.addFaults(cell.rules(spec.target, spec.method));
        let verdict = 'FAIL';
        try {
          // Debug logging on, so the check below also covers what sf and the plugin write to their log files.
          const run = await runPlugin(emulator, [...(cell.args ?? spec.args)(ctx), '--json'], { env: { SF_LOG_LEVEL: 'debug', ...cell.env } });
          outputs.push(run.stdout, run.stderr);
          if (cell.settleMs) await new Promise((resolve) => setTimeout(resolve, cell.settleMs));
          const log = emulator.requests().filter((entry) => entry.path.includes('/apps/oauth/usage'));
          const targetPattern = new RegExp(spec.target);
          const requests: Requests = {
            target: log.filter((entry) => entry.method === spec.method && targetPattern.test(`${entry.path}?${entry.query}`)),
            usage: log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
          };
          ctx.state = emulator.state();
          cell.expect(run, requests, ctx);
          // Nothing revoked that the user did not name, and nothing revoked twice.
          const removed = seed.tokens.filter((t) => !ctx.state.tokens.some((left) => left.tokenId === t.tokenId)).map((t) => t.tokenId);
          expect(removed).to.deep.equal(command === 'revoke' && removed.length > 0 ? [token.tokenId] : []);
          expect(requests.target.filter((entry) => spec.method === 'DELETE' && entry.status === 204)).to.have.length.at.most(1);
          expect(`${run.stdout}${run.stderr}`).not.to.include(SECRET.split('!')[1]);
          verdict = 'pass';
        } finally {
          table.push([cell.fault, command, cell.outcome, verdict]);
        }
      });
    }
  }

  it('never writes the access token to any output, to the sf logs or to the audit log in HOME @smoke', () => {
    const secretPart = SECRET.split('!')[1];
    expect(outputs.join('\n')).not.to.include(secretPart);
    const files = listFiles(isolatedHome());
    // The debug logs must exist, or this check would prove nothing.
    const logs = files.filter((file) => /sf-.*\.log$/.test(file));
    expect(logs).to.have.length.greaterThan(0);
    expect(logs.map((file) => readFileSync(file, 'utf8')).join('')).to.include('apps/oauth/usage');
    // So must the revoke cells' audit log, in its default place.
    expect(files).to.include(join(isolatedHome(), '.sf', 'external-client-app', 'audit.jsonl'));
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), file).not.to.include(secretPart);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}

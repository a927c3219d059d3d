import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Emulator } from '../../emulator/server.js';
import { generateState, staleTokens, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { runOnTerminal, runPlugin, signalWhen, usageRequests, useEmulator } from './runPlugin.js';

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const seed = (): EmulatorState => generateState({ apps: 3, usersPerApp: 12, tokensPerUser: 2, seed: 5 });
const tokenIds = (state: EmulatorState): string[] => state.tokens.map((token) => token.tokenId);
const deletes = (emulator: Emulator): string[] => usageRequests(emulator, 'DELETE').map((line) => line.replace(/^DELETE \/services\/data\/v\d+\.\d/, ''));

describe('usage tokens revoke (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());

  it('revokes tokens given by id and by revocation URL, one DELETE each, and nothing else @smoke', async () => {
    const [a, b] = emulator.state().tokens;
    const url = `/services/data/v62.0/apps/oauth/usage/tokens/${b.tokenId}`;
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', a.tokenId, '--token-id', url, '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.successes.map((t) => [t.scope, t.tokenId, t.status])).to.deep.equal([
      ['token', a.tokenId, 'revoked'],
      ['token', b.tokenId, 'revoked'],
    ]);
    expect(deletes(emulator).sort()).to.deep.equal([`/apps/oauth/usage/tokens/${a.tokenId}`, `/apps/oauth/usage/tokens/${b.tokenId}`].sort());
    expect(usageRequests(emulator, 'GET')).to.deep.equal([]);
    expect(tokenIds(emulator.state())).not.to.include.members([a.tokenId]);
    expect(emulator.state().tokens).to.have.length(seed().tokens.length - 2);
  });

  it('revokes every token listed in a CSV file written by tokens list', async () => {
    const app = emulator.state().apps[0];
    const csv = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--app', app.developerName, '--unused-days', '90', '-r', 'csv']);
    const file = scratch('stale.csv');
    writeFileSync(file, csv.stdout);
    const expected = staleTokens(emulator.state(), 90).filter((t) => t.appIdentifier === app.identifier).map((t) => t.tokenId);
    emulator.clearLog();
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '-p', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(deletes(emulator).map((line) => line.split('/').pop())).to.have.members(expected);
    expect(result.json!.result.successes.every((t) => t.appDeveloperName === app.developerName && t.username)).to.equal(true);
    expect(tokenIds(emulator.state())).not.to.include.members(expected);
  });

  it('revokes every token listed in the --json output of tokens list', async () => {
    const json = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', '90', '--json']);
    const file = scratch('stale.json');
    writeFileSync(file, json.stdout);
    const expected = staleTokens(emulator.state(), 90).map((t) => t.tokenId);
    emulator.clearLog();
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(deletes(emulator)).to.have.length(expected.length);
    expect(staleTokens(emulator.state(), 90)).to.deep.equal([]);
  });

  it('revokes all tokens of the given users of one app with one user-level DELETE per user', async () => {
    const state = emulator.state();
    const app = state.apps[1];
    const holders = [...new Set(state.tokens.filter((t) => t.appIdentifier === app.identifier).map((t) => t.userIdentifier))].slice(0, 2);
    const usernames = holders.map((id) => state.users.find((u) => u.userIdentifier === id)!.username);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--app', app.developerName, '--user', usernames[0], '--user', holders[1], '-p', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(deletes(emulator).sort()).to.deep.equal(holders.map((id) => `/apps/oauth/usage/${app.identifier}/${id}/tokens`).sort());
    expect(result.json!.result.successes.map((t) => t.scope)).to.deep.equal(['user', 'user']);
    const left = emulator.state().tokens.filter((t) => t.appIdentifier === app.identifier && holders.includes(t.userIdentifier));
    expect(left).to.deep.equal([]);
  });

  it('revokes every token of an app with one app-level DELETE', async () => {
    const app = emulator.state().apps[2];
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--app', app.identifier, '--all-users', '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(deletes(emulator)).to.deep.equal([`/apps/oauth/usage/${app.identifier}/tokens`]);
    expect(emulator.state().tokens.filter((t) => t.appIdentifier === app.identifier)).to.deep.equal([]);
    expect(emulator.state().tokens.length).to.be.greaterThan(0);
  });

  it('revokes exactly the tokens a filter selects, by token id', async () => {
    const before = emulator.state();
    const expected = staleTokens(before, 90).map((t) => t.tokenId);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--unused-days', '90', '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(deletes(emulator).map((line) => line.replace('/apps/oauth/usage/tokens/', ''))).to.have.members(expected);
    expect(deletes(emulator)).to.have.length(expected.length);
    expect(tokenIds(emulator.state()).sort()).to.deep.equal(tokenIds(before).filter((id) => !expected.includes(id)).sort());
  });

  it('shows the plan on --dry-run and sends no DELETE @smoke', async () => {
    const expected = staleTokens(emulator.state(), 90).map((t) => t.tokenId);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--unused-days', '90', '--dry-run', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result.dryRun).to.equal(true);
    expect(result.json!.result.successes.map((t) => t.tokenId)).to.have.members(expected);
    expect(result.json!.result.successes.every((t) => t.status === 'would-revoke')).to.equal(true);
    expect(deletes(emulator)).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(seed().tokens.length);
    const human = await runPlugin(emulator, [...REVOKE, '--unused-days', '90', '--dry-run']);
    expect(human.stdout).to.include('would-revoke');
    expect(human.stdout).to.match(/Dry run: .* would be revoked\. Nothing was sent\./);
  });

  it('refuses to run without a terminal unless --no-prompt is given, and sends nothing @smoke', async () => {
    const token = emulator.state().tokens[0];
    const result = await runPlugin(emulator, [...REVOKE, '--token-id', token.tokenId]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('--no-prompt');
    expect(usageRequests(emulator)).to.deep.equal([]);
    expect(tokenIds(emulator.state())).to.include(token.tokenId);
  });

  it('asks on a real terminal: "n" sends nothing, "y" revokes the token it named @smoke', async () => {
    const [keep, drop] = emulator.state().tokens;
    const no = await runOnTerminal(emulator, [...REVOKE, '--token-id', keep.tokenId], 'n');
    expect(no.sawPrompt, no.stdout).to.equal(true);
    expect(no.code, no.stdout).to.equal(0);
    // The org was given as an access token: the prompt names it by its id, never by the token.
    expect(no.stdout).to.include(`Revoke 1 refresh token in org ${emulator.state().org.orgId}?`);
    expect(no.stdout).not.to.include(emulator.accessToken);
    expect(no.stdout).to.match(/Nothing was revoked/);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    const yes = await runOnTerminal(emulator, [...REVOKE, '--token-id', drop.tokenId], 'y');
    expect(yes.code, yes.stdout).to.equal(0);
    expect(yes.stdout).to.match(/revoked 1\b/i);
    expect(deletes(emulator)).to.deep.equal([`/apps/oauth/usage/tokens/${drop.tokenId}`]);
    expect(tokenIds(emulator.state())).to.include(keep.tokenId);
  });

  it('reports a partial failure target by target and exits 68 @smoke', async () => {
    const [ok, bad] = emulator.state().tokens;
    emulator.addFaults([
      {
        method: 'DELETE',
        path: bad.tokenId,
        times: -1,
        action: { type: 'status', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }] },
      },
    ]);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', ok.tokenId, '--token-id', bad.tokenId, '-p', '--json']);
    expect(result.code).to.equal(68);
    expect(result.json!.status).to.equal(68);
    expect(result.json!.result.successes.map((t) => t.tokenId)).to.deep.equal([ok.tokenId]);
    expect(result.json!.result.failures).to.deep.equal([
      { scope: 'token', tokenId: bad.tokenId, status: 'failed', errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' },
    ]);
    // 500 is not retried: exactly one DELETE per token.
    expect(deletes(emulator)).to.have.length(2);
    const human = await runPlugin(emulator, [...REVOKE, '--token-id', bad.tokenId, '-p']);
    expect(human.code).to.equal(1);
    expect(human.stdout).to.include('1 refresh token: revoked 0 refresh tokens, not found 0, failed 1.');
  });

  it('treats a second run as safe: already revoked tokens are not-found, with a warning, exit 0 @smoke', async () => {
    const token = emulator.state().tokens[3];
    await runPlugin(emulator, [...REVOKE, '--token-id', token.tokenId, '-p']);
    const again = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', token.tokenId, '-p', '--json']);
    expect(again.code).to.equal(0);
    expect(again.json!.result.successes.map((t) => t.status)).to.deep.equal(['not-found']);
    expect(JSON.stringify(again.json!.warnings)).to.include('Already gone (not found)');
  });

  it('stops at REQUEST_LIMIT_EXCEEDED and reports what was and was not revoked', async () => {
    const ids = tokenIds(emulator.state()).slice(0, 6);
    emulator.addFaults([
      {
        method: 'DELETE',
        path: ids[2],
        action: { type: 'status', status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }] },
      },
    ]);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, ...ids.flatMap((id) => ['--token-id', id]), '--concurrency', '1', '-p', '--json']);
    expect(result.code).to.equal(68);
    expect(result.json!.result.successes.map((t) => t.tokenId)).to.deep.equal(ids.slice(0, 2));
    expect(result.json!.result.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([
      [ids[2], 'REQUEST_LIMIT_EXCEEDED'],
      ...ids.slice(3).map((id) => [id, 'NOT_SENT']),
    ]);
    expect(deletes(emulator)).to.have.length(3);
    expect(tokenIds(emulator.state())).to.include.members(ids.slice(2));

    emulator.reset(seed());
    emulator.addFaults([
      {
        method: 'DELETE',
        path: ids[2],
        action: { type: 'status', status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }] },
      },
    ]);
    const human = await runPlugin(emulator, [...REVOKE, ...ids.flatMap((id) => ['--token-id', id]), '--concurrency', '1', '-p']);
    expect(human.code).to.equal(68);
    expect(human.stdout).to.include('6 refresh tokens: revoked 2 refresh tokens, not found 0, failed 1, not sent 3.');
  });

  it('refuses --app alone and names the choices, before any request, exit 2 like a flag error', async () => {
    const result = await runPlugin(emulator, [...REVOKE, '--app', 'Anything', '-p', '--json']);
    expect(result.code).to.equal(2);
    expect(result.json?.status).to.equal(2);
    expect(result.json?.name).to.equal('AppAloneError');
    expect(result.json?.message).to.include('--all-users');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses no selection, two selections and --user with two apps with exit 2, before any request', async () => {
    const token = emulator.state().tokens[0].tokenId;
    const wrong: Array<[string[], string]> = [
      [['-p'], 'NoSelectionError'],
      [['--token-id', token, '--unused-days', '90', '-p'], 'ConflictingSelectionError'],
      [['--app', 'A', '--app', 'B', '--user', 'a@b.example.com', '-p'], 'OneAppOnlyError'],
    ];
    for (const [args, name] of wrong) {
      // eslint-disable-next-line no-await-in-loop -- one CLI at a time on shared cores
      const result = await runPlugin(emulator, [...REVOKE, ...args]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).to.equal(2);
      expect(result.stderr).to.include(name);
    }
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('on SIGINT stops sending, lets requests in flight finish, reports exactly what the org lost, and exits 130 @smoke', async () => {
    const ids = tokenIds(emulator.state()).slice(0, 24);
    emulator.setLatency(250);
    const interrupt = signalWhen(() => usageRequests(emulator, 'DELETE').length >= 4);
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, ...ids.flatMap((id) => ['--token-id', id]), '--concurrency', '2', '-p', '--json'], { onSpawn: interrupt.onSpawn });
    expect(interrupt.sent()).to.equal(true);
    expect(result.code).to.equal(130);
    const gone = ids.filter((id) => !tokenIds(emulator.state()).includes(id));
    expect(gone.length).to.be.greaterThan(0);
    expect(gone.length).to.be.lessThan(ids.length);
    expect(result.json!.result.successes.map((t) => t.tokenId).sort()).to.deep.equal(gone.sort());
    expect(result.json!.result.failures.every((t) => t.errorCode === 'NOT_SENT')).to.equal(true);
    expect(result.json!.result.successes.length + result.json!.result.failures.length).to.equal(ids.length);
    expect(deletes(emulator)).to.have.length(gone.length);
  });

  it('interrupted while reading the tokens, sends nothing, says so in one line and exits 130, without a stack trace @smoke', async () => {
    emulator.setLatency(200);
    try {
      for (const mode of [['--no-prompt'], ['--dry-run', '--json']]) {
        emulator.clearLog();
        const interrupt = signalWhen(() => usageRequests(emulator).length >= 3);
        // eslint-disable-next-line no-await-in-loop -- one CLI at a time on shared cores
        const result = await runPlugin(emulator, [...REVOKE, '--unused-days', '90', '--concurrency', '1', ...mode], { onSpawn: interrupt.onSpawn });
        expect(interrupt.sent()).to.equal(true);
        expect(result.code, `${mode.join(' ')}: ${result.stderr}`).to.equal(130);
        expect(result.stderr).not.to.match(/ExitError|at .*\.js:\d+/);
        expect(result.stderr.split('\n').filter((line) => /interrupted/i.test(line))).to.deep.equal([
          'Interrupted while reading what to revoke: nothing was sent, nothing was revoked.',
        ]);
        expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
      }
      expect(emulator.state().tokens).to.have.length(seed().tokens.length);
    } finally {
      emulator.setLatency(0);
      // A request the interrupted run left in flight is logged when its delayed answer goes out: not in the next test.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it('shows the progress of reading the tokens on stderr, never on stdout, and none under --json', async () => {
    // 40 sequential reads at 100 ms take longer than the 2 s between progress lines when stderr is not a terminal.
    emulator.setLatency(100);
    const args = [...REVOKE, '--unused-days', '90', '--concurrency', '1', '--dry-run'];
    const human = await runPlugin(emulator, args);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stderr).to.match(/^Reading OAuth usage: users \d+\/\d+$/m);
    expect(human.stdout).not.to.include('Reading OAuth usage');
    const json = await runPlugin(emulator, [...args, '--json']);
    expect(json.code, json.stderr).to.equal(0);
    expect(json.stderr).not.to.include('Reading OAuth usage');
  });

  it('asks with a breakdown per app when a filter selects tokens of several apps', async () => {
    const stale = staleTokens(emulator.state(), 90);
    const apps = new Set(stale.map((t) => t.appIdentifier));
    expect(apps.size).to.be.greaterThan(1);
    const no = await runOnTerminal(emulator, [...REVOKE, '--unused-days', '90'], 'n');
    expect(no.sawPrompt, no.stdout).to.equal(true);
    const users = new Set(stale.map((t) => t.userIdentifier)).size;
    expect(no.stdout).to.include(`Revoke ${stale.length} refresh tokens of ${users} users in ${apps.size} apps in org ${emulator.state().org.orgId}:`);
    for (const app of emulator.state().apps.filter((a) => apps.has(a.identifier))) {
      const ofApp = stale.filter((t) => t.appIdentifier === app.identifier);
      const appUsers = new Set(ofApp.map((t) => t.userIdentifier)).size;
      expect(no.stdout).to.match(new RegExp(`  ${app.developerName}: ${ofApp.length} refresh tokens? of ${appUsers} users?\\r?\\n`));
    }
    expect(no.stdout).to.include("This can't be undone. Revoke?");
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('names what it counts: a user-level revoke in users, an --all-users dry run with its number of users', async () => {
    const state = emulator.state();
    const app = state.apps[1];
    const holders = [...new Set(state.tokens.filter((t) => t.appIdentifier === app.identifier).map((t) => t.userIdentifier))];
    const usernames = holders.slice(0, 2).map((id) => state.users.find((u) => u.userIdentifier === id)!.username);
    const users = await runPlugin(emulator, [...REVOKE, '--app', app.developerName, '--user', usernames[0], '--user', usernames[1], '-p']);
    expect(users.code, users.stderr).to.equal(0);
    const held = state.tokens.filter((t) => t.appIdentifier === app.identifier && holders.slice(0, 2).includes(t.userIdentifier)).length;
    // The plan read the two users' token lists, so it says how many tokens they held; the DELETEs answer no count.
    expect(users.stdout).to.include(`All ${held} refresh tokens of 2 users of ${app.developerName}: revoked the tokens of 2 users, not found 0, failed 0.`);
    expect(users.stdout).not.to.match(/revoked \d+ refresh token/);
    const whole = await runPlugin(emulator, [...REVOKE, '--app', app.developerName, '--all-users', '--dry-run']);
    expect(whole.code, whole.stderr).to.equal(0);
    expect(whole.stdout).to.include(`Dry run: every token of ${app.developerName} (${holders.length - 2} users) would be revoked. Nothing was sent.`);
    expect(deletes(emulator)).to.have.length(2);
  });

  it('shows at most 50 rows of a bulk dry run, then how many more; --json has every target', async () => {
    const all = emulator.state().tokens.length;
    expect(all).to.be.greaterThan(50);
    // Every token of the seed was last used more than a day ago (or never): --unused-days 1 selects them all.
    expect(staleTokens(emulator.state(), 1)).to.have.length(all);
    const human = await runPlugin(emulator, [...REVOKE, '--unused-days', '1', '--dry-run']);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout.split('\n').filter((line) => line.includes('would-revoke'))).to.have.length(50);
    expect(human.stdout).to.include(`… and ${all - 50} more (use --json for every target).`);
    expect(human.stdout).to.match(new RegExp(`Dry run: ${all} refresh tokens of \\d+ users in 3 apps would be revoked\\.`));
    const json = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--unused-days', '1', '--dry-run', '--json']);
    expect(json.json!.result.successes).to.have.length(all);
  });
});

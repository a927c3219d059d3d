import { expect } from 'chai';
import { generateState, isStale, staleTokens, to18CharId } from '../../emulator/model.js';
import { parseCsv } from '../../src/common/csv.js';
import type { TokenUsage, UserUsage } from '../../src/api/types.js';
import { runPlugin, signalWhen, usageRequests, useEmulator } from './runPlugin.js';

const duplicates = (lines: string[]): string[] => lines.filter((line, index) => lines.indexOf(line) !== index);

describe('usage users list and usage tokens list (against the emulator)', () => {
  const { emulator } = useEmulator(generateState({ apps: 4, usersPerApp: 30, tokensPerUser: 2, seed: 11 }));

  const appWithMostUsers = (): { identifier: string; developerName: string; users: number } => {
    const state = emulator.state();
    return state.apps
      .map((app) => ({
        ...app,
        users: new Set(state.tokens.filter((t) => t.appIdentifier === app.identifier).map((t) => t.userIdentifier)).size,
      }))
      .sort((a, b) => b.users - a.users)[0];
  };

  it('lists the users of an app named by developer name, across several pages @smoke', async () => {
    const app = appWithMostUsers();
    const result = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', app.developerName, '--page-size', '7', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result).to.have.length(app.users);
    expect(result.json!.result.every((user) => user.appIdentifier === app.identifier)).to.equal(true);
    expect(result.json!.result[0]).to.include.keys('userIdentifier', 'username', 'initialConnectionAt', 'lastUsedAt', 'useCount', 'revocationUrl');
    const userPages = usageRequests(emulator).filter((line) => line.includes('/users'));
    // Only the empty page after the last rows ends the list.
    expect(userPages).to.have.length(Math.ceil(app.users / 7) + 1);
    expect(duplicates(usageRequests(emulator))).to.deep.equal([]);
  });

  it('reads every user from a server that caps pages below the page size asked for @smoke', async () => {
    const app = appWithMostUsers();
    expect(app.users, 'more users than one capped page holds').to.be.greaterThan(7 * 2);
    emulator.setMaxPageSize(7);
    const result = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', app.developerName, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result).to.have.length(app.users);
    expect(new Set(result.json!.result.map((user) => user.userIdentifier)).size).to.equal(app.users);
    // Asked for 100 rows a page, served 7: every page of 7 rows is read, until the empty page ends the list.
    const userPages = usageRequests(emulator).filter((line) => line.includes('/users'));
    expect(userPages[0]).to.match(/page=0&pageSize=100$/);
    expect(userPages).to.have.length(Math.ceil(app.users / 7) + 1);
    expect(duplicates(userPages)).to.deep.equal([]);
  });

  it('takes an 18-character app id and sends the 15-character id the API returned', async () => {
    const app = appWithMostUsers();
    const result = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', to18CharId(app.identifier), '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json!.result).to.have.length(app.users);
    expect(usageRequests(emulator).filter((line) => line.includes('/users'))[0]).to.include(`/usage/${app.identifier}/users`);
  });

  it('matches a developer name ignoring case', async () => {
    const app = appWithMostUsers();
    const result = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '-a', app.developerName.toUpperCase(), '--json']);
    expect(result.json!.result).to.have.length(app.users);
  });

  it('fails on an unknown app, suggests the closest developer name, and reads no users', async () => {
    const app = appWithMostUsers();
    const typo = `${app.developerName.slice(0, -1)}x`;
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', typo, '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('UnknownAppError');
    expect(result.json?.actions?.join(' ')).to.include(app.developerName);
    expect(usageRequests(emulator).filter((line) => line.includes('/users'))).to.deep.equal([]);
  });

  it('filters users by --unused-days', async () => {
    const app = appWithMostUsers();
    const all = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', app.developerName, '--json']);
    const stale = await runPlugin<UserUsage[]>(emulator, ['external-client-app', 'usage', 'users', 'list', '--app', app.developerName, '--unused-days', '90', '--json']);
    const now = Date.now();
    const expected = all.json!.result.filter((user) => isStale(user.lastUsedAt ?? null, 90, now)).map((user) => user.username);
    expect(stale.json!.result.map((user) => user.username)).to.deep.equal(expected);
    expect(expected.length).to.be.greaterThan(0);
    expect(expected.length).to.be.lessThan(all.json!.result.length);
  });

  it('lists the tokens of one user of one app, with tokenId from revocationUrl', async () => {
    const state = emulator.state();
    const token = state.tokens[0];
    const user = state.users.find((u) => u.userIdentifier === token.userIdentifier)!;
    const app = state.apps.find((a) => a.identifier === token.appIdentifier)!;
    const result = await runPlugin<TokenUsage[]>(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--app', app.developerName, '--user', user.username, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const expected = state.tokens.filter((t) => t.appIdentifier === app.identifier && t.userIdentifier === user.userIdentifier).map((t) => t.tokenId);
    expect(result.json!.result.map((row) => row.tokenId)).to.have.members(expected);
    for (const row of result.json!.result) expect(row.revocationUrl).to.match(new RegExp(`/apps/oauth/usage/tokens/${row.tokenId}$`));
    expect(usageRequests(emulator).filter((line) => line.endsWith('/tokens'))).to.have.length(1);
  });

  it('takes an inventory of stale tokens across every app and user, requesting no page twice @smoke', async () => {
    const result = await runPlugin<TokenUsage[]>(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', '90', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const expected = staleTokens(emulator.state(), 90).map((token) => token.tokenId);
    expect(result.json!.result.map((row) => row.tokenId)).to.have.members(expected);
    expect(result.json!.result).to.have.length(expected.length);
    expect(duplicates(usageRequests(emulator))).to.deep.equal([]);
    expect(result.stdout).not.to.match(/Reading OAuth usage/);
  });

  it('writes the same rows as CSV as it returns as JSON, and progress only on stderr @smoke', async () => {
    const args = ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', '90'];
    const csv = await runPlugin(emulator, [...args, '-r', 'csv']);
    const json = await runPlugin<TokenUsage[]>(emulator, [...args, '--json']);
    const rows = parseCsv(csv.stdout);
    expect(rows.map((row) => row.tokenId)).to.deep.equal(json.json!.result.map((row) => row.tokenId));
    expect(rows.map((row) => row.lastUsedAt || null)).to.deep.equal(json.json!.result.map((row) => row.lastUsedAt ?? null));
    expect(csv.stdout.split('\r\n')[0].split(',')[0]).to.equal('tokenId');
    expect(json.stderr).not.to.match(/Reading OAuth usage/);
  });

  it('narrows the inventory with repeated --app and a --user given by id', async () => {
    const state = emulator.state();
    const [first, second] = state.apps;
    const user = state.users.find((u) => state.tokens.some((t) => t.userIdentifier === u.userIdentifier && t.appIdentifier === first.identifier))!;
    const result = await runPlugin<TokenUsage[]>(emulator, [
      'external-client-app', 'usage', 'tokens', 'list', '--app', first.developerName, '--app', second.identifier, '--user', user.userIdentifier.slice(0, 15), '--json',
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const expected = state.tokens
      .filter((t) => (t.appIdentifier === first.identifier || t.appIdentifier === second.identifier) && t.userIdentifier === user.userIdentifier)
      .map((t) => t.tokenId);
    expect(result.json!.result.map((row) => row.tokenId)).to.have.members(expected);
  });

  it('fails on an unknown --user before reading any token', async () => {
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--user', 'nobody@nowhere.example.com', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.match(/UnknownUser/);
    expect(usageRequests(emulator).filter((line) => line.endsWith('/tokens'))).to.deep.equal([]);
  });

  it('exits 130 without a stack trace when interrupted during a long inventory @smoke', async () => {
    emulator.setLatency(200);
    try {
      const interrupt = signalWhen(() => usageRequests(emulator).length >= 3);
      const result = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--concurrency', '1'], { onSpawn: interrupt.onSpawn });
      expect(interrupt.sent()).to.equal(true);
      expect(result.code).to.equal(130);
      expect(result.stderr).not.to.match(/ExitError|at .*\.js:\d+/);
    } finally {
      emulator.setLatency(0);
      // A request the interrupted run left in flight is logged when its delayed answer goes out: not in the next test.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it('refuses a hostile user id without sending any usage request', async () => {
    const result = await runPlugin(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--user', '005../../tokens', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('InvalidIdError');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});

describe('tokens list at scale: 20 apps x 250 users x 2 tokens', () => {
  const { emulator } = useEmulator(generateState({ apps: 20, usersPerApp: 250, tokensPerUser: 2, seed: 2026 }));

  it('returns exactly the stale tokens of the emulator state, with no page requested twice', async () => {
    const result = await runPlugin<TokenUsage[]>(emulator, ['external-client-app', 'usage', 'tokens', 'list', '--unused-days', '90', '--concurrency', '16', '--json'], {
      timeoutMs: 170_000,
    });
    expect(result.code, result.stderr).to.equal(0);
    const expected = staleTokens(emulator.state(), 90).map((token) => token.tokenId).sort();
    expect(result.json!.result.map((row) => row.tokenId).sort()).to.deep.equal(expected);
    const lines = usageRequests(emulator);
    expect(duplicates(lines)).to.deep.equal([]);
    expect(lines.filter((line) => line.endsWith('/tokens'))).to.have.length(new Set(emulator.state().tokens.map((t) => `${t.appIdentifier}/${t.userIdentifier}`)).size);
  });
});

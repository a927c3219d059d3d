import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { DAY_MS, generateState, staleTokens, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { runCli, runPlugin, usageRequests, useEmulator } from './runPlugin.js';

const USAGE = ['external-client-app', 'usage'];
const REVOKE = [...USAGE, 'tokens', 'revoke'];

function seed(): EmulatorState {
  const state = generateState({ apps: 2, usersPerApp: 3, tokensPerUser: 2, seed: 11 });
  // A token id may begin with "-": the plugin's CSV writes it with its formula guard, "'-…".
  state.tokens[0].tokenId = `-${state.tokens[0].tokenId}`;
  return state;
}

/** Commands.md §14 and §17: bad input never becomes a request, and a flag value that does not parse exits 2. */
describe('bad input is refused before anything is sent (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());

  it('refuses a CSV record with more fields than the header, naming the file and its line; nothing is sent, dry run or not', async () => {
    const listed = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '-r', 'csv']);
    const [header, first] = listed.stdout.split('\r\n');
    const file = scratch('edited.csv');
    // Line 3: a hand-edited row whose four fields would become a token id, an app and a user under a 10-field header.
    const fields = header.split(',').length;
    writeFileSync(file, `${header}\r\n${first}\r\noops,not,a,row\r\n`);
    emulator.clearLog();
    const [dryRun, real] = await Promise.all([
      runPlugin(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']),
      runPlugin(emulator, [...REVOKE, '--from-file', file, '--no-prompt']),
    ]);
    expect(dryRun.code).to.equal(1);
    expect(dryRun.json?.name).to.equal('FieldCountError');
    expect(dryRun.json?.message).to.equal(
      `The file "${file}" can't be read as CSV, so nothing was sent: Line 3 has a different number of fields (4) than the header on line 1 (${fields}). ` +
        'A field was added or lost there (a value that holds a comma must be in double quotes), so which column each of its values belongs to can\'t be known.'
    );
    expect(real.code).to.equal(1);
    expect(real.stderr).to.include(`The file "${file}" can't be read as CSV`).and.include('Line 3 has a different number of fields');
    expect(real.stdout).not.to.include('oops');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses a token list with a row of another org (§16): a list reviewed in one org is never revoked in another; nothing is sent', async () => {
    const [header, first, second] = (await runPlugin(emulator, [...USAGE, 'tokens', 'list', '-r', 'csv'])).stdout.split('\r\n');
    expect(header.split(',').pop()).to.equal('orgId');
    const ownOrg = first.split(',').pop()!;
    const file = scratch('two-orgs.csv');
    // Line 3: the same row as an inventory of another org would hold it.
    writeFileSync(file, `${header}\r\n${first}\r\n${second.replace(/,[^,]*$/, ',00D000000000002AAA')}\r\n`);
    emulator.clearLog();
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--no-prompt', '--json']);
    expect(result.code, result.stdout).to.equal(1);
    expect(result.json?.name).to.equal('FileOfAnotherOrgError');
    expect(result.json?.message).to.equal(
      `The file "${file}" holds a row of another org (line 3: org 00D000000000002AAA); this run revokes in org ${ownOrg}. Nothing was sent.`
    );
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('reports an unbalanced quote at the line where its field opened, not at the end of the file', async () => {
    const file = scratch('quote.csv');
    // Line 4 opens a quote that is never closed; the file goes on to line 12.
    const lines = ['tokenId,note', 'T1,a', 'T2,"two', 'lines"', 'T3,"open', ...Array.from({ length: 7 }, (_, index) => `T${index + 4},x`)];
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('QuoteNotClosedError');
    expect(result.json?.message).to.include(`The file "${file}" can't be read as CSV`).and.include('opens a field on line 5 is never closed');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses a JSON file whose array holds items that are not rows, naming the item; nothing is sent', async () => {
    const strings = scratch('ids.json');
    writeFileSync(strings, JSON.stringify(['tokA', 'tokB']));
    const mixed = scratch('mixed.json');
    const token = emulator.state().tokens[1].tokenId;
    writeFileSync(mixed, JSON.stringify({ status: 0, result: [{ tokenId: token }, 42, null] }));
    const [fromStrings, fromMixed] = await Promise.all([
      runPlugin(emulator, [...REVOKE, '--from-file', strings, '--no-prompt', '--json']),
      runPlugin(emulator, [...REVOKE, '--from-file', mixed, '--no-prompt', '--json']),
    ]);
    expect(fromStrings.code).to.equal(1);
    expect(fromStrings.json?.name).to.equal('FileItemNotRowError');
    expect(fromStrings.json?.message).to.include(`In the file "${strings}", item 1 (index 0 of the array) is "tokA", not a row`);
    expect(fromMixed.code).to.equal(1);
    expect(fromMixed.json?.message).to.include('item 2 (index 1 of the array) is 42, not a row');
    expect(usageRequests(emulator)).to.deep.equal([]);
    expect(emulator.state().tokens.map((t) => t.tokenId)).to.include(token);
  });

  it("revokes a --token-id copied from the plugin's own CSV, its formula guard taken off", async () => {
    const guarded = (await runPlugin(emulator, [...USAGE, 'tokens', 'list', '-r', 'csv'])).stdout
      .split('\r\n')
      .map((line) => line.split(',')[0])
      .find((cell) => cell.startsWith("'-"));
    const tokenId = emulator.state().tokens[0].tokenId;
    expect(guarded).to.equal(`'${tokenId}`);
    emulator.clearLog();
    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', guarded!, '--no-prompt', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json?.result.successes.map((target) => [target.tokenId, target.status])).to.deep.equal([[tokenId, 'revoked']]);
    expect(usageRequests(emulator, 'DELETE').map((line) => line.split('/').pop())).to.deep.equal([tokenId]);
    expect(emulator.state().tokens.map((t) => t.tokenId)).not.to.include(tokenId);
  });

  it('refuses token ids without a letter or digit, and "." as the last segment of a revocation URL: no DELETE of …/tokens/', async () => {
    const file = scratch('dot.csv');
    writeFileSync(file, 'tokenId\r\n.\r\n');
    const results = await Promise.all([
      runPlugin(emulator, [...REVOKE, '--token-id', '.', '--no-prompt', '--json']),
      runPlugin(emulator, [...REVOKE, '--token-id', '/services/data/v66.0/apps/oauth/usage/tokens/%2E', '--no-prompt', '--json']),
      runPlugin(emulator, [...REVOKE, '--token-id', '/services/data/v66.0/apps/oauth/usage/tokens/..', '--no-prompt', '--json']),
      runPlugin(emulator, [...REVOKE, '--from-file', file, '--no-prompt', '--json']),
    ]);
    for (const result of results) {
      expect(result.code, result.stdout).to.equal(1);
      expect(result.json?.name).to.equal('InvalidTokenIdError');
    }
    expect(results[3].json?.message).to.include(`In the file "${file}", line 2: "." is not a token ID`);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('refuses --unused-days 0 (every token would be stale) as a flag error, exit 2, in every command that takes it; nothing is sent', async () => {
    const app = emulator.state().apps[0].developerName;
    const results = await Promise.all([
      runPlugin(emulator, [...USAGE, 'tokens', 'list', '--unused-days', '0', '--json']),
      runPlugin(emulator, [...USAGE, 'users', 'list', '--app', app, '--unused-days', '0', '--json']),
      runPlugin(emulator, [...REVOKE, '--unused-days', '0', '--no-prompt', '--json']),
      runPlugin(emulator, [...USAGE, 'report', '--unused-days', '0', '--json']),
    ]);
    for (const result of results) {
      expect(result.code, result.stdout).to.equal(2);
      expect(result.json?.message).to.include('--unused-days').and.include('greater than or equal to 1');
    }
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('exits 2 for a date flag that does not parse, as for any flag value that does not parse, naming the value @smoke', async () => {
    const app = emulator.state().apps[0].developerName;
    const results = await Promise.all([
      runPlugin(emulator, [...REVOKE, '--last-used-before', '2026-13-45', '--no-prompt', '--json']),
      runPlugin(emulator, [...USAGE, 'tokens', 'list', '--last-used-after', 'yesterday', '--json']),
      runPlugin(emulator, [...USAGE, 'users', 'list', '--app', app, '--last-used-before', '2026-02-30']),
    ]);
    for (const [result, value, flag] of [
      [results[0], '2026-13-45', '--last-used-before'],
      [results[1], 'yesterday', '--last-used-after'],
    ] as const) {
      expect(result.code, result.stdout).to.equal(2);
      expect(result.json?.name).to.equal('InvalidDateError');
      expect(result.json?.message).to.include(flag).and.include(`"${value}" is not a date. Use an ISO 8601 date (2026-01-31)`);
    }
    expect(results[2].code).to.equal(2);
    expect(results[2].stderr).to.include('"2026-02-30" is not a date');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});

describe('a lastUsedAt that is not a date is never read as "never used" (against the emulator)', () => {
  // A token used yesterday, its lastUsedAt an HTTP date ("Thu, 03 Dec 2026 20:39:16 GMT"): Date.parse reads it (and
  // so the emulator takes it), but it is no ISO 8601. Read as "never used", every stale rule would select it.
  const state = generateState({ apps: 2, usersPerApp: 3, tokensPerUser: 2, seed: 11 });
  const yesterday = new Date(Date.now() - DAY_MS);
  const bad = state.tokens.find((token) => Date.parse(token.initialConnectionAt) < yesterday.getTime() - DAY_MS)!;
  bad.lastUsedAt = yesterday.toUTCString();
  const user = state.users.find((candidate) => candidate.userIdentifier === bad.userIdentifier)!;
  const app = state.apps.find((candidate) => candidate.identifier === bad.appIdentifier)!;
  const { emulator, scratch } = useEmulator(state);

  it('tokens revoke --unused-days 90 --no-prompt stops with an error naming the value, the app and the user, and sends no DELETE', async () => {
    // Other tokens are stale: without the check, the run would revoke them and the token used yesterday.
    expect(staleTokens(emulator.state(), 90).length).to.be.greaterThan(0);
    const result = await runPlugin(emulator, [...REVOKE, '--unused-days', '90', '--no-prompt']);
    expect(result.code, result.stdout).to.equal(1);
    expect(result.stderr).to.include(`The lastUsedAt value "${bad.lastUsedAt!}" (app ${app.developerName}, user ${user.username}) is not an ISO 8601 date-time`);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(emulator.state().tokens).to.have.length(state.tokens.length);
  });

  it('usage report and tokens list --unused-days refuse it too, instead of counting it as never used', async () => {
    const [report, listed] = await Promise.all([
      runPlugin(emulator, [...USAGE, 'report', '--result-format', 'markdown', '--json']),
      runPlugin(emulator, [...USAGE, 'tokens', 'list', '--unused-days', '30', '--json']),
    ]);
    for (const result of [report, listed]) {
      expect(result.code, result.stdout).to.equal(1);
      expect(result.json?.name).to.equal('InvalidUsageDateError');
      expect(result.json?.message).to.include(`"${bad.lastUsedAt!}"`);
    }
  });

  it('usage report --from-file names the file, the line and the value', async () => {
    const file = scratch('tokens.csv');
    writeFileSync(file, 'tokenId,appIdentifier,appDeveloperName,userIdentifier,username,lastUsedAt\r\nT1,0xIA,A,005u,u@x,\r\nT2,0xIA,A,005v,v@x,30/11/2026 10:00\r\n');
    const result = await runCli([...USAGE, 'report', '--from-file', file, '--result-format', 'markdown', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('InvalidUsageDateError');
    expect(result.json?.message).to.include(`In the file "${file}", line 3: The lastUsedAt value "30/11/2026 10:00" (app A, user v@x)`);
  });
});

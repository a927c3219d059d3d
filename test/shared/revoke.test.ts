import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sessionRefreshRefused } from '../../src/api/errors.js';
import { toCsv } from '../../src/common/csv.js';
import { lastUsedMatcher } from '../../src/usage/lastUsed.js';
import { TOKEN_FIELDS, USER_FIELDS } from '../../src/api/types.js';
import { auditCounts, executePlan, revokeExitCode } from '../../src/usage/execute.js';
import { planApp, planFromFile, planSelection, planTokenIds, planTokens, planUsers } from '../../src/usage/plan.js';
import type { PlannedTarget, RevokeOutcome } from '../../src/usage/targets.js';
import {
  API_BASE,
  apiFailure,
  appId,
  appRow,
  gatedDeletes,
  expectRejection,
  expectSfError,
  FakeTransport,
  makeClient,
  noContent,
  serveOrg,
  tick,
  tokenRow,
  userId,
  userRow,
} from './fakeTransport.js';

const APP = appRow(1, 'Billing_Connector');
const USERS = [userRow(APP, 1), userRow(APP, 2)];
const revocationUrl = (tokenId: string): string => `${API_BASE}/apps/oauth/usage/tokens/${tokenId}`;
const tokenTargets = (...ids: string[]): PlannedTarget[] => ids.map((tokenId) => ({ scope: 'token', tokenId }));
const deletePath = (tokenId: string): string => `/apps/oauth/usage/tokens/${tokenId}`;
/** The org's answers to the DELETEs of T1, T2 and T3: revoked (204), not found (404) and failed (500). */
const mixedAnswers = (): FakeTransport =>
  new FakeTransport()
    .on('DELETE', deletePath('T1'), noContent())
    .on('DELETE', deletePath('T2'), apiFailure(404, 'NOT_FOUND', 'The requested resource does not exist'))
    .on('DELETE', deletePath('T3'), apiFailure(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.'));

describe('revoke: plans', () => {
  it('planTokens keeps the token fields and drops repeats', () => {
    const rows = [
      { ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' },
      { ...tokenRow(USERS[1], 'T2'), tokenId: 'T2' },
      { ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' },
    ];
    expect(planTokens(rows)).to.deep.equal([
      { scope: 'token', tokenId: 'T1', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(1), username: 'user1@acme.example.com' },
      { scope: 'token', tokenId: 'T2', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(2), username: 'user2@acme.example.com' },
    ]);
  });

  it('planTokens revokes a token once even when its rows carry different app or user details', () => {
    // DELETE /apps/oauth/usage/tokens/{id} depends on the id alone: a second DELETE would only come back 404.
    const plan = planTokens([{ tokenId: 'T1', appIdentifier: APP.identifier, userIdentifier: userId(1) }, { tokenId: 'T1' }]);
    expect(plan.map((target) => target.tokenId)).to.deep.equal(['T1']);
  });

  it('planTokenIds accepts ids and revocation URLs, validated and deduplicated', () => {
    expect(planTokenIds(['T1', revocationUrl('T2'), ` ${revocationUrl('T1')} `])).to.deep.equal(tokenTargets('T1', 'T2'));
  });

  it("planTokenIds takes off the formula guard of the plugin's own CSV, as --from-file does", () => {
    expect(planTokenIds(["'-VM9lAyqJSFAuKf6W1x-Ig", " '-T2 ", '-T3'])).to.deep.equal(tokenTargets('-VM9lAyqJSFAuKf6W1x-Ig', '-T2', '-T3'));
    // A quote the guard did not put there stays, and is no token id.
    expectSfError(() => planTokenIds(["'abc"]), 'InvalidTokenIdError');
  });

  it('planTokenIds refuses an invalid value before anything is sent', () => {
    expectSfError(() => planTokenIds(['T1', '../../x']), 'InvalidTokenIdError');
    expectSfError(() => planTokenIds([`${API_BASE}/apps/oauth/usage/${appId(1)}/${userId(1)}/tokens`]), 'InvalidTokenIdError');
  });

  it('planUsers (one target per app and user of the rows) and planApp name the app and users', () => {
    expect(planUsers([USERS[0], USERS[1], USERS[0]])).to.deep.equal([
      { scope: 'user', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(1), username: 'user1@acme.example.com' },
      { scope: 'user', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(2), username: 'user2@acme.example.com' },
    ]);
    expect(planApp(APP)).to.deep.equal([{ scope: 'app', appIdentifier: APP.identifier, appDeveloperName: APP.developerName }]);
  });
});

describe('revoke: planFromFile', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    return path;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eca-revoke-test-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the CSV that tokens list writes, by its tokenId column', async () => {
    const rows = [
      { ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' },
      { ...tokenRow(USERS[1], 'T2'), tokenId: 'T2', note: 'a, "quoted"\nvalue' },
    ];
    const plan = await planFromFile(await file('tokens.csv', `\uFEFF${toCsv(rows, [...TOKEN_FIELDS, 'note'])}`));
    expect(plan).to.deep.equal([
      { scope: 'token', tokenId: 'T1', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(1), username: 'user1@acme.example.com' },
      { scope: 'token', tokenId: 'T2', appIdentifier: APP.identifier, appDeveloperName: APP.developerName, userIdentifier: userId(2), username: 'user2@acme.example.com' },
    ]);
  });

  it('reads a CSV with only a revocationUrl column', async () => {
    const plan = await planFromFile(await file('urls.csv', `revocationUrl\r\n${revocationUrl('T1')}\r\nhttps://acme.my.salesforce.com${revocationUrl('T2')}\r\n`));
    expect(plan).to.deep.equal(tokenTargets('T1', 'T2'));
  });

  it('reads the --json envelope of tokens list', async () => {
    const envelope = { status: 0, result: [{ ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' }, { revocationUrl: revocationUrl('T2') }], warnings: [] };
    const plan = await planFromFile(await file('tokens.json', JSON.stringify(envelope, null, 2)));
    expect(plan.map((target) => target.tokenId)).to.deep.equal(['T1', 'T2']);
    expect(plan[0]).to.include({ username: 'user1@acme.example.com', appDeveloperName: APP.developerName });
  });

  it('reads JSON that starts with a UTF-8 BOM', async () => {
    const plan = await planFromFile(await file('bom.json', `\uFEFF${JSON.stringify({ status: 0, result: [{ tokenId: 'T7' }] })}`));
    expect(plan).to.deep.equal(tokenTargets('T7'));
  });

  it('reads a bare JSON array', async () => {
    const plan = await planFromFile(await file('bare.json', `\n ${JSON.stringify([{ tokenId: 'T1' }, { tokenId: 'T3' }])}\n`));
    expect(plan).to.deep.equal(tokenTargets('T1', 'T3'));
  });

  // The refusal of a row of another org is tested end to end, once, in test/nuts/badInput.nut.ts.
  it('takes a file of its own org, in either length of the org id, and rows without orgId; without a target org, compares nothing', async () => {
    const THIS_ORG = '00D000000000001AAA';
    const own = await file('own.json', JSON.stringify([{ tokenId: 'T1', orgId: THIS_ORG.slice(0, 15) }, { tokenId: 'T2' }]));
    expect((await planFromFile(own, THIS_ORG)).map((target) => target.tokenId)).to.deep.equal(['T1', 'T2']);
    const other = await file('other.csv', toCsv([{ tokenId: 'T3', orgId: '00D000000000002AAA' }], ['tokenId', 'orgId']));
    expect((await planFromFile(other)).map((target) => target.tokenId)).to.deep.equal(['T3']);
  });

  it('refuses a CSV without a tokenId or revocationUrl column', async () => {
    const path = await file('users.csv', 'userIdentifier,username\r\n005000000000001,a@b.c\r\n');
    const error = await expectRejection(planFromFile(path), 'FileWithoutTokenColumnError');
    expect(error.message).to.include(path);
  });

  it('refuses a blank file, which no list command writes', async () => {
    await expectRejection(planFromFile(await file('empty.csv', '')), 'FileEmptyError');
    await expectRejection(planFromFile(await file('blank.json', ' \r\n')), 'FileEmptyError');
  });

  it('plans nothing from a list without rows: a CSV header alone, an empty result', async () => {
    expect(await planFromFile(await file('header.csv', 'tokenId\r\n'))).to.deep.equal([]);
    expect(await planFromFile(await file('empty.json', '{"status":0,"result":[]}'))).to.deep.equal([]);
    expect(await planFromFile(await file('bare.json', '[]'))).to.deep.equal([]);
  });

  it('refuses JSON that does not parse or has no result array', async () => {
    await expectRejection(planFromFile(await file('bad.json', '{"status":0,"result":[{"tokenId":"T1"}')), 'FileNotJsonError');
    await expectRejection(planFromFile(await file('object.json', '{"status":0,"result":{"tokenId":"T1"}}')), 'FileNotJsonError');
  });

  it('refuses a CSV with an unclosed quote, naming the file and the line where the quote opened', async () => {
    const path = await file('open.csv', 'tokenId,note\r\nT1,ok\r\nT2,"open\r\nT3,x\r\nT4,y\r\n');
    const error = await expectRejection(planFromFile(path), 'QuoteNotClosedError');
    expect(error.message).to.equal(
      `The file "${path}" can't be read as CSV, so nothing was sent: The double quote that opens a field on line 3 is never closed, so the rest of the file would be read as one value.`
    );
  });

  it('refuses a CSV record whose number of fields differs from the header, naming the file and the line', async () => {
    // A hand-edited line 3: its fields would become an app and a user, and "oops" a token id.
    const path = await file('extra.csv', 'tokenId,appDeveloperName,username\r\nT1,A,a@x\r\noops,not,a,row\r\n');
    const error = await expectRejection(planFromFile(path), 'FieldCountError');
    expect(error.message).to.include(`The file "${path}" can't be read as CSV`).and.include('Line 3 has a different number of fields (4) than the header on line 1 (3)');
    const short = await file('short.csv', 'tokenId,appDeveloperName,username\r\nT1\r\n');
    expect((await expectRejection(planFromFile(short), 'FieldCountError')).message).to.include('Line 2');
  });

  it('refuses a JSON item that is not an object, naming it, rather than skipping it', async () => {
    const strings = await file('strings.json', JSON.stringify(['tokA', 'tokB']));
    const error = await expectRejection(planFromFile(strings), 'FileItemNotRowError');
    expect(error.message).to.include(`In the file "${strings}", item 1 (index 0 of the array) is "tokA", not a row`);
    for (const [name, items, shown] of [
      ['numbers.json', [{ tokenId: 'T1' }, 42], 'item 2 (index 1 of the array) is 42'],
      ['null.json', { status: 0, result: [{ tokenId: 'T1' }, { tokenId: 'T2' }, null] }, 'item 3 (index 2 of the array) is null'],
      ['nested.json', [['T1']], 'item 1 (index 0 of the array) is ["T1"]'],
    ] as const) {
      // eslint-disable-next-line no-await-in-loop
      const path = await file(name, JSON.stringify(items));
      // eslint-disable-next-line no-await-in-loop
      expect((await expectRejection(planFromFile(path), 'FileItemNotRowError')).message).to.include(shown);
    }
  });

  it('refuses a row without a token, naming the file and the line an editor shows', async () => {
    const path = await file('gap.csv', 'tokenId,username\r\nT1,a\r\n,b\r\n');
    const error = await expectRejection(planFromFile(path), 'FileRowWithoutTokenError');
    expect(error.message).to.equal(`In the file "${path}", line 3 has no token ID or revocation URL.`);
  });

  it('refuses a row whose token id is not valid, naming the value, the file and its line', async () => {
    const path = await file('evil.csv', 'tokenId,note\r\nT1,"two\nlines"\r\n\r\n../../sobjects,x\r\n');
    const error = await expectRejection(planFromFile(path), 'InvalidTokenIdError');
    expect(error.message).to.match(new RegExp(`^In the file "${path}", line 5: "\\.\\./\\.\\./sobjects" is not a token ID`));
    expect(error.actions?.join(' ')).to.include('tokens list');
  });

  it('names the item of a JSON array, counted from 1 and as its index', async () => {
    const path = await file('items.json', JSON.stringify({ status: 0, result: [{ tokenId: 'T1' }, { tokenId: 'T2' }, { tokenId: 'a/b' }] }));
    const error = await expectRejection(planFromFile(path), 'InvalidTokenIdError');
    expect(error.message).to.include(`In the file "${path}", item 3 (index 2 of the array): "a/b"`);
    const gap = await file('gap.json', JSON.stringify([{ tokenId: 'T1' }, { username: 'u' }]));
    expect((await expectRejection(planFromFile(gap), 'FileRowWithoutTokenError')).message).to.include('item 2 (index 1 of the array)');
  });

  it('reads back cells the CSV writer guarded against formulas, token ids starting with "-" included', async () => {
    const rows = [
      { tokenId: '-T1', appDeveloperName: APP.developerName, username: '=HYPERLINK("http://evil.example","x")@acme.example.com' },
      { tokenId: 'T2', appDeveloperName: "'@App", username: "'quoted@acme.example.com" },
    ];
    const text = toCsv(rows, ['tokenId', 'appDeveloperName', 'username']);
    expect(text).to.include("'-T1").and.include("''@App");
    const plan = await planFromFile(await file('guarded.csv', text));
    expect(plan.map((target) => [target.tokenId, target.appDeveloperName, target.username])).to.deep.equal(rows.map((row) => [row.tokenId, row.appDeveloperName, row.username]));
  });

  it('reads the CSV that users list writes: one user-level target per row', async () => {
    const plan = await planFromFile(await file('users.csv', toCsv(USERS, USER_FIELDS)));
    expect(plan).to.deep.equal(planUsers(USERS));
    expect(plan.map((target) => target.scope)).to.deep.equal(['user', 'user']);
  });

  it('reads the --json envelope of users list, and a bare array of its rows', async () => {
    expect(await planFromFile(await file('users.json', JSON.stringify({ status: 0, result: USERS, warnings: [] })))).to.deep.equal(planUsers(USERS));
    expect(await planFromFile(await file('bare-users.json', JSON.stringify(USERS)))).to.deep.equal(planUsers(USERS));
  });

  it('takes a user-level revocationUrl as that user of that app, never as a token id', async () => {
    const plan = await planFromFile(await file('urls.csv', `revocationUrl\r\n${USERS[1].revocationUrl!}\r\n`));
    expect(plan).to.deep.equal([{ scope: 'user', appIdentifier: APP.identifier, userIdentifier: userId(2) }]);
  });

  it('refuses a user-level revocationUrl with an id that is not a Salesforce id, naming the line', async () => {
    const path = await file('bad-url.csv', `revocationUrl\r\n${USERS[0].revocationUrl!}\r\n${API_BASE}/apps/oauth/usage/${APP.identifier}/..%2f..%2fx/tokens\r\n`);
    const error = await expectRejection(planFromFile(path), 'InvalidIdError');
    expect(error.message).to.include(`In the file "${path}", line 3:`);
  });

  it('refuses a user row with an app id that is not a Salesforce id, naming the item', async () => {
    const path = await file('bad-user.json', JSON.stringify([{ ...USERS[0], appIdentifier: '../sobjects', revocationUrl: undefined }]));
    const error = await expectRejection(planFromFile(path), 'InvalidIdError');
    expect(error.message).to.include(`In the file "${path}", item 1`);
  });

  it('refuses a user row whose ids and revocation URL name different users, naming the line', async () => {
    const path = await file('edited.csv', toCsv([USERS[0], { ...USERS[1], userIdentifier: userId(1) }], USER_FIELDS));
    const error = await expectRejection(planFromFile(path), 'UserRowMismatchError');
    expect(error.message).to.include(`In the file "${path}", line 3:`);
  });

  it('refuses a file that mixes token rows and user rows, naming the first of each, before anything is sent', async () => {
    const path = await file('mixed.json', JSON.stringify([{ ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' }, USERS[1]]));
    const error = await expectRejection(planFromFile(path), 'FileMixesTokensAndUsersError');
    expect(error.message).to.include('item 1 (index 0 of the array)').and.include('item 2 (index 1 of the array)');
    const csv = await file('mixed.csv', `revocationUrl\r\n${revocationUrl('T1')}\r\n${USERS[1].revocationUrl!}\r\n`);
    expect((await expectRejection(planFromFile(csv), 'FileMixesTokensAndUsersError')).message).to.include('line 2').and.include('line 3');
  });

  it('keeps a token file a token file: a row with an empty tokenId is refused, not read as its user', async () => {
    const rows = [
      { ...tokenRow(USERS[0], 'T1'), tokenId: 'T1' },
      { ...tokenRow(USERS[1], 'T2'), tokenId: '', revocationUrl: '' },
    ];
    const path = await file('gap-tokens.csv', toCsv(rows, [...TOKEN_FIELDS]));
    expect((await expectRejection(planFromFile(path), 'FileRowWithoutTokenError')).message).to.include('line 3');
  });

  it('refuses a file that cannot be read', async () => {
    await expectRejection(planFromFile(join(dir, 'missing.csv')), 'FileUnreadableError');
  });
});

describe('revoke: planSelection', () => {
  const server = (): FakeTransport =>
    serveOrg(new FakeTransport(), {
      apps: [APP],
      usersByApp: { [APP.identifier]: USERS },
      tokensByPair: {
        [`${APP.identifier}/${userId(1)}`]: [tokenRow(USERS[0], 'T1', null), tokenRow(USERS[0], 'T2', '2026-02-28T00:00:00Z')],
        [`${APP.identifier}/${userId(2)}`]: [tokenRow(USERS[1], 'T3', '2025-01-01T00:00:00Z')],
      },
    });

  it('plans one app-level target with the API identifier for --app --all-users', async () => {
    const { client } = makeClient(server());
    expect(await planSelection(client, { kind: 'app', app: appId(1, true) }, { concurrency: 2 })).to.deep.equal(planApp(APP));
  });

  it('plans nothing for --all-users with an app id that no longer has OAuth usage, and sends no DELETE', async () => {
    const transport = server();
    const { client } = makeClient(transport);
    expect(await planSelection(client, { kind: 'app', app: appId(7) }, { concurrency: 2 })).to.deep.equal([]);
    // The app list, to its empty page.
    expect(transport.calls.map((call) => call.method)).to.deep.equal(['GET', 'GET']);
  });

  it('plans one user-level target per named user who holds tokens of the app, for --app --user', async () => {
    const { client } = makeClient(server());
    const plan = await planSelection(client, { kind: 'users', apps: ['billing_connector'], users: [userId(2, true)] }, { concurrency: 2 });
    // Built from the (app, user) asked about, with the user's 18-character id and how many tokens they hold there.
    expect(plan).to.deep.equal([{ ...planUsers([USERS[1]])[0], userIdentifier: userId(2, true), tokenCount: 1 }]);
  });

  it('plans the matching tokens by id for a filter', async () => {
    const transport = server();
    const { client } = makeClient(transport);
    const plan = await planSelection(client, { kind: 'filter', apps: [], users: [], criteria: { before: new Date('2026-01-01T00:00:00Z') } }, { concurrency: 2 });
    expect(plan.map((target) => [target.scope, target.tokenId])).to.deep.equal([['token', 'T3']]);
    expect(transport.callsTo('DELETE')).to.have.length(0);
  });

  it('plans one user-level target per user whose last use of the app matches, for --by-user, reading no token list', async () => {
    const other = appRow(2, 'Mobile_App');
    const stale = userRow(APP, 1, '2025-03-01T00:00:00.000Z');
    const never = userRow(APP, 2, null);
    const fresh = userRow(APP, 3, '2026-02-01T00:00:00.000Z');
    const staleElsewhere = userRow(other, 1, '2025-01-01T00:00:00.000Z');
    const transport = serveOrg(new FakeTransport(), {
      apps: [APP, other],
      usersByApp: { [APP.identifier]: [stale, never, fresh], [other.identifier]: [staleElsewhere] },
      tokensByPair: {},
    });
    const { client } = makeClient(transport);
    const criteria = { before: new Date('2026-01-16T00:00:00Z') };
    // The same judgement users list makes, row by row.
    const expected = [stale, never, fresh, staleElsewhere].filter(lastUsedMatcher(criteria));
    expect(expected).to.deep.equal([stale, staleElsewhere]);
    expect(await planSelection(client, { kind: 'byUser', apps: [], criteria }, { concurrency: 2 })).to.deep.equal(planUsers(expected));
    expect(transport.calls.filter((call) => call.resource.includes('/tokens'))).to.deep.equal([]);
    expect(transport.callsTo('DELETE')).to.have.length(0);
  });

  it('narrows --by-user to the apps given with --app, reading no user page of the others', async () => {
    const other = appRow(2, 'Mobile_App');
    const transport = serveOrg(new FakeTransport(), {
      apps: [APP, other],
      usersByApp: { [APP.identifier]: [userRow(APP, 1, null)], [other.identifier]: [userRow(other, 1, null)] },
      tokensByPair: {},
    });
    const { client } = makeClient(transport);
    const plan = await planSelection(client, { kind: 'byUser', apps: ['Mobile_App'], criteria: { unusedDays: 90 } }, { concurrency: 2 });
    expect(plan).to.deep.equal(planUsers([userRow(other, 1, null)]));
    expect(transport.calls.filter((call) => call.resource.includes(APP.identifier))).to.deep.equal([]);
  });

  it('plans token ids without any request', async () => {
    const transport = server();
    const { client } = makeClient(transport);
    expect(await planSelection(client, { kind: 'tokenIds', tokenIds: ['T9'] }, { concurrency: 2 })).to.deep.equal(tokenTargets('T9'));
    expect(transport.calls).to.have.length(0);
  });
});

describe('revoke: executePlan', () => {
  it('dry run sends nothing and marks every target would-revoke', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const plan = [...tokenTargets('T1', 'T2'), ...planApp(APP)];
    const outcome = await executePlan(client, plan, { dryRun: true, concurrency: 2 });
    expect(outcome.successes.map((target) => [target.scope, target.tokenId, target.status])).to.deep.equal([
      ['token', 'T1', 'would-revoke'],
      ['token', 'T2', 'would-revoke'],
      ['app', undefined, 'would-revoke'],
    ]);
    expect(outcome).to.include({ dryRun: true, notSent: 0, interrupted: false, stoppedByLimit: false, auditFailed: false });
    expect(outcome.failures).to.deep.equal([]);
    expect(transport.calls).to.have.length(0);
    expect(revokeExitCode(outcome)).to.equal(0);
  });

  it('sorts 204 into revoked, 404 into not-found (a success) and 500 into failed with the API error', async () => {
    const transport = mixedAnswers();
    const { client } = makeClient(transport);
    const progress: Array<[number, number]> = [];
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3'), {
      dryRun: false,
      concurrency: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(outcome.successes.map((t) => [t.tokenId, t.status])).to.deep.equal([
      ['T1', 'revoked'],
      ['T2', 'not-found'],
    ]);
    expect(outcome.successes[1].message).to.be.a('string').and.match(/not found/i);
    expect(outcome.failures).to.deep.equal([
      { scope: 'token', tokenId: 'T3', status: 'failed', errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' },
    ]);
    expect(outcome).to.include({ dryRun: false, notSent: 0, interrupted: false, stoppedByLimit: false });
    expect(progress.map(([, total]) => total)).to.deep.equal([3, 3, 3]);
    expect(revokeExitCode(outcome)).to.equal(68);
  });

  it('sends the DELETE of each scope', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const plan = [...tokenTargets('T1'), ...planUsers(USERS), ...planApp(APP)];
    const outcome = await executePlan(client, plan, { dryRun: false, concurrency: 1 });
    expect(outcome.successes.map((t) => t.status)).to.deep.equal(['revoked', 'revoked', 'revoked', 'revoked']);
    expect(transport.calls.map((call) => call.path)).to.deep.equal([
      deletePath('T1'),
      `/apps/oauth/usage/${APP.identifier}/${userId(1)}/tokens`,
      `/apps/oauth/usage/${APP.identifier}/${userId(2)}/tokens`,
      `/apps/oauth/usage/${APP.identifier}/tokens`,
    ]);
  });

  it('stops when the org refuses to renew the session: every further DELETE would fail the same way', async () => {
    const refused = (): never => {
      throw sessionRefreshRefused(new Error('Unable to refresh session due to: expired access/refresh token'), 'DELETE');
    };
    const transport = new FakeTransport().on('DELETE', deletePath('T1'), noContent()).on('DELETE', deletePath('T2'), refused).on('DELETE', /./, noContent());
    const { client } = makeClient(transport, { concurrency: 1 });
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3', 'T4'), { dryRun: false, concurrency: 1 });
    expect(transport.calls.map((call) => call.path)).to.deep.equal([deletePath('T1'), deletePath('T2')]);
    expect(outcome.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([
      ['T2', 'SESSION_REFRESH_REFUSED'],
      ['T3', 'NOT_SENT'],
      ['T4', 'NOT_SENT'],
    ]);
    expect(outcome.failures[2].message).to.match(/refused to renew the session/);
    expect(outcome).to.include({ stoppedBySession: true, stoppedByLimit: false, interrupted: false, notSent: 2 });
    expect(revokeExitCode(outcome)).to.equal(68);
  });

  it('stops on REQUEST_LIMIT_EXCEEDED: unsent targets fail with NOT_SENT and no further DELETE is sent', async () => {
    const transport = new FakeTransport()
      .on('DELETE', deletePath('T1'), noContent())
      .on('DELETE', deletePath('T2'), apiFailure(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'))
      .on('DELETE', /./, noContent());
    const { client } = makeClient(transport, { concurrency: 1 });
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3', 'T4'), { dryRun: false, concurrency: 1 });
    expect(transport.calls.map((call) => call.path)).to.deep.equal([deletePath('T1'), deletePath('T2')]);
    expect(outcome.successes.map((t) => t.tokenId)).to.deep.equal(['T1']);
    expect(outcome.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([
      ['T2', 'REQUEST_LIMIT_EXCEEDED'],
      ['T3', 'NOT_SENT'],
      ['T4', 'NOT_SENT'],
    ]);
    expect(outcome.failures[2].message).to.match(/request limit/i);
    expect(outcome).to.include({ stoppedByLimit: true, interrupted: false, notSent: 2 });
    expect(revokeExitCode(outcome)).to.equal(68);
  });

  it('on REQUEST_LIMIT_EXCEEDED, targets queued behind the client limiter are NOT_SENT, not failed by the API', async () => {
    const transport = new FakeTransport()
      .on('DELETE', deletePath('T1'), apiFailure(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'))
      .on('DELETE', /./, noContent());
    // The client allows one request in flight; the plan runs four lanes, so T2..T4 wait in the client's queue.
    const { client } = makeClient(transport, { concurrency: 1 });
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3', 'T4'), { dryRun: false, concurrency: 4 });
    expect(transport.calls).to.have.length(1);
    expect(outcome.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([
      ['T1', 'REQUEST_LIMIT_EXCEEDED'],
      ['T2', 'NOT_SENT'],
      ['T3', 'NOT_SENT'],
      ['T4', 'NOT_SENT'],
    ]);
    expect(outcome.notSent).to.equal(3);
    expect(revokeExitCode(outcome)).to.equal(1);
  });

  it('stopRequested: no new DELETE starts, unsent targets are failures, interrupted is set', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3'), {
      dryRun: false,
      concurrency: 1,
      stopRequested: () => transport.calls.length >= 1,
    });
    expect(transport.calls).to.have.length(1);
    expect(outcome.successes.map((t) => [t.tokenId, t.status])).to.deep.equal([['T1', 'revoked']]);
    expect(outcome.failures.map((t) => [t.tokenId, t.status, t.errorCode])).to.deep.equal([
      ['T2', 'failed', 'NOT_SENT'],
      ['T3', 'failed', 'NOT_SENT'],
    ]);
    expect(outcome.failures[0].message).to.match(/interrupted/i);
    expect(outcome).to.include({ interrupted: true, stoppedByLimit: false, notSent: 2 });
    expect(revokeExitCode(outcome)).to.equal(130);
  });

  it('Ctrl-C with client.interrupt(): the DELETE in flight finishes, queued ones are NOT_SENT', async () => {
    const { transport, open } = gatedDeletes();
    const { client } = makeClient(transport, { concurrency: 1 });
    let stop = false;
    const running = executePlan(client, tokenTargets('T1', 'T2', 'T3'), { dryRun: false, concurrency: 3, stopRequested: () => stop });
    await tick(3);
    stop = true;
    client.interrupt();
    open();
    const outcome = await running;
    expect(transport.calls).to.have.length(1);
    expect(outcome.successes.map((t) => t.tokenId)).to.deep.equal(['T1']);
    expect(outcome.failures.map((t) => t.errorCode)).to.deep.equal(['NOT_SENT', 'NOT_SENT']);
    expect(outcome).to.include({ interrupted: true, notSent: 2 });
  });

  /** An audit hook that keeps what it was told, in order, and can refuse a `sending` record. */
  const fakeAudit = (refuseSending: (target: PlannedTarget) => boolean = () => false) => {
    const events: Array<[string, string | undefined, Record<string, unknown>?]> = [];
    return {
      events,
      audit: {
        sending: async (target: PlannedTarget): Promise<void> => {
          if (refuseSending(target)) throw new Error('ENOSPC: no space left on device');
          events.push(['sending', target.tokenId]);
        },
        result: (target: PlannedTarget, result: Record<string, unknown>): void => {
          events.push(['result', target.tokenId, result]);
        },
      },
    };
  };

  it('audit: each target is recorded as sending before its DELETE and its result after, with the HTTP status known', async () => {
    const transport = mixedAnswers();
    const { client } = makeClient(transport);
    const { events, audit } = fakeAudit();
    const sentBeforeRecord: string[] = [];
    const recording = { ...audit, sending: async (target: PlannedTarget): Promise<void> => {
      if (transport.calls.some((call) => call.path === deletePath(target.tokenId!))) sentBeforeRecord.push(target.tokenId!);
      return audit.sending(target);
    } };
    await executePlan(client, tokenTargets('T1', 'T2', 'T3'), { dryRun: false, concurrency: 1, audit: recording });
    expect(sentBeforeRecord).to.deep.equal([]);
    // One DELETE at a time, and the next target's record is written ahead of it (see the next test).
    expect(events).to.deep.equal([
      ['sending', 'T1'],
      ['sending', 'T2'],
      ['result', 'T1', { status: 'revoked', httpStatus: undefined, errorCode: undefined, message: undefined }],
      ['sending', 'T3'],
      ['result', 'T2', { status: 'not-found', httpStatus: 404, errorCode: undefined, message: events[4][2]?.message }],
      ['result', 'T3', { status: 'failed', httpStatus: 500, errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }],
    ]);
    expect(events[4][2]?.message).to.match(/not found/i);
  });

  it('audit: sending records run at most `concurrency` targets ahead of the DELETEs; one whose target is never sent gets a not-sent result', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const { events, audit } = fakeAudit();
    let stop = false;
    const ahead: number[] = [];
    const counting = { ...audit, sending: async (target: PlannedTarget): Promise<void> => {
      ahead.push(events.filter(([event]) => event === 'sending').length - transport.calls.length);
      if (target.tokenId === 'T5') stop = true;
      return audit.sending(target);
    } };
    const targets = tokenTargets('T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8');
    const outcome = await executePlan(client, targets, { dryRun: false, concurrency: 2, stopRequested: () => stop, audit: counting });
    expect(Math.max(...ahead)).to.be.at.most(2 + 2);
    const sent = transport.calls.map((call) => call.path);
    const written = events.filter(([event]) => event === 'sending').map(([, id]) => id);
    expect(sent.length).to.be.lessThan(written.length);
    for (const path of sent) expect(written.map((id) => deletePath(id!))).to.include(path);
    const results = new Map(events.filter(([event]) => event === 'result').map(([, id, result]) => [id, result?.status]));
    for (const id of written) expect(results.get(id), id).to.not.equal(undefined);
    expect(outcome.interrupted).to.equal(true);
    expect(outcome.notSent).to.equal(targets.length - sent.length);
  });

  it('audit: a sending record that cannot be written stops the run; that target and the rest are NOT_SENT and recorded not-sent', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const { events, audit } = fakeAudit((target) => target.tokenId === 'T2');
    const outcome = await executePlan(client, tokenTargets('T1', 'T2', 'T3'), { dryRun: false, concurrency: 1, audit });
    expect(transport.calls.map((call) => call.path)).to.deep.equal([deletePath('T1')]);
    expect(outcome.successes.map((t) => t.tokenId)).to.deep.equal(['T1']);
    expect(outcome.failures.map((t) => [t.tokenId, t.errorCode])).to.deep.equal([
      ['T2', 'NOT_SENT'],
      ['T3', 'NOT_SENT'],
    ]);
    expect(outcome.failures[0].message).to.match(/audit log/i);
    expect(outcome).to.include({ auditFailed: true, interrupted: false, stoppedByLimit: false, notSent: 2 });
    expect(revokeExitCode(outcome)).to.equal(68);
    expect(events.filter(([event]) => event === 'result').map(([, id, result]) => [id, result?.status])).to.deep.equal([
      ['T1', 'revoked'],
      ['T2', 'not-sent'],
      ['T3', 'not-sent'],
    ]);
  });

  it('audit: Ctrl-C while a sending record is being synced sends nothing more', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    let stop = false;
    const { audit } = fakeAudit();
    const slow = { ...audit, sending: async (target: PlannedTarget): Promise<void> => {
      stop = true;
      return audit.sending(target);
    } };
    const outcome = await executePlan(client, tokenTargets('T1', 'T2'), { dryRun: false, concurrency: 1, stopRequested: () => stop, audit: slow });
    expect(transport.calls).to.have.length(0);
    expect(outcome).to.include({ interrupted: true, notSent: 2 });
  });

  it('auditCounts counts a target never sent as not-sent, apart from failed', () => {
    expect(
      auditCounts([
        { scope: 'token', tokenId: 'T1', status: 'revoked' },
        { scope: 'token', tokenId: 'T2', status: 'not-found' },
        { scope: 'token', tokenId: 'T3', status: 'failed', errorCode: 'UNKNOWN_EXCEPTION' },
        { scope: 'token', tokenId: 'T4', status: 'failed', errorCode: 'NOT_SENT' },
        { scope: 'token', tokenId: 'T5', status: 'failed', errorCode: 'NOT_SENT' },
      ])
    ).to.deep.equal({ revoked: 1, 'not-found': 1, failed: 1, 'not-sent': 2 });
  });

  it('an empty plan sends nothing and succeeds', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    const outcome = await executePlan(client, [], { dryRun: false, concurrency: 4 });
    expect(outcome).to.include({ notSent: 0, interrupted: false });
    expect(outcome.successes).to.deep.equal([]);
    expect(outcome.failures).to.deep.equal([]);
    expect(transport.calls).to.have.length(0);
    expect(revokeExitCode(outcome)).to.equal(0);
  });
});

describe('revoke: revokeExitCode', () => {
  const target = { scope: 'token', tokenId: 'T' } as const;
  const outcome = (successes: number, failures: number, interrupted = false): Pick<RevokeOutcome, 'successes' | 'failures' | 'interrupted'> => ({
    successes: Array.from({ length: successes }, () => ({ ...target, status: 'revoked' })),
    failures: Array.from({ length: failures }, () => ({ ...target, status: 'failed' })),
    interrupted,
  });

  it('is 0 when nothing failed, including an empty plan', () => {
    expect(revokeExitCode(outcome(3, 0))).to.equal(0);
    expect(revokeExitCode(outcome(0, 0))).to.equal(0);
  });

  it('is 68 when some succeeded and some failed', () => {
    expect(revokeExitCode(outcome(1, 2))).to.equal(68);
  });

  it('is 1 when every target failed', () => {
    expect(revokeExitCode(outcome(0, 2))).to.equal(1);
  });

  it('is 130 after an interrupt, whatever else happened', () => {
    expect(revokeExitCode(outcome(1, 1, true))).to.equal(130);
    expect(revokeExitCode(outcome(0, 0, true))).to.equal(130);
  });
});

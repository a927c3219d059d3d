import { expect } from 'chai';
import { pairsInScope, streamTokenInventory, tokenInventory, withUserCounts, type InventoryProgress } from '../../src/usage/inventory.js';
import type { AppUsage, UserUsage } from '../../src/api/types.js';
import {
  apiFailure,
  appId,
  appRow,
  expectRejection,
  FakeTransport,
  makeClient,
  serveOrg,
  tick,
  tokenRow,
  userId,
  userRow,
  type FakeOrg,
} from './fakeTransport.js';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const billing = appRow(1, 'Billing_Connector');
const payroll = appRow(2, 'Payroll_Sync');
const crm = appRow(3, 'Crm_Bridge');

function org(): FakeOrg {
  const usersByApp: Record<string, UserUsage[]> = {
    [billing.identifier]: [userRow(billing, 1), userRow(billing, 2), userRow(billing, 3)],
    [payroll.identifier]: [userRow(payroll, 1), userRow(payroll, 4)],
    [crm.identifier]: [userRow(crm, 5)],
  };
  const tokensByPair: FakeOrg['tokensByPair'] = {};
  for (const users of Object.values(usersByApp)) {
    for (const user of users) {
      const key = `${user.appIdentifier}/${user.userIdentifier}`;
      const tag = `${user.appDeveloperName}-${user.userIdentifier.slice(-1)}`;
      tokensByPair[key] = [tokenRow(user, `${tag}-recent`, '2026-02-20T00:00:00.000Z'), tokenRow(user, `${tag}-old`, '2025-10-01T00:00:00.000Z')];
    }
  }
  // One never-used token.
  tokensByPair[`${crm.identifier}/${userId(5)}`].push(tokenRow(usersByApp[crm.identifier][0], 'Crm_Bridge-5-never', null));
  return { apps: [billing, payroll, crm], usersByApp, tokensByPair };
}

const tokenCalls = (transport: FakeTransport): string[] =>
  transport.callsTo('GET', /\/tokens$/).map((call) => call.resource.replace('/apps/oauth/usage/', ''));

const named = (pairs: Array<{ app: AppUsage; userIdentifier: string }>): string[] =>
  pairs.map(({ app, userIdentifier }) => `${app.developerName}:${userIdentifier}`);

describe('inventory: pairsInScope', () => {
  it('reads every app and every user, each page once, and pairs them in app then user order', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const pairs = await pairsInScope(client, { apps: [], users: [], pageSize: 2, concurrency: 4 });
    expect(named(pairs)).to.deep.equal([
      `Billing_Connector:${userId(1)}`,
      `Billing_Connector:${userId(2)}`,
      `Billing_Connector:${userId(3)}`,
      `Payroll_Sync:${userId(1)}`,
      `Payroll_Sync:${userId(4)}`,
      `Crm_Bridge:${userId(5)}`,
    ]);
    const paths = transport.calls.map((call) => call.resource);
    expect(new Set(paths).size, 'no page is requested twice').to.equal(paths.length);
    // Each list ends at its empty page (a short page does not end it): apps 2 + 1 + 0; Billing 2 + 1 + 0; Payroll 2 + 0;
    // Crm 1 + 0.
    expect(paths).to.have.length(10);
  });

  it('reads the users of the named apps only, resolving names and 18-character ids', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const pairs = await pairsInScope(client, { apps: ['crm_bridge', appId(1, true)], users: [], concurrency: 2 });
    expect([...new Set(pairs.map(({ app }) => app))]).to.deep.equal([crm, billing]);
    expect(pairs).to.have.length(4);
    // Each app: its one page of users, then the empty page that ends the list.
    expect(transport.callsTo('GET', /\/users\?/).map((call) => call.resource.split('/')[4])).to.have.members([
      crm.identifier,
      crm.identifier,
      billing.identifier,
      billing.identifier,
    ]);
    expect(transport.callsTo('GET', new RegExp(payroll.identifier))).to.have.length(0);
  });

  it('pairs every app in scope with every named user, resolving usernames in one query and reading no user list', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const pairs = await pairsInScope(client, { apps: [], users: ['USER1@acme.example.com', userId(5, true)], concurrency: 3 });
    expect(named(pairs)).to.deep.equal([
      `Billing_Connector:${userId(1, true)}`,
      `Billing_Connector:${userId(5, true)}`,
      `Payroll_Sync:${userId(1, true)}`,
      `Payroll_Sync:${userId(5, true)}`,
      `Crm_Bridge:${userId(1, true)}`,
      `Crm_Bridge:${userId(5, true)}`,
    ]);
    expect(transport.callsTo('GET', /^\/query/)).to.have.length(1);
    expect(transport.callsTo('GET', /\/users/)).to.have.length(0);
  });

  it('refuses an invalid --user before any request', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    await expectRejection(pairsInScope(client, { apps: [], users: ['bob'], concurrency: 2 }), 'InvalidIdError');
    expect(transport.calls).to.have.length(0);
  });

  it('refuses a username that no user of the org has, naming it, before any usage request', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const error = await expectRejection(
      pairsInScope(client, { apps: [], users: ['user1@acme.example.com', 'nobody@acme.example.com'], concurrency: 2 }),
      'UnknownUserError'
    );
    expect(error.message).to.include('"nobody@acme.example.com"').and.not.include('user1@');
    // The exact lookup, then the one lookup of close usernames: no usage request.
    expect(transport.calls.map((call) => call.resource.split('?')[0])).to.deep.equal(['/query', '/query']);
    expect(decodeURIComponent(transport.calls[1].resource)).to.include("WHERE Username LIKE 'nob%'");
  });

  it('refuses an unknown --app name before reading any user', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    await expectRejection(pairsInScope(client, { apps: ['Billing_Conector'], users: [], concurrency: 2 }), 'UnknownAppError');
    expect(transport.callsTo('GET', /\/users/)).to.have.length(0);
  });

  it('leaves an app id with no OAuth usage out of the scope, instead of widening it to every app', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    expect(await pairsInScope(client, { apps: [appId(9)], users: [], concurrency: 2 })).to.deep.equal([]);
    expect(await pairsInScope(client, { apps: [appId(9)], users: ['user1@acme.example.com'], concurrency: 2 })).to.deep.equal([]);
    expect(transport.callsTo('GET', /\/users|\/tokens/)).to.have.length(0);
  });

  it('reports progress per app', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const progress: InventoryProgress[] = [];
    await pairsInScope(client, { apps: [], users: [], concurrency: 1, onProgress: (p) => progress.push(p) });
    expect(progress).to.deep.equal([
      { stage: 'apps', done: 1, total: 3 },
      { stage: 'apps', done: 2, total: 3 },
      { stage: 'apps', done: 3, total: 3 },
    ]);
  });
});

describe('inventory: tokenInventory', () => {
  it('lists every token of every pair with its tokenId when there is no criterion', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const tokens = await tokenInventory(client, { apps: [], users: [], concurrency: 4, criteria: {}, now: NOW });
    expect(tokens).to.have.length(13);
    expect(tokens[0].tokenId).to.equal('Billing_Connector-1-recent');
    expect(tokenCalls(transport)).to.have.length(6);
  });

  it('applies the last-used criteria', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const unused = await tokenInventory(client, { apps: ['Crm_Bridge'], users: [], concurrency: 2, criteria: { unusedDays: 30 }, now: NOW });
    expect(unused.map((t) => t.tokenId)).to.deep.equal(['Crm_Bridge-5-old', 'Crm_Bridge-5-never']);
    const before = await tokenInventory(client, {
      apps: ['Crm_Bridge'],
      users: [],
      concurrency: 2,
      criteria: { before: new Date('2026-01-01T00:00:00Z') },
      now: NOW,
    });
    expect(before.map((t) => t.tokenId)).to.deep.equal(['Crm_Bridge-5-old']);
    const after = await tokenInventory(client, {
      apps: ['Crm_Bridge'],
      users: [],
      concurrency: 2,
      criteria: { after: new Date('2026-02-20T00:00:00Z') },
      now: NOW,
    });
    expect(after.map((t) => t.tokenId)).to.deep.equal(['Crm_Bridge-5-recent']);
  });

  it('keeps app then user order whatever order the token requests finish in', async () => {
    const fake = org();
    const order = Object.keys(fake.tokensByPair);
    const finished: string[] = [];
    // Earlier pairs answer later: the first pair is the last to finish.
    fake.beforeTokens = async (app, user): Promise<void> => {
      await tick(3 * (order.length - order.indexOf(`${app}/${user}`)));
      finished.push(`${app}/${user}`);
    };
    const transport = serveOrg(new FakeTransport(), fake);
    const { client } = makeClient(transport, { concurrency: 6 });
    const tokens = await tokenInventory(client, { apps: [], users: [], concurrency: 6, criteria: { before: new Date('2026-01-01T00:00:00Z') }, now: NOW });
    expect(finished).to.deep.equal([...order].reverse());
    expect(tokens.map((t) => t.tokenId)).to.deep.equal([
      'Billing_Connector-1-old',
      'Billing_Connector-2-old',
      'Billing_Connector-3-old',
      'Payroll_Sync-1-old',
      'Payroll_Sync-4-old',
      'Crm_Bridge-5-old',
    ]);
  });

  it('with limit, stops starting token requests once enough rows are in', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport, { concurrency: 1 });
    const tokens = await tokenInventory(client, { apps: [], users: [], concurrency: 1, criteria: { unusedDays: 30 }, limit: 2, now: NOW });
    expect(tokens.map((t) => t.tokenId)).to.deep.equal(['Billing_Connector-1-old', 'Billing_Connector-2-old']);
    expect(tokenCalls(transport)).to.deep.equal([`${billing.identifier}/${userId(1)}/tokens`, `${billing.identifier}/${userId(2)}/tokens`]);
  });

  it('with limit, cuts the rows of the last pair read', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport, { concurrency: 1 });
    const tokens = await tokenInventory(client, { apps: [], users: [], concurrency: 1, criteria: {}, limit: 1, now: NOW });
    expect(tokens.map((t) => t.tokenId)).to.deep.equal(['Billing_Connector-1-recent']);
    expect(tokenCalls(transport)).to.have.length(1);
  });

  it('lists the tokens of a named user in every app where they hold some, one token list per app', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const tokens = await tokenInventory(client, { apps: [], users: ['user1@acme.example.com'], concurrency: 2, criteria: {}, now: NOW });
    expect(tokens.map((t) => t.tokenId)).to.deep.equal([
      'Billing_Connector-1-recent',
      'Billing_Connector-1-old',
      'Payroll_Sync-1-recent',
      'Payroll_Sync-1-old',
    ]);
    expect(tokenCalls(transport)).to.deep.equal([billing, payroll, crm].map((app) => `${app.identifier}/${userId(1, true)}/tokens`));
  });

  it('gives an empty list for a real user who holds no tokens in scope, whether the API answers [] or 404', async () => {
    const fake = { ...org(), otherUsers: [{ Id: userId(8, true), Username: 'Aaron.Jensen@acme.example.com' }] };
    const transport = new FakeTransport().on('GET', new RegExp(`/${userId(8, true)}/tokens$`), apiFailure(404, 'NOT_FOUND', 'The requested resource does not exist'));
    const { client } = makeClient(serveOrg(transport, fake));
    const args = { apps: ['Payroll_Sync'], users: ['aaron.jensen@acme.example.com'], concurrency: 2, criteria: {}, now: NOW };
    expect(await tokenInventory(client, args)).to.deep.equal([]);
    expect(await tokenInventory(client, { ...args, users: ['user2@acme.example.com'] })).to.deep.equal([]);
    expect(tokenCalls(transport)).to.deep.equal([`${payroll.identifier}/${userId(8, true)}/tokens`, `${payroll.identifier}/${userId(2, true)}/tokens`]);
  });

  it('reports progress per user after the apps', async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport);
    const progress: InventoryProgress[] = [];
    await tokenInventory(client, { apps: ['Payroll_Sync'], users: [], concurrency: 1, criteria: {}, now: NOW, onProgress: (p) => progress.push(p) });
    expect(progress).to.deep.equal([
      { stage: 'apps', done: 1, total: 1 },
      { stage: 'users', done: 1, total: 2 },
      { stage: 'users', done: 2, total: 2 },
    ]);
  });
});

describe('inventory: streamTokenInventory', () => {
  it("hands each user's tokens to the sink in plan order as they are read, not all at the end", async () => {
    const transport = serveOrg(new FakeTransport(), org());
    const { client } = makeClient(transport, { concurrency: 1 });
    const seen: Array<{ tokenIds: string[]; tokenListsRead: number }> = [];
    await streamTokenInventory(client, { apps: [], users: [], concurrency: 1, criteria: { unusedDays: 30 }, now: NOW }, (rows) => {
      seen.push({ tokenIds: rows.map((row) => row.tokenId), tokenListsRead: tokenCalls(transport).length });
    });
    expect(seen.map(({ tokenListsRead }) => tokenListsRead)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const array = await tokenInventory(client, { apps: [], users: [], concurrency: 4, criteria: { unusedDays: 30 }, now: NOW });
    expect(seen.flatMap(({ tokenIds }) => tokenIds)).to.deep.equal(array.map((row) => row.tokenId));
  });
});

describe('inventory: withUserCounts', () => {
  it('adds userCount from every page of each app, keeping app order and fields', async () => {
    const fake = org();
    const big = appRow(4, 'Big_App');
    fake.apps.push(big);
    fake.usersByApp[big.identifier] = Array.from({ length: 5 }, (_, i) => userRow(big, 10 + i));
    const transport = serveOrg(new FakeTransport(), fake);
    const { client } = makeClient(transport);
    const done: number[] = [];
    const counted: AppUsage[] = await withUserCounts(client, fake.apps, 2, 3, (n) => done.push(n));
    expect(counted.map((app) => [app.developerName, app.userCount])).to.deep.equal([
      ['Billing_Connector', 3],
      ['Payroll_Sync', 2],
      ['Crm_Bridge', 1],
      ['Big_App', 5],
    ]);
    expect(counted[0]).to.include({ identifier: billing.identifier, description: billing.description });
    expect([...done].sort()).to.deep.equal([1, 2, 3, 4]);
    expect(fake.apps[0]).to.not.have.property('userCount');
    // Big_App: pages 0, 1 (full), 2 (short) and 3 (empty, which ends the list).
    expect(transport.callsTo('GET', new RegExp(big.identifier))).to.have.length(4);
  });
});

import type { Connection, Org } from '@salesforce/core';
import { expect } from 'chai';
import type { AppUsage } from '../../src/api/types.js';
import { type ConnectOptions, UsageClient } from '../../src/api/usageClient.js';
import type { HttpResponse, HttpTransport } from '../../src/api/transport.js';
import {
  API_BASE,
  apiFailure,
  appId,
  appRow,
  deferred,
  gatedDeletes,
  expectRejection,
  FAST_RETRY,
  FakeTransport,
  html,
  INSTANCE_URL,
  ORG_ID,
  json,
  makeClient,
  networkError,
  noContent,
  rejectionOf,
  status,
  tick,
  tokenRow,
  userId,
  userRow,
  withoutOrgId,
} from './fakeTransport.js';

const APPS = Array.from({ length: 5 }, (_, i) => appRow(i + 1, `App_${i + 1}`));
const firstAppsPage = (pageSize: number): string => `/apps/oauth/usage?page=0&pageSize=${pageSize}`;
const appsPage = (page: number, pageSize: number, next: string | null = `${API_BASE}/apps/oauth/usage?page=${page + 1}&pageSize=${pageSize}`): unknown => ({
  apps: APPS.slice(page * pageSize, (page + 1) * pageSize),
  currentPageUrl: `${API_BASE}/apps/oauth/usage?page=${page}&pageSize=${pageSize}`,
  nextPageUrl: next,
});
const followed = (page: number, pageSize: number): string => `/apps/oauth/usage?page=${page}&pageSize=${pageSize}`;
/** A transport that serves the app list in pages of `pageSize`: pages 0, 1 and 2, each with the next one's URL. */
const pagedApps = (pageSize: number): FakeTransport => {
  const transport = new FakeTransport();
  for (const page of [0, 1, 2]) transport.on('GET', followed(page, pageSize), json(appsPage(page, pageSize)));
  return transport;
};

const APP = appRow(1, 'Billing_Connector');
const USER = userRow(APP, 7);
const TOKENS_PATH = `/apps/oauth/usage/${APP.identifier}/${USER.userIdentifier}/tokens`;

describe('usageClient: paging', () => {
  it('follows nextPageUrl and stops on the first empty page although it has a nextPageUrl', async () => {
    const transport = new FakeTransport()
      .on('GET', followed(0, 2), json(appsPage(0, 2)))
      .on('GET', followed(1, 2), json(appsPage(1, 2)))
      .on('GET', followed(2, 2), json({ apps: [], nextPageUrl: `${API_BASE}/apps/oauth/usage?page=3&pageSize=2` }));
    const { client } = makeClient(transport);
    const apps = await client.listApps({ pageSize: 2 });
    expect(apps.map((app) => app.developerName)).to.deep.equal(['App_1', 'App_2', 'App_3', 'App_4']);
    expect(transport.calls.map((call) => call.path)).to.deep.equal([
      firstAppsPage(2),
      `${API_BASE}/apps/oauth/usage?page=1&pageSize=2`,
      `${API_BASE}/apps/oauth/usage?page=2&pageSize=2`,
    ]);
  });

  it('does not stop at a short page: it asks for the next one, and ends at the empty page', async () => {
    const transport = pagedApps(3);
    const { client } = makeClient(transport);
    expect(await client.listApps({ pageSize: 3 })).to.have.length(5);
    expect(transport.calls.map((call) => call.resource)).to.deep.equal([0, 1, 2].map((page) => followed(page, 3)));
  });

  it('reads every row from a server that serves fewer rows per page than asked', async () => {
    // Asked for 100 rows a page, the server serves 2, and its page URLs say so.
    const transport = new FakeTransport().on('GET', followed(0, 100), json(appsPage(0, 2)));
    for (const page of [1, 2, 3]) transport.on('GET', followed(page, 2), json(appsPage(page, 2)));
    const { client } = makeClient(transport);
    expect((await client.listApps({ pageSize: 100 })).map((app) => app.developerName)).to.deep.equal(APPS.map((app) => app.developerName));
    expect(transport.calls.map((call) => call.resource)).to.deep.equal([followed(0, 100), followed(1, 2), followed(2, 2), followed(3, 2)]);
  });

  it('stops when a page has no nextPageUrl', async () => {
    const transport = new FakeTransport().on('GET', followed(0, 2), json(appsPage(0, 2, null)));
    const { client } = makeClient(transport);
    expect(await client.listApps({ pageSize: 2 })).to.have.length(2);
    expect(transport.calls).to.have.length(1);
  });

  it('uses a page size of 100 by default', async () => {
    const transport = new FakeTransport()
      .on('GET', followed(0, 100), json({ apps: APPS, nextPageUrl: `${API_BASE}/apps/oauth/usage?page=1&pageSize=100` }))
      .on('GET', followed(1, 100), json({ apps: [], nextPageUrl: `${API_BASE}/apps/oauth/usage?page=2&pageSize=100` }));
    const { client } = makeClient(transport);
    expect(await client.listApps()).to.have.length(5);
    expect(transport.calls.map((call) => call.path)).to.deep.equal([firstAppsPage(100), `${API_BASE}/apps/oauth/usage?page=1&pageSize=100`]);
  });

  it('stops at limit without requesting another page', async () => {
    const transport = pagedApps(2);
    const { client } = makeClient(transport);
    const pages: number[] = [];
    const apps = await client.listApps({ pageSize: 2, limit: 3, onPage: (n) => pages.push(n) });
    expect(apps.map((app) => app.developerName)).to.deep.equal(['App_1', 'App_2', 'App_3']);
    expect(transport.calls).to.have.length(2);
    expect(pages).to.deep.equal([2, 3]);
  });

  it('stops at a limit reached on a page boundary without requesting the next page', async () => {
    const transport = new FakeTransport().on('GET', /./, json(appsPage(0, 2)));
    const { client } = makeClient(transport);
    expect(await client.listApps({ pageSize: 2, limit: 2 })).to.have.length(2);
    expect(transport.calls).to.have.length(1);
  });

  it('counts only kept rows toward limit', async () => {
    const transport = pagedApps(2);
    const { client } = makeClient(transport);
    const odd = (app: AppUsage): boolean => Number(app.developerName.split('_')[1]) % 2 === 1;
    const apps = await client.listApps({ pageSize: 2, limit: 2, keep: odd });
    expect(apps.map((app) => app.developerName)).to.deep.equal(['App_1', 'App_3']);
    expect(transport.calls).to.have.length(2);
  });

  it('fails with PageCapReachedError when the server never ends, after exactly pageCap requests', async () => {
    let page = 0;
    const transport = new FakeTransport().on('GET', /^\/apps\/oauth\/usage\?/, () => json(appsPage(0, 2, `${API_BASE}/apps/oauth/usage?page=${++page}&pageSize=2`)));
    const { client } = makeClient(transport, { pageCap: 3 });
    const error = await expectRejection(client.listApps({ pageSize: 2 }), 'PageCapReachedError');
    expect(error.message).to.include('Stopped after 3 pages:');
    expect(error.actions!.join('\n')).to.include('SF_ECA_MAX_PAGES');
    expect(transport.calls).to.have.length(3);
  });

  it('says "1 page", singular, when the page cap is 1', async () => {
    const transport = new FakeTransport().on('GET', /^\/apps\/oauth\/usage\?/, () => json(appsPage(0, 2, `${API_BASE}/apps/oauth/usage?page=1&pageSize=2`)));
    const { client } = makeClient(transport, { pageCap: 1 });
    const error = await expectRejection(client.listApps({ pageSize: 2 }), 'PageCapReachedError');
    expect(error.message).to.include('Stopped after 1 page:');
  });

  it('refuses a foreign nextPageUrl with ForeignUrlError and never requests it', async () => {
    const evil = 'https://evil.example.com/services/data/v62.0/apps/oauth/usage?page=1&pageSize=2';
    const transport = new FakeTransport().on('GET', followed(0, 2), json(appsPage(0, 2, evil))).on('GET', /./, json(appsPage(1, 2)));
    const { client } = makeClient(transport);
    await expectRejection(client.listApps({ pageSize: 2 }), 'ForeignUrlError');
    expect(transport.calls).to.have.length(1);
    expect(transport.calls.some((call) => call.path.includes('evil'))).to.equal(false);
  });

  it('follows a same-origin absolute nextPageUrl by its path only', async () => {
    const transport = new FakeTransport()
      .on('GET', followed(0, 2), json(appsPage(0, 2, `${INSTANCE_URL}${API_BASE}/apps/oauth/usage?page=1&pageSize=2`)))
      .on('GET', followed(1, 2), json({ apps: [] }));
    const { client } = makeClient(transport);
    expect(await client.listApps({ pageSize: 2 })).to.have.length(2);
    expect(transport.calls[1].path).to.equal(`${API_BASE}/apps/oauth/usage?page=1&pageSize=2`);
  });

  it('refuses a nextPageUrl pointing at another resource of the org', async () => {
    const transport = new FakeTransport()
      .on('GET', followed(0, 2), json(appsPage(0, 2, `${API_BASE}/sobjects/User`)))
      .on('GET', /./, json({ apps: [] }));
    const { client } = makeClient(transport);
    await expectRejection(client.listApps({ pageSize: 2 }), 'ForeignUrlError');
    expect(transport.calls).to.have.length(1);
  });

  it('refuses a nextPageUrl whose encoded dot segments climb out of the usage resources, and never requests it', async () => {
    const transport = new FakeTransport()
      .on('GET', followed(0, 2), json(appsPage(0, 2, `${API_BASE}/apps/oauth/usage/%2e%2e/%2e%2e/sobjects/User?page=1`)))
      .on('GET', /./, json({ apps: [] }));
    const { client } = makeClient(transport);
    await expectRejection(client.listApps({ pageSize: 2 }), 'ForeignUrlError');
    expect(transport.calls).to.have.length(1);
  });

  it('pages the users of an app on its users resource', async () => {
    const users = [userRow(APP, 1), userRow(APP, 2), userRow(APP, 3)];
    const sent = users.map(withoutOrgId);
    const base = `/apps/oauth/usage/${APP.identifier}/users`;
    const transport = new FakeTransport()
      .on('GET', `${base}?page=0&pageSize=2`, json({ users: sent.slice(0, 2), nextPageUrl: `${API_BASE}${base}?page=1&pageSize=2` }))
      .on('GET', `${base}?page=1&pageSize=2`, json({ users: sent.slice(2), nextPageUrl: `${API_BASE}${base}?page=2&pageSize=2` }))
      .on('GET', `${base}?page=2&pageSize=2`, json({ users: [], nextPageUrl: `${API_BASE}${base}?page=3&pageSize=2` }));
    const { client } = makeClient(transport);
    expect(await client.listUsers(APP.identifier, { pageSize: 2 })).to.deep.equal(users);
    expect(transport.calls).to.have.length(3);
  });
});

describe('usageClient: bodies', () => {
  it('refuses an HTML 200 with UnexpectedBodyError', async () => {
    const transport = new FakeTransport().on('GET', /./, html('<html><body>Maintenance</body></html>'));
    const { client } = makeClient(transport);
    const error = await expectRejection(client.listApps(), 'UnexpectedBodyError');
    expect(error.message).to.include('an HTML page');
    expect(transport.calls).to.have.length(1);
  });

  it('refuses truncated JSON with UnexpectedBodyError', async () => {
    const transport = new FakeTransport().on('GET', /./, { ...html('{"apps":[{"identifier"'), contentType: 'application/json' });
    const { client } = makeClient(transport);
    const error = await expectRejection(client.listApps(), 'UnexpectedBodyError');
    expect(error.message).to.include('not valid JSON');
  });

  it('refuses a JSON body without the collection array with UnexpectedBodyError', async () => {
    for (const body of [{ users: [] }, { apps: 'none' }, [], null, 'text']) {
      const transport = new FakeTransport().on('GET', /./, json(body));
      const { client } = makeClient(transport);
      // eslint-disable-next-line no-await-in-loop
      await expectRejection(client.listApps(), 'UnexpectedBodyError');
    }
  });
});

describe('usageClient: tokens', () => {
  it('listTokens adds tokenId from revocationUrl and the org id, and keeps every API field', async () => {
    const rows = [tokenRow(USER, 'TokA.1'), tokenRow(USER, 'TokB-2', null)];
    const transport = new FakeTransport().on('GET', TOKENS_PATH, json({ tokens: rows }));
    const { client } = makeClient(transport);
    const tokens = await client.listTokens(APP.identifier, USER.userIdentifier);
    expect(tokens).to.deep.equal([
      { ...rows[0], tokenId: 'TokA.1', orgId: ORG_ID },
      { ...rows[1], tokenId: 'TokB-2', orgId: ORG_ID },
    ]);
    expect(transport.calls.map((call) => call.path)).to.deep.equal([TOKENS_PATH]);
  });

  it('listTokens follows a token nextPageUrl until an empty page', async () => {
    const next = `${API_BASE}${TOKENS_PATH}?page=1`;
    const transport = new FakeTransport()
      .on('GET', TOKENS_PATH, json({ tokens: [tokenRow(USER, 'T1')], nextPageUrl: next }))
      .on('GET', `${TOKENS_PATH}?page=1`, json({ tokens: [], nextPageUrl: `${API_BASE}${TOKENS_PATH}?page=2` }));
    const { client } = makeClient(transport);
    expect((await client.listTokens(APP.identifier, USER.userIdentifier)).map((t) => t.tokenId)).to.deep.equal(['T1']);
    expect(transport.calls).to.have.length(2);
  });

  it('listTokens refuses a token row whose revocationUrl is on another host', async () => {
    const row = { ...tokenRow(USER, 'T1'), revocationUrl: `https://evil.example.com${API_BASE}/apps/oauth/usage/tokens/T1` };
    const transport = new FakeTransport().on('GET', TOKENS_PATH, json({ tokens: [row] }));
    const { client } = makeClient(transport);
    await expectRejection(client.listTokens(APP.identifier, USER.userIdentifier), 'ForeignUrlError');
  });

  it('listTokens refuses a token row without a revocationUrl', async () => {
    const { revocationUrl, ...row } = tokenRow(USER, 'T1');
    expect(revocationUrl).to.be.a('string');
    const transport = new FakeTransport().on('GET', TOKENS_PATH, json({ tokens: [row] }));
    const { client } = makeClient(transport);
    await expectRejection(client.listTokens(APP.identifier, USER.userIdentifier), 'InvalidTokenIdError');
  });

  it('refuses an invalid id before sending anything', async () => {
    const transport = new FakeTransport().on('GET', /./, json({ tokens: [] })).on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    await expectRejection(client.listTokens('../x', USER.userIdentifier), 'InvalidIdError');
    await expectRejection(client.listUsers('0xI%2F'), 'InvalidIdError');
    await expectRejection(client.revokeToken('../../sobjects'), 'InvalidTokenIdError');
    await expectRejection(client.revokeUserTokens(APP.identifier, 'bob@x'), 'InvalidIdError');
    expect(transport.calls).to.have.length(0);
  });
});

describe('usageClient: revoking', () => {
  it('sends DELETE to the exact paths of the three scopes', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport);
    await client.revokeToken('Tok.A-1_b');
    await client.revokeToken(`${API_BASE}/apps/oauth/usage/tokens/TokFromUrl`);
    await client.revokeToken(`${INSTANCE_URL}${API_BASE}/apps/oauth/usage/tokens/Tok%2E2`);
    await client.revokeUserTokens(appId(1, true), userId(2));
    await client.revokeAppTokens(appId(3));
    expect(transport.calls.map((call) => `${call.method} ${call.path}`)).to.deep.equal([
      'DELETE /apps/oauth/usage/tokens/Tok.A-1_b',
      'DELETE /apps/oauth/usage/tokens/TokFromUrl',
      'DELETE /apps/oauth/usage/tokens/Tok.2',
      `DELETE /apps/oauth/usage/${appId(1, true)}/${userId(2)}/tokens`,
      `DELETE /apps/oauth/usage/${appId(3)}/tokens`,
    ]);
  });

  it('passes the policy time-out to the transport', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent());
    const { client } = makeClient(transport, { retry: { ...FAST_RETRY, timeoutMs: 4321 } });
    await client.revokeAppTokens(appId(3));
    expect(transport.calls[0].timeoutMs).to.equal(4321);
  });

  it('maps a DELETE 404 to NotFoundError without retrying', async () => {
    const transport = new FakeTransport().on('DELETE', /./, apiFailure(404, 'NOT_FOUND', 'gone'));
    const { client, sleeps } = makeClient(transport);
    const error = await expectRejection(client.revokeToken('T1'), 'NotFoundError');
    expect(error.message).to.include('token "T1"');
    expect(transport.calls).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('refuses a DELETE answered with an HTML page and status 200', async () => {
    const transport = new FakeTransport().on('DELETE', /./, html('<html><body>Maintenance</body></html>'));
    const { client } = makeClient(transport);
    const error = await expectRejection(client.revokeToken('T1'), 'UnexpectedBodyError');
    expect(error.message).to.include('an HTML page');
  });

  it('treats a 404 on the retry of a DELETE whose answer was lost as the first attempt having worked', async () => {
    const transport = new FakeTransport().on('DELETE', /./, networkError('ECONNRESET'), apiFailure(404, 'NOT_FOUND', 'gone'));
    const { client } = makeClient(transport);
    await client.revokeToken('T1');
    expect(transport.calls).to.have.length(2);
  });

  it('still reports a 404 on the first attempt of a DELETE as NotFoundError', async () => {
    const transport = new FakeTransport().on('DELETE', /./, status(503), apiFailure(404, 'NOT_FOUND', 'gone'));
    const { client } = makeClient(transport);
    await expectRejection(client.revokeToken('T1'), 'NotFoundError');
    expect(transport.calls).to.have.length(2);
  });

  it('counts a DELETE as done only on 200 or 204: any other success is RevokeNotConfirmedError, sent once', async () => {
    const transport = new FakeTransport()
      .on('DELETE', '/apps/oauth/usage/tokens/T200', json({}))
      .on('DELETE', '/apps/oauth/usage/tokens/T204', noContent())
      .on('DELETE', /T202/, json({}, 202))
      .on('DELETE', /000000000206\/tokens$/, status(206));
    const { client } = makeClient(transport);
    await client.revokeToken('T200');
    await client.revokeToken('T204');
    const accepted = await expectRejection(client.revokeToken('T202'), 'RevokeNotConfirmedError');
    expect(accepted.message).to.include('token "T202"').and.include('202');
    expect(accepted.data).to.deep.include({ status: 202, errorCode: 'REVOKE_NOT_CONFIRMED' });
    await expectRejection(client.revokeUserTokens(appId(1), userId(206)), 'RevokeNotConfirmedError');
    expect(transport.calls).to.have.length(4);
  });

  it('refuses a 3xx with RedirectNotFollowedError naming the status and the Location\'s origin, never retried', async () => {
    const transport = new FakeTransport()
      .on('DELETE', /T307/, status(307, { location: 'https://evil.example.com:8443/services/data/v62.0/apps/oauth/usage/tokens/T307?sid=secret' }))
      .on('DELETE', /T302/, status(302, { location: '/services/data/v62.0/apps/oauth/usage/tokens/T302' }))
      .on('GET', /./, status(301, { location: 'http://captive.example/login' }));
    const { client, sleeps } = makeClient(transport);
    const moved = await expectRejection(client.revokeToken('T307'), 'RedirectNotFollowedError');
    expect(moved.message).to.include('307').and.include('https://evil.example.com:8443').and.not.include('secret');
    expect(moved.data).to.deep.include({ status: 307, errorCode: 'REDIRECT_NOT_FOLLOWED' });
    // A relative Location stays on the org's instance, and says so.
    expect((await expectRejection(client.revokeToken('T302'), 'RedirectNotFollowedError')).message).to.include(INSTANCE_URL);
    expect((await expectRejection(client.listApps(), 'RedirectNotFollowedError')).message).to.include('301').and.include('http://captive.example');
    expect(transport.calls).to.have.length(3);
    expect(sleeps).to.deep.equal([]);
  });

  it('retries a DELETE answered 503', async () => {
    const transport = new FakeTransport().on('DELETE', /./, status(503), noContent());
    const { client, sleeps } = makeClient(transport);
    await client.revokeToken('T1');
    expect(transport.calls).to.have.length(2);
    expect(sleeps).to.have.length(1);
  });
});

describe('usageClient: retries', () => {
  it('retries 503 twice, then succeeds: 3 calls and 2 sleeps', async () => {
    const transport = new FakeTransport().on('GET', /./, status(503), status(503), json({ apps: [] }));
    const { client, sleeps } = makeClient(transport);
    expect(await client.listApps()).to.deep.equal([]);
    expect(transport.calls).to.have.length(3);
    expect(sleeps).to.have.length(2);
    expect(sleeps[0]).to.be.within(50, 100);
    expect(sleeps[1]).to.be.within(100, 200);
    expect(client.stats).to.deep.equal({ GET: 3, DELETE: 0, retries: 2 });
  });

  it('retries 502 and 504 as well', async () => {
    const transport = new FakeTransport().on('GET', /./, status(502), status(504), json({ apps: [] }));
    const { client } = makeClient(transport);
    await client.listApps();
    expect(transport.calls).to.have.length(3);
  });

  it('honours Retry-After on 429', async () => {
    const transport = new FakeTransport().on('GET', /./, apiFailure(429, 'REQUEST_LIMIT', 'slow down', { 'retry-after': '7' }), json({ apps: [] }));
    const { client, sleeps } = makeClient(transport);
    await client.listApps();
    expect(sleeps).to.deep.equal([7000]);
    expect(transport.calls).to.have.length(2);
  });

  it('gives up on a 503 after maxAttempts and reports the status', async () => {
    const transport = new FakeTransport().on('GET', /./, status(503));
    const { client, sleeps } = makeClient(transport);
    const error = await expectRejection(client.listApps(), 'ServerError');
    expect(error.message).to.include('503');
    expect(transport.calls).to.have.length(FAST_RETRY.maxAttempts);
    expect(sleeps).to.have.length(FAST_RETRY.maxAttempts - 1);
  });

  it('does not retry when Retry-After would go past maxElapsedMs', async () => {
    const transport = new FakeTransport().on('GET', /./, status(429, { 'retry-after': '120' }), json({ apps: [] }));
    const { client, sleeps } = makeClient(transport, { retry: { ...FAST_RETRY, maxDelayMs: 300_000, maxElapsedMs: 60_000 } });
    await expectRejection(client.listApps(), 'ServerError');
    expect(transport.calls).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('does not retry 500', async () => {
    const transport = new FakeTransport().on('GET', /./, apiFailure(500, 'UNKNOWN_EXCEPTION', 'boom'), json({ apps: [] }));
    const { client, sleeps } = makeClient(transport);
    const error = await expectRejection(client.listApps(), 'ServerError');
    expect(error.data).to.deep.equal({ status: 500, errorCode: 'UNKNOWN_EXCEPTION', apiMessage: 'boom' });
    expect(transport.calls).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('does not retry 404, 400, 401 or 403', async () => {
    const cases: Array<[number, string, string]> = [
      [404, 'NOT_FOUND', 'NotFoundError'],
      [400, 'INVALID_ID_FIELD', 'BadRequestError'],
      [401, 'INVALID_SESSION_ID', 'SessionExpiredError'],
      [403, 'INSUFFICIENT_ACCESS', 'InsufficientAccessError'],
    ];
    for (const [code, errorCode, name] of cases) {
      const transport = new FakeTransport().on('GET', /./, apiFailure(code, errorCode, 'x'), json({ users: [] }));
      const { client } = makeClient(transport);
      // eslint-disable-next-line no-await-in-loop
      await expectRejection(client.listUsers(APP.identifier), name);
      expect(transport.calls, name).to.have.length(1);
    }
  });

  it('retries a network error and succeeds', async () => {
    const transport = new FakeTransport().on('GET', /./, networkError('ECONNRESET'), json({ apps: [] }));
    const { client, sleeps } = makeClient(transport);
    await client.listApps();
    expect(transport.calls).to.have.length(2);
    expect(sleeps).to.have.length(1);
    expect(client.stats.retries).to.equal(1);
  });

  it('gives up on network errors with ConnectionFailedError after maxAttempts', async () => {
    const transport = new FakeTransport().on('GET', /./, networkError('ECONNRESET'));
    const { client, sleeps } = makeClient(transport);
    const error = await expectRejection(client.listApps(), 'ConnectionFailedError');
    expect(error.message).to.include('ECONNRESET').and.include(String(FAST_RETRY.maxAttempts));
    expect(transport.calls).to.have.length(FAST_RETRY.maxAttempts);
    expect(sleeps).to.have.length(FAST_RETRY.maxAttempts - 1);
  });

  it('gives up on time-outs with TimeoutError', async () => {
    const transport = new FakeTransport().on('DELETE', /./, networkError('ETIMEDOUT'));
    const { client } = makeClient(transport);
    const error = await expectRejection(client.revokeToken('T1'), 'TimeoutError');
    expect(error.message).to.include(String(FAST_RETRY.timeoutMs));
    expect(transport.calls).to.have.length(FAST_RETRY.maxAttempts);
  });

  it('does not retry an error that is not a NetworkError', async () => {
    const transport = new FakeTransport().on('GET', /./, () => {
      throw new TypeError('bug in transport');
    });
    const { client } = makeClient(transport);
    expect(await rejectionOf(client.listApps())).to.be.instanceOf(TypeError);
    expect(transport.calls).to.have.length(1);
  });

  it('counts GET, DELETE and retries in stats', async () => {
    const transport = new FakeTransport()
      .on('GET', /./, status(503), json({ apps: [] }))
      .on('DELETE', /./, networkError(), status(502), noContent());
    const { client } = makeClient(transport);
    await client.listApps();
    await client.revokeToken('T1');
    await client.revokeAppTokens(appId(1));
    expect(client.stats).to.deep.equal({ GET: 2, DELETE: 4, retries: 3 });
  });
});

describe('usageClient: stopping', () => {
  it('halts on REQUEST_LIMIT_EXCEEDED: later calls fail as not sent, without reaching the transport', async () => {
    const transport = new FakeTransport()
      .on('DELETE', /./, apiFailure(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), noContent())
      .on('GET', /./, json({ apps: [] }));
    const { client, sleeps } = makeClient(transport);
    await expectRejection(client.revokeToken('T1'), 'RequestLimitExceededError');
    await expectRejection(client.revokeToken('T2'), 'NotSentError');
    await expectRejection(client.listApps(), 'NotSentError');
    expect(transport.calls).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('halts requests queued behind the limiter when REQUEST_LIMIT_EXCEEDED arrives', async () => {
    const gate = deferred();
    const transport = new FakeTransport().on('DELETE', /./, async () => {
      await gate.promise;
      return apiFailure(403, 'REQUEST_LIMIT_EXCEEDED', 'limit');
    });
    const { client } = makeClient(transport, { concurrency: 1 });
    const results = ['T1', 'T2', 'T3'].map((id) => client.revokeToken(id).then(() => 'ok', (error: Error) => error.name));
    await tick(2);
    gate.resolve();
    expect(await Promise.all(results)).to.deep.equal(['RequestLimitExceededError', 'NotSentError', 'NotSentError']);
    expect(transport.calls).to.have.length(1);
  });

  it('interrupt(): requests not yet sent throw InterruptedError and reach no transport', async () => {
    const transport = new FakeTransport().on('DELETE', /./, noContent()).on('GET', /./, json({ apps: [] }));
    const { client } = makeClient(transport);
    client.interrupt();
    await expectRejection(client.revokeToken('T1'), 'InterruptedError');
    await expectRejection(client.listApps(), 'InterruptedError');
    expect(transport.calls).to.have.length(0);
  });

  it('interrupt(): the request in flight finishes, queued ones are not sent', async () => {
    const { transport, open } = gatedDeletes();
    const { client } = makeClient(transport, { concurrency: 1 });
    const results = ['T1', 'T2', 'T3'].map((id) => client.revokeToken(id).then(() => 'revoked', (error: Error) => error.name));
    await tick(2);
    client.interrupt();
    open();
    expect(await Promise.all(results)).to.deep.equal(['revoked', 'InterruptedError', 'InterruptedError']);
    expect(transport.calls.map((call) => call.path)).to.deep.equal(['/apps/oauth/usage/tokens/T1']);
  });

  it('interrupt(): a request waiting for a retry is not sent again', async () => {
    const transport = new FakeTransport().on('GET', /./, status(503), json({ apps: [] }));
    const sleeps: number[] = [];
    const { client } = makeClient(transport, {
      sleep: async (ms): Promise<void> => {
        sleeps.push(ms);
        client.interrupt();
        await tick();
      },
    });
    await expectRejection(client.listApps(), 'InterruptedError');
    expect(sleeps).to.have.length(1);
    expect(transport.calls).to.have.length(1);
  });

  it('caps the requests in flight at the concurrency option', async () => {
    const gates = Array.from({ length: 8 }, () => deferred());
    let served = 0;
    const transport = new FakeTransport().on('DELETE', /./, async () => {
      await gates[served++].promise;
      return noContent();
    });
    const { client } = makeClient(transport, { concurrency: 3 });
    const all = Promise.all(Array.from({ length: 8 }, (_, i) => client.revokeToken(`T${i}`)));
    await tick(3);
    expect(transport.inFlight).to.equal(3);
    for (const gate of gates) {
      gate.resolve();
      // eslint-disable-next-line no-await-in-loop
      await tick(3);
    }
    await all;
    expect(transport.calls).to.have.length(8);
    expect(transport.maxInFlight).to.equal(3);
  });
});

describe('usageClient: newestApiVersion', () => {
  it('returns the highest NN.N version the org lists', async () => {
    const transport = new FakeTransport().on(
      'GET',
      '/services/data',
      json([{ version: '58.0' }, { version: '62.0' }, { version: '100.0' }, { version: '9x' }, { label: 'x' }])
    );
    const { client } = makeClient(transport);
    expect(await client.newestApiVersion()).to.equal('100.0');
  });

  it('returns undefined when the list is not an array', async () => {
    const transport = new FakeTransport().on('GET', '/services/data', json({ versions: [] }));
    const { client } = makeClient(transport);
    expect(await client.newestApiVersion()).to.equal(undefined);
  });
});

describe('usageClient: connecting', () => {
  type StubConnection = {
    instanceUrl: string;
    version: string;
    getApiVersion(): string;
    setApiVersion(version: string): void;
  };

  /** An org whose connection only knows its version; the requests go to a transport handed in through the options. */
  const stubOrg = (
    version: string,
    answer: (url: string) => unknown
  ): { org: Org; connection: StubConnection & { requests: Array<{ method: string; url: string }> }; asked: Array<string | undefined>; options: ConnectOptions } => {
    const asked: Array<string | undefined> = [];
    const requests: Array<{ method: string; url: string }> = [];
    const connection = {
      instanceUrl: INSTANCE_URL,
      version,
      requests,
      getApiVersion(): string {
        return this.version;
      },
      setApiVersion(next: string): void {
        this.version = next;
      },
    };
    const transport: HttpTransport = {
      async send(method, url): Promise<HttpResponse> {
        requests.push({ method, url });
        await tick();
        const value = answer(url);
        if (value instanceof Error) {
          const errorCode = (value as Error & { errorCode?: string }).errorCode;
          return { status: errorCode === 'INVALID_SESSION_ID' ? 401 : 400, headers: {}, body: [{ errorCode, message: value.message }], bodyIsJson: true, contentType: 'application/json' };
        }
        return json(value);
      },
    };
    const org = {
      // The 15-character form, as core may hold it: the rows carry the 18-character one.
      getOrgId: (): string => ORG_ID.slice(0, 15),
      getConnection: (apiVersion?: string): StubConnection => {
        asked.push(apiVersion);
        if (apiVersion) connection.version = apiVersion;
        return connection;
      },
    } as unknown as Org;
    return { org, connection, asked, options: { retry: FAST_RETRY, sleep: async (): Promise<void> => {}, transport: () => transport } };
  };

  it('forConnection refuses an API version below 59.0 before any request', async () => {
    const { org, connection, options } = stubOrg('58.0', () => ({ apps: [] }));
    expect(() => UsageClient.forConnection(org.getConnection() as unknown as Connection, ORG_ID, options)).to.throw().with.property('name', 'ApiVersionTooLowError');
    await tick();
    expect(connection.requests).to.deep.equal([]);
  });

  it('connect with an explicit version below 59.0 fails without asking the org', async () => {
    const { org, connection, options } = stubOrg('62.0', () => [{ version: '62.0' }]);
    const error = await expectRejection(UsageClient.connect(org, '58.0', options), 'ApiVersionTooLowError');
    expect(error.message).to.include('58.0');
    expect(connection.requests).to.deep.equal([]);
  });

  it('connect without a version on a connection that fell back to an old one uses the org newest version', async () => {
    const { org, connection, options } = stubOrg('55.0', (url) => (url === '/services/data' ? [{ version: '61.0' }, { version: '62.0' }] : { apps: [] }));
    const client = await UsageClient.connect(org, undefined, options);
    expect(connection.version).to.equal('62.0');
    expect(await client.listApps()).to.deep.equal([]);
    expect(connection.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['GET /services/data', 'GET /apps/oauth/usage?page=0&pageSize=100']);
  });

  it('connect without a version reports the real failure of the version probe', async () => {
    const expired = Object.assign(new Error('Session expired or invalid'), { name: 'INVALID_SESSION_ID', errorCode: 'INVALID_SESSION_ID' });
    const { org, options } = stubOrg('55.0', () => expired);
    await expectRejection(UsageClient.connect(org, undefined, options), 'SessionExpiredError');
  });

  it('connect does not probe when the connection already has 59.0 or later', async () => {
    const { org, connection, options } = stubOrg('60.0', () => ({ apps: [] }));
    await UsageClient.connect(org, undefined, options);
    expect(connection.version).to.equal('60.0');
    expect(connection.requests).to.deep.equal([]);
  });

  it('connect names the org by its 18-character id in every row, also when core holds the 15-character one', async () => {
    const user = userRow(appRow(1, 'App_1'), 1);
    const { org, options } = stubOrg('62.0', () => ({ users: [withoutOrgId(user)], nextPageUrl: null }));
    const client = await UsageClient.connect(org, undefined, options);
    expect(client.orgId).to.equal(ORG_ID);
    expect(await client.listUsers(appId(1))).to.deep.equal([user]);
  });
});

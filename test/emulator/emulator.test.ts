import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import {
  generateState,
  isStale,
  loadState,
  staleTokens,
  to18CharId,
  type EmulatorState,
  type EmulatedToken,
} from './model.js';
import { Emulator, type RequestLogEntry } from './server.js';

const NOW = '2026-11-28T12:00:00.000Z';
const BASE = '/services/data/v62.0/apps/oauth/usage';
const DAY = 86_400_000;

type Json = Record<string, unknown>;
type AppItem = { identifier: string; developerName: string; usageDetailsUrl: string };
type UserRow = {
  userIdentifier: string;
  username: string;
  useCount: number;
  lastUsedAt: string | null;
  initialConnectionAt: string;
  revocationUrl: string;
};
type TokenRow = { revocationUrl: string; lastUsedAt: string | null; useCount: number };
type AppPage = { apps: AppItem[]; currentPageUrl: string; nextPageUrl: string };
type UserPage = { users: UserRow[]; currentPageUrl: string; nextPageUrl: string };
type TokenPage = { tokens: TokenRow[]; currentPageUrl: string; nextPageUrl?: string };
type ErrorItem = { errorCode: string; message: string };

function small(): EmulatorState {
  return generateState({ apps: 5, usersPerApp: 4, tokensPerUser: 2, seed: 7, now: NOW });
}

describe('emulator model', () => {
  it('generateState is deterministic for a seed and uses the documented id formats', () => {
    const spec = { apps: 30, usersPerApp: 10, tokensPerUser: 2, seed: 11, now: NOW };
    const a = generateState(spec);
    expect(generateState(spec)).to.deep.equal(a);
    expect(generateState({ ...spec, seed: 12 })).to.not.deep.equal(a);

    expect(a.apps).to.have.length(30);
    for (const app of a.apps) expect(app.identifier).to.match(/^0xI[A-Za-z0-9]{12}$/);
    expect(new Set(a.apps.map((x) => x.developerName)).size).to.equal(30);
    expect(a.apps.map((x) => x.developerName)).to.include('Billing_Connector').and.include('Billing_Connector_2');
    expect(new Set(a.apps.map((x) => x.accessTokenFormat))).to.deep.equal(new Set(['JWT', 'Opaque']));

    // Shared users: one population of usersPerApp users, each holding tokens of every app.
    expect(a.users).to.have.length(10);
    for (const u of a.users) {
      expect(u.userIdentifier).to.match(/^005[A-Za-z0-9]{15}$/);
      expect(to18CharId(u.userIdentifier.slice(0, 15))).to.equal(u.userIdentifier);
      expect(u.username).to.match(/^[a-z]+\.[a-z]+\d*@acme\.example\.com$/);
    }
    expect(new Set(a.users.map((u) => u.username)).size).to.equal(10);
    expect(a.tokens).to.have.length(600);
    expect(new Set(a.tokens.map((t) => t.tokenId)).size).to.equal(600);
    for (const t of a.tokens) {
      expect(t.tokenId).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(t.initialConnectionAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      if (t.lastUsedAt !== null) expect(t.initialConnectionAt <= t.lastUsedAt).to.equal(true);
      else expect(t.useCount).to.equal(0);
    }
    expect(generateState({ ...spec, sharedUsers: false }).users).to.have.length(300);
  });

  it('spreads lastUsedAt so staleTokens matches the requested fractions', () => {
    const state = generateState({ apps: 4, usersPerApp: 25, tokensPerUser: 2, seed: 3, now: NOW });
    const now = new Date(NOW);
    const stale = staleTokens(state, 90, now);
    const never = state.tokens.filter((t) => t.lastUsedAt === null);
    expect(never).to.have.length(20);
    expect(stale).to.have.length(20 + 70);
    const age = (t: EmulatedToken): number => (now.getTime() - Date.parse(t.lastUsedAt as string)) / DAY;
    for (const t of state.tokens.filter((x) => x.lastUsedAt !== null)) {
      const days = age(t);
      expect(days > 90 ? days <= 720 : days <= 60, `age ${days}`).to.equal(true);
    }
    // Stale tokens are older than 90 days, so a 60-day threshold catches them plus nothing recent.
    expect(staleTokens(state, 60, now)).to.have.length(90);
    expect(staleTokens(state, 800, now)).to.have.length(20);
  });

  it('isStale: never used is stale, used exactly N days ago is not, a millisecond earlier is', () => {
    const now = Date.parse(NOW);
    expect(isStale(null, 90, now)).to.equal(true);
    expect(isStale(new Date(now - 90 * DAY).toISOString(), 90, now)).to.equal(false);
    expect(isStale(new Date(now - 90 * DAY - 1).toISOString(), 90, now)).to.equal(true);
  });

  it('loadState accepts the bundled seed and rejects broken data clearly', async () => {
    const state = loadState(await readFile(new URL('seeds/small.json', import.meta.url), 'utf8'));
    expect(state.apps).to.have.length(3);
    expect(state.tokens.some((t) => t.lastUsedAt === null)).to.equal(true);
    expect(() => loadState('{')).to.throw(/not JSON/);
    const bad = small();
    bad.tokens[0].appIdentifier = 'nope';
    expect(() => loadState(JSON.stringify(bad))).to.throw(/tokens\[0\]\.appIdentifier/);
    const badFormat = small();
    (badFormat.apps[0] as { accessTokenFormat: string }).accessTokenFormat = 'jwt';
    expect(() => loadState(JSON.stringify(badFormat))).to.throw(/accessTokenFormat/);
  });
});

describe('emulator server', () => {
  let emu: Emulator;
  let auth: Record<string, string>;

  const call = async (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${emu.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
  const json = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await call(path, init);
    return { status: res.status, body: (await res.json()) as T };
  };
  const control = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${emu.url}/__emulator/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeEach(async () => {
    emu = await Emulator.start({ state: small() });
    auth = { Authorization: `Bearer ${emu.accessToken}` };
  });
  afterEach(async () => emu.stop());

  it('answers what sf and @salesforce/core call while logging in', async () => {
    const versions = await json<Array<{ version: string; url: string; label: string }>>('/services/data');
    expect(versions.body.map((v) => v.version)).to.include('55.0').and.include('66.0');
    expect(versions.body[versions.body.length - 1]).to.deep.equal({
      label: "Spring '26",
      url: '/services/data/v66.0',
      version: '66.0',
    });
    const map = await json<Json>('/services/data/v66.0');
    expect(map.body.sobjects).to.equal('/services/data/v66.0/sobjects');
    const info = await json<Json>('/services/oauth2/userinfo');
    const org = emu.state().org;
    expect(info.body).to.include({ 'user_id': org.adminUserId, 'organization_id': org.orgId });
    // @salesforce/core hard-codes v51.0 for these two calls.
    const user = await json<Json>(`//services/data/v51.0/sobjects/User/${org.adminUserId}`);
    expect(user.body.Username).to.equal(org.adminUsername);
    expect((await call('/services/data/v62.0/sobjects/User/005000000000999AAA')).status).to.equal(404);
    const scratch = await json<ErrorItem[]>('/services/data/v51.0/query?q=SELECT%20Id%20FROM%20ScratchOrgInfo%20limit%201');
    expect(scratch.status).to.equal(400);
    expect(scratch.body[0].errorCode).to.equal('INVALID_TYPE');
    const orgQuery = await json<{ totalSize: number; records: Json[] }>(
      `/services/data/v66.0/query?q=${encodeURIComponent('SELECT Name, InstanceName FROM Organization')}`
    );
    expect(orgQuery.body.totalSize).to.equal(1);
    expect(orgQuery.body.records[0]).to.include({ Id: org.orgId, IsSandbox: false });
    const sandbox = await json<Json>('/services/data/v66.0/tooling/query?q=SELECT%20Id%20FROM%20SandboxProcess');
    expect(sandbox.body).to.deep.equal({ totalSize: 0, done: true, records: [] });
    const unknown = await json<ErrorItem[]>('/services/data/v99.0');
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.deep.equal([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('rejects requests without the bearer token with 401 INVALID_SESSION_ID', async () => {
    const variants: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong' }, { Authorization: emu.accessToken }];
    for (const headers of variants) {
      // eslint-disable-next-line no-await-in-loop
      const res = await fetch(`${emu.url}${BASE}`, { headers });
      expect(res.status).to.equal(401);
      // eslint-disable-next-line no-await-in-loop
      expect(await res.json()).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });

  it('collapses repeated slashes instead of treating //services as a host', async () => {
    const res = await json<AppPage>('//services//data/v62.0//apps/oauth/usage');
    expect(res.status).to.equal(200);
    expect(res.body.apps).to.have.length(5);
    expect(emu.requests()[0].path).to.equal(BASE);
  });

  it('pages apps by developerName with nextPageUrl on every page and an empty page past the end', async () => {
    const expected = emu
      .state()
      .apps.map((a) => a.developerName)
      .sort();
    const seen: string[] = [];
    let next: string | undefined = `${BASE}?pageSize=2`;
    const pages: AppPage[] = [];
    while (next) {
      // eslint-disable-next-line no-await-in-loop
      const { status, body }: { status: number; body: AppPage } = await json<AppPage>(next);
      expect(status).to.equal(200);
      pages.push(body);
      seen.push(...body.apps.map((a) => a.developerName));
      expect(body.nextPageUrl).to.be.a('string');
      next = body.apps.length === 0 ? undefined : body.nextPageUrl;
    }
    expect(seen).to.deep.equal(expected);
    expect(pages.map((p) => p.apps.length)).to.deep.equal([2, 2, 1, 0]);
    expect(pages[2].currentPageUrl).to.equal(`${BASE}?page=2&pageSize=2`);
    expect(pages[2].nextPageUrl).to.equal(`${BASE}?page=3&pageSize=2`);
    expect(pages[3].nextPageUrl).to.equal(`${BASE}?page=4&pageSize=2`);
    const first = pages[0].apps[0];
    expect(first.usageDetailsUrl).to.equal(`${BASE}/${first.identifier}/users`);
    expect(first.identifier).to.have.length(15);

    const defaults = await json<AppPage>('/services/data/v60.0/apps/oauth/usage');
    expect(defaults.body.currentPageUrl).to.equal('/services/data/v60.0/apps/oauth/usage?page=0&pageSize=100');

    for (const q of ['page=-1', 'page=x', 'pageSize=0', 'pageSize=2001', 'pageSize=1.5']) {
      // eslint-disable-next-line no-await-in-loop
      const bad = await json<ErrorItem[]>(`${BASE}?${q}`);
      expect(bad.status, q).to.equal(400);
      expect(bad.body[0].errorCode).to.equal('INVALID_INPUT');
    }
  });

  it('lists users of an app with per-user aggregates, and their tokens', async () => {
    const state = emu.state();
    const app = state.apps[1];
    const { body } = await json<UserPage>(`${BASE}/${app.identifier}/users?page=0&pageSize=3`);
    expect(body.users).to.have.length(3);
    expect(body.nextPageUrl).to.equal(`${BASE}/${app.identifier}/users?page=1&pageSize=3`);
    const names = body.users.map((u) => u.username);
    expect(names).to.deep.equal([...names].sort());
    const row = body.users[0];
    const mine = state.tokens.filter((t) => t.appIdentifier === app.identifier && t.userIdentifier === row.userIdentifier);
    expect(row.useCount).to.equal(mine.reduce((s, t) => s + t.useCount, 0));
    expect(row.initialConnectionAt).to.equal(mine.map((t) => t.initialConnectionAt).sort()[0]);
    expect(row.revocationUrl).to.equal(`${BASE}/${app.identifier}/${row.userIdentifier}/tokens`);

    const tokens = await json<TokenPage>(row.revocationUrl);
    expect(tokens.body.tokens).to.have.length(mine.length);
    expect(tokens.body).to.not.have.property('nextPageUrl');
    const ids = tokens.body.tokens.map((t) => t.revocationUrl.split('/').pop());
    expect(ids.sort()).to.deep.equal(mine.map((t) => t.tokenId).sort());
    expect(JSON.stringify(tokens.body.tokens.map((t) => ({ ...t, revocationUrl: '' })))).to.not.include(mine[0].tokenId);

    const last = await json<UserPage>(`${BASE}/${app.identifier}/users?page=5&pageSize=3`);
    expect(last.body.users).to.deep.equal([]);
    expect(last.body.nextPageUrl).to.equal(`${BASE}/${app.identifier}/users?page=6&pageSize=3`);
  });

  it('matches ids exactly as returned: an 18-char app id, unknown ids and old versions get 404', async () => {
    const app = emu.state().apps[0];
    const user = emu.state().users[0];
    const eighteen = to18CharId(app.identifier);
    expect(eighteen).to.have.length(18);
    expect((await call(`${BASE}/${eighteen}/users`)).status).to.equal(404);
    expect((await call(`${BASE}/0xIHs000000ZZZZ/users`)).status).to.equal(404);
    expect((await call(`${BASE}/${app.identifier}/005000000000000AAA/tokens`)).status).to.equal(404);
    // Percent-encoded segments are decoded once before matching.
    expect((await call(`${BASE}/${encodeURIComponent(app.identifier).replace('x', '%78')}/users`)).status).to.equal(200);
    const old = await json<ErrorItem[]>('/services/data/v58.0/apps/oauth/usage');
    expect(old.status).to.equal(404);
    expect(old.body).to.be.an('array');
    expect(old.body[0].errorCode).to.equal('NOT_FOUND');
    expect((await call('/services/data/v51.0/apps/oauth/usage')).status).to.equal(404);
    expect((await call(`/services/data/v59.0/apps/oauth/usage/${app.identifier}/${user.userIdentifier}/tokens`)).status).to.equal(200);
  });

  it('revokes one token: 204 then 404, and the state shrinks', async () => {
    const before = emu.state();
    const t = before.tokens[0];
    const url = `${BASE}/tokens/${t.tokenId}`;
    const first = await call(url, { method: 'DELETE' });
    expect(first.status).to.equal(204);
    expect(await first.text()).to.equal('');
    expect((await call(url, { method: 'DELETE' })).status).to.equal(404);
    const after = emu.state();
    expect(after.tokens).to.have.length(before.tokens.length - 1);
    expect(after.tokens.map((x) => x.tokenId)).to.not.include(t.tokenId);
    expect((await call(url)).status).to.equal(405);
  });

  it('revokes all tokens of one user for an app, then all tokens of an app', async () => {
    const state = emu.state();
    const [appA, appB] = state.apps;
    const user = state.users[0];
    const userUrl = `${BASE}/${appA.identifier}/${user.userIdentifier}/tokens`;
    expect((await call(userUrl, { method: 'DELETE' })).status).to.equal(204);
    expect((await call(userUrl, { method: 'DELETE' })).status).to.equal(404);
    const empty = await json<TokenPage>(userUrl);
    expect(empty.status).to.equal(200);
    expect(empty.body.tokens).to.deep.equal([]);
    expect(
      emu.state().tokens.filter((t) => t.appIdentifier === appA.identifier && t.userIdentifier === user.userIdentifier)
    ).to.deep.equal([]);
    // Other apps keep that user's tokens (shared users).
    expect(emu.state().tokens.some((t) => t.appIdentifier === appB.identifier && t.userIdentifier === user.userIdentifier)).to.equal(true);

    const appUrl = `${BASE}/${appB.identifier}/tokens`;
    expect((await call(appUrl, { method: 'DELETE' })).status).to.equal(204);
    expect((await call(appUrl, { method: 'DELETE' })).status).to.equal(404);
    expect(emu.state().tokens.filter((t) => t.appIdentifier === appB.identifier)).to.deep.equal([]);
    const list = await json<AppPage>(BASE);
    expect(list.body.apps.map((a) => a.identifier)).to.not.include(appB.identifier);
    expect(list.body.apps).to.have.length(4);
    expect((await call(`${BASE}/0xIHs000000ZZZZ/tokens`, { method: 'DELETE' })).status).to.equal(404);
  });

  it('fault: status with headers, counted by times, then normal answers', async () => {
    emu.addFaults([{ method: 'GET', path: '/apps/oauth/usage\\?', times: 2, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } }]);
    const first = await call(`${BASE}?page=0`);
    expect(first.status).to.equal(429);
    expect(first.headers.get('retry-after')).to.equal('1');
    expect(((await first.json()) as ErrorItem[])[0].errorCode).to.equal('REQUEST_LIMIT_EXCEEDED');
    // A different path does not match and does not use up the rule.
    expect((await call(`${BASE}/${emu.state().apps[0].identifier}/users`)).status).to.equal(200);
    expect((await call(BASE)).status).to.equal(429);
    expect((await call(BASE)).status).to.equal(200);
    expect(emu.pendingFaults()).to.deep.equal([]);

    const limit = [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }];
    emu.addFaults([{ times: -1, action: { type: 'status', status: 403, body: limit } }]);
    for (let i = 0; i < 3; i++) {
      // eslint-disable-next-line no-await-in-loop
      const res = await json<ErrorItem[]>(BASE);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(limit);
    }
    // Login-path resources are never faulted.
    expect((await call('/services/data/v62.0')).status).to.equal(200);
    emu.clearFaults();
    expect((await call(BASE)).status).to.equal(200);
    expect(emu.requests().filter((e) => e.fault === 'status').map((e) => e.status)).to.deep.equal([429, 429, 403, 403, 403]);
  });

  it('fault: html maintenance page and truncated JSON', async () => {
    emu.addFaults([{ action: { type: 'html' } }, { action: { type: 'truncated' } }]);
    const html = await call(BASE);
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/^text\/html/);
    expect(await html.text()).to.match(/<html/i);
    const cut = await call(BASE);
    expect(cut.status).to.equal(200);
    expect(cut.headers.get('content-type')).to.match(/^application\/json/);
    const text = await cut.text();
    expect(text.startsWith('{"apps":[')).to.equal(true);
    expect(() => JSON.parse(text) as unknown).to.throw();
  });

  it('fault: reset drops the connection, delay and latency slow the answer', async () => {
    emu.addFaults([{ action: { type: 'reset' } }, { method: 'GET', action: { type: 'delay', ms: 150 } }]);
    let error: unknown;
    try {
      await call(BASE);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    let started = Date.now();
    expect((await call(BASE)).status).to.equal(200);
    expect(Date.now() - started).to.be.at.least(140);
    emu.setLatency(250);
    started = Date.now();
    expect((await call('/services/data/v62.0')).status).to.equal(200);
    expect(Date.now() - started, 'latency only applies to usage resources').to.be.below(200);
    started = Date.now();
    expect((await call(BASE)).status).to.equal(200);
    expect(Date.now() - started).to.be.at.least(240);
    expect(emu.requests().map((e) => [e.status, e.fault])).to.deep.equal([
      [0, 'reset'],
      [200, 'delay'],
      [200, undefined],
      [200, undefined],
    ]);
  });

  it('fault: foreignUrls makes emitted URLs absolute on another origin', async () => {
    emu.addFaults([{ action: { type: 'foreignUrls', origin: 'https://evil.example.com' } }]);
    const { body } = await json<AppPage>(BASE);
    expect(body.nextPageUrl).to.equal(`https://evil.example.com${BASE}?page=1&pageSize=100`);
    expect(body.apps[0].usageDetailsUrl.startsWith('https://evil.example.com/services/')).to.equal(true);
    const normal = await json<AppPage>(BASE);
    expect(normal.body.nextPageUrl.startsWith('/services/')).to.equal(true);
  });

  it('fault: hang never answers, is logged with status 0, and stop() still returns', async () => {
    emu.addFaults([{ action: { type: 'hang' } }]);
    let error: unknown;
    try {
      await fetch(`${emu.url}${BASE}`, { headers: auth, signal: AbortSignal.timeout(150) });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    expect(emu.requests()).to.have.length(1);
    expect(emu.requests()[0]).to.include({ status: 0, fault: 'hang', method: 'GET', path: BASE });

    emu.addFaults([{ action: { type: 'hang' } }]);
    const pending = fetch(`${emu.url}${BASE}`, { headers: auth }).then(
      () => 'answered',
      () => 'failed'
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await emu.stop();
    expect(Date.now() - started).to.be.below(1000);
    expect(await pending).to.equal('failed');
  });

  it('logs method, path and status but never the access token', async () => {
    await call(`${BASE}?pageSize=1&access_token=${encodeURIComponent(emu.accessToken)}`);
    await call(`${BASE}/tokens/doesNotExist`, { method: 'DELETE' });
    await fetch(`${emu.url}/services/data/v62.0`, { headers: { Authorization: 'Bearer nope' } });
    const log = emu.requests();
    expect(log.map((e) => [e.method, e.path, e.status])).to.deep.equal([
      ['GET', BASE, 200],
      ['DELETE', `${BASE}/tokens/doesNotExist`, 404],
      ['GET', '/services/data/v62.0', 401],
    ]);
    expect(log[0].query).to.match(/^pageSize=1&access_token=\[REDACTED\]$/);
    expect(log.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
    const everything = JSON.stringify({ log, state: emu.state(), control: (await control<unknown>('GET', 'log')).body });
    expect(everything).to.not.include(emu.accessToken);
    expect(everything).to.not.include(encodeURIComponent(emu.accessToken));
    emu.clearLog();
    expect(emu.requests()).to.deep.equal([]);
  });

  it('exposes the control API over HTTP without auth and without logging it', async () => {
    const state = await control<EmulatorState>('GET', 'state');
    expect(state.body).to.deep.equal(emu.state());

    expect((await control<{ pending: number }>('POST', 'faults', [{ action: { type: 'status', status: 503 } }])).body).to.deep.equal({ pending: 1 });
    expect((await control<unknown[]>('GET', 'faults')).body).to.have.length(1);
    const unavailable = await json<ErrorItem[]>(BASE);
    expect(unavailable.status).to.equal(503);
    expect(unavailable.body[0].errorCode).to.equal('SERVER_UNAVAILABLE');
    await control('POST', 'faults', [{ times: -1, action: { type: 'status', status: 500 } }]);
    expect((await control<{ cleared: number }>('DELETE', 'faults')).body).to.deep.equal({ cleared: 1 });
    expect((await control<Json>('POST', 'faults', [{ action: { type: 'bogus' } }])).status).to.equal(400);
    expect((await control<Json>('POST', 'faults', [{ path: '(', action: { type: 'reset' } }])).status).to.equal(400);

    expect((await control<Json>('POST', 'latency', { ms: 5 })).body).to.deep.equal({ latencyMs: 5 });
    expect((await control<Json>('POST', 'latency', { ms: -1 })).status).to.equal(400);

    const reseeded = await control<{ tokens: number }>('POST', 'reset', { seed: { apps: 2, usersPerApp: 3, tokensPerUser: 1, now: NOW } });
    expect(reseeded.body.tokens).to.equal(6);
    expect(emu.state().apps).to.have.length(2);
    const replaced = small();
    replaced.tokens = replaced.tokens.slice(0, 1);
    expect((await control<{ tokens: number }>('POST', 'reset', replaced)).body.tokens).to.equal(1);
    expect(emu.state()).to.deep.equal(replaced);
    expect((await control<Json>('POST', 'reset', { apps: 'nope' })).status).to.equal(400);

    const log = await control<RequestLogEntry[]>('GET', 'log');
    expect(log.body.map((e) => e.path)).to.deep.equal([BASE]);
    expect((await control<Json>('DELETE', 'log')).body).to.deep.equal({ cleared: 1 });
    expect(emu.requests()).to.deep.equal([]);
    expect((await control<Json>('GET', 'nothing')).status).to.equal(404);
  });

  it('can emit absolute URLs and serve a custom version list', async () => {
    await emu.stop();
    emu = await Emulator.start({ state: small(), absoluteUrls: true, versions: ['60.0', '61.0'], accessToken: '00DXX0000001abcAAA!custom' });
    auth = { Authorization: 'Bearer 00DXX0000001abcAAA!custom' };
    const { body } = await json<AppPage>('/services/data/v61.0/apps/oauth/usage');
    expect(body.nextPageUrl).to.equal(`${emu.url}/services/data/v61.0/apps/oauth/usage?page=1&pageSize=100`);
    expect((await call('/services/data/v62.0/apps/oauth/usage')).status).to.equal(404);
    expect((await json<unknown[]>('/services/data')).body).to.have.length(2);
  });
});

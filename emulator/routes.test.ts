import { expect } from 'chai';
import { to18CharId } from './model.js';
import { Emulator } from './server.js';
import { BASE, small, useEmulator, type AppPage, type ErrorItem, type Json, type TokenPage, type UserPage } from './testHarness.js';

describe('emulator server: routes', () => {
  const h = useEmulator();
  const { call, json, control } = h;

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
    const org = h.emu.state().org;
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
    const variants: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong' }, { Authorization: h.emu.accessToken }];
    for (const headers of variants) {
      // eslint-disable-next-line no-await-in-loop
      const res = await fetch(`${h.emu.url}${BASE}`, { headers });
      expect(res.status).to.equal(401);
      // eslint-disable-next-line no-await-in-loop
      expect(await res.json()).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });

  it('exchanges its refresh token for the access token without a bearer token, and refuses it once revoked', async () => {
    const grant = (refreshToken: string, grantType = 'refresh_token'): Promise<Response> =>
      fetch(`${h.emu.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'grant_type': grantType, 'refresh_token': refreshToken, 'client_id': 'PlatformCLI' }).toString(),
      });
    const ok = await grant(h.emu.refreshToken);
    expect(ok.status).to.equal(200);
    const org = h.emu.state().org;
    expect(await ok.json()).to.include({ 'access_token': h.emu.accessToken, 'instance_url': h.emu.url, id: `${h.emu.url}/id/${org.orgId}/${org.adminUserId}` });
    const invalid = { error: 'invalid_grant', 'error_description': 'expired access/refresh token' };
    const wrong = await grant('5Aep861other');
    expect([wrong.status, await wrong.json()]).to.deep.equal([400, invalid]);
    expect((await grant(h.emu.refreshToken, 'password')).status).to.equal(400);
    h.emu.refuseRefresh();
    const refused = await grant(h.emu.refreshToken);
    expect([refused.status, await refused.json()]).to.deep.equal([400, invalid]);
    expect(h.emu.requests().map((entry) => `${entry.method} ${entry.path} ${entry.status} ${entry.query}`)).to.deep.equal([
      'POST /services/oauth2/token 200 ',
      'POST /services/oauth2/token 400 ',
      'POST /services/oauth2/token 400 ',
      'POST /services/oauth2/token 400 ',
    ]);
  });

  it('rotates refresh tokens when asked: each refresh answers new tokens and retires the one it was given', async () => {
    const grant = async (refreshToken: string): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${h.emu.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'grant_type': 'refresh_token', 'refresh_token': refreshToken }).toString(),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    expect((await control<Json>('POST', '/oauth', { rotate: true })).body).to.include({ rotate: true, refused: false });
    const first = await grant(h.emu.refreshToken);
    expect(first.status).to.equal(200);
    const [access, refresh] = [first.body['access_token'] as string, first.body['refresh_token'] as string];
    expect([access, refresh]).not.to.include.members([h.emu.accessToken, h.emu.refreshToken]);
    expect((await grant(h.emu.refreshToken)).body).to.deep.equal({ error: 'invalid_grant', 'error_description': 'expired access/refresh token' });
    const authorized = (token: string): Promise<number> => fetch(`${h.emu.url}${BASE}`, { headers: { Authorization: `Bearer ${token}` } }).then((res) => res.status);
    expect(await authorized(access)).to.equal(200);
    const second = await grant(refresh);
    expect(second.status).to.equal(200);
    expect(await authorized(access)).to.equal(200);
    await control('POST', '/expire-sessions', {});
    expect([await authorized(access), await authorized(second.body['access_token'] as string), await authorized(h.emu.accessToken)]).to.deep.equal([401, 401, 200]);
    expect((await grant(second.body['refresh_token'] as string)).status).to.equal(200);
    expect((await control('POST', '/oauth', { rotate: 'yes' })).status).to.equal(400);
    expect((await control('POST', '/oauth', { spin: true })).status).to.equal(400);
  });

  it('holds refresh answers until enough sessions were found expired', async () => {
    await control('POST', '/oauth', { holdUntilExpiredSessions: 1 });
    let answered = false;
    const pending = fetch(`${h.emu.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ 'grant_type': 'refresh_token', 'refresh_token': h.emu.refreshToken }),
    }).then((res) => {
      answered = true;
      return res.status;
    });
    await json('/services/data/v62.0'); // authorized: does not count
    expect(answered).to.equal(false);
    expect((await fetch(`${h.emu.url}${BASE}`)).status).to.equal(401);
    expect(await pending).to.equal(200);
  });

  it('collapses repeated slashes instead of treating //services as a host', async () => {
    const res = await json<AppPage>('//services//data/v62.0//apps/oauth/usage');
    expect(res.status).to.equal(200);
    expect(res.body.apps).to.have.length(5);
    expect(h.emu.requests()[0].path).to.equal(BASE);
  });

  it('pages apps by developerName with nextPageUrl on every page and an empty page past the end', async () => {
    const expected = h.emu
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
    const state = h.emu.state();
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
    const app = h.emu.state().apps[0];
    const user = h.emu.state().users[0];
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
    const before = h.emu.state();
    const t = before.tokens[0];
    const url = `${BASE}/tokens/${t.tokenId}`;
    const first = await call(url, { method: 'DELETE' });
    expect(first.status).to.equal(204);
    expect(await first.text()).to.equal('');
    expect((await call(url, { method: 'DELETE' })).status).to.equal(404);
    const after = h.emu.state();
    expect(after.tokens).to.have.length(before.tokens.length - 1);
    expect(after.tokens.map((x) => x.tokenId)).to.not.include(t.tokenId);
    expect((await call(url)).status).to.equal(405);
  });

  it('revokes all tokens of one user for an app, then all tokens of an app', async () => {
    const state = h.emu.state();
    const [appA, appB] = state.apps;
    const user = state.users[0];
    const userUrl = `${BASE}/${appA.identifier}/${user.userIdentifier}/tokens`;
    expect((await call(userUrl, { method: 'DELETE' })).status).to.equal(204);
    expect((await call(userUrl, { method: 'DELETE' })).status).to.equal(404);
    const empty = await json<TokenPage>(userUrl);
    expect(empty.status).to.equal(200);
    expect(empty.body.tokens).to.deep.equal([]);
    expect(
      h.emu.state().tokens.filter((t) => t.appIdentifier === appA.identifier && t.userIdentifier === user.userIdentifier)
    ).to.deep.equal([]);
    // Other apps keep that user's tokens (shared users).
    expect(h.emu.state().tokens.some((t) => t.appIdentifier === appB.identifier && t.userIdentifier === user.userIdentifier)).to.equal(true);

    const appUrl = `${BASE}/${appB.identifier}/tokens`;
    expect((await call(appUrl, { method: 'DELETE' })).status).to.equal(204);
    expect((await call(appUrl, { method: 'DELETE' })).status).to.equal(404);
    expect(h.emu.state().tokens.filter((t) => t.appIdentifier === appB.identifier)).to.deep.equal([]);
    const list = await json<AppPage>(BASE);
    expect(list.body.apps.map((a) => a.identifier)).to.not.include(appB.identifier);
    expect(list.body.apps).to.have.length(4);
    expect((await call(`${BASE}/0xIHs000000ZZZZ/tokens`, { method: 'DELETE' })).status).to.equal(404);
  });

  it('answers the User query by username and by id (either form, 18 answered) for every user of the org, tokens or not', async () => {
    const state = h.emu.state();
    const [app] = state.apps;
    const holder = state.users.find((u) => state.tokens.some((t) => t.appIdentifier === app.identifier && t.userIdentifier === u.userIdentifier))!;
    const other = state.users.find((u) => u !== holder)!;
    const soql =
      `SELECT Id, Username FROM User WHERE Username IN ('${holder.username.toUpperCase()}', 'o\\'brien@nowhere.example.com', '${state.org.adminUsername}')` +
      ` OR Id IN ('${other.userIdentifier.slice(0, 15)}', '005000000000099AAA')`;
    const found = await json<{ totalSize: number; records: Json[] }>(`/services/data/v62.0/query?q=${encodeURIComponent(soql)}`);
    expect(found.body.records.map((r) => [r.Id, r.Username])).to.have.deep.members([
      [holder.userIdentifier, holder.username],
      [state.org.adminUserId, state.org.adminUsername],
      [other.userIdentifier, other.username],
    ]);
    const byIdOnly = await json<{ records: Json[] }>(`/services/data/v62.0/query?q=${encodeURIComponent(`SELECT Id, Username FROM User WHERE Id IN ('${holder.userIdentifier}')`)}`);
    expect(byIdOnly.body.records.map((r) => r.Id)).to.deep.equal([holder.userIdentifier]);
    const malformed = await json<ErrorItem[]>(`/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id, Username FROM User WHERE Username IN ('a' 'b')")}`);
    expect(malformed.body[0].errorCode).to.equal('MALFORMED_QUERY');
  });

  it('answers the username-prefix query (LIKE, ignoring case, ORDER BY Username, LIMIT), a LIKE escape matching itself', async () => {
    const state = h.emu.state();
    const query = async (soql: string): Promise<string[]> =>
      (await json<{ records: Json[] }>(`/services/data/v62.0/query?q=${encodeURIComponent(soql)}`)).body.records.map((r) => String(r.Username));
    const [first, second] = [...state.users].sort((a, b) => a.username.localeCompare(b.username));
    const prefix = (user: { username: string }): string => user.username.slice(0, 4).toUpperCase();
    const expected = [...state.users, { username: state.org.adminUsername }]
      .map((user) => user.username)
      .filter((name) => [first, second].some((user) => name.toLowerCase().startsWith(prefix(user).toLowerCase())))
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    const soql = `SELECT Id, Username FROM User WHERE Username LIKE '${prefix(first)}%' OR Username LIKE '${prefix(second)}%' ORDER BY Username`;
    expect(await query(soql)).to.deep.equal(expected).and.include(first.username);
    expect(await query(`${soql} LIMIT 1`)).to.deep.equal(expected.slice(0, 1));
    // An escaped _ is an underscore, not any character.
    expect(await query(`SELECT Id, Username FROM User WHERE Username LIKE '${first.username.slice(0, 1)}\\_%'`)).to.deep.equal([]);
    const malformed = await json<ErrorItem[]>(`/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id, Username FROM User WHERE Username LIKE 'a\\q%'")}`);
    expect(malformed.body[0].errorCode).to.equal('MALFORMED_QUERY');
  });

  it('answers 404 for a 15-character user id in a usage path, as the API does: only the 18-character id it returns works', async () => {
    const state = h.emu.state();
    const [app] = state.apps;
    const holder = state.users.find((u) => state.tokens.some((t) => t.appIdentifier === app.identifier && t.userIdentifier === u.userIdentifier))!;
    const short = `${BASE}/${app.identifier}/${holder.userIdentifier.slice(0, 15)}/tokens`;
    expect((await call(short)).status).to.equal(404);
    expect((await call(short, { method: 'DELETE' })).status).to.equal(404);
    const full = `${BASE}/${app.identifier}/${holder.userIdentifier}/tokens`;
    expect((await json<TokenPage>(full)).body.tokens).to.have.length.greaterThan(0);
    expect((await call(full, { method: 'DELETE' })).status).to.equal(204);
  });

  it('logs method, path and status but never the access token', async () => {
    await call(`${BASE}?pageSize=1&access_token=${encodeURIComponent(h.emu.accessToken)}`);
    await call(`${BASE}/tokens/doesNotExist`, { method: 'DELETE' });
    await fetch(`${h.emu.url}/services/data/v62.0`, { headers: { Authorization: 'Bearer nope' } });
    const log = h.emu.requests();
    expect(log.map((e) => [e.method, e.path, e.status])).to.deep.equal([
      ['GET', BASE, 200],
      ['DELETE', `${BASE}/tokens/doesNotExist`, 404],
      ['GET', '/services/data/v62.0', 401],
    ]);
    expect(log[0].query).to.match(/^pageSize=1&access_token=\[REDACTED\]$/);
    expect(log.map((e) => e.seq)).to.deep.equal([1, 2, 3]);
    const everything = JSON.stringify({ log, state: h.emu.state(), control: (await control<unknown>('GET', 'log')).body });
    expect(everything).to.not.include(h.emu.accessToken);
    expect(everything).to.not.include(encodeURIComponent(h.emu.accessToken));
    h.emu.clearLog();
    expect(h.emu.requests()).to.deep.equal([]);
  });

  it('can emit absolute URLs and serve a custom version list', async () => {
    await h.emu.stop();
    h.emu = await Emulator.start({ state: small(), absoluteUrls: true, versions: ['60.0', '61.0'], accessToken: '00DXX0000001abcAAA!custom' });
    h.auth = { Authorization: 'Bearer 00DXX0000001abcAAA!custom' };
    const { body } = await json<AppPage>('/services/data/v61.0/apps/oauth/usage');
    expect(body.nextPageUrl).to.equal(`${h.emu.url}/services/data/v61.0/apps/oauth/usage?page=1&pageSize=100`);
    expect((await call('/services/data/v62.0/apps/oauth/usage')).status).to.equal(404);
    expect((await json<unknown[]>('/services/data')).body).to.have.length(2);
  });
});

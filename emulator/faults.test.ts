import { expect } from 'chai';
import type { EmulatorState } from './model.js';
import type { RequestLogEntry } from './server.js';
import { BASE, NOW, small, useEmulator, type AppPage, type ErrorItem, type Json, type UserPage } from './testHarness.js';

describe('emulator server: faults and control API', () => {
  const h = useEmulator();
  const { call, json, control } = h;

  it('fault: status with headers, counted by times, then normal answers', async () => {
    h.emu.addFaults([{ method: 'GET', path: '/apps/oauth/usage\\?', times: 2, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } }]);
    const first = await call(`${BASE}?page=0`);
    expect(first.status).to.equal(429);
    expect(first.headers.get('retry-after')).to.equal('1');
    expect(((await first.json()) as ErrorItem[])[0].errorCode).to.equal('REQUEST_LIMIT_EXCEEDED');
    // A different path does not match and does not use up the rule.
    expect((await call(`${BASE}/${h.emu.state().apps[0].identifier}/users`)).status).to.equal(200);
    expect((await call(BASE)).status).to.equal(429);
    expect((await call(BASE)).status).to.equal(200);
    expect(h.emu.pendingFaults()).to.deep.equal([]);

    const limit = [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }];
    h.emu.addFaults([{ times: -1, action: { type: 'status', status: 403, body: limit } }]);
    for (let i = 0; i < 3; i++) {
      // eslint-disable-next-line no-await-in-loop
      const res = await json<ErrorItem[]>(BASE);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(limit);
    }
    // Login-path resources are never faulted.
    expect((await call('/services/data/v62.0')).status).to.equal(200);
    h.emu.clearFaults();
    expect((await call(BASE)).status).to.equal(200);
    expect(h.emu.requests().filter((e) => e.fault === 'status').map((e) => e.status)).to.deep.equal([429, 429, 403, 403, 403]);
  });

  it('fault: html maintenance page and truncated JSON', async () => {
    h.emu.addFaults([{ action: { type: 'html' } }, { action: { type: 'truncated' } }]);
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
    h.emu.addFaults([{ action: { type: 'reset' } }, { method: 'GET', action: { type: 'delay', ms: 150 } }]);
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
    h.emu.setLatency(250);
    started = Date.now();
    expect((await call('/services/data/v62.0')).status).to.equal(200);
    expect(Date.now() - started, 'latency only applies to usage resources').to.be.below(200);
    started = Date.now();
    expect((await call(BASE)).status).to.equal(200);
    expect(Date.now() - started).to.be.at.least(240);
    h.emu.setLatency(250, { everyRequest: true });
    started = Date.now();
    expect((await call('/services/data/v62.0')).status).to.equal(200);
    expect(Date.now() - started, 'with everyRequest, any request pays the latency').to.be.within(240, 480);
    started = Date.now();
    expect((await call(BASE)).status).to.equal(200);
    expect(Date.now() - started, 'a usage request pays it once').to.be.within(240, 480);
    expect(h.emu.requests().map((e) => [e.status, e.fault])).to.deep.equal([
      [0, 'reset'],
      [200, 'delay'],
      [200, undefined],
      [200, undefined],
      [200, undefined],
      [200, undefined],
    ]);
  });

  it('fault: foreignUrls makes emitted URLs absolute on another origin', async () => {
    h.emu.addFaults([{ action: { type: 'foreignUrls', origin: 'https://evil.example.com' } }]);
    const { body } = await json<AppPage>(BASE);
    expect(body.nextPageUrl).to.equal(`https://evil.example.com${BASE}?page=1&pageSize=100`);
    expect(body.apps[0].usageDetailsUrl.startsWith('https://evil.example.com/services/')).to.equal(true);
    const normal = await json<AppPage>(BASE);
    expect(normal.body.nextPageUrl.startsWith('/services/')).to.equal(true);
  });

  it('fault: redirect answers its 3xx status and Location, and does not process the request', async () => {
    const token = h.emu.state().tokens[0].tokenId;
    const location = `http://127.0.0.1:9/services/data/v62.0/apps/oauth/usage/tokens/${token}`;
    h.emu.addFaults([{ method: 'DELETE', path: '/tokens/', action: { type: 'redirect', status: 307, location } }]);
    const moved = await call(`${BASE}/tokens/${token}`, { method: 'DELETE', redirect: 'manual' });
    expect(moved.status).to.equal(307);
    expect(moved.headers.get('location')).to.equal(location);
    expect(await moved.text()).to.equal('');
    expect(h.emu.state().tokens.map((t) => t.tokenId)).to.include(token);
    expect(h.emu.requests().map((e) => [e.method, e.status, e.fault])).to.deep.equal([['DELETE', 307, 'redirect']]);
    // Only a 3xx with a Location is a redirect.
    expect(() => h.emu.addFaults([{ action: { type: 'redirect', status: 200, location } }])).to.throw(/3xx/);
    expect(() => h.emu.addFaults([{ action: { type: 'redirect', status: 302, location: '' } }])).to.throw(/location/);
  });

  it('maxPageSize caps the rows of every usage page, and the page URLs say the size served', async () => {
    const app = h.emu.state().apps[0];
    h.emu.setMaxPageSize(3);
    const first = await json<UserPage>(`${BASE}/${app.identifier}/users?page=0&pageSize=100`);
    expect(first.body.users).to.have.length(3);
    expect(first.body.currentPageUrl).to.equal(`${BASE}/${app.identifier}/users?page=0&pageSize=3`);
    expect(first.body.nextPageUrl).to.equal(`${BASE}/${app.identifier}/users?page=1&pageSize=3`);
    const second = await json<UserPage>(first.body.nextPageUrl);
    expect(second.body.users.map((u) => u.username)).to.deep.equal(
      h.emu
        .state()
        .users.filter((u) => h.emu.state().tokens.some((t) => t.appIdentifier === app.identifier && t.userIdentifier === u.userIdentifier))
        .map((u) => u.username)
        .sort()
        .slice(3, 4)
    );
    expect((await json<AppPage>(`${BASE}?pageSize=50`)).body.apps).to.have.length(3);
    // A smaller pageSize than the cap is served as asked; the control API changes and lifts the cap.
    expect((await json<AppPage>(`${BASE}?pageSize=2`)).body.apps).to.have.length(2);
    expect((await control<Json>('POST', 'max-page-size', { rows: 4 })).body).to.deep.equal({ maxPageSize: 4 });
    expect((await json<AppPage>(BASE)).body.apps).to.have.length(4);
    expect((await control<Json>('POST', 'max-page-size', { rows: null })).body).to.deep.equal({ maxPageSize: null });
    expect((await json<AppPage>(BASE)).body.apps).to.have.length(5);
    expect((await control<Json>('POST', 'max-page-size', { rows: 0 })).status).to.equal(400);
    expect((await control<Json>('POST', 'max-page-size', {})).status).to.equal(400);
  });

  it('fault: hang never answers, is logged with status 0, and stop() still returns', async () => {
    h.emu.addFaults([{ action: { type: 'hang' } }]);
    let error: unknown;
    try {
      await fetch(`${h.emu.url}${BASE}`, { headers: h.auth, signal: AbortSignal.timeout(150) });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    expect(h.emu.requests()).to.have.length(1);
    expect(h.emu.requests()[0]).to.include({ status: 0, fault: 'hang', method: 'GET', path: BASE });

    h.emu.addFaults([{ action: { type: 'hang' } }]);
    const pending = fetch(`${h.emu.url}${BASE}`, { headers: h.auth }).then(
      () => 'answered',
      () => 'failed'
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await h.emu.stop();
    expect(Date.now() - started).to.be.below(1000);
    expect(await pending).to.equal('failed');
  });

  it('exposes the control API over HTTP without auth and without logging it', async () => {
    const state = await control<EmulatorState>('GET', 'state');
    expect(state.body).to.deep.equal(h.emu.state());

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
    expect(h.emu.state().apps).to.have.length(2);
    const replaced = small();
    replaced.tokens = replaced.tokens.slice(0, 1);
    expect((await control<{ tokens: number }>('POST', 'reset', replaced)).body.tokens).to.equal(1);
    expect(h.emu.state()).to.deep.equal(replaced);
    expect((await control<Json>('POST', 'reset', { apps: 'nope' })).status).to.equal(400);

    const log = await control<RequestLogEntry[]>('GET', 'log');
    expect(log.body.map((e) => e.path)).to.deep.equal([BASE]);
    expect((await control<Json>('DELETE', 'log')).body).to.deep.equal({ cleared: 1 });
    expect(h.emu.requests()).to.deep.equal([]);
    expect((await control<Json>('GET', 'nothing')).status).to.equal(404);
  });
});

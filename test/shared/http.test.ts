import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Connection } from '@salesforce/core';
import { AuthInfo, Connection as CoreConnection, SfError } from '@salesforce/core';
import { Connection as JsforceConnection } from '@jsforce/jsforce-node';
import { Transport } from '@jsforce/jsforce-node/lib/transport.js';
import { expect } from 'chai';
import sinon from 'sinon';
import { connectionTransport, fromRaw } from '../../src/api/http.js';
import { type HttpTransport, NetworkError } from '../../src/api/transport.js';

/** jsforce's session refresh hook, which @salesforce/core sets for a saved login. */
type RefreshFn = (conn: unknown, callback: (error: Error | null, token?: string) => void) => void;

describe('http: fromRaw', () => {
  it('parses a JSON body', () => {
    const response = fromRaw({
      statusCode: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: '{"apps":[],"nextPageUrl":null}',
    });
    expect(response).to.deep.equal({
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: { apps: [], nextPageUrl: null },
      bodyIsJson: true,
      contentType: 'application/json;charset=UTF-8',
    });
  });

  it('parses a JSON error array', () => {
    const response = fromRaw({ statusCode: 404, headers: {}, body: '[{"errorCode":"NOT_FOUND","message":"x"}]' });
    expect(response.status).to.equal(404);
    expect(response.body).to.deep.equal([{ errorCode: 'NOT_FOUND', message: 'x' }]);
    expect(response.bodyIsJson).to.equal(true);
    expect(response.contentType).to.equal('');
  });

  it('treats an empty or missing body as no body', () => {
    for (const body of [undefined, '', '  \r\n']) {
      const response = fromRaw({ statusCode: 204, headers: {}, body });
      expect(response.body).to.equal(undefined);
      expect(response.bodyIsJson).to.equal(true);
      expect(response.status).to.equal(204);
    }
  });

  it('keeps an HTML body as text with bodyIsJson false', () => {
    const text = '<!DOCTYPE html><html><body>Maintenance</body></html>';
    const response = fromRaw({ statusCode: 200, headers: { 'content-type': 'text/html' }, body: text });
    expect(response.body).to.equal(text);
    expect(response.bodyIsJson).to.equal(false);
    expect(response.contentType).to.equal('text/html');
  });

  it('keeps truncated JSON as text with bodyIsJson false', () => {
    const text = '{"apps":[{"identifier":"0xI00000000000';
    const response = fromRaw({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: text });
    expect(response.body).to.equal(text);
    expect(response.bodyIsJson).to.equal(false);
  });

  it('NetworkError carries its code', () => {
    const error = new NetworkError('ECONNRESET', 'ECONNRESET');
    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal('NetworkError');
    expect(error.code).to.equal('ECONNRESET');
  });
});

describe('http: connectionTransport on a stubbed connection', () => {
  const stubConnection = (request: sinon.SinonStub): Connection => ({ request } as unknown as Connection);

  it('sends the method and path once, with jsforce retries off and the time-out', async () => {
    const request = sinon.stub().resolves({ apps: [] });
    const response = await connectionTransport(stubConnection(request)).send('GET', '/apps/oauth/usage?page=0&pageSize=5', 1234);
    expect(request.calledOnce).to.equal(true);
    const [info, options] = request.firstCall.args as [unknown, { retry: unknown; timeout: number; transport: unknown }];
    expect(info).to.deep.equal({ method: 'GET', url: '/apps/oauth/usage?page=0&pageSize=5' });
    expect(options.retry).to.deep.equal({ maxRetries: 0 });
    expect(options.timeout).to.equal(1234);
    expect(options.transport).to.be.an('object');
    expect(response).to.include({ status: 200, bodyIsJson: true });
    expect(response.body).to.deep.equal({ apps: [] });
  });

  it('reports an undefined result as 204 No Content', async () => {
    const response = await connectionTransport(stubConnection(sinon.stub().resolves(undefined))).send('DELETE', '/apps/oauth/usage/tokens/T1', 10);
    expect(response.status).to.equal(204);
    expect(response.body).to.equal(undefined);
  });

  it('turns connection failures into NetworkError with their code', async () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
      [Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'ETIMEDOUT'],
      [new Error('socket hang up'), 'ECONNRESET'],
      // undici's fetch (jsforce-node 3.12 and later): the socket's code is only on the cause.
      [new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), 'ECONNRESET'],
      [new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), 'UND_ERR_SOCKET'],
      [new TypeError('fetch failed', { cause: { cause: { code: 'ECONNREFUSED' } } }), 'ECONNREFUSED'],
    ];
    for (const [failure, code] of cases) {
      let caught: unknown;
      try {
        // eslint-disable-next-line no-await-in-loop
        await connectionTransport(stubConnection(sinon.stub().rejects(failure))).send('GET', '/apps/oauth/usage', 10);
      } catch (error) {
        caught = error;
      }
      expect(caught, code).to.be.instanceOf(NetworkError);
      expect((caught as NetworkError).code).to.equal(code);
    }
  });

  it('keeps the errorCode and message of an API error raised without an observed response', async () => {
    const failure = Object.assign(new Error('TotalRequests Limit exceeded.'), { name: 'REQUEST_LIMIT_EXCEEDED', errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    const response = await connectionTransport(stubConnection(sinon.stub().rejects(failure))).send('GET', '/apps/oauth/usage', 10);
    expect(response.status).to.equal(0);
    expect(response.body).to.deep.equal([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
  });
});

describe('http: connectionTransport when the session expired', () => {
  let server: Server;
  let instanceUrl: string;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instanceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // jsforce's own session refresh, as @salesforce/core sets it up for a saved login: refreshFn is core's, here failing
  // the way core fails when the token endpoint answers 400 invalid_grant.
  const send = (refreshFn?: RefreshFn): Promise<unknown> => {
    const connection = new JsforceConnection({ instanceUrl, accessToken: '00D000000000001AAA!old', version: '62.0', refreshFn });
    return connectionTransport(connection as unknown as Connection).send('GET', '/apps/oauth/usage', 5000);
  };
  const failure = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    return expect.fail('should have failed');
  };

  it('returns the 401 when there is no refresh token (an access token as target org)', async () => {
    expect(await send()).to.include({ status: 401 });
  });

  it('throws SessionRefreshRefusedError when the refresh is refused', async () => {
    const error = await failure(send((_conn, callback) => callback(new Error('Error authenticating with the refresh token due to: expired access/refresh token'))));
    expect(error).to.be.instanceOf(SfError);
    expect((error as SfError).name).to.equal('SessionRefreshRefusedError');
    expect((error as SfError).message).to.include('(expired access/refresh token)');
  });

  it('throws NetworkError when the refresh got no answer, so the retry policy applies', async () => {
    const error = await failure(send((_conn, callback) => callback(new Error('Error authenticating with the refresh token due to: socket hang up'))));
    expect(error).to.be.instanceOf(NetworkError);
  });
});

describe('http: connectionTransport on a connection as sf makes it', () => {
  type Seen = { method: string; url: string; headers: Record<string, string | string[] | undefined> };
  let server: Server;
  let instanceUrl: string;
  let seen: Seen[];
  // The access tokens the org accepts, and how it answers: plain JSON, gzip, never, or a redirect to `elsewhere`.
  let valid: Set<string>;
  let answer: 'json' | 'gzip' | 'silence' | 'redirect';
  let jsforceSends: sinon.SinonSpy;
  // Another host, where a followed redirect would take the request and its access token.
  let elsewhere: Server;
  let elsewhereUrl: string;
  let seenElsewhere: Seen[];

  before(async () => {
    elsewhere = createServer((req, res) => {
      req.resume();
      seenElsewhere.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"apps":[]}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    server = createServer((req, res) => {
      req.resume();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      if (answer === 'silence') return;
      if (answer === 'redirect') {
        res.writeHead(307, { Location: `${elsewhereUrl}${req.url ?? '/'}` });
        res.end();
        return;
      }
      if (!valid.has(String(req.headers.authorization).replace('Bearer ', ''))) {
        // A path with "slow" in it gets its 401 late: after another request has had the session refreshed.
        setTimeout(() => {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]');
        }, req.url?.includes('slow') ? 300 : 0);
        return;
      }
      const body = JSON.stringify({ apps: [{ n: seen.length }] });
      if (answer === 'gzip' && String(req.headers['accept-encoding']).includes('gzip')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(gzipSync(body));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instanceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => Promise.all([server, elsewhere].map((open) => new Promise<void>((resolve) => open.close(() => resolve())))));
  beforeEach(() => {
    seen = [];
    seenElsewhere = [];
    valid = new Set(['00D000000000001AAA!one']);
    answer = 'json';
    jsforceSends = sinon.spy(Transport.prototype, 'httpRequest');
  });
  afterEach(() => sinon.restore());

  // A @salesforce/core connection as org.getConnection() makes it; with refreshFn, jsforce's session refresh of a
  // saved login, refreshFn playing core's refresh.
  const connect = async (refreshFn?: RefreshFn): Promise<Connection> => {
    const accessToken = '00D000000000001AAA!one';
    const authInfo = await AuthInfo.create({ accessTokenOptions: { accessToken, instanceUrl, loginUrl: instanceUrl } });
    let connection: Connection;
    if (refreshFn) {
      connection = new CoreConnection({ authInfo, connectionOptions: { instanceUrl, accessToken, version: '62.0', refreshFn } });
      await connection.init();
    } else {
      connection = await CoreConnection.create({ authInfo, connectionOptions: { version: '62.0' } });
    }
    // What creating the login asked the org (its user and org records) is not the transport's doing.
    seen = [];
    jsforceSends.resetHistory();
    return connection;
  };

  /**
   * core's refresh as jsforce calls it, counted: from then on the org accepts only `token`, the refresh's answer,
   * given at once or after `delayMs`.
   */
  const refreshingTo = (token: string, delayMs = 0): { refreshFn: RefreshFn; count: () => number } => {
    let refreshes = 0;
    const refreshFn: RefreshFn = (_conn, callback) => {
      refreshes++;
      const respond = (): void => {
        valid = new Set([token]);
        callback(null, token);
      };
      if (delayMs > 0) setTimeout(respond, delayMs);
      else respond();
    };
    return { refreshFn, count: () => refreshes };
  };

  /** A transport whose first request went through, on a session the org then stops accepting (as when it expires). */
  const expiredAfterFirstRequest = async (refreshFn?: RefreshFn): Promise<HttpTransport> => {
    const transport = connectionTransport(await connect(refreshFn));
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000);
    valid = new Set();
    return transport;
  };

  it('checks the session through jsforce once, then sends the same headers straight, with the current access token', async () => {
    const connection = await connect();
    const transport = connectionTransport(connection);
    const first = await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000);
    const second = await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000);
    valid.add('00D000000000001AAA!two');
    connection.accessToken = '00D000000000001AAA!two';
    const third = await transport.send('DELETE', '/services/data/v62.0/apps/oauth/usage/tokens/T1', 5000);
    expect([first, second, third].map((response) => response.body)).to.deep.equal([{ apps: [{ n: 1 }] }, { apps: [{ n: 2 }] }, { apps: [{ n: 3 }] }]);
    expect(jsforceSends.callCount).to.equal(1);
    expect(seen.map((request) => `${request.method} ${request.url}`)).to.deep.equal([
      'GET /services/data/v62.0/apps/oauth/usage',
      'GET /services/data/v62.0/apps/oauth/usage?page=1',
      'DELETE /services/data/v62.0/apps/oauth/usage/tokens/T1',
    ]);
    // sf's own headers (who is calling, for the org's API usage) go on every request, not only on jsforce's.
    for (const request of seen) {
      expect(request.headers['sforce-call-options']).to.match(/^client=sfdx toolbelt:/);
      expect(request.headers['user-agent']).to.match(/^sfdx toolbelt:/);
    }
    expect(seen.map((request) => request.headers.authorization)).to.deep.equal([
      'Bearer 00D000000000001AAA!one',
      'Bearer 00D000000000001AAA!one',
      'Bearer 00D000000000001AAA!two',
    ]);
  });

  it('hands a 401 to jsforce, which refreshes the session through core; the 401 is not asked for twice', async () => {
    const refresh = refreshingTo('00D000000000001AAA!refreshed');
    const transport = await expiredAfterFirstRequest(refresh.refreshFn);
    const response = await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000);
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=2', 5000);
    expect(response.status).to.equal(200);
    expect(refresh.count()).to.equal(1);
    expect(seen.map((request) => `${request.url} ${String(request.headers.authorization)}`).sort()).to.deep.equal([
      '/services/data/v62.0/apps/oauth/usage Bearer 00D000000000001AAA!one',
      '/services/data/v62.0/apps/oauth/usage?page=1 Bearer 00D000000000001AAA!one',
      '/services/data/v62.0/apps/oauth/usage?page=1 Bearer 00D000000000001AAA!refreshed',
      '/services/data/v62.0/apps/oauth/usage?page=2 Bearer 00D000000000001AAA!refreshed',
    ]);
  });

  it('sends a request again with the new token, without another refresh, when its 401 comes after a refresh', async () => {
    const refresh = refreshingTo('00D000000000001AAA!refreshed');
    const transport = await expiredAfterFirstRequest(refresh.refreshFn);
    const [fast, slow] = await Promise.all([
      transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000),
      transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=slow', 5000),
    ]);
    expect([fast.status, slow.status]).to.deep.equal([200, 200]);
    expect(refresh.count()).to.equal(1);
    expect(seen.filter((request) => request.url.endsWith('slow')).map((request) => String(request.headers.authorization))).to.deep.equal([
      'Bearer 00D000000000001AAA!one',
      'Bearer 00D000000000001AAA!refreshed',
    ]);
  });

  it('sends a 401 request again, without another refresh, when it finds another request\'s refresh under way', async () => {
    const refresh = refreshingTo('00D000000000001AAA!refreshed', 200);
    const transport = await expiredAfterFirstRequest(refresh.refreshFn);
    const responses = await Promise.all([1, 2, 3].map((page) => transport.send('GET', `/services/data/v62.0/apps/oauth/usage?page=${page}`, 5000)));
    expect(responses.map((response) => response.status)).to.deep.equal([200, 200, 200]);
    expect(refresh.count()).to.equal(1);
    // The first request, each page refused once, then each page with the refreshed token: nothing else.
    expect(seen.map((request) => `${request.url} ${String(request.headers.authorization)}`).sort()).to.deep.equal([
      '/services/data/v62.0/apps/oauth/usage Bearer 00D000000000001AAA!one',
      ...[1, 2, 3].map((page) => `/services/data/v62.0/apps/oauth/usage?page=${page} Bearer 00D000000000001AAA!one`),
      ...[1, 2, 3].map((page) => `/services/data/v62.0/apps/oauth/usage?page=${page} Bearer 00D000000000001AAA!refreshed`),
    ].sort());
  });

  it('returns a 401 that cannot be refreshed (an access token as target org) after sending it once', async () => {
    const transport = await expiredAfterFirstRequest();
    const response = await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000);
    expect(response.status).to.equal(401);
    expect(response.body).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect(seen).to.have.length(2);
  });

  it('reads a gzip body, and gives up on a socket that stays silent with a NetworkError', async () => {
    const transport = connectionTransport(await connect());
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000);
    answer = 'gzip';
    expect((await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000)).body).to.deep.equal({ apps: [{ n: 2 }] });
    answer = 'silence';
    let caught: unknown;
    try {
      await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=2', 200);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(NetworkError);
    expect((caught as NetworkError).code).to.equal('ETIMEDOUT');
  });

  it('never follows a redirect: neither on the first request (through jsforce) nor on later ones (straight)', async () => {
    const transport = connectionTransport(await connect());
    answer = 'redirect';
    const first = await transport.send('DELETE', '/services/data/v62.0/apps/oauth/usage/tokens/T1', 5000);
    expect(jsforceSends.callCount).to.equal(1);
    answer = 'json';
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000);
    answer = 'redirect';
    const later = await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000);
    expect(jsforceSends.callCount, 'the later requests went straight').to.equal(1);
    for (const response of [first, later]) {
      expect(response.status).to.equal(307);
      expect(response.headers.location).to.match(new RegExp(`^${elsewhereUrl}/services/`));
    }
    expect(seenElsewhere, 'requests reached the Location').to.deep.equal([]);
    expect(seen).to.have.length(3);
  });

  it('never follows a redirect behind a proxy either, where every request goes through jsforce', async () => {
    const connection = await connect();
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    let transport: ReturnType<typeof connectionTransport>;
    try {
      transport = connectionTransport(connection);
    } finally {
      delete process.env.HTTPS_PROXY;
    }
    answer = 'redirect';
    const responses = [
      await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000),
      await transport.send('DELETE', '/services/data/v62.0/apps/oauth/usage/tokens/T1', 5000),
    ];
    expect(responses.map((response) => response.status)).to.deep.equal([307, 307]);
    expect(jsforceSends.callCount).to.equal(2);
    expect(seenElsewhere).to.deep.equal([]);
  });

  it('sends everything through jsforce when a proxy is set in the environment', async () => {
    const connection = await connect();
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    let transport: ReturnType<typeof connectionTransport>;
    try {
      transport = connectionTransport(connection);
    } finally {
      delete process.env.HTTPS_PROXY;
    }
    // jsforce's transport is what would reach the proxy; the loopback server stands in for it here.
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage', 5000);
    await transport.send('GET', '/services/data/v62.0/apps/oauth/usage?page=1', 5000);
    expect(jsforceSends.callCount).to.equal(2);
    expect(seen).to.have.length(2);
  });
});

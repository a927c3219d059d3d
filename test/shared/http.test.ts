import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AuthInfo, Connection, SfError } from '@salesforce/core';
import { expect } from 'chai';
import sinon from 'sinon';
import { connectionTransport, fromRaw } from '../../src/api/http.js';
import { NetworkError } from '../../src/api/transport.js';
import { startLoopbackProxy, type LoopbackProxy } from './loopbackProxy.js';

/** jsforce's session refresh hook, which @salesforce/core sets for a saved login (core's refresh, with its lock). */
type RefreshFn = (conn: unknown, callback: (error: Error | null, token?: string) => void) => void;

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = (server: Server): Promise<void> => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};
const failure = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('should have failed');
};

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

describe('http: connectionTransport (undici, over loopback)', () => {
  type Seen = { method: string; url: string; headers: IncomingHttpHeaders; port: number };
  const USAGE = '/services/data/v62.0/apps/oauth/usage';
  let server: Server;
  let instanceUrl: string;
  let seen: Seen[];
  // The access tokens the org accepts, and how it answers: plain JSON, gzip, never, or a redirect to `elsewhere`.
  let valid: Set<string>;
  let answer: 'json' | 'gzip' | 'silence' | 'redirect';
  // Another loopback listener, where a followed redirect would take the request and its access token.
  let elsewhere: Server;
  let elsewhereUrl: string;
  let seenElsewhere: Seen[];
  // A forward proxy, as HTTP(S)_PROXY names one: CONNECT tunnels and absolute-form requests.
  let proxy: LoopbackProxy;
  const savedEnv: Record<string, string | undefined> = {};
  const PROXY_ENV = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

  const record = (into: () => Seen[]) => (req: { method?: string; url?: string; headers: IncomingHttpHeaders; socket: Socket }): void => {
    into().push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, port: req.socket.remotePort ?? 0 });
  };

  before(async () => {
    elsewhere = createServer((req, res) => {
      req.resume();
      record(() => seenElsewhere)(req);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"apps":[]}');
    });
    elsewhereUrl = await listen(elsewhere);
    server = createServer((req, res) => {
      req.resume();
      record(() => seen)(req);
      if (answer === 'silence') return;
      if (answer === 'redirect') {
        res.writeHead(307, { Location: `${elsewhereUrl}${req.url ?? '/'}` });
        res.end();
        return;
      }
      if (!valid.has(String(req.headers.authorization).replace('Bearer ', '')) || req.url?.endsWith('/refused')) {
        // A path with "slow" in it gets its 401 late: after another request has had the session refreshed.
        setTimeout(() => {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]');
        }, req.url?.includes('slow') ? 300 : 0);
        return;
      }
      const body = JSON.stringify({ apps: [{ n: seen.filter((request) => request.url.includes('/apps/')).length }] });
      if (answer === 'gzip' && String(req.headers['accept-encoding']).includes('gzip')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(gzipSync(body));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    instanceUrl = await listen(server);
    proxy = await startLoopbackProxy();
  });
  after(async () => {
    await Promise.all([...[server, elsewhere].map(close), proxy.close()]);
  });
  beforeEach(() => {
    seen = [];
    seenElsewhere = [];
    proxy.proxied.length = 0;
    valid = new Set(['00D000000000001AAA!one']);
    answer = 'json';
    for (const name of PROXY_ENV) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    sinon.restore();
    for (const name of PROXY_ENV) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });

  /**
   * A @salesforce/core connection as sf makes one for a saved login. `refreshFn` is jsforce's session refresh hook,
   * playing core's refresh: core's public `refreshAuth()` reaches it through the connection's own request.
   */
  const connect = async (refreshFn?: RefreshFn): Promise<Connection> => {
    const accessToken = '00D000000000001AAA!one';
    const authInfo = await AuthInfo.create({ accessTokenOptions: { accessToken, instanceUrl, loginUrl: instanceUrl } });
    const connection = new Connection({ authInfo, connectionOptions: { instanceUrl, accessToken, version: '62.0', refreshFn } });
    await connection.init();
    seen = [];
    return connection;
  };

  /** core's refresh as jsforce calls it, counted: from then on the org accepts only `token`, given after `delayMs`. */
  const refreshingTo = (token: string, delayMs = 0): { refreshFn: RefreshFn; count: () => number } => {
    let refreshes = 0;
    const refreshFn: RefreshFn = (_conn, callback) => {
      refreshes++;
      setTimeout(() => {
        valid = new Set([token]);
        callback(null, token);
      }, delayMs);
    };
    return { refreshFn, count: () => refreshes };
  };

  const usageRequests = (): Seen[] => seen.filter((request) => request.url.includes('/apps/'));
  const tokensOf = (requests: Seen[]): string[] => requests.map((request) => String(request.headers.authorization).replace('Bearer ', ''));

  it("sends sf's headers and the connection's current access token on every request, over kept-alive sockets", async () => {
    const connection = await connect();
    const transport = connectionTransport(connection);
    const first = await transport.send('GET', USAGE, 5000);
    const second = await transport.send('GET', `${USAGE}?page=1`, 5000);
    valid.add('00D000000000001AAA!two');
    connection.accessToken = '00D000000000001AAA!two';
    const third = await transport.send('DELETE', `${USAGE}/tokens/T1`, 5000);
    // A path without the version is the connection's (normalizeUrl), as jsforce made it.
    await transport.send('GET', '/apps/oauth/usage?page=0', 5000);
    expect([first, second, third].map((response) => response.body)).to.deep.equal([{ apps: [{ n: 1 }] }, { apps: [{ n: 2 }] }, { apps: [{ n: 3 }] }]);
    expect(seen.map((request) => `${request.method} ${request.url}`)).to.deep.equal([
      `GET ${USAGE}`,
      `GET ${USAGE}?page=1`,
      `DELETE ${USAGE}/tokens/T1`,
      `GET ${USAGE}?page=0`,
    ]);
    for (const request of seen) {
      expect(request.headers['sforce-call-options']).to.match(/^client=sfdx toolbelt:/);
      expect(request.headers['user-agent']).to.match(/^sfdx toolbelt:/);
      expect(request.headers['content-type']).to.equal('application/json');
    }
    expect(tokensOf(seen)).to.deep.equal(['00D000000000001AAA!one', '00D000000000001AAA!one', '00D000000000001AAA!two', '00D000000000001AAA!two']);
    // undici's pool may open a second connection, but sockets are kept alive and reused, not one per request.
    expect(new Set(seen.map((request) => request.port)).size, 'sockets kept alive').to.be.below(seen.length);
  });

  it('refreshes a 401 once through core\'s refreshAuth() and sends the request again with the new token', async () => {
    const { refreshFn, count } = refreshingTo('00D000000000001AAA!two');
    const connection = await connect(refreshFn);
    const refreshAuth = sinon.spy(connection, 'refreshAuth');
    valid = new Set();
    const response = await connectionTransport(connection).send('GET', USAGE, 5000);
    expect(response.status).to.equal(200);
    expect(refreshAuth.callCount).to.equal(1);
    expect(count()).to.equal(1);
    expect(tokensOf(usageRequests())).to.deep.equal(['00D000000000001AAA!one', '00D000000000001AAA!two']);
  });

  it('shares one refresh among concurrent requests that got a 401 on the same token', async () => {
    const { refreshFn, count } = refreshingTo('00D000000000001AAA!two', 100);
    const connection = await connect(refreshFn);
    const refreshAuth = sinon.spy(connection, 'refreshAuth');
    valid = new Set();
    const transport = connectionTransport(connection);
    const responses = await Promise.all([0, 1, 2, 3].map((page) => transport.send('GET', `${USAGE}?page=${page}`, 5000)));
    expect(responses.map((response) => response.status)).to.deep.equal([200, 200, 200, 200]);
    expect(refreshAuth.callCount).to.equal(1);
    expect(count()).to.equal(1);
    expect(tokensOf(usageRequests()).sort()).to.deep.equal([...Array<string>(4).fill('00D000000000001AAA!one'), ...Array<string>(4).fill('00D000000000001AAA!two')]);
  });

  it('sends a request whose 401 came after another request renewed its token again, without another refresh', async () => {
    const { refreshFn, count } = refreshingTo('00D000000000001AAA!two');
    const connection = await connect(refreshFn);
    const refreshAuth = sinon.spy(connection, 'refreshAuth');
    valid = new Set();
    const transport = connectionTransport(connection);
    const [slow, fast] = await Promise.all([transport.send('GET', `${USAGE}/slow`, 5000), transport.send('GET', USAGE, 5000)]);
    expect([slow.status, fast.status]).to.deep.equal([200, 200]);
    expect(refreshAuth.callCount).to.equal(1);
    expect(count()).to.equal(1);
    expect(tokensOf(usageRequests().filter((request) => request.url.includes('slow')))).to.deep.equal(['00D000000000001AAA!one', '00D000000000001AAA!two']);
  });

  it('returns a second 401 after a refresh as it is, for the usual SessionExpired mapping', async () => {
    const connection = await connect(refreshingTo('00D000000000001AAA!two').refreshFn);
    // A refresh that renews the token, yet the org refuses the request again.
    const refreshAuth = sinon.stub(connection, 'refreshAuth').callsFake(async () => {
      connection.accessToken = '00D000000000001AAA!two';
    });
    valid = new Set();
    const response = await connectionTransport(connection).send('GET', USAGE, 5000);
    expect(response.status).to.equal(401);
    expect(refreshAuth.callCount).to.equal(1);
    expect(tokensOf(usageRequests())).to.deep.equal(['00D000000000001AAA!one', '00D000000000001AAA!two']);
  });

  it('returns a 401 the session is not the cause of (refreshAuth() finds the token good) without sending it again', async () => {
    const { refreshFn, count } = refreshingTo('00D000000000001AAA!two');
    const connection = await connect(refreshFn);
    const refreshAuth = sinon.spy(connection, 'refreshAuth');
    // The org accepts the token, yet answers this request 401: refreshAuth() checks the session, which needs no refresh.
    const response = await connectionTransport(connection).send('GET', `${USAGE}/refused`, 5000);
    expect(response.status).to.equal(401);
    expect(refreshAuth.callCount).to.equal(1);
    expect(count()).to.equal(0);
    expect(usageRequests()).to.have.length(1);
  });

  it('returns the 401 when there is no refresh token (an access token as target org)', async () => {
    const connection = await connect();
    valid = new Set();
    expect(await connectionTransport(connection).send('GET', USAGE, 5000)).to.include({ status: 401 });
  });

  it('throws SessionRefreshRefusedError when the refresh is refused, NetworkError when it got no answer', async () => {
    const refused = await connect((_conn, callback) => callback(new Error('Error authenticating with the refresh token due to: expired access/refresh token')));
    const silent = await connect((_conn, callback) => callback(new Error('Error authenticating with the refresh token due to: socket hang up')));
    valid = new Set();
    const error = await failure(connectionTransport(refused).send('GET', USAGE, 5000));
    expect(error).to.be.instanceOf(SfError);
    expect((error as SfError).name).to.equal('SessionRefreshRefusedError');
    expect((error as SfError).message).to.include('(expired access/refresh token)');
    expect(await failure(connectionTransport(silent).send('GET', USAGE, 5000))).to.be.instanceOf(NetworkError);
  });

  it('reads a gzip body, and gives up on a socket that stays silent with a NetworkError', async () => {
    const transport = connectionTransport(await connect());
    answer = 'gzip';
    expect((await transport.send('GET', USAGE, 5000)).body).to.deep.equal({ apps: [{ n: 1 }] });
    answer = 'silence';
    const caught = await failure(transport.send('GET', `${USAGE}?page=2`, 200));
    expect(caught).to.be.instanceOf(NetworkError);
    expect((caught as NetworkError).code).to.equal('ETIMEDOUT');
  });

  it('fails a refused connection with a NetworkError carrying the socket code', async () => {
    const connection = await connect();
    const closed = createServer();
    const url = await listen(closed);
    await close(closed);
    sinon.stub(connection, 'normalizeUrl').returns(`${url}${USAGE}`);
    const caught = await failure(connectionTransport(connection).send('GET', USAGE, 5000));
    expect(caught).to.be.instanceOf(NetworkError);
    expect((caught as NetworkError).code).to.equal('ECONNREFUSED');
  });

  it('never follows a redirect: the 3xx is the answer, and the other listener receives nothing', async () => {
    const transport = connectionTransport(await connect());
    answer = 'redirect';
    const responses = [await transport.send('DELETE', `${USAGE}/tokens/T1`, 5000), await transport.send('GET', USAGE, 5000)];
    for (const response of responses) {
      expect(response.status).to.equal(307);
      expect(response.headers.location).to.match(new RegExp(`^${elsewhereUrl}/services/`));
    }
    expect(seenElsewhere, 'requests reached the Location').to.deep.equal([]);
    expect(seen).to.have.length(2);
  });

  it('prints no warning behind a proxy (undici 6, on the Node 20 line, calls its proxy agent experimental)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): number => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const transport = connectionTransport(await connect());
      // The first proxy agent of the process (undici 6 warns once): before the other proxy tests.
      process.env.HTTPS_PROXY = `${proxy.url}/`;
      expect((await transport.send('GET', USAGE, 5000)).status).to.equal(200);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(proxy.proxied).to.have.length.above(0);
    expect(warnings).to.deep.equal([]);
  });

  for (const variable of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    it(`sends through the proxy ${variable} names, and follows no redirect there either`, async () => {
      const transport = connectionTransport(await connect());
      process.env[variable] = proxy.url;
      expect((await transport.send('GET', USAGE, 5000)).status).to.equal(200);
      answer = 'redirect';
      expect((await transport.send('DELETE', `${USAGE}/tokens/T1`, 5000)).status).to.equal(307);
      expect(proxy.proxied).to.deep.equal(Array<string>(proxy.proxied.length).fill(new URL(instanceUrl).host)).and.to.have.length.above(0);
      expect(seen).to.have.length(2);
      expect(seenElsewhere).to.deep.equal([]);
    });
  }

  it('goes straight to a host NO_PROXY names', async () => {
    const transport = connectionTransport(await connect());
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = '127.0.0.1';
    expect((await transport.send('GET', USAGE, 5000)).status).to.equal(200);
    expect(proxy.proxied).to.deep.equal([]);
    expect(seen).to.have.length(1);
  });
});

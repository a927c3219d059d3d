import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import type { TokensRevokeResult } from '../../src/commands/external-client-app/usage/tokens/revoke.js';
import { startLoopbackProxy, type LoopbackProxy } from '../shared/loopbackProxy.js';
import { runPlugin, usageRequests, useEmulator, type CliResult } from './runPlugin.js';

/*
 * A 3xx from the org (or from whatever answers in its place: a proxy, a captive portal, an old My Domain URL) is
 * never followed: the bearer token would go to the Location's host. Every request of a command goes out on one path
 * (undici), through the proxy the environment names if any. The first request, a later one and a proxied one each get
 * a redirect here, to another loopback port where a listener records what reaches it.
 */

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const LIST = ['external-client-app', 'usage', 'list'];
const seed = (): EmulatorState => generateState({ apps: 3, usersPerApp: 4, tokensPerUser: 1, seed: 23 });

/** Proxy settings of the machine running the tests would take precedence over, or bypass, the test's own proxy. */
const OTHER_PROXY_VARIABLES = Object.fromEntries(['https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'].map((name) => [name, undefined]));

type Seen = { method: string; url: string; headers: IncomingHttpHeaders };

/** A loopback server that records every request and answers as a willing org would: what a followed redirect reads. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('redirects are never followed (against the emulator)', () => {
  const { emulator, scratch } = useEmulator(seed());
  let elsewhere: Server;
  /** The origin of the other host the redirects point to. */
  let other: string;
  let received: Seen[];
  let proxy: LoopbackProxy;

  before(async () => {
    elsewhere = createServer((req, res) => {
      req.resume();
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apps: [{ identifier: '0xI000000000666', developerName: 'Not_The_Org' }], tokens: [] }));
    });
    other = await listen(elsewhere);
    proxy = await startLoopbackProxy();
  });
  after(async () => {
    elsewhere.closeAllConnections();
    await Promise.all([new Promise((resolve) => elsewhere.close(resolve)), proxy.close()]);
  });
  beforeEach(() => {
    received = [];
    proxy.proxied.length = 0;
  });

  const tokenIds = (): string[] => emulator.state().tokens.map((token) => token.tokenId);
  const redirectDelete = (tokenId: string, status: number): void =>
    emulator.addFaults([
      { method: 'DELETE', path: `/tokens/${tokenId}`, action: { type: 'redirect', status, location: `${other}/services/data/v66.0/apps/oauth/usage/tokens/${tokenId}?moved=1` } },
    ]);
  /** The failure of a redirected target: it names the status and the Location's origin, never its path or the token. */
  const expectRefused = (run: CliResult<TokensRevokeResult>, tokenId: string, status: number): void => {
    const failure = run.json!.result.failures.find((target) => target.tokenId === tokenId);
    expect(failure, run.stdout).to.include({ status: 'failed', errorCode: 'REDIRECT_NOT_FOLLOWED' });
    expect(failure!.message).to.include(String(status)).and.include(other);
    expect(failure!.message).not.to.include('moved=1');
    expect(run.stdout + run.stderr).not.to.include(emulator.accessToken);
  };
  const auditResults = (log: string): Array<{ tokenId?: string; status?: string; httpStatus?: number }> =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; tokenId?: string; status?: string; httpStatus?: number })
      .filter((record) => record.event === 'result');

  it('a DELETE answered 307 (the first request) is failed, sends nothing elsewhere, and the token stays @smoke', async () => {
    const [tokenId] = tokenIds();
    redirectDelete(tokenId, 307);
    const log = scratch('audit-307.jsonl');
    const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', tokenId, '--no-prompt', '--json', '--audit-log', log]);
    expect(received, 'the other host received a request').to.deep.equal([]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.json!.result.successes).to.deep.equal([]);
    expectRefused(run, tokenId, 307);
    expect(tokenIds()).to.include(tokenId);
    expect(auditResults(log).map((record) => [record.tokenId, record.status, record.httpStatus])).to.deep.equal([[tokenId, 'failed', 307]]);
    expect(usageRequests(emulator, 'DELETE')).to.have.length(1);
  });

  it('a DELETE answered 308 after another one (sent straight over Node http) is failed too; the first is revoked', async () => {
    const [first, second] = tokenIds();
    redirectDelete(second, 308);
    const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', first, '--token-id', second, '--concurrency', '1', '-p', '--json']);
    expect(received).to.deep.equal([]);
    expect(run.code, run.stderr).to.equal(68);
    expect(run.json!.result.successes.map((target) => [target.tokenId, target.status])).to.deep.equal([[first, 'revoked']]);
    expectRefused(run, second, 308);
    expect(tokenIds()).to.include(second).and.not.include(first);
  });

  it('behind a proxy, a redirected DELETE is failed and nothing reaches the other host @smoke', async () => {
    const [first, second] = tokenIds();
    redirectDelete(second, 302);
    const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', first, '--token-id', second, '--concurrency', '1', '-p', '--json'], {
      env: { ...OTHER_PROXY_VARIABLES, HTTPS_PROXY: proxy.url },
    });
    expect(received).to.deep.equal([]);
    expect(run.code, run.stderr).to.equal(68);
    expectRefused(run, second, 302);
    expect(tokenIds()).to.include(second).and.not.include(first);
    // The requests really went through the proxy, and none of them to the other host.
    const emulatorHost = new URL(emulator.url).host;
    expect(proxy.proxied).to.include(emulatorHost);
    expect(proxy.proxied.filter((host) => host !== emulatorHost)).to.deep.equal([]);
  });

  it('a 302 on the first page of usage list: exit 1 naming 302 and the other origin, no rows, nothing sent elsewhere @smoke', async () => {
    emulator.addFaults([{ method: 'GET', path: '/usage\\?page=0&', action: { type: 'redirect', status: 302, location: `${other}/services/data/v66.0/apps/oauth/usage?page=0` } }]);
    const run = await runPlugin(emulator, [...LIST, '--json']);
    expect(received).to.deep.equal([]);
    expect(run.code, run.stdout).to.equal(1);
    expect(run.json?.name).to.equal('RedirectNotFollowedError');
    expect(run.json?.message).to.include('302').and.include(other);
    expect(run.json?.message).not.to.include('/services/');
    expect(run.json?.result).to.equal(undefined);
    emulator.addFaults([{ method: 'GET', path: '/usage\\?page=0&', action: { type: 'redirect', status: 302, location: `${other}/x` } }]);
    const people = await runPlugin(emulator, LIST);
    expect(received).to.deep.equal([]);
    expect(people.code).to.equal(1);
    expect(people.stdout).not.to.include('Not_The_Org');
    expect(people.stdout.trim()).to.equal('');
    expect(people.stderr).to.include('302').and.include(other);
    expect(people.stderr).not.to.include(emulator.accessToken);
  });

  it('a 301 on a later page of usage list (sent straight over Node http) ends the list with the same error', async () => {
    emulator.addFaults([{ method: 'GET', path: '/usage\\?page=1&', action: { type: 'redirect', status: 301, location: `${other}/services/data/v66.0/apps/oauth/usage?page=1` } }]);
    const run = await runPlugin(emulator, [...LIST, '--page-size', '1', '--json']);
    expect(received).to.deep.equal([]);
    expect(run.code).to.equal(1);
    expect(run.json?.name).to.equal('RedirectNotFollowedError');
    expect(run.json?.message).to.include('301').and.include(other);
    expect(usageRequests(emulator)).to.have.length(2);
  });

  it('a DELETE answered with a success other than 200 or 204 is failed, not revoked, and the audit log says so', async () => {
    const [accepted, partial] = tokenIds();
    emulator.addFaults([
      { method: 'DELETE', path: `/tokens/${accepted}`, action: { type: 'status', status: 202, body: {} } },
      { method: 'DELETE', path: `/tokens/${partial}`, action: { type: 'status', status: 206, body: {} } },
    ]);
    const log = scratch('audit-2xx.jsonl');
    const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', accepted, '--token-id', partial, '-p', '--json', '--audit-log', log]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.json!.result.successes).to.deep.equal([]);
    expect(run.json!.result.failures.map((target) => [target.tokenId, target.status, target.errorCode])).to.deep.equal([
      [accepted, 'failed', 'REVOKE_NOT_CONFIRMED'],
      [partial, 'failed', 'REVOKE_NOT_CONFIRMED'],
    ]);
    expect(run.json!.result.failures[0].message).to.include('202');
    expect(auditResults(log).map((record) => [record.status, record.httpStatus]).sort()).to.deep.equal([
      ['failed', 202],
      ['failed', 206],
    ]);
  });

  it('a relative Location is named by the org\'s own origin, and is not followed either', async () => {
    const [tokenId] = tokenIds();
    emulator.addFaults([{ method: 'DELETE', path: `/tokens/${tokenId}`, action: { type: 'redirect', status: 303, location: '/services/data/v66.0/apps/oauth/usage' } }]);
    const run = await runPlugin<TokensRevokeResult>(emulator, [...REVOKE, '--token-id', tokenId, '-p', '--json']);
    expect(run.code).to.equal(1);
    expect(run.json!.result.failures[0].message).to.include('303').and.include(emulator.url);
    expect(usageRequests(emulator)).to.deep.equal([`DELETE /services/data/v66.0/apps/oauth/usage/tokens/${tokenId}`]);
  });
});

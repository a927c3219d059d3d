import { TestContext, type MockTestOrgData } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import type { SinonStub } from 'sinon';
import { transports } from '../../src/api/usageClient.js';
import type { HttpResponse, HttpTransport } from '../../src/api/transport.js';

/**
 * The set-up of a command's tests, for each test of the describe it is called in: the test org's saved login, sf's
 * output stubbed (`ux()` is what the test that runs printed: tables, lines, warnings) and no spinner; all restored
 * after the test.
 */
export function commandTestContext(testOrg: MockTestOrgData): { $$: TestContext; ux: () => ReturnType<typeof stubSfCommandUx> } {
  const $$ = new TestContext();
  let ux: ReturnType<typeof stubSfCommandUx> | undefined;
  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(() => $$.restore());
  return { $$, ux: () => ux! };
}

export type FakeCall = { method: string; url: string };
export type FakeRoute = (call: FakeCall) => unknown;

/**
 * Answers the usage client's requests in command tests through the transport seam (`transports.forConnection`), never a
 * connection method: routes by path, records every call, and answers the version list the client may ask for, so tests
 * only describe the usage resources. A route's value is a 200 JSON body (undefined: 204); a route that throws plays an
 * API error (an Error with errorCode), answered as the error array the API sends.
 */
export function fakeOrg($$: TestContext, routes: Array<[RegExp, FakeRoute]>): FakeCall[] {
  const calls: FakeCall[] = [];
  const answer = (call: FakeCall): HttpResponse => {
    const json = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, body, bodyIsJson: true, contentType: 'application/json' });
    if (call.url === '/services/data' || call.url.endsWith('/services/data')) return json(200, [{ version: '62.0', url: '/services/data/v62.0' }]);
    const route = routes.find(([pattern]) => pattern.test(call.url));
    if (!route) return json(200, { records: [] });
    try {
      const value = route[1](call);
      return value === undefined ? json(204, undefined) : json(200, value);
    } catch (error) {
      const { errorCode, message } = error as { errorCode?: string; message: string };
      return json(statusOf(errorCode), [{ errorCode: errorCode ?? 'UNKNOWN_ERROR', message }]);
    }
  };
  const transport: HttpTransport = {
    send(method, path): Promise<HttpResponse> {
      const call = { method, url: path };
      if (call.url.includes('/apps/oauth/usage') || call.url === '/services/data') calls.push(call);
      return Promise.resolve(answer(call));
    },
  };
  // A test may describe its org more than once: the stub made the first time answers with the latest transport.
  const stubbed = transports.forConnection as unknown as Partial<SinonStub>;
  (typeof stubbed.returns === 'function' ? (stubbed as SinonStub) : $$.SANDBOX.stub(transports, 'forConnection')).returns(transport);
  return calls;
}

/** The status the API answers an error code with. */
function statusOf(errorCode: string | undefined): number {
  switch (errorCode) {
    case 'INVALID_SESSION_ID':
      return 401;
    case 'NOT_FOUND':
      return 404;
    case 'REQUEST_LIMIT_EXCEEDED':
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
    case 'API_DISABLED_FOR_ORG':
      return 403;
    default:
      return 400;
  }
}

export function apiError(errorCode: string, message: string): Error {
  const error = new Error(message) as Error & { errorCode: string };
  error.name = errorCode;
  error.errorCode = errorCode;
  return error;
}

export const app = (n: number): Record<string, unknown> => ({
  identifier: `0xIHs00000000${String(n).padStart(2, '0')}`,
  developerName: `App_${n}`,
  description: `App number ${n}, "quoted"`,
  accessTokenFormat: n % 2 ? 'JWT' : 'Opaque',
  isFromPackage: false,
  availableActions: 'disable, enable',
  usageDetailsUrl: `/services/data/v62.0/apps/oauth/usage/0xIHs00000000${String(n).padStart(2, '0')}/users`,
  futureField: n,
});

/** A page of the app list as the API sends it: nextPageUrl even on the last page. */
export function appPage(all: Array<Record<string, unknown>>, url: string): unknown {
  const params = new URL(url, 'http://x').searchParams;
  const page = Number(params.get('page'));
  const size = Number(params.get('pageSize'));
  return {
    apps: all.slice(page * size, page * size + size),
    currentPageUrl: `/services/data/v62.0/apps/oauth/usage?page=${page}&pageSize=${size}`,
    nextPageUrl: `/services/data/v62.0/apps/oauth/usage?page=${page + 1}&pageSize=${size}`,
  };
}

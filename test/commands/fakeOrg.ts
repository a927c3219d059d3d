import type { TestContext } from '@salesforce/core/testSetup';

export type FakeCall = { method: string; url: string };
export type FakeRoute = (call: FakeCall) => unknown;

/**
 * Answers the connection's requests in unit tests: routes by URL, records every call, and answers what
 *
 * @salesforce/core asks on its own (version list, Organization query) so tests only describe the usage resources.
 * A route that throws plays an API error (an Error with errorCode, as jsforce raises them).
 */
export function fakeOrg($$: TestContext, routes: Array<[RegExp, FakeRoute]>): FakeCall[] {
  const calls: FakeCall[] = [];
  // eslint-disable-next-line no-param-reassign -- the TestContext hook is meant to be replaced per test
  $$.fakeConnectionRequest = (request): Promise<never> => {
    const raw = request as unknown as string | { method?: string; url?: string };
    const call = typeof raw === 'string' ? { method: 'GET', url: raw } : { method: String(raw.method), url: String(raw.url) };
    if (call.url.includes('/apps/oauth/usage') || call.url === '/services/data') calls.push(call);
    if (call.url === '/services/data' || call.url.endsWith('/services/data')) {
      return Promise.resolve([{ version: '62.0', url: '/services/data/v62.0' }] as never);
    }
    const route = routes.find(([pattern]) => pattern.test(call.url));
    if (!route) return Promise.resolve({ records: [] } as never);
    try {
      return Promise.resolve(route[1](call) as never);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return calls;
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

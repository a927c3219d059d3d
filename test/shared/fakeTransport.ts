import { SfError } from '@salesforce/core';
import { expect } from 'chai';
import { NetworkError, type HttpMethod, type HttpResponse, type HttpTransport } from '../../src/api/transport.js';
import type { RetryPolicy } from '../../src/api/retry.js';
import type { AppUsage, OrgUser, TokenUsage, UserUsage } from '../../src/api/types.js';
import { UsageClient, type UsageClientOptions } from '../../src/api/usageClient.js';
import { idChecksum } from '../../src/api/salesforceId.js';

/*
 * A scripted HttpTransport for unit tests: routes by method and path, records every call, answers from a sequence of
 * replies (the last one repeats), can throw NetworkError, and counts requests in flight. No real network, no real time.
 */

export const INSTANCE_URL = 'https://acme.my.salesforce.com';
/** The org of the fake clients, whose every user and token row carries it. */
export const ORG_ID = '00D000000000001EAA';
export const API_BASE = '/services/data/v62.0';

export type Call = {
  method: HttpMethod;
  /** Exactly what the client passed to send(). */
  path: string;
  /** The path with any `/services/data/vNN.N` prefix removed, so first pages and followed pages read alike. */
  resource: string;
  timeoutMs: number;
};

export type Reply = HttpResponse | NetworkError | ((call: Call) => HttpResponse | NetworkError | Promise<HttpResponse | NetworkError>);

type Route = { method: HttpMethod; match: string | RegExp; replies: Reply[]; served: number };

export const stripBase = (path: string): string => path.replace(/^\/services\/data\/v\d{2,3}\.\d(?=\/)/, '');

export class FakeTransport implements HttpTransport {
  public readonly calls: Call[] = [];
  public inFlight = 0;
  public maxInFlight = 0;
  private readonly routes: Route[] = [];

  /** Adds a route. A string matches the resource path exactly (query included); a RegExp is tested against it. */
  public on(method: HttpMethod, match: string | RegExp, ...replies: Reply[]): this {
    if (replies.length === 0) throw new Error('a route needs at least one reply');
    this.routes.push({ method, match, replies, served: 0 });
    return this;
  }

  public callsTo(method: HttpMethod, match?: string | RegExp): Call[] {
    return this.calls.filter(
      (call) =>
        call.method === method &&
        (match === undefined || (typeof match === 'string' ? call.resource === match : match.test(call.resource)))
    );
  }

  public async send(method: HttpMethod, path: string, timeoutMs: number): Promise<HttpResponse> {
    const call: Call = { method, path, resource: stripBase(path), timeoutMs };
    this.calls.push(call);
    const route = this.routes.find(
      (candidate) =>
        candidate.method === method &&
        (typeof candidate.match === 'string' ? candidate.match === call.resource : candidate.match.test(call.resource))
    );
    if (!route) throw new Error(`fake transport: no route for ${method} ${path}`);
    const reply = route.replies[Math.min(route.served, route.replies.length - 1)];
    route.served++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const answer = typeof reply === 'function' ? await reply(call) : reply;
      // Let other requests start before this one completes, as a real network would.
      await tick();
      if (answer instanceof NetworkError) throw answer;
      return answer;
    } finally {
      this.inFlight--;
    }
  }
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body,
  bodyIsJson: true,
  contentType: 'application/json',
});

export const noContent = (): HttpResponse => ({ status: 204, headers: {}, body: undefined, bodyIsJson: true, contentType: '' });

export const html = (text: string, status = 200): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/html' },
  body: text,
  bodyIsJson: false,
  contentType: 'text/html',
});

export const apiFailure = (status: number, errorCode: string, message: string, headers: Record<string, string> = {}): HttpResponse =>
  json([{ errorCode, message }], status, headers);

export const status = (code: number, headers: Record<string, string> = {}): HttpResponse => ({
  status: code,
  headers,
  body: undefined,
  bodyIsJson: true,
  contentType: '',
});

export const networkError = (code = 'ECONNRESET'): NetworkError => new NetworkError(code, code);

/** Resolves after n turns of the event loop: lets concurrent work interleave without real delays. */
export async function tick(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    // eslint-disable-next-line no-await-in-loop
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void };

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A transport whose DELETEs all wait until `open()`: a request held in flight, e.g. while Ctrl-C arrives. */
export function gatedDeletes(): { transport: FakeTransport; open: () => void } {
  const gate = deferred();
  const transport = new FakeTransport().on('DELETE', /./, async () => {
    await gate.promise;
    return noContent();
  });
  return { transport, open: () => gate.resolve() };
}

export const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000, maxElapsedMs: 60_000, timeoutMs: 5000 };

/** A client on a fake transport whose sleeps are recorded and never wait. */
export function makeClient(
  transport: FakeTransport,
  options: Partial<UsageClientOptions> = {}
): { client: UsageClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const client = new UsageClient(transport, {
    instanceUrl: INSTANCE_URL,
    orgId: ORG_ID,
    concurrency: 4,
    retry: FAST_RETRY,
    pageCap: 50,
    sleep: async (ms): Promise<void> => {
      sleeps.push(ms);
      await tick();
    },
    ...options,
  });
  return { client, sleeps };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixture rows, with ids in the documented formats.

/** A 15-character app id `0xI…`; `appId(1, true)` is an 18-character form of the same id. */
/** Ids of test records: 15 characters, or 18 with the checksum Salesforce computes from the 15. */
const testId = (id15: string, long: boolean): string => (long ? `${id15}${idChecksum(id15)}` : id15);
export const appId = (n: number, long = false): string => testId(`0xI${String(n).padStart(12, '0')}`, long);
export const userId = (n: number, long = false): string => testId(`005${String(n).padStart(12, '0')}`, long);

export const appRow = (n: number, developerName: string): AppUsage => ({
  identifier: appId(n),
  developerName,
  description: `App ${developerName}`,
  accessTokenFormat: 'Opaque',
  isFromPackage: false,
  usageDetailsUrl: `${API_BASE}/apps/oauth/usage/${appId(n)}/users`,
});

/** A user row as the client hands it on: with the orgId it adds to what the API sends (the client overwrites one sent). */
export const userRow = (app: AppUsage, n: number, lastUsedAt: string | null = '2026-01-15T10:00:00.000Z'): UserUsage => ({
  appIdentifier: app.identifier,
  appDeveloperName: app.developerName,
  userIdentifier: userId(n),
  username: `user${n}@acme.example.com`,
  initialConnectionAt: '2025-06-01T00:00:00.000Z',
  lastUsedAt,
  useCount: n,
  accessTokenFormat: 'Opaque',
  revocationUrl: `${API_BASE}/apps/oauth/usage/${app.identifier}/${userId(n)}/tokens`,
  orgId: ORG_ID,
});

/** A row as the API sends it: without the orgId the client adds. */
export const withoutOrgId = (row: Record<string, unknown>): Record<string, unknown> => {
  const { orgId, ...sent } = row;
  return orgId === undefined ? row : sent;
};

/** A token row as the API sends it: no tokenId (it is in revocationUrl), no orgId. */
export const tokenRow = (user: UserUsage, tokenId: string, lastUsedAt: string | null = '2026-01-15T10:00:00.000Z'): Omit<TokenUsage, 'tokenId'> => ({
  appIdentifier: user.appIdentifier,
  appDeveloperName: user.appDeveloperName,
  userIdentifier: user.userIdentifier,
  username: user.username,
  initialConnectionAt: '2025-06-01T00:00:00.000Z',
  lastUsedAt,
  useCount: 3,
  accessTokenFormat: 'Opaque',
  revocationUrl: `${API_BASE}/apps/oauth/usage/tokens/${tokenId}`,
});

export type FakeOrg = {
  apps: AppUsage[];
  usersByApp: Record<string, UserUsage[]>;
  /** Keyed by `${appId}/${userId}`. */
  tokensByPair: Record<string, Array<Omit<TokenUsage, 'tokenId'>>>;
  /** Users of the org who appear in no usage list (they hold no token); the User query finds them too. */
  otherUsers?: OrgUser[];
  /** Optional hook run before a token list is answered, e.g. to reorder completions. */
  beforeTokens?: (appIdentifier: string, userIdentifier: string) => Promise<void>;
};

function pageOf(collection: string, rows: unknown[], resource: string): HttpResponse {
  const query = new URLSearchParams(resource.split('?')[1] ?? '');
  const page = Number(query.get('page') ?? '0');
  const pageSize = Number(query.get('pageSize') ?? '100');
  const base = resource.split('?')[0];
  return json({
    [collection]: rows.slice(page * pageSize, (page + 1) * pageSize),
    currentPageUrl: `${API_BASE}${base}?page=${page}&pageSize=${pageSize}`,
    // Like the real API: nextPageUrl is present on every page, the last one included.
    nextPageUrl: `${API_BASE}${base}?page=${page + 1}&pageSize=${pageSize}`,
  });
}

/** The string literals of the plugin's User query (`Username IN (...) OR Id IN (...)`; simple literals only). */
export const queriedValues = (call: Call): string[] =>
  [...decodeURIComponent(call.resource.split('?q=')[1] ?? '').matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((match) => match[1].replace(/\\(.)/g, '$1'));

/** Serves the three GET resources of a small org, paging like the documented API, and the User query. */
export function serveOrg(transport: FakeTransport, org: FakeOrg): FakeTransport {
  transport.on('GET', /^\/query\?q=/, (call) => {
    // As SOQL answers: usernames ignoring case, ids in either form, and the 18-character id in the records.
    const wanted = new Set(queriedValues(call).map((value) => value.toLowerCase()));
    const everyone = [
      ...Object.values(org.usersByApp)
        .flat()
        .map((user) => ({ Id: user.userIdentifier, Username: user.username })),
      ...(org.otherUsers ?? []),
    ];
    const matches = (user: OrgUser): boolean =>
      wanted.has(user.Username.toLowerCase()) || [...wanted].some((value) => value.slice(0, 15) === user.Id.slice(0, 15).toLowerCase());
    const records = [
      ...new Map(
        everyone.filter(matches).map((user) => [user.Id.slice(0, 15), { Id: user.Id.length === 15 ? `${user.Id}${idChecksum(user.Id)}` : user.Id, Username: user.Username }])
      ).values(),
    ];
    return json({ totalSize: records.length, done: true, records });
  });
  transport.on('GET', /^\/apps\/oauth\/usage(\?|$)/, (call) => pageOf('apps', org.apps, call.resource));
  transport.on('GET', /^\/apps\/oauth\/usage\/[^/]+\/users(\?|$)/, (call) => {
    const app = decodeURIComponent(call.resource.split('/')[4]);
    return pageOf('users', org.usersByApp[app] ?? [], call.resource);
  });
  transport.on('GET', /^\/apps\/oauth\/usage\/[^/]+\/[^/]+\/tokens$/, async (call) => {
    const [, , , , app, user] = call.resource.split('/').map(decodeURIComponent);
    await org.beforeTokens?.(app, user);
    // The plugin sends 18-character user ids; the fake org's rows may hold the 15-character form.
    const key = Object.keys(org.tokensByPair).find((pair) => pair === `${app}/${user}` || pair === `${app}/${user.slice(0, 15)}`);
    return json({ tokens: key ? org.tokensByPair[key] : [], currentPageUrl: `${API_BASE}${call.resource}` });
  });
  return transport;
}

// ---------------------------------------------------------------------------------------------------------------
// Assertions on thrown errors.

/** Runs fn, expects it to throw an SfError with that name, and returns it for further checks. */
export function expectSfError(fn: () => unknown, name: string): SfError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${name} to be thrown`).to.be.instanceOf(SfError);
  expect((thrown as SfError).name).to.equal(name);
  return thrown as SfError;
}

/** What the promise rejects with, or undefined when it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

export async function expectRejection(promise: Promise<unknown>, name: string): Promise<SfError> {
  const thrown = await rejectionOf(promise);
  expect(thrown, `expected ${name} to be thrown`).to.be.instanceOf(SfError);
  expect((thrown as SfError).name).to.equal(name);
  return thrown as SfError;
}

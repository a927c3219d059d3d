import type { Connection, Org } from '@salesforce/core';
import '../common/pluginMessages.js';
import { SfError, Messages } from '@salesforce/core';
import { envInteger } from '../common/env.js';
import { createLimiter, type Limiter } from '../common/limiter.js';
import { countOf } from '../common/plural.js';
import {
  apiError,
  interruptedError,
  isRequestLimitExceeded,
  networkFailure,
  notSentError,
  revokeNotConfirmedError,
  type Subject,
  unexpectedBodyError,
} from './errors.js';
import { connectionTransport } from './http.js';
import { type HttpMethod, type HttpResponse, type HttpTransport, NetworkError } from './transport.js';
import { isRetryableStatus, nextDelay, parseRetryAfter, type RetryPolicy, retryPolicyFromEnv } from './retry.js';
import type { AppUsage, TokenUsage, UsagePage, UserUsage } from './types.js';
import { assertUsageApiVersion, compareApiVersions, MIN_USAGE_API_VERSION } from './apiVersion.js';
import { followableUsageUrl, usagePaths } from './usagePaths.js';
import { tokenIdFrom } from './tokenIds.js';
import { collect, type PageOptions, withOrgId, withTokenId } from './pages.js';
import { as18 } from './salesforceId.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;
/** A server that never sends an empty page must not keep us paging forever (Infisical caps at 10 for this reason). */
export const DEFAULT_PAGE_CAP = 2000;

export type UsageClientOptions = {
  instanceUrl: string;
  /** The org's id (15 or 18 characters): every user and token row the client reads carries its 18-character form. */
  orgId: string;
  concurrency?: number;
  retry?: RetryPolicy;
  pageCap?: number;
  sleep?: (ms: number) => Promise<void>;
};

export type ConnectOptions = Omit<UsageClientOptions, 'instanceUrl' | 'orgId'> & { transport?: (connection: Connection) => HttpTransport };

/** The transport factory of clients built on a connection: the seam command tests replace, never a connection method. */
export const transports = { forConnection: connectionTransport };

export type RequestStats = { GET: number; DELETE: number; retries: number };

/**
 * The one typed client of the OAuth usage resources. Every request of every command goes through `send`, which is
 * where the concurrency limit, the retry policy, the stop on REQUEST_LIMIT_EXCEEDED and Ctrl-C handling live.
 */
export class UsageClient {
  public readonly stats: RequestStats = { GET: 0, DELETE: 0, retries: 0 };
  /** The 18-character id of the org, as the rows carry it. */
  public readonly orgId: string;
  private readonly limiter: Limiter;
  private readonly retry: RetryPolicy;
  private readonly pageCap: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private halted?: SfError;
  private interrupted = false;

  public constructor(private readonly transport: HttpTransport, private readonly options: UsageClientOptions) {
    this.orgId = as18(options.orgId);
    this.limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.retry = options.retry ?? retryPolicyFromEnv();
    this.pageCap = options.pageCap ?? envInteger('SF_ECA_MAX_PAGES', 1) ?? DEFAULT_PAGE_CAP;
    this.sleep = options.sleep ?? ((ms): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Builds a client on an sf connection to the org `orgId`; fails before any request when the API version has no usage resources. */
  public static forConnection(connection: Connection, orgId: string, options: ConnectOptions = {}): UsageClient {
    assertUsageApiVersion(connection.getApiVersion());
    return UsageClient.onConnection(connection, orgId, options);
  }

  /**
   * Connects to the org with the version the user chose (`--api-version` or the `org-api-version` config) or, when
   * none, the org's newest. @salesforce/core silently falls back to an old default version when it can't read the
   * org's version list (an expired session, an org that is down); without a version of their own choosing, we ask the
   * org once more, so the user sees the real problem instead of "version too low", and use its newest version.
   */
  public static async connect(org: Org, apiVersion: string | undefined, options: ConnectOptions = {}): Promise<UsageClient> {
    const connection = org.getConnection(apiVersion);
    if (apiVersion === undefined && compareApiVersions(connection.getApiVersion(), MIN_USAGE_API_VERSION) < 0) {
      const newest = await UsageClient.onConnection(connection, org.getOrgId(), options).newestApiVersion();
      if (newest !== undefined) connection.setApiVersion(newest);
    }
    return UsageClient.forConnection(connection, org.getOrgId(), options);
  }

  private static onConnection(connection: Connection, orgId: string, { transport, ...clientOptions }: ConnectOptions): UsageClient {
    return new UsageClient((transport ?? transports.forConnection)(connection), { ...clientOptions, instanceUrl: connection.instanceUrl, orgId });
  }

  public async listApps(options: PageOptions<AppUsage> = {}): Promise<AppUsage[]> {
    return collect(this.appPages(options));
  }

  /** The app list page by page, as it arrives: for output that must not hold every row. */
  public appPages(options: PageOptions<AppUsage> = {}): AsyncGenerator<AppUsage[]> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    return this.pages<AppUsage>(usagePaths.apps(0, pageSize), 'apps', { kind: 'app list' }, options);
  }

  public async listUsers(appId: string, options: PageOptions<UserUsage> = {}): Promise<UserUsage[]> {
    return collect(this.userPages(appId, options));
  }

  /** One app's users page by page, as they arrive: an app can have 100,000 of them. */
  public userPages(appId: string, options: PageOptions<UserUsage> = {}): AsyncGenerator<UserUsage[]> {
    const row = (item: Record<string, unknown>): UserUsage => withOrgId<UserUsage>(item, this.orgId);
    return this.pages(usagePaths.users(appId, 0, options.pageSize ?? DEFAULT_PAGE_SIZE), 'users', { kind: 'app', id: appId }, options, row);
  }

  /** The token resource documents no paging; a `nextPageUrl`, if one ever comes, is still followed (until empty). */
  public async listTokens(appId: string, userId: string, options: PageOptions<TokenUsage> = {}): Promise<TokenUsage[]> {
    const row = (item: Record<string, unknown>): TokenUsage => withOrgId<TokenUsage>(withTokenId(item, this.options.instanceUrl), this.orgId);
    return collect(this.pages(usagePaths.tokens(appId, userId), 'tokens', { kind: 'user', id: userId }, options, row));
  }

  public async revokeToken(tokenIdOrUrl: string): Promise<void> {
    const tokenId = tokenIdFrom(tokenIdOrUrl);
    await this.revoke(usagePaths.revokeToken(tokenId), { kind: 'token', id: tokenId });
  }

  public async revokeUserTokens(appId: string, userId: string): Promise<void> {
    await this.revoke(usagePaths.revokeUser(appId, userId), { kind: 'user', id: userId });
  }

  public async revokeAppTokens(appId: string): Promise<void> {
    await this.revoke(usagePaths.revokeApp(appId), { kind: 'app', id: appId });
  }

  /** The org's daily API requests; undefined when the limits resource does not answer with them. */
  public async dailyApiRequests(): Promise<{ max: number; remaining: number } | undefined> {
    const response = await this.send('GET', usagePaths.limits(), { kind: 'API limits' });
    const daily = (response.body as { DailyApiRequests?: { Max?: unknown; Remaining?: unknown } } | undefined)?.DailyApiRequests;
    if (typeof daily?.Max !== 'number' || typeof daily.Remaining !== 'number') return undefined;
    return { max: daily.Max, remaining: daily.Remaining };
  }

  /** The highest version in the org's version list (GET /services/data), if it lists any. */
  public async newestApiVersion(): Promise<string | undefined> {
    const response = await this.send('GET', '/services/data', { kind: 'version list' });
    const versions = Array.isArray(response.body) ? (response.body as Array<{ version?: unknown }>) : [];
    return versions
      .map((entry) => entry.version)
      .filter((version): version is string => typeof version === 'string' && /^\d{2,3}\.\d$/.test(version))
      .sort(compareApiVersions)
      .pop();
  }

  /** A GET of any path of the org's REST API, through `send` like every other request: for the lookups of orgUsers.ts. */
  public async get(path: string, subject: Subject): Promise<HttpResponse> {
    return this.send('GET', path, subject);
  }

  /** After this, requests not yet sent fail with InterruptedError; requests in flight finish. */
  public interrupt(): void {
    this.interrupted = true;
  }

  /** Each page's rows (those `keep` accepts, up to `limit` in all), one page at a time, following `nextPageUrl`. */
  private async *pages<T>(
    firstPath: string,
    key: string,
    subject: Subject,
    options: Omit<PageOptions<T>, 'pageSize'>,
    transform: (row: Record<string, unknown>) => T = (row): T => row as T
  ): AsyncGenerator<T[]> {
    let kept = 0;
    let path: string | undefined = firstPath;
    for (let pageCount = 0; path !== undefined; pageCount++) {
      if (pageCount >= this.pageCap) {
        throw messages.createError('error.PageCapReached', [countOf(this.pageCap, 'page')]);
      }
      // Paging is sequential by nature: the next URL comes from the page before.
      // eslint-disable-next-line no-await-in-loop
      const response = await this.send('GET', path, subject);
      const page = response.body as UsagePage;
      const items = page && typeof page === 'object' && !Array.isArray(page) ? page[key] : undefined;
      if (!Array.isArray(items)) throw unexpectedBodyError(response, 'GET', subject);
      const rows: T[] = [];
      for (const item of items as Array<Record<string, unknown>>) {
        const row = transform(item);
        if (options.keep && !options.keep(row)) continue;
        rows.push(row);
        if (options.limit !== undefined && kept + rows.length >= options.limit) break;
      }
      kept += rows.length;
      options.onPage?.(kept);
      yield rows;
      if (options.limit !== undefined && kept >= options.limit) return;
      // The API sends nextPageUrl on the last page too, so an empty page ends the list
      // (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_responses_app_oauth_usage_user_collection.htm).
      // A short page does not: the docs give no maximum page size, and a server that serves fewer rows than asked
      // would otherwise end every list after its first page, silently. Knowing the end costs one more request.
      const next = page.nextPageUrl;
      path = items.length === 0 || typeof next !== 'string' || next === '' ? undefined : followableUsageUrl(next, this.options.instanceUrl);
    }
  }

  /** A DELETE that resolves only when the org said the tokens are gone: 200 or 204 (404 rejects, as not found). */
  private async revoke(path: string, subject: Subject): Promise<void> {
    const response = await this.send('DELETE', path, subject);
    if (response.status !== 200 && response.status !== 204) throw revokeNotConfirmedError(response, subject);
  }

  private async send(method: HttpMethod, path: string, subject: Subject): Promise<HttpResponse> {
    return this.limiter.run(async () => {
      const started = Date.now();
      // A DELETE whose answer was lost (time-out, reset) may still have been applied by the org.
      let deleteMayHaveLanded = false;
      for (let attempt = 1; ; attempt++) {
        if (this.halted) throw attempt === 1 ? notSentError(this.halted) : this.halted;
        if (this.interrupted) throw interruptedError();
        let response: HttpResponse;
        try {
          this.stats[method]++;
          // Attempts are sequential by design: each waits for the backoff of the one before.
          // eslint-disable-next-line no-await-in-loop
          response = await this.transport.send(method, path, this.retry.timeoutMs);
        } catch (error) {
          if (!(error instanceof NetworkError)) throw error;
          deleteMayHaveLanded ||= method === 'DELETE';
          const delay = nextDelay(this.retry, attempt, Date.now() - started);
          if (delay === undefined) throw networkFailure(error.code, attempt, this.retry.timeoutMs, method);
          // eslint-disable-next-line no-await-in-loop
          await this.pause(delay);
          continue;
        }
        if (response.status >= 200 && response.status < 300) {
          // A maintenance page answered with 200 is not a success, for a DELETE no more than for a GET.
          if (!response.bodyIsJson) throw unexpectedBodyError(response, method, subject);
          return response;
        }
        // The retry of a DELETE that already went through finds nothing: that is the first attempt's success.
        if (deleteMayHaveLanded && response.status === 404) return { ...response, status: 204, body: undefined };
        if (isRetryableStatus(response.status)) {
          const delay = nextDelay(this.retry, attempt, Date.now() - started, parseRetryAfter(response.headers['retry-after']));
          if (delay !== undefined) {
            // eslint-disable-next-line no-await-in-loop
            await this.pause(delay);
            continue;
          }
        }
        const error = apiError(response, method, subject, this.options.instanceUrl);
        if (isRequestLimitExceeded(error)) this.halted = error;
        throw error;
      }
    });
  }

  private async pause(ms: number): Promise<void> {
    this.stats.retries++;
    await this.sleep(ms);
  }
}

/*
 * A loopback HTTP emulator of the Connect REST "OAuth usage" resources for External Client Apps, plus the handful
 * of REST endpoints that the sf CLI and @salesforce/core call while logging in or opening a connection.
 * It exists so plugin tests, host tests and demos can run without a real org, with faults injected on demand.
 * This module wires the pieces together (see README.md, "Files"): the HTTP server, auth, the request log, latency
 * and dispatch to the route modules.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleControl, type ControlInfo } from './controlApi.js';
import { applyFault, FaultQueue, type FaultAction, type FaultResponder, type FaultRule, type PendingFault } from './faults.js';
import { ApiLimits } from './apiLimits.js';
import { dataResource, readBody, servesVersion, userInfo, versionList } from './loginRoutes.js';
import { OAuthGrants, type OAuthSettings } from './oauth.js';
import { DEFAULT_ORG, generateState, validateState, type EmulatorState, type SeedSpec } from './model.js';
import { errorBody, invalidSession, methodNotAllowed, notFound, writeReply, type Reply } from './reply.js';
import { Store } from './store.js';
import { MIN_USAGE_VERSION, usageRoute } from './usageRoutes.js';

export type { FaultAction, FaultRule, PendingFault } from './faults.js';
export type { OAuthSettings } from './oauth.js';
export { MAX_PAGE_SIZE, MIN_USAGE_VERSION } from './usageRoutes.js';

export type RequestLogEntry = {
  seq: number;
  method: string;
  path: string;
  query: string;
  status: number;
  fault?: string;
  at: string;
};

export type EmulatorOptions = {
  host?: string;
  port?: number;
  state?: EmulatorState;
  seed?: SeedSpec;
  /** Default: accessTokenFor(the org id of the state), so that sf, which takes an access token's org from its prefix, sees the emulated org. */
  accessToken?: string;
  /** The refresh token the OAuth token endpoint exchanges for `accessToken`. */
  refreshToken?: string;
  latencyMs?: number;
  versions?: string[];
  absoluteUrls?: boolean;
  /** Rows a usage page holds at most, whatever pageSize a client asks for; default: no cap. */
  maxPageSize?: number;
};

/** An access token of the org, as sf expects one: the org id, `!`, then the session part. */
export const accessTokenFor = (orgId: string): string => `${orgId}!emulator`;
export const DEFAULT_ACCESS_TOKEN = accessTokenFor(DEFAULT_ORG.orgId);
export const DEFAULT_REFRESH_TOKEN = '5Aep861emulatorRefreshToken';
export const DEFAULT_VERSIONS = Array.from({ length: 12 }, (_, i) => `${55 + i}.0`);
export const DEFAULT_SEED: SeedSpec = { apps: 5, usersPerApp: 40, tokensPerUser: 2 };

export class Emulator {
  public readonly url: string;
  public readonly accessToken: string;
  /** The refresh token a login starts with (under rotation, the token endpoint retires it at its first use). */
  public readonly refreshToken: string;
  private readonly grants: OAuthGrants;
  private store: Store;
  private readonly faults = new FaultQueue();
  private readonly apiLimits = new ApiLimits();
  private log: RequestLogEntry[] = [];
  private seq = 0;
  private latencyMs: number;
  /** Whether the latency delays every API request (as a real org's round trip does) or only usage resources. */
  private latencyOnEveryRequest = false;
  private maxPageSize: number | undefined;
  private readonly versions: string[];
  private readonly absoluteUrls: boolean;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private stopped = false;
  private closed: Promise<void> | undefined;

  private constructor(private readonly server: http.Server, url: string, options: EmulatorOptions) {
    this.url = url;
    this.store = new Store(options.state ?? generateState(options.seed ?? DEFAULT_SEED));
    this.accessToken = options.accessToken ?? accessTokenFor(this.store.org.orgId);
    this.refreshToken = options.refreshToken ?? DEFAULT_REFRESH_TOKEN;
    this.grants = new OAuthGrants(this.accessToken, this.refreshToken);
    this.latencyMs = options.latencyMs ?? 0;
    this.setMaxPageSize(options.maxPageSize);
    this.versions = [...(options.versions ?? DEFAULT_VERSIONS)].sort((a, b) => Number(a) - Number(b));
    this.absoluteUrls = options.absoluteUrls ?? false;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.send(res, { status: 500, body: errorBody('UNKNOWN_EXCEPTION', e instanceof Error ? e.message : String(e)) });
        }
      });
    });
  }

  public static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    // Validate data before binding a port, so a bad seed does not leave a listening server behind.
    const state = options.state ?? generateState(options.seed ?? DEFAULT_SEED);
    validateState(state);
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return new Emulator(server, `http://${hostPart}:${port}`, { ...options, state });
  }

  public state(): EmulatorState {
    return this.store.snapshot();
  }

  public requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  public clearLog(): void {
    this.log = [];
  }

  /** Appends rules; throws (and adds none) if any rule is malformed. */
  public addFaults(rules: FaultRule[]): void {
    this.faults.add(rules);
  }

  public pendingFaults(): PendingFault[] {
    return this.faults.pending();
  }

  public clearFaults(): void {
    this.faults.clear();
  }

  /**
   * How long each usage answer waits; with `everyRequest`, every request under /services/ too (logins, the API version
   * list, SOQL), as on a real org, where each request pays the network's round trip: the single call's bench compares
   * two commands that send different requests, so each must pay for all of its own.
   */
  public setLatency(ms: number, options: { everyRequest?: boolean } = {}): void {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) throw new Error('latency must be a number >= 0');
    this.latencyMs = ms;
    this.latencyOnEveryRequest = options.everyRequest ?? false;
  }

  /** Caps the rows of every usage page from now on, as a server that serves fewer rows than asked; undefined lifts it. */
  public setMaxPageSize(rows: number | undefined): void {
    if (rows !== undefined && !(Number.isInteger(rows) && rows >= 1)) throw new Error('maxPageSize must be an integer >= 1');
    this.maxPageSize = rows;
  }

  /** From now on the token endpoint refuses the refresh token (400 invalid_grant), as for a revoked one; false undoes it. */
  public refuseRefresh(refused = true): void {
    this.grants.configure({ refused });
  }

  /** Changes how the token endpoint answers refreshes (rotation, refusal, holding answers); see OAuthSettings. */
  public setOAuth(changes: Partial<OAuthSettings>): OAuthSettings {
    return this.grants.configure(changes);
  }

  /** Access tokens issued by refreshes stop working, so the next command of a saved login must refresh again. */
  public expireSessions(): void {
    this.grants.expireSessions();
  }

  /** The DailyApiRequests the limits resource reports from now on; `refused` makes it answer 403 instead. */
  public setApiLimit(max: number, remaining: number, refused = false): void {
    this.apiLimits.set(max, remaining, refused);
  }

  public reset(state: EmulatorState): void {
    this.store = new Store(state);
  }

  public stop(): Promise<void> {
    if (!this.closed) {
      this.stopped = true;
      for (const sleeper of this.sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.resolve();
      }
      this.sleepers.clear();
      this.grants.releaseAll();
      this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    }
    return this.closed;
  }

  private controlInfo(): ControlInfo {
    return {
      url: this.url,
      versions: this.versions,
      latencyMs: this.latencyMs,
      maxPageSize: this.maxPageSize ?? null,
      absoluteUrls: this.absoluteUrls,
      apiLimit: this.apiLimits.current(),
      pendingFaults: this.faults.size,
      logEntries: this.log.length,
      oauth: this.grants.settingsNow(),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let rawUrl = req.url ?? '/';
    // An absolute-form request target ("GET http://host/path") carries its own origin; only the path matters here.
    const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(rawUrl);
    if (absolute) rawUrl = rawUrl.slice(absolute[0].length) || '/';
    const qIndex = rawUrl.indexOf('?');
    const rawPath = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const query = qIndex < 0 ? '' : rawUrl.slice(qIndex + 1);
    // sf keeps the instance URL with a trailing slash, so real traffic arrives as "//services/...".
    let path = rawPath.replace(/\/{2,}/g, '/');
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const method = (req.method ?? 'GET').toUpperCase();

    if (path === '/__emulator' || path.startsWith('/__emulator/')) {
      return handleControl(req, res, method, path.slice('/__emulator'.length), this, () => this.controlInfo());
    }
    if (path !== '/services' && !path.startsWith('/services/')) {
      this.send(res, notFound());
      return;
    }
    if (!(await this.paced(this.latencyOnEveryRequest))) return;
    const record = (status: number, fault?: string): void => {
      this.seq += 1;
      const entry: RequestLogEntry = {
        seq: this.seq,
        method,
        path: this.redact(path),
        query: this.redact(query),
        status,
        at: new Date().toISOString(),
      };
      if (fault) entry.fault = fault;
      this.log.push(entry);
      if (path.startsWith('/services/data') && status !== 0 && status !== 401) this.apiLimits.spend();
    };

    // The token endpoint is where a client without a valid access token goes, so it takes no bearer token.
    if (path === '/services/oauth2/token') {
      const form = new URLSearchParams(await readBody(req));
      const reply = await this.grants.tokenEndpoint(this.url, this.store.org, method, form);
      this.send(res, reply);
      record(reply.status);
      return;
    }
    // Drain any request body (sf sends one on DELETE) so keep-alive connections stay usable.
    req.resume();

    if (!this.isAuthorized(req.headers.authorization)) {
      this.send(res, invalidSession());
      record(401);
      this.grants.sessionRefused();
      return;
    }

    const params = new URLSearchParams(query);
    const isUsage = path.includes('/apps/oauth/usage');
    if (!isUsage) {
      const reply = this.route(method, path, params, '');
      this.send(res, reply);
      record(reply.status);
      return;
    }

    const fault = this.faults.take(method, `${path}?${query}`);
    if (fault?.type === 'hang') {
      // Never answered; logged now because there will be no "after".
      record(0, 'hang');
      return;
    }
    if (!(await this.paced(!this.latencyOnEveryRequest))) return;
    await this.answerUsage(req, res, method, path, params, fault, record);
  }

  /** Waits the latency when it applies here; false when the emulator stopped meanwhile (the request gets no answer). */
  private async paced(latencyApplies: boolean): Promise<boolean> {
    if (latencyApplies && this.latencyMs > 0) await this.sleep(this.latencyMs);
    return !this.stopped;
  }

  private async answerUsage(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    path: string,
    params: URLSearchParams,
    fault: FaultAction | undefined,
    record: (status: number, fault?: string) => void
  ): Promise<void> {
    const defaultOrigin = this.absoluteUrls ? this.url : '';
    if (fault === undefined) {
      const reply = this.route(method, path, params, defaultOrigin);
      this.send(res, reply);
      record(reply.status);
      return;
    }
    const io: FaultResponder = {
      defaultOrigin,
      route: (origin) => this.route(method, path, params, origin),
      send: (reply) => this.send(res, reply),
      record,
      sleep: (ms) => this.sleep(ms),
      stopped: () => this.stopped,
      resetConnection: () => req.socket.resetAndDestroy(),
    };
    await applyFault(fault, io);
  }

  private isAuthorized(header: string | undefined): boolean {
    if (!header) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match !== null && this.grants.isAuthorized(match[1]);
  }

  /** Keeps the access token out of the log even if a client puts it in a URL. */
  private redact(text: string): string {
    if (!this.accessToken) return text;
    return text.replaceAll(this.accessToken, '[REDACTED]').replaceAll(encodeURIComponent(this.accessToken), '[REDACTED]');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    writeReply(res, reply, { 'Sforce-Limit-Info': this.apiLimits.usageHeader() });
  }

  private route(method: string, path: string, params: URLSearchParams, origin: string): Reply {
    let segments: string[];
    try {
      segments = path.split('/').slice(1).map((s) => decodeURIComponent(s));
    } catch {
      return notFound();
    }
    if (segments[0] !== 'services') return notFound();
    if (segments[1] === 'oauth2' && segments[2] === 'userinfo' && segments.length === 3) {
      return method === 'GET' ? { status: 200, body: userInfo(this.url, this.store.org) } : methodNotAllowed(method, 'GET');
    }
    if (segments[1] !== 'data') return notFound();
    if (segments.length === 2) {
      return method === 'GET' ? { status: 200, body: versionList(this.versions) } : methodNotAllowed(method, 'GET');
    }
    const versionMatch = /^v(\d+\.\d+)$/.exec(segments[2]);
    if (!versionMatch || !servesVersion(this.versions, versionMatch[1])) return notFound();
    const version = versionMatch[1];
    const rest = segments.slice(3);
    if (rest[0] === 'apps' && rest[1] === 'oauth' && rest[2] === 'usage') {
      if (!this.versions.includes(version) || Number(version) < MIN_USAGE_VERSION) return notFound();
      return usageRoute(this.store, { method, version, origin, rest: rest.slice(3), params, maxPageSize: this.maxPageSize });
    }
    return dataResource(this.store, method, version, rest, params, this.apiLimits);
  }
}

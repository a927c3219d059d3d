/*
 * A loopback HTTP emulator of the Connect REST "OAuth usage" resources for External Client Apps, plus the handful
 * of REST endpoints that the sf CLI and @salesforce/core call while logging in or opening a connection.
 * It exists so plugin tests, host tests and demos can run without a real org, with faults injected on demand.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  cloneState,
  generateState,
  summarizeState,
  validateState,
  type EmulatedApp,
  type EmulatedOrg,
  type EmulatedToken,
  type EmulatedUser,
  type EmulatorState,
  type SeedSpec,
} from './model.js';

export type FaultAction =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'html'; status?: number }
  | { type: 'truncated' }
  | { type: 'reset' }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'foreignUrls'; origin: string };

export type FaultRule = {
  /** HTTP method, case-insensitive; any when absent. */
  method?: string;
  /** RegExp source tested against `normalizedPath + '?' + rawQuery` (the '?' is always there). */
  path?: string;
  /** Number of matching requests the rule applies to; default 1; -1 means forever. */
  times?: number;
  action: FaultAction;
};

export type PendingFault = FaultRule & { remaining: number };

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
  accessToken?: string;
  latencyMs?: number;
  versions?: string[];
  absoluteUrls?: boolean;
};

export const DEFAULT_ACCESS_TOKEN = '00D000000000001AAA!emulator';
export const DEFAULT_VERSIONS = Array.from({ length: 12 }, (_, i) => `${55 + i}.0`);
export const DEFAULT_SEED: SeedSpec = { apps: 5, usersPerApp: 40, tokensPerUser: 2 };
export const MIN_USAGE_VERSION = 59;
export const MAX_PAGE_SIZE = 2000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_CONTROL_BODY = 64 * 1024 * 1024;
const JSON_TYPE = 'application/json;charset=UTF-8';

type Reply = {
  status: number;
  /** JSON-serialised unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
};

type CompiledFault = { rule: FaultRule; regex: RegExp | undefined; remaining: number };

type UsageContext = {
  method: string;
  version: string;
  /** Prefix for every URL the server emits: '' for relative URLs like the real API, or an origin. */
  origin: string;
  rest: string[];
  params: URLSearchParams;
};

const errorBody = (errorCode: string, message: string): Array<{ errorCode: string; message: string }> => [
  { errorCode, message },
];
const notFound = (): Reply => ({
  status: 404,
  body: errorBody('NOT_FOUND', 'The requested resource does not exist'),
});
const methodNotAllowed = (method: string, allowed: string): Reply => ({
  status: 405,
  body: errorBody('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`),
  headers: { Allow: allowed },
});
const invalidSession = (): Reply => ({
  status: 401,
  body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  headers: { 'WWW-Authenticate': 'Token' },
});

const MAINTENANCE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Salesforce - Maintenance</title></head>
<body><h1>Down for Maintenance</h1>
<p>This Salesforce instance is currently unavailable because of scheduled maintenance. Please try again later.</p>
</body></html>
`;

function defaultFaultBody(status: number): unknown {
  switch (status) {
    case 400:
      return errorBody('INVALID_INPUT', 'Bad request.');
    case 401:
      return [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    case 403:
      return errorBody('INSUFFICIENT_ACCESS', "You don't have permission to access this resource.");
    case 404:
      return errorBody('NOT_FOUND', 'The requested resource does not exist');
    case 429:
      return errorBody('REQUEST_LIMIT_EXCEEDED', 'Too many requests. Try again later.');
    case 500:
      return errorBody(
        'UNKNOWN_EXCEPTION',
        'An unexpected error occurred. Please include this ErrorId if you contact support: 1436102147-224433 (-1553717338)'
      );
    case 502:
    case 503:
    case 504:
      return errorBody('SERVER_UNAVAILABLE', 'Server temporarily unavailable. Please try again later.');
    default:
      return errorBody('UNKNOWN_EXCEPTION', `HTTP ${status}`);
  }
}

/** Salesforce release name of an API version, e.g. 66.0 -> "Spring '26" (53.0 was Winter '22). */
function releaseLabel(version: string): string {
  const idx = Math.round(Number(version)) - 53;
  const season = ['Winter', 'Spring', 'Summer'][((idx % 3) + 3) % 3];
  return `${season} '${22 + Math.floor(idx / 3)}`;
}

function isStatusCode(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

/** Returns a problem description, or undefined when the action is usable. */
function actionProblem(action: FaultAction): string | undefined {
  switch (action.type) {
    case 'status':
      return isStatusCode(action.status) ? undefined : 'status must be an HTTP status code';
    case 'html':
      return action.status === undefined || isStatusCode(action.status) ? undefined : 'status must be an HTTP status code';
    case 'delay':
      return typeof action.ms === 'number' && action.ms >= 0 ? undefined : 'delay needs ms >= 0';
    case 'foreignUrls':
      return typeof action.origin === 'string' && /^https?:\/\/[^/]+$/.test(action.origin.replace(/\/+$/, ''))
        ? undefined
        : 'foreignUrls needs an origin such as https://evil.example.com';
    case 'truncated':
    case 'reset':
    case 'hang':
      return undefined;
    default:
      return `unknown action type ${JSON.stringify((action as { type?: unknown }).type)}`;
  }
}

function compileFault(rule: FaultRule, index: number): CompiledFault {
  const where = `fault rule ${index}`;
  if (typeof rule !== 'object' || rule === null) throw new Error(`${where}: must be an object`);
  const action = rule.action as FaultAction | undefined;
  if (typeof action !== 'object' || action === null) throw new Error(`${where}: action is required`);
  const problem = actionProblem(action);
  if (problem) throw new Error(`${where}: ${problem}`);
  const times = rule.times ?? 1;
  if (!Number.isInteger(times) || times < -1) throw new Error(`${where}: times must be an integer >= -1`);
  if (rule.method !== undefined && typeof rule.method !== 'string') throw new Error(`${where}: method must be a string`);
  let regex: RegExp | undefined;
  if (rule.path !== undefined) {
    try {
      regex = new RegExp(rule.path);
    } catch (e) {
      throw new Error(`${where}: path is not a valid RegExp: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { rule: { ...rule, times }, regex, remaining: times };
}

function resourceMap(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  const names = ['appMenu', 'chatter', 'composite', 'connect', 'limits', 'query', 'queryAll', 'search', 'sobjects', 'tooling'];
  return Object.fromEntries(names.map((n) => [n, `${base}/${n}`]));
}

/** page is 0-based; the real API documents no pageSize limit, the emulator enforces 1..MAX_PAGE_SIZE. */
function parsePaging(params: URLSearchParams): { page: number; pageSize: number } | Reply {
  const read = (name: string, fallback: number, min: number, max: number): number | Reply => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      return {
        status: 400,
        body: errorBody('INVALID_INPUT', `Invalid value for ${name}: '${raw}'. It must be an integer ${range}.`),
      };
    }
    return value;
  };
  const page = read('page', 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return page;
  const pageSize = read('pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof pageSize !== 'number') return pageSize;
  return { page, pageSize };
}

/** The data plus the indexes the routes need, so big seeds page quickly. */
class Store {
  public readonly org: EmulatedOrg;
  private readonly apps = new Map<string, EmulatedApp>();
  private readonly users = new Map<string, EmulatedUser>();
  private readonly tokens = new Map<string, EmulatedToken>();
  /** app id -> user id -> token ids */
  private readonly byApp = new Map<string, Map<string, Set<string>>>();
  private readonly sortedUsers = new Map<string, EmulatedUser[]>();

  public constructor(state: EmulatorState) {
    const copy = cloneState(validateState(state));
    this.org = copy.org;
    for (const app of copy.apps) {
      this.apps.set(app.identifier, app);
      this.byApp.set(app.identifier, new Map());
    }
    for (const user of copy.users) this.users.set(user.userIdentifier, user);
    for (const token of copy.tokens) {
      this.tokens.set(token.tokenId, token);
      const perUser = this.byApp.get(token.appIdentifier) as Map<string, Set<string>>;
      const ids = perUser.get(token.userIdentifier) ?? new Set<string>();
      ids.add(token.tokenId);
      perUser.set(token.userIdentifier, ids);
    }
  }

  public snapshot(): EmulatorState {
    return cloneState({
      org: this.org,
      apps: [...this.apps.values()],
      users: [...this.users.values()],
      tokens: [...this.tokens.values()],
    });
  }

  public app(id: string): EmulatedApp | undefined {
    return this.apps.get(id);
  }

  public user(id: string): EmulatedUser | undefined {
    return this.users.get(id);
  }

  public listedApps(): EmulatedApp[] {
    return [...this.apps.values()]
      .filter((a) => (this.byApp.get(a.identifier)?.size ?? 0) > 0)
      .sort((a, b) => cmp(a.developerName, b.developerName) || cmp(a.identifier, b.identifier));
  }

  public appUsers(appId: string): EmulatedUser[] {
    let sorted = this.sortedUsers.get(appId);
    if (!sorted) {
      const ids = [...(this.byApp.get(appId)?.keys() ?? [])];
      sorted = ids
        .map((id) => this.users.get(id) as EmulatedUser)
        .sort((a, b) => cmp(a.username, b.username) || cmp(a.userIdentifier, b.userIdentifier));
      this.sortedUsers.set(appId, sorted);
    }
    return sorted;
  }

  public userTokens(appId: string, userId: string): EmulatedToken[] {
    const ids = this.byApp.get(appId)?.get(userId) ?? new Set<string>();
    return [...ids]
      .map((id) => this.tokens.get(id) as EmulatedToken)
      .sort((a, b) => cmp(a.initialConnectionAt, b.initialConnectionAt) || cmp(a.tokenId, b.tokenId));
  }

  public deleteToken(tokenId: string): boolean {
    const token = this.tokens.get(tokenId);
    if (!token) return false;
    this.tokens.delete(tokenId);
    const perUser = this.byApp.get(token.appIdentifier);
    const ids = perUser?.get(token.userIdentifier);
    ids?.delete(tokenId);
    if (perUser && ids?.size === 0) {
      perUser.delete(token.userIdentifier);
      this.sortedUsers.delete(token.appIdentifier);
    }
    return true;
  }

  public deleteUserTokens(appId: string, userId: string): number {
    const ids = [...(this.byApp.get(appId)?.get(userId) ?? [])];
    for (const id of ids) this.deleteToken(id);
    return ids.length;
  }

  public deleteAppTokens(appId: string): number {
    let count = 0;
    for (const userId of [...(this.byApp.get(appId)?.keys() ?? [])]) count += this.deleteUserTokens(appId, userId);
    return count;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Emulator {
  public readonly url: string;
  public readonly accessToken: string;
  private store: Store;
  private faults: CompiledFault[] = [];
  private log: RequestLogEntry[] = [];
  private seq = 0;
  private latencyMs: number;
  private readonly versions: string[];
  private readonly absoluteUrls: boolean;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private stopped = false;
  private closed: Promise<void> | undefined;

  private constructor(private readonly server: http.Server, url: string, options: EmulatorOptions) {
    this.url = url;
    this.accessToken = options.accessToken ?? DEFAULT_ACCESS_TOKEN;
    this.latencyMs = options.latencyMs ?? 0;
    this.versions = [...(options.versions ?? DEFAULT_VERSIONS)].sort((a, b) => Number(a) - Number(b));
    this.absoluteUrls = options.absoluteUrls ?? false;
    this.store = new Store(options.state ?? generateState(options.seed ?? DEFAULT_SEED));
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
    if (!Array.isArray(rules)) throw new Error('fault rules must be an array');
    const compiled = rules.map((r, i) => compileFault(r, i));
    this.faults.push(...compiled.filter((f) => f.remaining !== 0));
  }

  public pendingFaults(): PendingFault[] {
    return this.faults.map((f) => ({ ...f.rule, remaining: f.remaining }));
  }

  public clearFaults(): void {
    this.faults = [];
  }

  public setLatency(ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) throw new Error('latency must be a number >= 0');
    this.latencyMs = ms;
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
      this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    }
    return this.closed;
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
      return this.handleControl(req, res, method, path.slice('/__emulator'.length));
    }
    if (path !== '/services' && !path.startsWith('/services/')) {
      this.send(res, notFound());
      return;
    }
    // Drain any request body (sf sends one on DELETE) so keep-alive connections stay usable.
    req.resume();

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
    };

    if (!this.isAuthorized(req.headers.authorization)) {
      this.send(res, invalidSession());
      record(401);
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

    const fault = this.takeFault(method, `${path}?${query}`);
    if (fault?.type === 'hang') {
      // Never answered; logged now because there will be no "after".
      record(0, 'hang');
      return;
    }
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.stopped) return;
    await this.answerUsage(req, res, method, path, params, fault, record);
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
    switch (fault?.type) {
      case undefined: {
        const reply = this.route(method, path, params, defaultOrigin);
        this.send(res, reply);
        record(reply.status);
        return;
      }
      case 'status': {
        const reply: Reply = { status: fault.status, body: fault.body ?? defaultFaultBody(fault.status), headers: fault.headers };
        this.send(res, reply);
        record(reply.status, 'status');
        return;
      }
      case 'html': {
        const status = fault.status ?? 200;
        this.send(res, { status, text: MAINTENANCE_HTML, contentType: 'text/html;charset=UTF-8' });
        record(status, 'html');
        return;
      }
      case 'reset':
        req.socket.resetAndDestroy();
        record(0, 'reset');
        return;
      case 'delay': {
        await this.sleep(fault.ms);
        if (this.stopped) return;
        const reply = this.route(method, path, params, defaultOrigin);
        this.send(res, reply);
        record(reply.status, 'delay');
        return;
      }
      case 'truncated': {
        // The request is really processed (a DELETE does delete): only the answer is damaged in transit.
        const reply = this.route(method, path, params, defaultOrigin);
        const full = reply.body === undefined ? '' : JSON.stringify(reply.body);
        this.send(res, { status: 200, text: full.slice(0, Math.floor(full.length / 2)), contentType: JSON_TYPE });
        record(200, 'truncated');
        return;
      }
      case 'foreignUrls': {
        const reply = this.route(method, path, params, fault.origin.replace(/\/+$/, ''));
        this.send(res, reply);
        record(reply.status, 'foreignUrls');
        return;
      }
      case 'hang':
        return;
    }
  }

  private isAuthorized(header: string | undefined): boolean {
    if (!header) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match !== null && match[1] === this.accessToken;
  }

  /** Keeps the access token out of the log even if a client puts it in a URL. */
  private redact(text: string): string {
    if (!this.accessToken) return text;
    return text
      .split(this.accessToken)
      .join('[REDACTED]')
      .split(encodeURIComponent(this.accessToken))
      .join('[REDACTED]');
  }

  private takeFault(method: string, target: string): FaultAction | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining !== 0 &&
        (f.rule.method === undefined || f.rule.method.toUpperCase() === method) &&
        (f.regex === undefined || f.regex.test(target))
    );
    if (index < 0) return undefined;
    const found = this.faults[index];
    if (found.remaining > 0) {
      found.remaining -= 1;
      if (found.remaining === 0) this.faults.splice(index, 1);
    }
    return found.rule.action;
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
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string | number> = {
      'Sforce-Limit-Info': `api-usage=${this.seq + 1}/15000`,
      ...(reply.headers ?? {}),
    };
    let payload: string | undefined;
    if (reply.text !== undefined) payload = reply.text;
    else if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) payload = JSON.stringify(reply.body);
    if (payload !== undefined) {
      headers['Content-Type'] = reply.contentType ?? JSON_TYPE;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  // ---------------------------------------------------------------- REST routes

  private servesVersion(version: string): boolean {
    if (this.versions.includes(version)) return true;
    // @salesforce/core hard-codes v51.0 for its login calls; real orgs serve every version back to 20.0, listed or not.
    const oldest = Number(this.versions[0] ?? '0');
    return /^\d+\.0$/.test(version) && Number(version) >= 20 && Number(version) < oldest;
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
      return method === 'GET' ? { status: 200, body: this.userInfo() } : methodNotAllowed(method, 'GET');
    }
    if (segments[1] !== 'data') return notFound();
    if (segments.length === 2) {
      return method === 'GET' ? { status: 200, body: this.versionList() } : methodNotAllowed(method, 'GET');
    }
    const versionMatch = /^v(\d+\.\d+)$/.exec(segments[2]);
    if (!versionMatch || !this.servesVersion(versionMatch[1])) return notFound();
    const version = versionMatch[1];
    const rest = segments.slice(3);
    if (rest[0] === 'apps' && rest[1] === 'oauth' && rest[2] === 'usage') {
      if (!this.versions.includes(version) || Number(version) < MIN_USAGE_VERSION) return notFound();
      return this.usage({ method, version, origin, rest: rest.slice(3), params });
    }
    return this.dataResource(method, version, rest, params);
  }

  /** The non-usage resources under /services/data/vNN.N that login and Org/Connection setup touch. */
  private dataResource(method: string, version: string, rest: string[], params: URLSearchParams): Reply {
    const isUser = rest.length === 3 && rest[0] === 'sobjects' && rest[1] === 'User';
    const isQuery =
      (rest.length === 1 && rest[0] === 'query') || (rest.length === 2 && rest[0] === 'tooling' && rest[1] === 'query');
    if (rest.length !== 0 && !isUser && !isQuery) return notFound();
    if (method !== 'GET') return methodNotAllowed(method, 'GET');
    if (isUser) return this.userRecord(version, rest[2]);
    if (isQuery) return this.query(version, params.get('q'));
    return { status: 200, body: resourceMap(version) };
  }

  private versionList(): Array<{ label: string; url: string; version: string }> {
    return this.versions.map((v) => ({ label: releaseLabel(v), url: `/services/data/v${v}`, version: v }));
  }

  private userInfo(): Record<string, unknown> {
    const { orgId, adminUserId, adminUsername } = this.store.org;
    const u = this.url;
    return {
      sub: `${u}/id/${orgId}/${adminUserId}`,
      'user_id': adminUserId,
      'organization_id': orgId,
      'preferred_username': adminUsername,
      nickname: adminUsername.split('@')[0],
      name: 'Emulator Admin',
      email: adminUsername,
      'email_verified': true,
      'given_name': 'Emulator',
      'family_name': 'Admin',
      zoneinfo: 'America/Los_Angeles',
      locale: 'en_US',
      language: 'en_US',
      'user_type': 'STANDARD',
      active: true,
      'is_app_installed': true,
      urls: {
        enterprise: `${u}/services/Soap/c/{version}/${orgId.slice(0, 15)}`,
        metadata: `${u}/services/Soap/m/{version}/${orgId.slice(0, 15)}`,
        partner: `${u}/services/Soap/u/{version}/${orgId.slice(0, 15)}`,
        rest: `${u}/services/data/v{version}/`,
        sobjects: `${u}/services/data/v{version}/sobjects/`,
        search: `${u}/services/data/v{version}/search/`,
        query: `${u}/services/data/v{version}/query/`,
        'tooling_rest': `${u}/services/data/v{version}/tooling/`,
        profile: `${u}/${adminUserId}`,
        'custom_domain': u,
      },
    };
  }

  private userRecord(version: string, id: string): Reply {
    const { adminUserId, adminUsername } = this.store.org;
    if (id !== adminUserId && id !== adminUserId.slice(0, 15)) return notFound();
    return {
      status: 200,
      body: {
        attributes: { type: 'User', url: `/services/data/v${version}/sobjects/User/${adminUserId}` },
        Id: adminUserId,
        Username: adminUsername,
        Email: adminUsername,
        Name: 'Emulator Admin',
        FirstName: 'Emulator',
        LastName: 'Admin',
        IsActive: true,
        UserType: 'Standard',
        LanguageLocaleKey: 'en_US',
        TimeZoneSidKey: 'America/Los_Angeles',
      },
    };
  }

  private query(version: string, q: string | null): Reply {
    if (!q) return { status: 400, body: errorBody('MALFORMED_QUERY', 'A query string is required (q parameter).') };
    if (/\bScratchOrgInfo\b/i.test(q)) {
      return { status: 400, body: errorBody('INVALID_TYPE', "sObject type 'ScratchOrgInfo' is not supported.") };
    }
    if (/\bfrom\s+Organization\b/i.test(q)) {
      const { orgId } = this.store.org;
      return {
        status: 200,
        body: {
          totalSize: 1,
          done: true,
          records: [
            {
              attributes: { type: 'Organization', url: `/services/data/v${version}/sobjects/Organization/${orgId}` },
              Id: orgId,
              Name: 'Emulated Org',
              InstanceName: 'EMU1',
              IsSandbox: false,
              TrialExpirationDate: null,
              NamespacePrefix: null,
              OrganizationType: 'Developer Edition',
              CreatedDate: '2024-01-15T10:00:00.000+0000',
            },
          ],
        },
      };
    }
    return { status: 200, body: { totalSize: 0, done: true, records: [] } };
  }

  // ---------------------------------------------------------------- usage resources

  private usage(ctx: UsageContext): Reply {
    const { method, rest } = ctx;
    if (rest.length === 0) return method === 'GET' ? this.listApps(ctx) : methodNotAllowed(method, 'GET');
    if (rest.length === 2 && rest[0] === 'tokens') {
      return method === 'DELETE' ? this.revokeToken(rest[1]) : methodNotAllowed(method, 'DELETE');
    }
    if (rest.length === 2 && rest[1] === 'users') {
      return method === 'GET' ? this.listUsers(ctx, rest[0]) : methodNotAllowed(method, 'GET');
    }
    if (rest.length === 2 && rest[1] === 'tokens') {
      return method === 'DELETE' ? this.revokeApp(rest[0]) : methodNotAllowed(method, 'DELETE');
    }
    if (rest.length === 3 && rest[2] === 'tokens') {
      if (method === 'GET') return this.listTokens(ctx, rest[0], rest[1]);
      if (method === 'DELETE') return this.revokeUser(rest[0], rest[1]);
      return methodNotAllowed(method, 'GET, DELETE');
    }
    return notFound();
  }

  private listApps(ctx: UsageContext): Reply {
    const paging = parsePaging(ctx.params);
    if ('status' in paging) return paging;
    const { page, pageSize } = paging;
    const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
    const apps = this.store.listedApps().slice(page * pageSize, (page + 1) * pageSize);
    return {
      status: 200,
      body: {
        apps: apps.map((a) => ({
          accessTokenFormat: a.accessTokenFormat,
          availableActions: a.availableActions,
          description: a.description,
          developerName: a.developerName,
          identifier: a.identifier,
          isFromPackage: a.isFromPackage,
          usageDetailsUrl: `${base}/${a.identifier}/users`,
        })),
        currentPageUrl: `${base}?page=${page}&pageSize=${pageSize}`,
        // The real API emits nextPageUrl on every page, the last one included.
        nextPageUrl: `${base}?page=${page + 1}&pageSize=${pageSize}`,
      },
    };
  }

  private listUsers(ctx: UsageContext, appId: string): Reply {
    const app = this.store.app(appId);
    if (!app) return notFound();
    const paging = parsePaging(ctx.params);
    if ('status' in paging) return paging;
    const { page, pageSize } = paging;
    const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
    const users = this.store.appUsers(appId).slice(page * pageSize, (page + 1) * pageSize);
    return {
      status: 200,
      body: {
        currentPageUrl: `${base}/${appId}/users?page=${page}&pageSize=${pageSize}`,
        nextPageUrl: `${base}/${appId}/users?page=${page + 1}&pageSize=${pageSize}`,
        users: users.map((user) => {
          const tokens = this.store.userTokens(appId, user.userIdentifier);
          const used = tokens.map((t) => t.lastUsedAt).filter((d): d is string => d !== null);
          return {
            accessTokenFormat: app.accessTokenFormat,
            appDeveloperName: app.developerName,
            appIdentifier: app.identifier,
            initialConnectionAt: tokens.map((t) => t.initialConnectionAt).reduce((a, b) => (b < a ? b : a)),
            lastUsedAt: used.length === 0 ? null : used.reduce((a, b) => (b > a ? b : a)),
            revocationUrl: `${base}/${appId}/${user.userIdentifier}/tokens`,
            useCount: tokens.reduce((sum, t) => sum + t.useCount, 0),
            userIdentifier: user.userIdentifier,
            username: user.username,
          };
        }),
      },
    };
  }

  private listTokens(ctx: UsageContext, appId: string, userId: string): Reply {
    const app = this.store.app(appId);
    const user = this.store.user(userId);
    if (!app || !user) return notFound();
    const base = `${ctx.origin}/services/data/v${ctx.version}/apps/oauth/usage`;
    return {
      status: 200,
      body: {
        currentPageUrl: `${base}/${appId}/${userId}/tokens`,
        tokens: this.store.userTokens(appId, userId).map((t) => ({
          accessTokenFormat: app.accessTokenFormat,
          appDeveloperName: app.developerName,
          appIdentifier: app.identifier,
          initialConnectionAt: t.initialConnectionAt,
          lastUsedAt: t.lastUsedAt,
          revocationUrl: `${base}/tokens/${t.tokenId}`,
          useCount: t.useCount,
          userIdentifier: user.userIdentifier,
          username: user.username,
        })),
      },
    };
  }

  private revokeToken(tokenId: string): Reply {
    return this.store.deleteToken(tokenId) ? { status: 204 } : notFound();
  }

  private revokeUser(appId: string, userId: string): Reply {
    if (!this.store.app(appId) || !this.store.user(userId)) return notFound();
    return this.store.deleteUserTokens(appId, userId) > 0 ? { status: 204 } : notFound();
  }

  private revokeApp(appId: string): Reply {
    if (!this.store.app(appId)) return notFound();
    return this.store.deleteAppTokens(appId) > 0 ? { status: 204 } : notFound();
  }

  // ---------------------------------------------------------------- control API

  private async handleControl(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    sub: string
  ): Promise<void> {
    let reply: Reply;
    try {
      let body: unknown;
      if (method === 'POST') body = await readJson(req);
      else req.resume();
      reply = this.control(method, sub, body);
    } catch (e) {
      reply = { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
    }
    if (res.destroyed || res.headersSent) return;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  private control(method: string, sub: string, body: unknown): Reply {
    const key = `${method} ${sub === '' ? '/' : sub}`;
    switch (key) {
      case 'GET /':
      case 'GET /info':
        return {
          status: 200,
          body: {
            url: this.url,
            versions: this.versions,
            latencyMs: this.latencyMs,
            absoluteUrls: this.absoluteUrls,
            pendingFaults: this.faults.length,
            logEntries: this.log.length,
            summary: summarizeState(this.store.snapshot()),
          },
        };
      case 'GET /state':
        return { status: 200, body: this.state() };
      case 'GET /log':
        return { status: 200, body: this.requests() };
      case 'DELETE /log': {
        const cleared = this.log.length;
        this.clearLog();
        return { status: 200, body: { cleared } };
      }
      case 'GET /faults':
        return { status: 200, body: this.pendingFaults() };
      case 'POST /faults':
        this.addFaults(Array.isArray(body) ? (body as FaultRule[]) : [body as FaultRule]);
        return { status: 200, body: { pending: this.faults.length } };
      case 'DELETE /faults': {
        const cleared = this.faults.length;
        this.clearFaults();
        return { status: 200, body: { cleared } };
      }
      case 'POST /latency': {
        const ms = typeof body === 'object' && body !== null ? (body as { ms?: unknown }).ms : undefined;
        this.setLatency(ms as number);
        return { status: 200, body: { latencyMs: this.latencyMs } };
      }
      case 'POST /reset': {
        const seed = typeof body === 'object' && body !== null ? (body as { seed?: unknown }).seed : undefined;
        this.reset(seed === undefined ? (body as EmulatorState) : generateState(seed as SeedSpec));
        return { status: 200, body: summarizeState(this.store.snapshot()) };
      }
      default:
        return { status: 404, body: { error: `unknown control endpoint: ${method} /__emulator${sub}` } };
    }
  }
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        reject(new Error('a JSON body is required'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new Error(`body is not JSON: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  });
}

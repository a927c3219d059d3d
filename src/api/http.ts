import http from 'node:http';
import https from 'node:https';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Connection, Logger, SFDX_HTTP_HEADERS } from '@salesforce/core';
import type { Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { sessionRefreshRefused } from './errors.js';
import { type HttpMethod, type HttpResponse, type HttpTransport, NetworkError } from './transport.js';

const gunzipAsync = promisify(gunzip);

/** A response as read off the wire: the body as text, headers with lower-case names. */
export type RawResponse = { statusCode: number; headers: Record<string, string>; body?: string };

/**
 * Sends every request of a command the same way: undici (the client Node's own fetch runs on) with keep-alive, to the
 * connection's instance URL, with its current access token and the headers sf's own requests carry. Only public APIs:
 * `connection.accessToken`, `connection.normalizeUrl`, and on a 401 core's `connection.refreshAuth()` (core 9 takes its
 * cross-process refresh lock there), once per token, then the request again with the new token.
 *
 * No redirect is followed (undici's `request` follows none unless a redirect interceptor is added): a 3xx is the answer
 * `send` resolves with, which the usage client refuses, so the access token never goes to another origin. Proxies set
 * in the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are honoured on this same path.
 */
export function connectionTransport(connection: Connection): HttpTransport {
  const headers = sfHeaders();
  // sf's log file holds every request core's Connection.request sends (method and URL, at debug): so it does ours.
  const logger = Logger.childFromRoot('UsageTransport');
  return {
    async send(method, path, timeoutMs): Promise<HttpResponse> {
      const url = connection.normalizeUrl(path);
      const sendWith = async (token: string | undefined): Promise<RawResponse> => {
        logger.debug({ method, url }, 'request');
        try {
          return await sendOnce(method, url, { ...headers, authorization: `Bearer ${token ?? ''}` }, timeoutMs);
        } catch (error) {
          throw networkErrorFrom(error) ?? error;
        }
      };
      const token = connection.accessToken ?? undefined;
      const first = await sendWith(token);
      if (first.statusCode !== 401) return fromRaw(first);
      // Another request renewed the session while this one was under way: its new token is all this one needs.
      if ((connection.accessToken ?? undefined) === token) {
        try {
          await refreshOnce(connection, token);
        } catch (failure) {
          // No refresh token (an access token as target org): the org's own answer, the 401, says what happened.
          if (hasErrorCode(failure)) return fromRaw(first);
          throw networkErrorFrom(failure) ?? sessionRefreshRefused(failure, method);
        }
        // refreshAuth() renews only a session the org refuses; when it accepted this token, there is no new one to
        // send, and the 401 is about this request (as jsforce answered it before: sent once, SessionExpired).
        if ((connection.accessToken ?? undefined) === token) return fromRaw(first);
      }
      // A second 401 is the org's answer: the usage client maps it to SessionExpired.
      return fromRaw(await sendWith(connection.accessToken ?? undefined));
    },
  };
}

/**
 * The headers sf's own requests carry, built from public values. The previous transport copied them from jsforce's
 * first request, which got them from two places. Core's `Connection.request` adds `SFDX_HTTP_HEADERS` (exported by
 * core): `content-type: application/json` and `user-agent: sfdx toolbelt:<SFDX_SET_CLIENT_IDS>`. jsforce's HttpApi
 * adds `Sforce-Call-Options` from the connection's `callOptions`, which core's `Connection.create` sets to
 * `{ client: <the same client id as the user agent> }`: how the org's API usage names the caller.
 */
function sfHeaders(): Record<string, string> {
  const fromCore = SFDX_HTTP_HEADERS as Record<string, string>;
  const clientId = fromCore['user-agent'];
  return { ...fromCore, ...(clientId ? { 'sforce-call-options': `client=${clientId}` } : {}), 'accept-encoding': 'gzip' };
}

/** Refreshes in flight, per connection and per token: concurrent 401s on one token share one refresh. */
const refreshes = new WeakMap<Connection, Map<string | undefined, Promise<void>>>();

function refreshOnce(connection: Connection, token: string | undefined): Promise<void> {
  let byToken = refreshes.get(connection);
  if (!byToken) refreshes.set(connection, (byToken = new Map<string | undefined, Promise<void>>()));
  let pending = byToken.get(token);
  if (!pending) {
    pending = connection.refreshAuth();
    byToken.set(token, pending);
    // Forgotten once settled: a later 401 on a token that is current again (no refresh happened) may try once more.
    const forget = (): void => void byToken?.delete(token);
    pending.then(forget, forget);
  }
  return pending;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
let proxyAgent: { key: string; value: Promise<Dispatcher> | undefined } | undefined;

type ProxyClient = { EnvHttpProxyAgent: typeof EnvHttpProxyAgent; request: typeof request };
let undici: Promise<ProxyClient> | undefined;
/**
 * undici is loaded only behind a proxy: importing it costs 70-90 ms of every command's start-up on the Node 20 line,
 * whose jsforce does not load it (the main line's jsforce does, so there it is loaded anyway).
 */
const loadUndici = (): Promise<ProxyClient> => (undici ??= import('undici').then((loaded) => ({ EnvHttpProxyAgent: loaded.EnvHttpProxyAgent, request: loaded.request })));

/**
 * Behind a proxy set in the environment, undici's EnvHttpProxyAgent, which reads HTTP(S)_PROXY and NO_PROXY as curl
 * does (one per process, made again only when the variables change); undefined without one.
 */
function proxyForEnv(): Promise<Dispatcher> | undefined {
  const key = [...PROXY_VARIABLES, 'NO_PROXY', 'no_proxy'].map((name) => process.env[name] ?? '').join('\n');
  if (proxyAgent?.key !== key) {
    const env = process.env;
    const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? env.https_proxy ?? env.HTTPS_PROXY;
    const proxied = PROXY_VARIABLES.some((name) => env[name]);
    proxyAgent = {
      key,
      value: proxied ? loadUndici().then((client) => withoutExperimentalWarning(() => new client.EnvHttpProxyAgent({ httpProxy }))) : undefined,
    };
  }
  return proxyAgent.value;
}

/**
 * undici 6 (the Node 20 line's) prints "EnvHttpProxyAgent is experimental" on stderr when one is made; undici 8 made it
 * stable. The class is the same one in both, so a user behind a proxy is not shown the warning.
 */
function withoutExperimentalWarning<T>(make: () => T): T {
  // Kept to be put back as it was; it is only called with process as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
    if (String(typeof warning === 'string' ? warning : warning.message).startsWith('EnvHttpProxyAgent is experimental')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * One request, its whole body read. Without a proxy it goes over Node's own http(s) and its global keep-alive agents:
 * sent through undici, the 20,000 requests of a 100,000-token inventory peaked at 1.5x the memory (281 MB against
 * 187 MB through bin/run.js), because each response's stream machinery outlived the request long enough to reach V8's
 * old generation. Behind a proxy, undici's proxy agent, which Node's http lacks. Neither follows a redirect.
 */
async function sendOnce(method: HttpMethod, url: string, headers: Record<string, string>, idleTimeoutMs: number): Promise<RawResponse> {
  const proxy = proxyForEnv();
  const { statusCode, headers: responseHeaders, bytes } = proxy
    ? await sendThroughProxy(method, url, headers, idleTimeoutMs, await proxy)
    : await sendOverNode(method, url, headers, idleTimeoutMs);
  const body = responseHeaders['content-encoding'] === 'gzip' && bytes.length > 0 ? await gunzipAsync(bytes) : bytes;
  return { statusCode, headers: responseHeaders, body: body.toString('utf8') };
}

type WireResponse = { statusCode: number; headers: Record<string, string>; bytes: Buffer };

const lowerCaseHeaders = (raw: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(raw).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value ?? '')]));

async function sendThroughProxy(method: HttpMethod, url: string, headers: Record<string, string>, idleTimeoutMs: number, dispatcher: Dispatcher): Promise<WireResponse> {
  const response = await (await loadUndici()).request(url, { method, headers, dispatcher, headersTimeout: idleTimeoutMs, bodyTimeout: idleTimeoutMs });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return { statusCode: response.statusCode, headers: lowerCaseHeaders(response.headers), bytes: Buffer.concat(chunks) };
}

/** Rejects with the socket's error (its `code` intact) when no response came, or ETIMEDOUT after `idleTimeoutMs` of silence. */
function sendOverNode(method: HttpMethod, url: string, headers: Record<string, string>, idleTimeoutMs: number): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? https.request : http.request;
    const outgoing = send(target, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers: lowerCaseHeaders(response.headers), bytes: Buffer.concat(chunks) }));
    });
    outgoing.setTimeout(idleTimeoutMs, () => outgoing.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export function fromRaw(raw: RawResponse): HttpResponse {
  const contentType = raw.headers['content-type'] ?? '';
  const text = raw.body ?? '';
  if (text.trim() === '') {
    return { status: raw.statusCode, headers: raw.headers, body: undefined, bodyIsJson: true, contentType };
  }
  try {
    return { status: raw.statusCode, headers: raw.headers, body: JSON.parse(text) as unknown, bodyIsJson: true, contentType };
  } catch {
    return { status: raw.statusCode, headers: raw.headers, body: text, bodyIsJson: false, contentType };
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
/** undici's time-outs: connecting, waiting for the headers, a silent body. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type FailureShape = { name?: string; code?: unknown; message?: string; type?: string; cause?: unknown };

/**
 * The network code of a failure or of the errors that caused it: undici's own errors carry it, and a refresh that
 * went through jsforce's fetch keeps the socket's error in `cause`.
 */
function networkCode(failure: unknown): string | undefined {
  let current = failure as FailureShape | undefined;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (typeof current.code === 'string' && TIMEOUT_CODES.has(current.code)) return 'ETIMEDOUT';
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code;
    current = current.cause as FailureShape | undefined;
  }
  return undefined;
}

/** A failure that got no HTTP response (reset, refused, timed out), as the NetworkError the retry policy knows. */
export function networkErrorFrom(failure: unknown): NetworkError | undefined {
  if (failure instanceof NetworkError) return failure;
  const error = failure as FailureShape | undefined;
  const message = typeof error?.message === 'string' ? error.message : String(failure);
  if (error?.name === 'AbortError' || error?.type === 'aborted') return new NetworkError('request timed out', 'ETIMEDOUT');
  const code = networkCode(failure);
  if (code) return new NetworkError(code, code);
  if (error?.name === 'FetchError' || /socket hang up|ECONNRESET|network|^fetch failed$/i.test(message)) {
    const own = typeof error?.code === 'string' ? error.code : 'ECONNRESET';
    return new NetworkError(own, own);
  }
  return undefined;
}

const hasErrorCode = (failure: unknown): boolean =>
  typeof failure === 'object' && failure !== null && typeof (failure as { errorCode?: unknown }).errorCode === 'string';

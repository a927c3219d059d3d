import { PassThrough } from 'node:stream';
// jsforce hides the status and headers of a response behind its own error objects, and retries by itself. We need the
// status (to retry only what is safe) and Retry-After, so each request is sent through a transport that records the
// raw response it saw. The module has no "exports" map, so this deep import is the published way to reach the class.
import { Transport } from '@jsforce/jsforce-node/lib/transport.js';
import { Connection } from '@salesforce/core';
import { sessionRefreshRefused } from './errors.js';
import { type HttpMethod, type HttpResponse, type HttpTransport, NetworkError } from './transport.js';
import { sendOverNode, type OutgoingRequest, type RawResponse } from './nodeHttp.js';

/**
 * Sends requests for a @salesforce/core connection: its instance URL, its access token, sf's headers, and session
 * refresh by core (with core's own locking), with jsforce's own retries switched off (one retry policy lives in the
 * usage client).
 *
 * The first request of a transport goes through `connection.request`, so jsforce and core check the session (and
 * refresh it when it expired) and build the request's headers; the transport keeps those headers. Later requests
 * send the same headers, with the connection's current access token, straight over Node's http(s): jsforce's
 * request machinery (a fetch wrapper, three streams and a promise wrapper per request) cost about twice the CPU of
 * the request itself here, and its streams outlived the request long enough to make memory grow with the number of
 * requests of a large inventory. A 401 goes back to jsforce, which asks core to refresh the session and sends the
 * request again: the 401 already received is replayed to it, so no request is sent twice.
 *
 * A connection whose `request` was replaced (sf's test doubles do that) keeps everything on `connection.request`,
 * as does a run behind a proxy set in the environment, which only jsforce's transport knows how to reach.
 *
 * Neither path follows a redirect: a 3xx is the answer `send` resolves with (the usage client refuses it), so the
 * access token never goes to a Location on another host.
 */
export function connectionTransport(connection: Connection): HttpTransport {
  const direct = canSendDirectly(connection);
  let headers: Record<string, string> | undefined;
  const viaJsforce = async (method: HttpMethod, path: string, timeoutMs: number, replay?: Replay): Promise<HttpResponse> => {
    let observed: RawResponse | undefined;
    const transport = new ObservingTransport(replay, (request, response) => {
      observed = response;
      if (direct && response.statusCode < 400) headers ??= withoutAuthorization(request.headers);
    });
    let value: unknown;
    let failure: unknown;
    try {
      value = await connection.request(
        { method, url: path },
        // `transport` is honoured by jsforce's HttpApi but missing from its public option type.
        { retry: { maxRetries: 0 }, timeout: timeoutMs, transport } as unknown as Parameters<Connection['request']>[1]
      );
    } catch (error) {
      failure = error;
    }
    if (observed) {
      // jsforce answers a 401 by asking core to refresh the session. When the refresh fails, the request rejects
      // with the refresh's error instead of the API error jsforce builds from the 401 (which has an errorCode).
      if (failure !== undefined && observed.statusCode === 401 && !hasErrorCode(failure)) {
        throw networkErrorFrom(failure) ?? sessionRefreshRefused(failure, method);
      }
      return fromRaw(observed);
    }
    if (failure === undefined) {
      // No response went over the wire: the connection was stubbed (unit tests) and handed back a value.
      return { status: value === undefined ? 204 : 200, headers: {}, body: value, bodyIsJson: true, contentType: '' };
    }
    return fromUnobservedFailure(failure);
  };
  return {
    async send(method, path, timeoutMs): Promise<HttpResponse> {
      if (!headers) return viaJsforce(method, path, timeoutMs);
      const url = connection.normalizeUrl(path);
      let token: string | undefined;
      let raw: RawResponse;
      do {
        token = connection.accessToken ?? undefined;
        try {
          // eslint-disable-next-line no-await-in-loop -- a second attempt only follows a 401, see below
          raw = await sendOverNode({ method, url, headers: { ...headers, authorization: `Bearer ${token ?? ''}` } }, timeoutMs);
        } catch (error) {
          return fromUnobservedFailure(error);
        }
        // A 401 to a token another request has refreshed meanwhile only needs the new token, as in jsforce's own
        // HttpApi (its refresh skips sessions renewed after the request was sent); anything else is for jsforce.
      } while (raw.statusCode === 401 && connection.accessToken !== token);
      return raw.statusCode === 401 ? viaJsforce(method, path, timeoutMs, { response: raw, authorization: `Bearer ${token ?? ''}` }) : fromRaw(raw);
    },
  };
}

// Captured before any test double can replace it: the method of the class sf's connections are made from. Only compared,
// never called.
// eslint-disable-next-line @typescript-eslint/unbound-method
const ownRequest = Connection.prototype.request;
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

function canSendDirectly(connection: Connection): boolean {
  return connection.request === ownRequest && !PROXY_VARIABLES.some((name) => process.env[name]) && typeof connection.instanceUrl === 'string';
}

const withoutAuthorization = (headers: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));

/** A 401 the direct path got, and the Authorization it was sent with. */
type Replay = { response: RawResponse; authorization: string };

/**
 * The transport jsforce's HttpApi sends through: it reports each request and the raw response it got, and can
 * answer the first request with a 401 already received instead of sending it again. Only when that request carries
 * the same token: when another request's refresh was under way, HttpApi waits for it and sends with the new token,
 * and that one must go out.
 */
class ObservingTransport extends Transport {
  public constructor(private replay: Replay | undefined, private readonly observe: (request: OutgoingRequest, response: RawResponse) => void) {
    super();
  }

  public httpRequest(...[outgoing, options]: Parameters<Transport['httpRequest']>): ReturnType<Transport['httpRequest']> {
    const request = outgoing as unknown as OutgoingRequest;
    const replay = this.replay;
    this.replay = undefined;
    // jsforce follows a 3xx by default (jsforce-node 3.10 and 3.12 alike): it sends the request again, as a GET, to
    // the Location, whatever its host, with the Authorization header. The 3xx itself must reach the usage client,
    // which refuses it; the option is read per request, so setting it here holds whatever HttpApi passes.
    const pending =
      replay && authorizationOf(request) === replay.authorization
        ? (Object.assign(Promise.resolve(replay.response), { stream: () => new PassThrough() }) as unknown as ReturnType<Transport['httpRequest']>)
        : super.httpRequest(outgoing, { ...options, followRedirect: false });
    pending.then(
      (response) => this.observe(request, response as unknown as RawResponse),
      () => undefined
    );
    return pending;
  }
}

const authorizationOf = (request: OutgoingRequest): string | undefined =>
  Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];

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
]);

function fromUnobservedFailure(failure: unknown): HttpResponse {
  const network = networkErrorFrom(failure);
  if (network) throw network;
  const error = failure as { name?: string; errorCode?: string; message?: string };
  const message = typeof error?.message === 'string' ? error.message : String(failure);
  // An API error raised without a response we could observe: keep its errorCode and message, as the API would send.
  const errorCode = error?.errorCode ?? error?.name ?? 'UNKNOWN_ERROR';
  return { status: 0, headers: {}, body: [{ errorCode, message }], bodyIsJson: true, contentType: 'application/json' };
}

type FailureShape = { name?: string; code?: unknown; message?: string; type?: string; cause?: unknown };

/**
 * The network code of a failure or of the errors that caused it. jsforce before 3.12 sends through node-fetch, whose
 * errors carry the socket's code themselves; from 3.12 on it uses undici's fetch, which rejects with
 * `TypeError: fetch failed` and keeps the socket error (ECONNRESET, UND_ERR_SOCKET...) in `cause`.
 */
function networkCode(failure: unknown): string | undefined {
  let current = failure as FailureShape | undefined;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) return current.code;
    current = current.cause as FailureShape | undefined;
  }
  return undefined;
}

/** A failure that got no HTTP response (reset, refused, timed out), as the NetworkError the retry policy knows. */
function networkErrorFrom(failure: unknown): NetworkError | undefined {
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

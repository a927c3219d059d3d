/*
 * The seam between the usage client and the wire: what a request and its answer are, and the one error a transport
 * raises. The client, its retries and its error mapping depend on this alone, never on how requests are sent.
 */

export type HttpMethod = 'GET' | 'DELETE';

export type HttpResponse = {
  /** HTTP status; 0 when the failure was raised before any response was seen (for example by a stubbed connection). */
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when there is no body. */
  body: unknown;
  /** False when a body was present but was not valid JSON (HTML page, truncated JSON). */
  bodyIsJson: boolean;
  contentType: string;
};

/** A request that got no HTTP response: reset, refused, timed out. */
export class NetworkError extends Error {
  public constructor(message: string, public readonly code: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export type HttpTransport = {
  /** Sends one request, without retries. Resolves for every HTTP status; rejects with NetworkError only. */
  send(method: HttpMethod, path: string, timeoutMs: number): Promise<HttpResponse>;
};

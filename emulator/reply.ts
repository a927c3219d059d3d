/*
 * What every emulator route returns before it is written to the socket, and the Connect-style error bodies the
 * routes and the fault layer share, so an injected 404 looks exactly like a real one.
 */
import type http from 'node:http';

export const JSON_TYPE = 'application/json;charset=UTF-8';

export type Reply = {
  status: number;
  /** JSON-serialised unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
};

export const errorBody = (errorCode: string, message: string): Array<{ errorCode: string; message: string }> => [
  { errorCode, message },
];
export const notFound = (): Reply => ({
  status: 404,
  body: errorBody('NOT_FOUND', 'The requested resource does not exist'),
});
export const methodNotAllowed = (method: string, allowed: string): Reply => ({
  status: 405,
  body: errorBody('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`),
  headers: { Allow: allowed },
});
export const invalidSession = (): Reply => ({
  status: 401,
  body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  headers: { 'WWW-Authenticate': 'Token' },
});

/** Writes a reply unless the response is already gone; the reply's own headers override `base`. */
export function writeReply(res: http.ServerResponse, reply: Reply, base: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string | number> = { ...base, ...(reply.headers ?? {}) };
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

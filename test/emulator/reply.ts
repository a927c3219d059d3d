/*
 * What every emulator route returns before it is written to the socket, and the Connect-style error bodies the
 * routes and the fault layer share, so an injected 404 looks exactly like a real one.
 */

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

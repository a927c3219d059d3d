import { Messages, SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';
import type { HttpMethod, HttpResponse } from './transport.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/** What a request was about, so that a 404 can say "app 0xI…" instead of "resource". */
export type Subject = { kind: 'app' | 'user' | 'token' | 'app list' | 'version list' | 'user lookup' | 'API limits'; id?: string };

/** The API's own words, kept on every mapped error so that revoke results can report them per target. */
export type ApiErrorData = { status: number; errorCode: string; apiMessage: string };

/**
 * The one place that turns what the org answered into an SfError with actions. Connect error bodies are a JSON array
 * of `{ errorCode, message }` (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_error_responses.htm).
 */
export function apiError(response: HttpResponse, method: HttpMethod, subject: Subject, instanceUrl?: string): SfError<ApiErrorData> {
  if (response.status >= 300 && response.status < 400) return redirectError(response, method, subject, instanceUrl);
  const { errorCode, apiMessage } = firstApiError(response);
  const data: ApiErrorData = { status: response.status, errorCode, apiMessage };
  const tokens = [errorCode, apiMessage];
  let error: SfError;
  if (response.status === 401 || errorCode === 'INVALID_SESSION_ID') {
    error = messages.createError('error.SessionExpired', [errorCode]);
  } else if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    error = messages.createError('error.RequestLimitExceeded', tokens);
  } else if (response.status === 403 || errorCode.startsWith('INSUFFICIENT_ACCESS')) {
    error = messages.createError('error.InsufficientAccess', tokens);
  } else if (response.status === 404 || errorCode === 'NOT_FOUND') {
    error = messages.createError('error.NotFound', [describe(subject), errorCode, apiMessage]);
  } else if (response.status === 400) {
    error = messages.createError('error.BadRequest', tokens);
  } else {
    error = messages.createError('error.ServerError', [String(response.status || 'unknown'), errorCode, apiMessage]);
  }
  return withData(error, data, method);
}

/**
 * A 3xx: never followed, since the request would go again, with the access token, to wherever `Location` points. The
 * error names the status and the Location's origin only: its path and query may carry what no log should hold.
 */
function redirectError(response: HttpResponse, method: HttpMethod, subject: Subject, instanceUrl: string | undefined): SfError<ApiErrorData> {
  const status = String(response.status);
  const target = redirectTarget(response.headers.location, instanceUrl);
  const error = messages.createError('error.RedirectNotFollowed', [`${method} ${describe(subject)}`, status, target]);
  // The short form is what a revoke reports for its target, in a table row.
  const apiMessage = messages.getMessage('redirect.notFollowed', [status, target]);
  return withData(error, { status: response.status, errorCode: 'REDIRECT_NOT_FOLLOWED', apiMessage }, method);
}

function redirectTarget(location: string | undefined, instanceUrl: string | undefined): string {
  if (location === undefined || location.trim() === '') return messages.getMessage('redirect.noLocation');
  try {
    // A relative Location stays on the org's own instance.
    const { origin } = new URL(location.trim(), instanceUrl);
    if (origin !== 'null') return printable(origin);
  } catch {
    // Neither an absolute URL nor one relative to the instance: said as such below.
  }
  return messages.getMessage('redirect.unreadableLocation');
}

/**
 * A DELETE the org answered with a success other than 200 or 204 (202 Accepted, 206...): the API documents 204, and
 * only an answer that says the token is gone may be reported as revoked.
 */
export function revokeNotConfirmedError(response: HttpResponse, subject: Subject): SfError<ApiErrorData> {
  const error = messages.createError('error.RevokeNotConfirmed', [describe(subject), String(response.status)]);
  return withData(error, { status: response.status, errorCode: 'REVOKE_NOT_CONFIRMED', apiMessage: error.message }, 'DELETE');
}

/** A 2xx whose body is not the documented JSON: an HTML maintenance page, or JSON cut short. */
export function unexpectedBodyError(response: HttpResponse, method: HttpMethod, subject: Subject): SfError<ApiErrorData> {
  const what = typeof response.body === 'string' && /<html|<!doctype/i.test(response.body) ? 'an HTML page' : 'a body that is not valid JSON';
  const error = messages.createError('error.UnexpectedBody', [`${method} ${describe(subject)}`, what]);
  return withData(error, { status: response.status, errorCode: 'UNEXPECTED_BODY', apiMessage: what }, method);
}

/**
 * The session expired and @salesforce/core could not refresh it: the org's token endpoint refused the refresh token
 * (revoked, expired) or the JWT (certificate or app changed). jsforce and core wrap the endpoint's words in their own
 * ("Unable to refresh session due to: Error authenticating with the refresh token due to: …"); the last part says why.
 */
export function sessionRefreshRefused(cause: unknown, method: HttpMethod): SfError<ApiErrorData> {
  const text = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ');
  const reason = printable(text.split('due to: ').pop()!, 200).trim() || 'no details';
  const error = messages.createError('error.SessionRefreshRefused', [reason]);
  return withData(error, { status: 401, errorCode: 'SESSION_REFRESH_REFUSED', apiMessage: reason }, method);
}

export function networkFailure(code: string, attempts: number, timeoutMs: number, method: HttpMethod): SfError<ApiErrorData> {
  const error =
    code === 'ETIMEDOUT'
      ? messages.createError('error.Timeout', [String(timeoutMs), String(attempts)])
      : messages.createError('error.ConnectionFailed', [code, String(attempts)]);
  return withData(error, { status: 0, errorCode: code, apiMessage: error.message }, method);
}

export const isNotFound = (error: unknown): boolean => error instanceof SfError && error.name === 'NotFoundError';

export const isRequestLimitExceeded = (error: unknown): boolean =>
  error instanceof SfError && error.name === 'RequestLimitExceededError';

/** The login is gone (its refresh was refused): every further request would fail the same way. */
export const isSessionRefreshRefused = (error: unknown): boolean =>
  error instanceof SfError && error.name === 'SessionRefreshRefusedError';

export const isInterrupted = (error: unknown): boolean => error instanceof SfError && error.name === 'InterruptedError';

export const isNotSent = (error: unknown): boolean => error instanceof SfError && error.name === 'NotSentError';

/** A request the client refused to send because the run had already stopped on the org's API limit. */
export function notSentError(cause: SfError): SfError {
  return messages.createError('error.NotSent', [cause.message]);
}

export function interruptedError(): SfError {
  return messages.createError('error.Interrupted');
}

/** The errorCode and message a revoke result reports for a failed target. */
export function describeFailure(error: unknown): { errorCode: string; message: string } {
  if (error instanceof SfError) {
    const data = error.data as Partial<ApiErrorData> | undefined;
    return { errorCode: data?.errorCode ?? error.name, message: data?.apiMessage ?? error.message };
  }
  return { errorCode: 'UNKNOWN_ERROR', message: error instanceof Error ? error.message : String(error) };
}

function firstApiError(response: HttpResponse): { errorCode: string; apiMessage: string } {
  const first: unknown = Array.isArray(response.body) ? response.body[0] : response.body;
  if (first && typeof first === 'object') {
    const { errorCode, message } = first as { errorCode?: unknown; message?: unknown };
    if (typeof errorCode === 'string' || typeof message === 'string') {
      return {
        errorCode: typeof errorCode === 'string' ? printable(errorCode) : `ERROR_HTTP_${response.status}`,
        apiMessage: typeof message === 'string' ? printable(message) : '',
      };
    }
  }
  const text = typeof response.body === 'string' ? response.body : '';
  const apiMessage = /<html|<!doctype/i.test(text) ? 'an HTML page' : printable(text.trim()) || 'no details';
  return { errorCode: `ERROR_HTTP_${response.status}`, apiMessage };
}

function describe(subject: Subject): string {
  return subject.id ? `${subject.kind} "${printable(subject.id)}"` : subject.kind;
}

function withData(error: SfError, data: ApiErrorData, method: HttpMethod): SfError<ApiErrorData> {
  const typed = error as SfError<ApiErrorData>;
  typed.data = data;
  typed.setContext(`usage ${method}`);
  return typed;
}

import { SfError } from '@salesforce/core';
import { expect } from 'chai';
import {
  apiError,
  describeFailure,
  interruptedError,
  isInterrupted,
  isNotFound,
  isRequestLimitExceeded,
  networkFailure,
  sessionRefreshRefused,
  unexpectedBodyError,
  type ApiErrorData,
} from '../../src/api/errors.js';
import { apiFailure, html, json, status } from './fakeTransport.js';

const TOKEN = { kind: 'token', id: 'Tok1' } as const;

function expectMapped(error: SfError<ApiErrorData>, name: string, data: ApiErrorData): void {
  expect(error).to.be.instanceOf(SfError);
  expect(error.name).to.equal(name);
  expect(error.actions, `${name} has actions`).to.be.an('array').that.is.not.empty;
  expect(error.data).to.deep.equal(data);
}

describe('errors: apiError', () => {
  it('maps any 3xx to RedirectNotFollowedError naming the status and only the origin of the Location', () => {
    const cases: Array<[number, Record<string, string>, string]> = [
      [307, { location: 'https://user:pw@evil.example.com:8443/path?sid=00Dsecret' }, 'https://evil.example.com:8443'],
      [302, { location: '/services/data/v62.0/apps/oauth/usage' }, 'https://acme.my.salesforce.com'],
      [301, {}, 'no location'],
      [300, { location: 'javascript:alert(1)' }, 'not a web address'],
      [308, { location: 'http://[::1' }, 'not a web address'],
    ];
    for (const [code, headers, named] of cases) {
      const error = apiError(status(code, headers), 'DELETE', TOKEN, 'https://acme.my.salesforce.com');
      expect(error.name).to.equal('RedirectNotFollowedError');
      expect(error.message).to.include(`HTTP status ${code}`).and.include(named).and.include('DELETE token "Tok1"');
      expect(error.message).not.to.match(/path|sid|secret|pw@|alert/);
      expect(error.actions).to.be.an('array').that.is.not.empty;
      expect(error.data).to.deep.include({ status: code, errorCode: 'REDIRECT_NOT_FOLLOWED' });
      expect(error.data!.apiMessage).to.include(String(code)).and.include(named);
    }
  });

  it('maps 401 to SessionExpiredError', () => {
    const error = apiError(apiFailure(401, 'INVALID_SESSION_ID', 'Session expired or invalid'), 'GET', { kind: 'app list' });
    expectMapped(error, 'SessionExpiredError', { status: 401, errorCode: 'INVALID_SESSION_ID', apiMessage: 'Session expired or invalid' });
    expect(error.message).to.include('INVALID_SESSION_ID');
    expect(error.actions!.join('\n')).to.include('sf org login');
  });

  it('maps INVALID_SESSION_ID under another status to SessionExpiredError', () => {
    const error = apiError(apiFailure(403, 'INVALID_SESSION_ID', 'bad session'), 'GET', { kind: 'app list' });
    expect(error.name).to.equal('SessionExpiredError');
  });

  it('maps 401 without a body to SessionExpiredError', () => {
    const error = apiError(status(401), 'GET', { kind: 'app list' });
    expectMapped(error, 'SessionExpiredError', { status: 401, errorCode: 'ERROR_HTTP_401', apiMessage: 'no details' });
  });

  it('maps 403 REQUEST_LIMIT_EXCEEDED to RequestLimitExceededError', () => {
    const error = apiError(apiFailure(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), 'DELETE', TOKEN);
    expectMapped(error, 'RequestLimitExceededError', {
      status: 403,
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      apiMessage: 'TotalRequests Limit exceeded.',
    });
    expect(isRequestLimitExceeded(error)).to.equal(true);
    expect(error.message).to.include('TotalRequests Limit exceeded.');
  });

  it('maps any other 403 to InsufficientAccessError', () => {
    const error = apiError(apiFailure(403, 'INSUFFICIENT_ACCESS_OR_READONLY', 'no access'), 'GET', { kind: 'app list' });
    expectMapped(error, 'InsufficientAccessError', { status: 403, errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', apiMessage: 'no access' });
    expect(isRequestLimitExceeded(error)).to.equal(false);
  });

  it('maps 404 to NotFoundError naming the subject', () => {
    const error = apiError(apiFailure(404, 'NOT_FOUND', 'The requested resource does not exist'), 'DELETE', TOKEN);
    expectMapped(error, 'NotFoundError', { status: 404, errorCode: 'NOT_FOUND', apiMessage: 'The requested resource does not exist' });
    expect(error.message).to.include('token "Tok1"');
    expect(isNotFound(error)).to.equal(true);
  });

  it('maps 400 to BadRequestError', () => {
    const error = apiError(apiFailure(400, 'INVALID_ID_FIELD', 'Invalid identifier: 0xI'), 'GET', { kind: 'app', id: '0xI000000000001' });
    expectMapped(error, 'BadRequestError', { status: 400, errorCode: 'INVALID_ID_FIELD', apiMessage: 'Invalid identifier: 0xI' });
  });

  it('maps 500 to ServerError (core keeps a key that already ends in Error) with the status in the message', () => {
    const error = apiError(apiFailure(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.'), 'GET', { kind: 'app list' });
    expectMapped(error, 'ServerError', { status: 500, errorCode: 'UNKNOWN_EXCEPTION', apiMessage: 'An unexpected error occurred.' });
    expect(error.message).to.include('500');
  });

  it('maps a 503 that retries could not fix to ServerError', () => {
    const error = apiError(status(503), 'GET', { kind: 'app list' });
    expectMapped(error, 'ServerError', { status: 503, errorCode: 'ERROR_HTTP_503', apiMessage: 'no details' });
  });

  it('says "an HTML page" for an HTML error body and never echoes the HTML', () => {
    const error = apiError(html('<!DOCTYPE html><html><body>Down for maintenance</body></html>', 503), 'GET', { kind: 'app list' });
    expect(error.name).to.equal('ServerError');
    expect(error.data?.apiMessage).to.equal('an HTML page');
    expect(error.data?.errorCode).to.equal('ERROR_HTTP_503');
    expect(error.message).to.include('an HTML page').and.not.include('<html');
  });

  it('reads a single error object as well as the documented array', () => {
    const error = apiError(json({ errorCode: 'NOT_FOUND', message: 'gone' }, 404), 'GET', TOKEN);
    expect(error.data).to.deep.equal({ status: 404, errorCode: 'NOT_FOUND', apiMessage: 'gone' });
  });

  it('uses the first of several errors', () => {
    const body = [
      { errorCode: 'INVALID_INPUT', message: 'first' },
      { errorCode: 'OTHER', message: 'second' },
    ];
    expect(apiError(json(body, 400), 'GET', TOKEN).data).to.deep.equal({ status: 400, errorCode: 'INVALID_INPUT', apiMessage: 'first' });
  });

  it('neutralises control characters and the sequences they start in the API message and errorCode', () => {
    const error = apiError(apiFailure(400, 'INVALID_INPUT', 'bad\u001b[31m\ninput'), 'GET', TOKEN);
    expect(error.data?.apiMessage).to.equal('bad input');
    const linked = apiError(apiFailure(400, '\u001b]8;;https://evil.example.com\u0007INVALID_INPUT\u001b]8;;\u0007', 'x'), 'GET', TOKEN);
    expect(linked.data?.errorCode).to.equal('INVALID_INPUT');
    expect(linked.message).to.include('INVALID_INPUT').and.not.include('\u001b');
  });

  it('sets a context naming the method', () => {
    expect(apiError(status(500), 'DELETE', TOKEN).context).to.equal('usage DELETE');
  });
});

describe('errors: other failures', () => {
  it('unexpectedBodyError says HTML page for an HTML body', () => {
    const error = unexpectedBodyError(html('<html><body>Maintenance</body></html>'), 'GET', { kind: 'app list' });
    expect(error.name).to.equal('UnexpectedBodyError');
    expect(error.message).to.include('GET app list').and.include('an HTML page');
    expect(error.actions).to.be.an('array').that.is.not.empty;
    expect(error.data).to.deep.equal({ status: 200, errorCode: 'UNEXPECTED_BODY', apiMessage: 'an HTML page' });
  });

  it('unexpectedBodyError says not valid JSON for a truncated body', () => {
    const truncated = { ...html('{"apps":[{"identifier":"0xI'), contentType: 'application/json' };
    const error = unexpectedBodyError(truncated, 'GET', { kind: 'app', id: '0xI000000000001' });
    expect(error.message).to.include('not valid JSON').and.include('GET app "0xI000000000001"');
    expect(error.data?.errorCode).to.equal('UNEXPECTED_BODY');
  });

  it('networkFailure maps ETIMEDOUT to TimeoutError and other codes to ConnectionFailedError', () => {
    const timeout = networkFailure('ETIMEDOUT', 4, 60_000, 'GET');
    expect(timeout.name).to.equal('TimeoutError');
    expect(timeout.message).to.include('60000').and.include('4');
    expect(timeout.data).to.include({ status: 0, errorCode: 'ETIMEDOUT' });
    const reset = networkFailure('ECONNRESET', 3, 60_000, 'DELETE');
    expect(reset.name).to.equal('ConnectionFailedError');
    expect(reset.message).to.include('ECONNRESET').and.include('3');
    expect(reset.actions).to.be.an('array').that.is.not.empty;
    expect(reset.data).to.include({ status: 0, errorCode: 'ECONNRESET' });
  });

  it('sessionRefreshRefused gives the token endpoint\'s reason, without the wrappers of jsforce and core', () => {
    const refresh = sessionRefreshRefused(
      new Error('Unable to refresh session due to: Error authenticating with the refresh token due to: expired access/refresh token'),
      'GET'
    );
    expect(refresh.name).to.equal('SessionRefreshRefusedError');
    expect(refresh.message).to.match(/^The session has expired, and the org refused to refresh it \(expired access\/refresh token\)\./);
    expect(refresh.actions?.join('\n')).to.include('sf org login web').and.include('sf org login jwt').and.include('sf org login sfdx-url');
    expect(refresh.data).to.deep.equal({ status: 401, errorCode: 'SESSION_REFRESH_REFUSED', apiMessage: 'expired access/refresh token' });
    const jwt = sessionRefreshRefused(
      new Error("Unable to refresh session due to: Error authenticating with JWT.\nErrors encountered:\nuser hasn't approved this consumer\n\u001b[31m"),
      'DELETE'
    );
    expect(jwt.data?.apiMessage).to.equal("Error authenticating with JWT. Errors encountered: user hasn't approved this consumer");
  });

  it('interruptedError is recognised by isInterrupted, and only it', () => {
    expect(interruptedError().name).to.equal('InterruptedError');
    expect(isInterrupted(interruptedError())).to.equal(true);
    expect(isInterrupted(new Error('x'))).to.equal(false);
    expect(isNotFound(new Error('NotFoundError'))).to.equal(false);
  });
});

describe('errors: describeFailure', () => {
  it('reports the API errorCode and message of a mapped error', () => {
    const error = apiError(apiFailure(500, 'UNKNOWN_EXCEPTION', 'boom'), 'DELETE', TOKEN);
    expect(describeFailure(error)).to.deep.equal({ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' });
  });

  it('falls back to the name and message of an SfError without data', () => {
    expect(describeFailure(new SfError('went wrong', 'SomethingError'))).to.deep.equal({ errorCode: 'SomethingError', message: 'went wrong' });
  });

  it('reports UNKNOWN_ERROR for other errors and thrown values', () => {
    expect(describeFailure(new TypeError('bad'))).to.deep.equal({ errorCode: 'UNKNOWN_ERROR', message: 'bad' });
    expect(describeFailure('text')).to.deep.equal({ errorCode: 'UNKNOWN_ERROR', message: 'text' });
  });
});

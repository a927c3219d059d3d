import { expect } from 'chai';
import { assertSalesforceId } from '../../src/api/salesforceId.js';
import { assertTokenId, tokenIdFrom } from '../../src/api/tokenIds.js';
import { assertUsageApiVersion } from '../../src/api/apiVersion.js';
import { followableUsageUrl, usagePaths } from '../../src/api/usagePaths.js';
import { printable } from '../../src/common/terminalText.js';
import { soqlPrefixPattern, soqlString } from '../../src/api/soql.js';
import { expectSfError, INSTANCE_URL } from './fakeTransport.js';

const APP15 = '0xIKj000000abcD';
const APP18 = '0xIKj000000abcDEAQ';
const USER15 = '005Kj000001XyZa';
const USER18 = '005Kj000001XyZaAAB';
const USAGE = '/services/data/v62.0/apps/oauth/usage';

describe('usagePaths: Salesforce ids', () => {
  it('accepts 15- and 18-character alphanumeric ids', () => {
    expect(assertSalesforceId(APP15, 'app')).to.equal(APP15);
    expect(assertSalesforceId(APP18, 'app')).to.equal(APP18);
    expect(assertSalesforceId(USER18, 'user')).to.equal(USER18);
  });

  it('refuses path tricks, wrong lengths, unicode and empty input with InvalidIdError', () => {
    const bad = [
      '../../sobjects',
      '0xIKj000000ab%2F',
      '0xIKj00/000abcD',
      '0xIKj000000abc',
      '0xIKj000000abcDE',
      '0xIKj000000abcDEA',
      '0xIKj000000abcDEAQZ',
      '0xIKj000000abcé',
      '0xIKj000000abc\u0000',
      '',
      ' 0xIKj000000abcD',
      '0xIKj000000abcD?x=1',
    ];
    for (const value of bad) {
      const error = expectSfError(() => assertSalesforceId(value, 'app'), 'InvalidIdError');
      expect(error.message).to.include('app');
    }
  });

  it('names the kind of id in the error message', () => {
    const error = expectSfError(() => assertSalesforceId('nope', 'user'), 'InvalidIdError');
    expect(error.message).to.include('user identifier "nope"');
    expect(error.actions).to.be.an('array').that.is.not.empty;
  });
});

describe('usagePaths: token ids', () => {
  it('accepts letters, digits, "-", "_" and "."', () => {
    for (const value of ['abc', 'A-b_c.d', '0.1', 'x'.repeat(255)]) expect(assertTokenId(value)).to.equal(value);
  });

  it('refuses "..", "/", "?", spaces, "%", empty and overlong ids with InvalidTokenIdError', () => {
    for (const value of ['..', 'a..b', 'a/b', '/', 'a?b=1', 'a b', ' ', 'a%2Fb', '', 'x'.repeat(256), 'a#b', 'é']) {
      expectSfError(() => assertTokenId(value), 'InvalidTokenIdError');
    }
  });

  it('refuses ids without a letter or digit: "." would be a dot segment that URL normalisation drops', () => {
    for (const value of ['.', '-', '_', '-_-', '.-', '_.']) expectSfError(() => assertTokenId(value), 'InvalidTokenIdError');
    for (const value of ['a.', '.a', '-0', '_x_']) expect(assertTokenId(value)).to.equal(value);
    expectSfError(() => usagePaths.revokeToken('.'), 'InvalidTokenIdError');
  });

  it('tokenIdFrom refuses ".", ".." and their encodings as the last segment of a revocation URL', () => {
    for (const value of [
      '.',
      ' . ',
      `${USAGE}/tokens/.`,
      `${USAGE}/tokens/..`,
      `${USAGE}/tokens/%2E`,
      `${USAGE}/tokens/%2e`,
      `${USAGE}/tokens/%2E%2E`,
      `${INSTANCE_URL}${USAGE}/tokens/%2E`,
      '/apps/oauth/usage/tokens/%2E',
    ]) {
      expectSfError(() => tokenIdFrom(value), 'InvalidTokenIdError');
    }
  });

  it('tokenIdFrom takes a bare id, trimmed', () => {
    expect(tokenIdFrom('  Tok-1_a.b \n')).to.equal('Tok-1_a.b');
  });

  it('tokenIdFrom takes the last segment of a relative revocation URL', () => {
    expect(tokenIdFrom(`${USAGE}/tokens/Tok123`)).to.equal('Tok123');
    expect(tokenIdFrom('/apps/oauth/usage/tokens/Tok123')).to.equal('Tok123');
    expect(tokenIdFrom(`${USAGE}/tokens/Tok123?x=1`)).to.equal('Tok123');
  });

  it('tokenIdFrom takes the last segment of an absolute revocation URL', () => {
    expect(tokenIdFrom(`${INSTANCE_URL}${USAGE}/tokens/Tok-9`)).to.equal('Tok-9');
  });

  it('tokenIdFrom decodes an encoded id and still validates the decoded value', () => {
    expect(tokenIdFrom(`${INSTANCE_URL}${USAGE}/tokens/Tok%2Ex`)).to.equal('Tok.x');
    expectSfError(() => tokenIdFrom(`${USAGE}/tokens/a%2Fb`), 'InvalidTokenIdError');
    expectSfError(() => tokenIdFrom(`${USAGE}/tokens/%2E%2E`), 'InvalidTokenIdError');
    expectSfError(() => tokenIdFrom(`${USAGE}/tokens/%E0%A4%A`), 'InvalidTokenIdError');
  });

  it('tokenIdFrom refuses garbage and URLs of other resources', () => {
    for (const value of [
      '',
      'a b',
      '../x',
      'https://',
      'not a url/with slash',
      `${USAGE}/${APP15}/${USER15}/tokens`,
      `${USAGE}/tokens/`,
      `${USAGE}/tokens/a/b`,
      '/services/data/v62.0/sobjects/Account/001',
    ]) {
      expectSfError(() => tokenIdFrom(value), 'InvalidTokenIdError');
    }
  });
});

describe('usagePaths: paths of the six operations', () => {
  it('builds the documented relative paths', () => {
    expect(usagePaths.apps(0, 100)).to.equal('/apps/oauth/usage?page=0&pageSize=100');
    expect(usagePaths.users(APP15, 2, 50)).to.equal(`/apps/oauth/usage/${APP15}/users?page=2&pageSize=50`);
    expect(usagePaths.tokens(APP18, USER18)).to.equal(`/apps/oauth/usage/${APP18}/${USER18}/tokens`);
    expect(usagePaths.revokeToken('Tok.1-_')).to.equal('/apps/oauth/usage/tokens/Tok.1-_');
    expect(usagePaths.revokeUser(APP15, USER15)).to.equal(`/apps/oauth/usage/${APP15}/${USER15}/tokens`);
    expect(usagePaths.revokeApp(APP15)).to.equal(`/apps/oauth/usage/${APP15}/tokens`);
  });

  it('validates every segment before building a path', () => {
    expectSfError(() => usagePaths.users('../x', 0, 1), 'InvalidIdError');
    expectSfError(() => usagePaths.tokens(APP15, '005%2F'), 'InvalidIdError');
    expectSfError(() => usagePaths.tokens('a/b', USER15), 'InvalidIdError');
    expectSfError(() => usagePaths.revokeToken('../../x'), 'InvalidTokenIdError');
    expectSfError(() => usagePaths.revokeUser(APP15, 'bob'), 'InvalidIdError');
    expectSfError(() => usagePaths.revokeApp(`${APP15}?x`), 'InvalidIdError');
  });

  it('has only path-safe characters in every segment it builds', () => {
    const paths = [
      usagePaths.users(APP18, 0, 1),
      usagePaths.tokens(APP15, USER18),
      usagePaths.revokeToken('a.b-c_d'),
      usagePaths.revokeApp(APP18),
    ];
    for (const path of paths) {
      const [pathname] = path.split('?');
      for (const segment of pathname.split('/').slice(1)) {
        expect(encodeURIComponent(segment)).to.equal(segment);
        expect(segment).to.not.equal('..');
      }
    }
  });
});

describe('usagePaths: the User query that resolves usernames', () => {
  const soql = (path: string): string => decodeURIComponent(path.replace(/^\/query\?q=/, ''));

  it('asks for the Id and Username of every username and id at once', () => {
    expect(soql(usagePaths.userQuery({ usernames: ['a@b.c', 'd@e.f'] }))).to.equal("SELECT Id, Username FROM User WHERE Username IN ('a@b.c', 'd@e.f')");
    expect(soql(usagePaths.userQuery({ ids: [USER18] }))).to.equal(`SELECT Id, Username FROM User WHERE Id IN ('${USER18}')`);
    expect(soql(usagePaths.userQuery({ usernames: ['a@b.c'], ids: [USER15, USER18] }))).to.equal(
      `SELECT Id, Username FROM User WHERE Username IN ('a@b.c') OR Id IN ('${USER15}', '${USER18}')`
    );
  });

  it('refuses an id that is no Salesforce id before it goes into the query', () => {
    expectSfError(() => usagePaths.userQuery({ ids: ["005') OR Name != ('"] }), 'InvalidIdError');
  });

  it('escapes quotes, backslashes and control characters, so a username never ends the literal', () => {
    expect(soqlString("o'brien@acme.example.com")).to.equal("'o\\'brien@acme.example.com'");
    expect(soqlString('a\\\'), OR Id != (\'x')).to.equal("'a\\\\\\'), OR Id != (\\'x'");
    expect(soqlString('"\n\r\t\b\f')).to.equal("'\\\"\\n\\r\\t\\b\\f'");
  });

  it('asks for the users whose usernames begin with given prefixes, ordered and bounded, LIKE wildcards in a prefix escaped', () => {
    expect(soql(usagePaths.usernamePrefixQuery(['jan', "o'b"], 1000))).to.equal(
      "SELECT Id, Username FROM User WHERE Username LIKE 'jan%' OR Username LIKE 'o\\'b%' ORDER BY Username LIMIT 1000"
    );
    // % and _ typed by the user are themselves, not wildcards.
    expect(soqlPrefixPattern('j_%')).to.equal("'j\\_\\%%'");
    expect(soqlPrefixPattern('a\\')).to.equal("'a\\\\%'");
  });

  it('encodes the query into one query-string value', () => {
    const path = usagePaths.userQuery({ usernames: ["x'&q=1#@y.z"] });
    expect(path.split('?')).to.have.length(2);
    expect(path).to.not.match(/[&#\s]/);
  });
});

describe('usagePaths: followableUsageUrl', () => {
  it('follows a relative usage path as it is', () => {
    const next = `${USAGE}?page=1&pageSize=100`;
    expect(followableUsageUrl(next, INSTANCE_URL)).to.equal(next);
    expect(followableUsageUrl(`${USAGE}/${APP15}/users?page=3&pageSize=5`, INSTANCE_URL)).to.equal(`${USAGE}/${APP15}/users?page=3&pageSize=5`);
  });

  it('follows a same-origin absolute URL and returns its path and query', () => {
    expect(followableUsageUrl(`${INSTANCE_URL}${USAGE}?page=2&pageSize=10`, INSTANCE_URL)).to.equal(`${USAGE}?page=2&pageSize=10`);
    expect(followableUsageUrl(`https://acme.my.salesforce.com:443${USAGE}/tokens/x`, INSTANCE_URL)).to.equal(`${USAGE}/tokens/x`);
  });

  it('refuses a foreign host, another scheme and another port with ForeignUrlError', () => {
    for (const url of [
      `https://evil.example.com${USAGE}?page=1`,
      `https://acme.my.salesforce.com.evil.example.com${USAGE}?page=1`,
      `http://acme.my.salesforce.com${USAGE}?page=1`,
      `https://acme.my.salesforce.com:8443${USAGE}?page=1`,
      `ftp://acme.my.salesforce.com${USAGE}`,
      `javascript:alert(1)//${USAGE}`,
    ]) {
      const error = expectSfError(() => followableUsageUrl(url, INSTANCE_URL), 'ForeignUrlError');
      expect(error.actions).to.be.an('array').that.is.not.empty;
    }
  });

  it('refuses a protocol-relative URL', () => {
    expectSfError(() => followableUsageUrl(`//evil.example.com${USAGE}?page=1`, INSTANCE_URL), 'ForeignUrlError');
  });

  it('refuses a same-origin URL that is not a usage resource', () => {
    for (const url of [
      '/services/data/v62.0/sobjects/Account',
      `${INSTANCE_URL}/services/data/v62.0/query?q=SELECT+Id+FROM+User`,
      '/services/data/v62.0/apps/oauth/usageX',
      '/apps/oauth/usage?page=1',
      'services/data/v62.0/apps/oauth/usage',
      '',
    ]) {
      expectSfError(() => followableUsageUrl(url, INSTANCE_URL), 'ForeignUrlError');
    }
  });

  it('refuses "/../" and encoded slashes', () => {
    for (const url of [
      `${USAGE}/../../sobjects/Account`,
      `${USAGE}/tokens/..%2F..%2Fsobjects`,
      `${USAGE}/tokens/..%2f..%2fsobjects`,
      `${USAGE}/tokens/..%5C..%5Csobjects`,
    ]) {
      expectSfError(() => followableUsageUrl(url, INSTANCE_URL), 'ForeignUrlError');
    }
  });

  it('refuses a trailing "/.." that climbs out of the usage resources', () => {
    // `/services/data/v62.0/apps/oauth/usage/..` resolves to /services/data/v62.0/apps/oauth.
    expectSfError(() => followableUsageUrl(`${USAGE}/..`, INSTANCE_URL), 'ForeignUrlError');
    expectSfError(() => followableUsageUrl(`${USAGE}/..?page=1`, INSTANCE_URL), 'ForeignUrlError');
  });

  it('refuses percent-encoded dot segments, which URL parsers resolve like ".."', () => {
    // WHATWG URL parsing (used by fetch) turns "%2e%2e" into "..": this would request /services/data/v62.0/apps/sobjects.
    expect(new URL(`${USAGE}/%2e%2e/%2e%2e/sobjects`, INSTANCE_URL).pathname).to.equal('/services/data/v62.0/apps/sobjects');
    expectSfError(() => followableUsageUrl(`${USAGE}/%2e%2e/%2e%2e/sobjects`, INSTANCE_URL), 'ForeignUrlError');
    expectSfError(() => followableUsageUrl(`${USAGE}/.%2E/.%2E/sobjects`, INSTANCE_URL), 'ForeignUrlError');
  });

  it('refuses backslashes and tabs or newlines that URL parsers turn into ".." segments', () => {
    // new URL() reads "\" as "/" and drops tabs and newlines, so both paths climb out of /apps/oauth/usage.
    expect(new URL(`${USAGE}/\\..\\..\\x`, INSTANCE_URL).pathname).to.equal('/services/data/v62.0/apps/oauth/x');
    expectSfError(() => followableUsageUrl(`${USAGE}/\\..\\..\\x`, INSTANCE_URL), 'ForeignUrlError');
    expectSfError(() => followableUsageUrl(`${USAGE}/.\t./.\n./x`, INSTANCE_URL), 'ForeignUrlError');
  });

  it('puts only a printable, shortened copy of the URL in the error', () => {
    const error = expectSfError(() => followableUsageUrl(`https://evil.example.com/${'a'.repeat(200)}\u0007`, INSTANCE_URL), 'ForeignUrlError');
    expect(error.message).to.not.include('\u0007');
    expect(error.message).to.include('...');
    expect(printable('a\nb')).to.equal('a b');
    expect(printable('a\u0007b')).to.equal('a?b');
  });
});

describe('usagePaths: API version gate', () => {
  it('refuses 58.0 with ApiVersionTooLowError whose actions name 59.0', () => {
    const error = expectSfError(() => assertUsageApiVersion('58.0'), 'ApiVersionTooLowError');
    expect(error.message).to.include('59.0').and.include('58.0');
    expect(error.actions).to.be.an('array').with.length.greaterThan(0);
    expect(error.actions!.join('\n')).to.include('--api-version 59.0');
  });

  it('accepts 59.0, 62.0 and 100.0', () => {
    expect(() => assertUsageApiVersion('59.0')).to.not.throw();
    expect(() => assertUsageApiVersion('62.0')).to.not.throw();
    expect(() => assertUsageApiVersion('100.0')).to.not.throw();
  });

  it('refuses versions that are not NN.N', () => {
    for (const version of ['', 'v62.0', '62', 'latest', '9.0']) expectSfError(() => assertUsageApiVersion(version), 'ApiVersionTooLowError');
  });
});

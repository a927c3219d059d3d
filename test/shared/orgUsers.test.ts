import { expect } from 'chai';
import { OrgUsers } from '../../src/api/orgUsers.js';
import { expectRejection, FakeTransport, json, makeClient, userId } from './fakeTransport.js';

/** The org's users, read through a usage client over the fake transport. */
const orgUsers = (transport: FakeTransport): OrgUsers => new OrgUsers(makeClient(transport).client);

describe('orgUsers: findUsers', () => {
  it('reads the User records of the usernames and ids, at most 100 values per query', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `user${i}@acme.example.com`);
    const ids = Array.from({ length: 30 }, (_, i) => userId(i + 1, true));
    const transport = new FakeTransport().on('GET', /^\/query\?q=/, (call) =>
      json({ totalSize: 1, done: true, records: [{ attributes: { type: 'User' }, Id: userId(call.path.length), Username: 'x@y.z' }] })
    );
    const users = orgUsers(transport);
    const found = await users.findUsers({ usernames: names, ids });
    const queries = transport.calls.map((call) => decodeURIComponent(call.path.replace(/^\/query\?q=/, '')));
    expect(queries.map((query) => query.match(/'/g)!.length / 2)).to.deep.equal([100, 50]);
    expect(queries[0]).to.match(/^SELECT Id, Username FROM User WHERE Username IN \('user0@acme.example.com', /);
    expect(queries[1]).to.match(/WHERE Username IN \('user100@acme.example.com', .*\) OR Id IN \('005000000000001AAA', /);
    expect(found).to.have.length(2);
    expect(found[0]).to.deep.equal({ Id: userId(transport.calls[0].path.length), Username: 'x@y.z' });
  });

  it('refuses an answer without records with UnexpectedBodyError', async () => {
    const transport = new FakeTransport().on('GET', /^\/query/, json({ totalSize: 0 }));
    const users = orgUsers(transport);
    await expectRejection(users.findUsers({ usernames: ['a@b.c'] }), 'UnexpectedBodyError');
  });

  it('findUsersByPrefix: one query for every prefix, bounded; none without prefixes', async () => {
    const transport = new FakeTransport().on('GET', /^\/query\?q=/, json({ totalSize: 1, done: true, records: [{ Id: userId(1, true), Username: 'jane@acme.example.com' }] }));
    const users = orgUsers(transport);
    expect(await users.findUsersByPrefix(['jan', 'zo'], 1000)).to.deep.equal([{ Id: userId(1, true), Username: 'jane@acme.example.com' }]);
    expect(transport.calls.map((call) => decodeURIComponent(call.path.replace(/^\/query\?q=/, '')))).to.deep.equal([
      "SELECT Id, Username FROM User WHERE Username LIKE 'jan%' OR Username LIKE 'zo%' ORDER BY Username LIMIT 1000",
    ]);
    expect(await users.findUsersByPrefix([], 1000)).to.deep.equal([]);
    expect(transport.calls).to.have.length(1);
  });
});

describe('orgUsers: sessionUser', () => {
  it("reads the session's user id and username from the org's userinfo", async () => {
    // The field names of OpenID Connect's userinfo.
    // eslint-disable-next-line camelcase
    const transport = new FakeTransport().on('GET', '/services/oauth2/userinfo', json({ user_id: userId(3, true), preferred_username: 'me@acme.example.com' }));
    const users = orgUsers(transport);
    expect(await users.sessionUser()).to.deep.equal({ userId: userId(3, true), username: 'me@acme.example.com' });
  });
});

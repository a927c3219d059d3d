import { expect } from 'chai';
import { countOf } from '../../src/common/plural.js';

describe('countOf', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect([0, 1, 2].map((n) => countOf(n, 'refreshToken'))).to.deep.equal(['0 refresh tokens', '1 refresh token', '2 refresh tokens']);
    expect(countOf(1, 'user')).to.equal('1 user');
    expect(countOf(1, 'app')).to.equal('1 app');
    expect(countOf(1, 'externalClientApp')).to.equal('1 external client app');
    expect(countOf(1620, 'user')).to.equal('1620 users');
  });
});

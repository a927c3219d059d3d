import { expect } from 'chai';
import { Env } from '@salesforce/kit';
import { envInteger } from '../../src/common/env.js';

describe('env: envInteger', () => {
  const read = (value: string | undefined, min = 0): number | undefined =>
    envInteger('SF_ECA_TEST', min, new Env(value === undefined ? {} : { SF_ECA_TEST: value }));

  it('reads whole numbers, surrounding spaces allowed', () => {
    expect(read('25')).to.equal(25);
    expect(read(' 7 ')).to.equal(7);
    expect(read('0')).to.equal(0);
  });

  it('gives undefined for unset, empty and blank values (blank is not 0)', () => {
    expect(read(undefined)).to.equal(undefined);
    expect(read('')).to.equal(undefined);
    expect(read('   ')).to.equal(undefined);
  });

  it('gives undefined for junk, fractions and values below the minimum', () => {
    expect(read('lots')).to.equal(undefined);
    expect(read('1.5')).to.equal(undefined);
    expect(read('-5')).to.equal(undefined);
    expect(read('0', 1)).to.equal(undefined);
    expect(read('Infinity')).to.equal(undefined);
  });
});

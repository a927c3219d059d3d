import { expect } from 'chai';
import { id18, idChecksum, isSalesforceId, sameSalesforceId } from '../../src/api/salesforceId.js';
import { expectSfError } from './fakeTransport.js';

// Pairs of a 15-character id and its 18-character form: the first is the example Salesforce's own articles use, the
// others were computed by hand from the rule (one character per 5, a bit per upper-case letter).
const KNOWN = [
  ['001A0000006Vm9r', '001A0000006Vm9rIAC'],
  ['001000000000001', '001000000000001AAA'],
  ['0xI000000000001', '0xI000000000001EAA'],
  ['005Hs00000A1bCd', '005Hs00000A1bCdIAJ'],
  ['0xIHs000000AbC1', '0xIHs000000AbC1MAK'],
];

describe('salesforceId', () => {
  it('computes the case-safe checksum of a 15-character id locally', () => {
    for (const [short, long] of KNOWN) expect(`${short}${idChecksum(short)}`).to.equal(long);
  });

  it('id18 turns a 15-character id into its 18-character form and keeps a correct 18-character id', () => {
    for (const [short, long] of KNOWN) {
      expect(id18(short, 'user')).to.equal(long);
      expect(id18(long, 'user')).to.equal(long);
      // The checksum only encodes case: typed in lower case it is the same id.
      expect(id18(`${long.slice(0, 15)}${long.slice(15).toLowerCase()}`, 'user')).to.equal(long);
    }
  });

  it('id18 refuses an 18-character id whose checksum is not that of its first 15 characters, naming it', () => {
    const error = expectSfError(() => id18('0xIHs000000lb0pXXX', 'app'), 'MistypedIdError');
    expect(error.message).to.include('app ID "0xIHs000000lb0pXXX" is mistyped').and.include('0xIHs000000lb0p');
    expect(error.message).to.include('Nothing was sent');
  });

  it('id18 refuses what is no id at all', () => {
    for (const value of ['', '005', '005Hs00000A1bC', '005Hs00000A1bCd0', '005Hs00000A1bC/', '../../sobjects/x']) {
      expectSfError(() => id18(value, 'user'), 'InvalidIdError');
    }
  });

  it('sameSalesforceId matches the two forms of one id, case-sensitively, and never matches what is no id', () => {
    expect(sameSalesforceId('005Hs00000A1bCd', '005Hs00000A1bCdIAJ')).to.equal(true);
    expect(sameSalesforceId('005Hs00000A1bCdIAJ', '005Hs00000A1bCd')).to.equal(true);
    expect(sameSalesforceId('005Hs00000A1bCd', '005hs00000a1bcd')).to.equal(false);
    expect(sameSalesforceId('005Hs00000A1bCd', '005Hs00000A1bCe')).to.equal(false);
    expect(sameSalesforceId('short', 'short')).to.equal(false);
    expect(isSalesforceId('005Hs00000A1bCd')).to.equal(true);
    expect(isSalesforceId('005Hs00000A1bCdIA')).to.equal(false);
  });
});

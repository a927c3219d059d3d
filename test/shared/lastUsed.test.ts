import { expect } from 'chai';
import { daysSince, hasLastUsedCriteria, lastUsedCriteria, lastUsedMatcher, parseApiDateTime, parseUserDate, usageInstant } from '../../src/usage/lastUsed.js';
import { expectSfError } from './fakeTransport.js';

const DAY = 86_400_000;

describe('lastUsed: parseUserDate', () => {
  it('reads a date alone as UTC midnight', () => {
    expect(parseUserDate('2026-01-31').toISOString()).to.equal('2026-01-31T00:00:00.000Z');
  });

  it('reads a date-time without a zone as UTC', () => {
    expect(parseUserDate('2026-01-31T08:30:00').toISOString()).to.equal('2026-01-31T08:30:00.000Z');
    expect(parseUserDate('2026-01-31T08:30').toISOString()).to.equal('2026-01-31T08:30:00.000Z');
    expect(parseUserDate('2026-01-31 08:30:15.250').toISOString()).to.equal('2026-01-31T08:30:15.250Z');
  });

  it('honours Z and explicit offsets', () => {
    expect(parseUserDate('2026-01-31T08:30:00Z').toISOString()).to.equal('2026-01-31T08:30:00.000Z');
    expect(parseUserDate('2026-01-31T08:30:00+02:00').toISOString()).to.equal('2026-01-31T06:30:00.000Z');
    expect(parseUserDate('2026-01-31T23:30:00-05:00').toISOString()).to.equal('2026-02-01T04:30:00.000Z');
  });

  it('accepts a valid leap day', () => {
    expect(parseUserDate('2024-02-29').toISOString()).to.equal('2024-02-29T00:00:00.000Z');
  });

  it('refuses impossible dates and text with InvalidDateError', () => {
    for (const value of ['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', 'yesterday', '', '2026/01/31', '31-01-2026', '2026-01-31T25:00:00Z']) {
      const error = expectSfError(() => parseUserDate(value), 'InvalidDateError');
      expect(error.message).to.include(`"${value}"`);
    }
  });

  it('refuses an impossible date even with a time and zone', () => {
    expectSfError(() => parseUserDate('2026-02-30T10:00:00Z'), 'InvalidDateError');
  });

  it('exits 2 for a date that does not parse, as a flag value that does not parse does', () => {
    expect(expectSfError(() => parseUserDate('2026-13-45'), 'InvalidDateError').exitCode).to.equal(2);
  });
});

describe('lastUsed: lastUsedCriteria', () => {
  it('parses both bounds and passes unusedDays through', () => {
    const criteria = lastUsedCriteria({ after: '2026-01-01', before: '2026-02-01', unusedDays: 30 });
    expect(criteria.after?.toISOString()).to.equal('2026-01-01T00:00:00.000Z');
    expect(criteria.before?.toISOString()).to.equal('2026-02-01T00:00:00.000Z');
    expect(criteria.unusedDays).to.equal(30);
    expect(hasLastUsedCriteria(criteria)).to.equal(true);
  });

  it('has no criteria when no flag is given', () => {
    expect(hasLastUsedCriteria(lastUsedCriteria({}))).to.equal(false);
    expect(hasLastUsedCriteria({ unusedDays: 0 })).to.equal(true);
  });

  it('refuses after equal to before, or after it, with EmptyDateRangeError', () => {
    expectSfError(() => lastUsedCriteria({ after: '2026-01-01', before: '2026-01-01' }), 'EmptyDateRangeError');
    expectSfError(() => lastUsedCriteria({ after: '2026-02-01', before: '2026-01-01T23:59:59Z' }), 'EmptyDateRangeError');
  });

  it('refuses an invalid date in either flag', () => {
    expectSfError(() => lastUsedCriteria({ before: '2026-02-30' }), 'InvalidDateError');
    expectSfError(() => lastUsedCriteria({ after: 'soon' }), 'InvalidDateError');
  });
});

describe('lastUsed: lastUsedMatcher', () => {
  const boundary = new Date('2026-01-10T00:00:00.000Z');
  const at = (ms: number): { lastUsedAt: string } => ({ lastUsedAt: new Date(ms).toISOString() });

  it('before is strict', () => {
    const match = lastUsedMatcher({ before: boundary });
    expect(match(at(boundary.getTime() - 1))).to.equal(true);
    expect(match(at(boundary.getTime()))).to.equal(false);
    expect(match(at(boundary.getTime() + 1))).to.equal(false);
  });

  it('after is inclusive', () => {
    const match = lastUsedMatcher({ after: boundary });
    expect(match(at(boundary.getTime() - 1))).to.equal(false);
    expect(match(at(boundary.getTime()))).to.equal(true);
    expect(match(at(boundary.getTime() + 1))).to.equal(true);
  });

  it('combines after and before into a half-open range', () => {
    const match = lastUsedMatcher({ after: boundary, before: new Date(boundary.getTime() + DAY) });
    expect(match(at(boundary.getTime()))).to.equal(true);
    expect(match(at(boundary.getTime() + DAY - 1))).to.equal(true);
    expect(match(at(boundary.getTime() + DAY))).to.equal(false);
  });

  it('unusedDays matches rows last used N days or more before a fixed now (an age of N whole days, commands.md §10)', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const match = lastUsedMatcher({ unusedDays: 30 }, now);
    const edge = now.getTime() - 30 * DAY;
    expect(match(at(edge - 1))).to.equal(true);
    expect(match(at(edge))).to.equal(true);
    expect(match(at(edge + 1))).to.equal(false);
    expect(match(at(now.getTime()))).to.equal(false);
  });

  it('unusedDays 0 matches anything used up to now, and nothing dated after it', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const match = lastUsedMatcher({ unusedDays: 0 }, now);
    expect(match(at(now.getTime() - 1))).to.equal(true);
    expect(match(at(now.getTime()))).to.equal(true);
    expect(match(at(now.getTime() + 1))).to.equal(false);
  });

  it('null or missing lastUsedAt (never used) matches unusedDays only', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    for (const row of [{ lastUsedAt: null }, {}]) {
      expect(lastUsedMatcher({ unusedDays: 30 }, now)(row)).to.equal(true);
      expect(lastUsedMatcher({ before: boundary }, now)(row)).to.equal(false);
      expect(lastUsedMatcher({ after: boundary }, now)(row)).to.equal(false);
      expect(lastUsedMatcher({ unusedDays: 30, before: boundary }, now)(row)).to.equal(false);
    }
  });

  it('matches every row when there is no criterion', () => {
    const match = lastUsedMatcher({});
    expect(match({ lastUsedAt: null })).to.equal(true);
    expect(match(at(0))).to.equal(true);
  });

  it('reads the API timestamp format with milliseconds and offsets', () => {
    const match = lastUsedMatcher({ before: boundary });
    expect(match({ lastUsedAt: '2026-01-10T00:59:59.999+01:00' })).to.equal(true);
    expect(match({ lastUsedAt: '2026-01-10T01:00:00.000+01:00' })).to.equal(false);
  });
});

describe('lastUsed: daysSince', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');

  it('counts whole days, rounded down, and no day for a clock behind the org', () => {
    expect(daysSince(now.getTime(), now)).to.equal(0);
    expect(daysSince(now.getTime() - DAY + 1, now)).to.equal(0);
    expect(daysSince(now.getTime() - DAY, now)).to.equal(1);
    expect(daysSince(now.getTime() - 30 * DAY - 1, now)).to.equal(30);
    expect(daysSince(now.getTime() + DAY, now)).to.equal(0);
    expect(daysSince(undefined, now)).to.equal(undefined);
  });

  it('gives N exactly where --unused-days N starts to select: the Idle Days of a table and the filter agree', () => {
    for (const days of [1, 7, 30, 90]) {
      const match = lastUsedMatcher({ unusedDays: days }, now);
      for (const time of [now.getTime() - days * DAY, now.getTime() - days * DAY + 1, now.getTime() - (days + 1) * DAY + 1]) {
        const row = { lastUsedAt: new Date(time).toISOString() };
        expect(match(row), row.lastUsedAt).to.equal(daysSince(time, now)! >= days);
      }
    }
  });
});

describe('lastUsed: timestamps the API sends', () => {
  it('reads ISO 8601 date-times with a zone, as the API sends them', () => {
    expect(parseApiDateTime('2025-06-01T12:00:00.000Z')).to.equal(Date.UTC(2025, 5, 1, 12));
    expect(parseApiDateTime('2025-06-01T12:00:00Z')).to.equal(Date.UTC(2025, 5, 1, 12));
    expect(parseApiDateTime('2025-06-01T12:00Z')).to.equal(Date.UTC(2025, 5, 1, 12));
    expect(parseApiDateTime('2025-06-01T12:00:00.123456789Z')).to.equal(Date.UTC(2025, 5, 1, 12, 0, 0, 123));
    expect(parseApiDateTime('2025-06-01T14:00:00.000+02:00')).to.equal(Date.UTC(2025, 5, 1, 12));
    expect(parseApiDateTime('2025-06-01T07:30:00.000-0430')).to.equal(Date.UTC(2025, 5, 1, 12));
    expect(parseApiDateTime('2024-02-29T00:00:00.000Z')).to.equal(Date.UTC(2024, 1, 29));
    expect(parseApiDateTime('0099-01-01T00:00:00Z')).to.equal(new Date('0099-01-01T00:00:00Z').getTime());
  });

  it('refuses what Date.parse would read but is no ISO 8601 date-time with a zone', () => {
    for (const value of [
      '2026-11-30T10:00:00.000 GMT',
      '30/11/2026 10:00',
      '1795000000000',
      'Mon, 30 Nov 2026 10:00:00 GMT',
      '2026-11-30',
      '2026-11-30T10:00:00',
      '2026-11-30 10:00:00Z',
      '2026-02-30T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-11-30T24:00:00Z',
      '2026-11-30T10:60:00Z',
      '2026-11-30T10:00:60Z',
      '2026-11-30T10:00:00+25:00',
      ' 2026-11-30T10:00:00Z',
      '',
    ]) {
      expect(parseApiDateTime(value), value).to.equal(undefined);
    }
  });

  it('usageInstant: null or missing is never used; any other value that is no date-time is an error naming it, the app and the user', () => {
    const row = { appDeveloperName: 'Billing_Connector', username: 'alice@acme.example.com' };
    expect(usageInstant({ ...row, lastUsedAt: null }, 'lastUsedAt')).to.equal(undefined);
    expect(usageInstant(row, 'lastUsedAt')).to.equal(undefined);
    expect(usageInstant({ initialConnectionAt: '2025-06-01T12:00:00.000Z' }, 'initialConnectionAt')).to.equal(Date.UTC(2025, 5, 1, 12));
    for (const [value, shown] of [
      ['2026-11-30T10:00:00.000 GMT', '"2026-11-30T10:00:00.000 GMT"'],
      [1_795_000_000_000, '"1795000000000"'],
      ['30/11/2026 10:00', '"30/11/2026 10:00"'],
      ['', '""'],
      [{ at: 1 }, '"{"at":1}"'],
    ] as const) {
      const error = expectSfError(() => usageInstant({ ...row, lastUsedAt: value }, 'lastUsedAt'), 'InvalidUsageDateError');
      expect(error.message).to.include(`The lastUsedAt value ${shown} (app Billing_Connector, user alice@acme.example.com)`);
    }
    const ids = expectSfError(() => usageInstant({ appIdentifier: '0xI', userIdentifier: '005', initialConnectionAt: 'soon' }, 'initialConnectionAt'), 'InvalidUsageDateError');
    expect(ids.message).to.include('The initialConnectionAt value "soon" (app 0xI, user 005)');
  });

  it('the matcher never reads a bad lastUsedAt as "never used": it stops with an error, whatever the criteria', () => {
    const now = new Date('2026-12-01T12:00:00.000Z');
    const yesterday = '2026-11-30T10:00:00.000 GMT';
    for (const criteria of [{ unusedDays: 90 }, { before: now }, { after: new Date('2026-01-01T00:00:00Z') }]) {
      for (const lastUsedAt of [yesterday, 1_795_000_000_000, '30/11/2026 10:00']) {
        expectSfError(() => lastUsedMatcher(criteria, now)({ lastUsedAt } as { lastUsedAt: string }), 'InvalidUsageDateError');
      }
    }
  });
});

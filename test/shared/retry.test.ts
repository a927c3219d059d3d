import { expect } from 'chai';
import { Env } from '@salesforce/kit';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  nextDelay,
  parseRetryAfter,
  RETRY_ENV,
  retryPolicyFromEnv,
  type RetryPolicy,
} from '../../src/api/retry.js';

const POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 10_000, maxElapsedMs: 60_000, timeoutMs: 5000 };
const low = (): number => 0;
const high = (): number => 0.999_999;

describe('retry: nextDelay', () => {
  it('doubles the backoff on every attempt', () => {
    expect(nextDelay(POLICY, 1, 0, undefined, high)).to.be.closeTo(1000, 1);
    expect(nextDelay(POLICY, 2, 0, undefined, high)).to.be.closeTo(2000, 1);
    expect(nextDelay(POLICY, 3, 0, undefined, high)).to.be.closeTo(4000, 1);
    expect(nextDelay(POLICY, 4, 0, undefined, high)).to.be.closeTo(8000, 1);
  });

  it('jitters between half and all of the exponential step', () => {
    expect(nextDelay(POLICY, 1, 0, undefined, low)).to.equal(500);
    expect(nextDelay(POLICY, 3, 0, undefined, low)).to.equal(2000);
    expect(nextDelay(POLICY, 3, 0, undefined, () => 0.5)).to.equal(3000);
    for (let i = 0; i < 50; i++) {
      const delay = nextDelay(POLICY, 2, 0)!;
      expect(delay).to.be.within(1000, 2000);
    }
  });

  it('caps every backoff at maxDelayMs, but never cuts a Retry-After short', () => {
    expect(nextDelay(POLICY, 5, 0, undefined, high)).to.equal(10_000);
    expect(nextDelay({ ...POLICY, maxAttempts: 40 }, 30, 0, undefined, high)).to.equal(10_000);
    expect(nextDelay(POLICY, 1, 0, 25_000, low)).to.equal(25_000);
  });

  it('waits for Retry-After when it is longer than the backoff', () => {
    expect(nextDelay(POLICY, 1, 0, 7000, low)).to.equal(7000);
    expect(nextDelay(POLICY, 3, 0, 100, low)).to.equal(2000);
  });

  it('gives up once maxAttempts attempts were made', () => {
    expect(nextDelay(POLICY, 5, 0, undefined, low)).to.be.a('number');
    expect(nextDelay(POLICY, 6, 0, undefined, low)).to.equal(undefined);
    expect(nextDelay({ ...POLICY, maxAttempts: 1 }, 1, 0, undefined, low)).to.equal(undefined);
  });

  it('gives up when the wait would go past maxElapsedMs', () => {
    expect(nextDelay(POLICY, 1, 59_500, undefined, low)).to.equal(500);
    expect(nextDelay(POLICY, 1, 59_501, undefined, low)).to.equal(undefined);
    expect(nextDelay(POLICY, 1, 0, 61_000, low)).to.equal(undefined);
    expect(nextDelay({ ...POLICY, maxDelayMs: 100_000 }, 1, 0, 61_000, low)).to.equal(undefined);
  });

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(nextDelay(POLICY, 1, 0, undefined, () => 0.123_456))).to.equal(true);
  });
});

describe('retry: statuses and Retry-After', () => {
  it('retries 429, 502, 503 and 504 only', () => {
    for (const code of [429, 502, 503, 504]) expect(isRetryableStatus(code), String(code)).to.equal(true);
    for (const code of [200, 400, 401, 403, 404, 500, 501]) expect(isRetryableStatus(code), String(code)).to.equal(false);
  });

  it('parses delta-seconds', () => {
    expect(parseRetryAfter('0')).to.equal(0);
    expect(parseRetryAfter('120')).to.equal(120_000);
    expect(parseRetryAfter(' 5 ')).to.equal(5000);
  });

  it('parses an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).to.equal(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).to.equal(0);
  });

  it('returns undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(undefined)).to.equal(undefined);
    expect(parseRetryAfter('soon')).to.equal(undefined);
    expect(parseRetryAfter('')).to.equal(undefined);
  });
});

describe('retry: retryPolicyFromEnv', () => {
  it('uses the defaults without variables', () => {
    expect(retryPolicyFromEnv(new Env({}))).to.deep.equal(DEFAULT_RETRY_POLICY);
  });

  it('reads every SF_ECA_* variable', () => {
    const policy = retryPolicyFromEnv(new Env({
      SF_ECA_MAX_ATTEMPTS: '7',
      SF_ECA_RETRY_BASE_MS: '0',
      SF_ECA_RETRY_MAX_DELAY_MS: '2500',
      SF_ECA_RETRY_MAX_ELAPSED_MS: '9000',
      SF_ECA_REQUEST_TIMEOUT_MS: '1234',
    }));
    expect(policy).to.deep.equal({ maxAttempts: 7, baseDelayMs: 0, maxDelayMs: 2500, maxElapsedMs: 9000, timeoutMs: 1234 });
    expect(Object.values(RETRY_ENV).every((name) => name.startsWith('SF_ECA_'))).to.equal(true);
  });

  it('ignores junk, negatives, fractions, empty values and zero attempts or timeout', () => {
    const policy = retryPolicyFromEnv(new Env({
      SF_ECA_MAX_ATTEMPTS: '0',
      SF_ECA_RETRY_BASE_MS: '-5',
      SF_ECA_RETRY_MAX_DELAY_MS: 'lots',
      SF_ECA_RETRY_MAX_ELAPSED_MS: '1.5',
      SF_ECA_REQUEST_TIMEOUT_MS: '0',
    }));
    expect(policy).to.deep.equal(DEFAULT_RETRY_POLICY);
    expect(retryPolicyFromEnv(new Env({ SF_ECA_MAX_ATTEMPTS: '  ', SF_ECA_RETRY_BASE_MS: '  ' }))).to.deep.equal(DEFAULT_RETRY_POLICY);
  });

  it('does not change the shared default policy', () => {
    retryPolicyFromEnv(new Env({ SF_ECA_MAX_ATTEMPTS: '9' }));
    expect(DEFAULT_RETRY_POLICY.maxAttempts).to.equal(4);
  });
});

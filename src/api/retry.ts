/**
 * The one retry policy of the plugin. Salesforce answers 503 during maintenance and 429 when a rate limit is hit
 * (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_error_responses.htm); both,
 * plus 502/504, dropped connections and timeouts, are worth another try. Revoking is idempotent (a second DELETE of a
 * revoked token is a 404 that we report as not-found), so DELETE is retried like GET. Nothing else is: a 4xx will not
 * get better by asking again, and 403 REQUEST_LIMIT_EXCEEDED must stop the run.
 */

import { env as processEnv, type Env } from '@salesforce/kit';
import { envInteger } from '../common/env.js';

export type RetryPolicy = {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** First backoff; doubles on every attempt, with full jitter. */
  baseDelayMs: number;
  /** Largest backoff between attempts; a longer Retry-After is still honoured (within maxElapsedMs). */
  maxDelayMs: number;
  /** No new attempt starts once this much time has passed since the first one. */
  maxElapsedMs: number;
  /** Time allowed for one attempt. */
  timeoutMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
  timeoutMs: 60_000,
};

/** Environment variables that tune the policy; documented in the README ("Retries and time-outs"). */
export const RETRY_ENV = {
  maxAttempts: 'SF_ECA_MAX_ATTEMPTS',
  baseDelayMs: 'SF_ECA_RETRY_BASE_MS',
  maxDelayMs: 'SF_ECA_RETRY_MAX_DELAY_MS',
  maxElapsedMs: 'SF_ECA_RETRY_MAX_ELAPSED_MS',
  timeoutMs: 'SF_ECA_REQUEST_TIMEOUT_MS',
} as const;

export function retryPolicyFromEnv(env: Env = processEnv): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY };
  for (const key of Object.keys(RETRY_ENV) as Array<keyof RetryPolicy>) {
    // At least one attempt, and a time-out of 0 would fail every request; zero delays are fine (tests use them).
    const min = key === 'maxAttempts' || key === 'timeoutMs' ? 1 : 0;
    policy[key] = envInteger(RETRY_ENV[key], min, env) ?? policy[key];
  }
  return policy;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUS.has(status);

/**
 * Milliseconds to wait before the next attempt, or undefined when no attempt is left.
 *
 * @param attempt the attempt that just failed, 1-based
 * @param elapsedMs time since the first attempt started
 * @param retryAfterMs the server's Retry-After, if it sent one
 * @param random a source in [0, 1), injectable for tests
 */
export function nextDelay(
  policy: RetryPolicy,
  attempt: number,
  elapsedMs: number,
  retryAfterMs?: number,
  random: () => number = Math.random
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the exponential step, so attempts spread out but never hammer the server.
  const jittered = exponential / 2 + random() * (exponential / 2);
  // Retry-After is honoured in full: retrying before the server allows it only earns another 429. When it asks for
  // more time than the run may take, we give up instead.
  const delay = Math.max(jittered, retryAfterMs ?? 0);
  if (elapsedMs + delay > policy.maxElapsedMs) return undefined;
  return Math.round(delay);
}

/** Reads Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

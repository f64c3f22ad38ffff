// Retry policy: the attempt loop under one deadline, full-jitter backoff, Retry-After, on an injectable clock.

import { classifyFailure, timeoutFailure, type UpstreamFailure } from './upstream-failure.js';

/**
 * The clock, the wait and the randomness the retry loop runs on. The proxy uses {@link systemTiming};
 * tests pass a virtual one that records each requested wait and moves its clock instead of sleeping,
 * so they assert the waits themselves rather than how long a request took on a busy machine.
 * (The time limit of one attempt is a real timer in the SDK; only its length comes from this clock.)
 */
export interface RetryTiming {
  /** Current time in epoch ms: the overall deadline and `Retry-After` HTTP dates are measured on it. */
  now(): number;
  /** Waits `ms` before the next attempt. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1) for the jitter of {@link backoffDelay}. */
  random(): number;
}

/** The real clock: `Date.now()` (read at each call), `setTimeout` and `Math.random()`. */
export const systemTiming: RetryTiming = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** The limits the retry loop keeps (the proxy's resolved options carry them under these names). */
export interface RetryLimits {
  /** Retries after the first attempt. */
  retries: number;
  /** Time limit of one attempt in ms. */
  timeoutMs: number;
  /** Limit of the whole exchange, attempts and waits included, in ms. */
  deadlineMs: number;
  /** Base of the exponential backoff in ms. */
  backoffBaseMs: number;
  /** Largest backoff wait in ms. */
  backoffMaxMs: number;
  /** Largest `Retry-After` honoured in ms. */
  maxRetryAfterMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): a uniformly random delay between 0
 * and `min(maxMs, baseMs * 2^attempt)` ("full jitter"), so many proxies do not retry in step.
 * Pinned by test/retry-policy.test.ts and the backoff waits asserted in test/faulty-upstream.test.ts.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` value (delay-seconds or an HTTP-date) into milliseconds from `now`;
 * `undefined` when absent or malformed; 0 for a date in the past.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The wait before retry number `retry`: the upstream's `Retry-After` capped at `maxRetryAfterMs` when
 * it sent one, the full-jitter backoff otherwise.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function retryWait(
  retryAfterMs: number | undefined,
  retry: number,
  limits: RetryLimits,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, limits.maxRetryAfterMs);
  return backoffDelay(retry, limits.backoffBaseMs, limits.backoffMaxMs, random);
}

/**
 * Runs `attempt(limitMs)` until it succeeds, giving each attempt `min(timeoutMs, time left)`. A
 * retryable failure is retried after {@link retryWait} while retries remain and the wait ends before
 * the deadline; otherwise the last failure is thrown as an {@link UpstreamFailure} with `attempts` set.
 * Once the deadline has passed, no attempt starts: the failure is a timeout.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export async function retryWithinDeadline<T>(
  attempt: (limitMs: number) => Promise<T>,
  limits: RetryLimits,
  timing: RetryTiming = systemTiming,
): Promise<T> {
  const deadline = timing.now() + limits.deadlineMs;
  for (let retry = 0; ; retry++) {
    const remaining = deadline - timing.now();
    let failure: UpstreamFailure;
    if (remaining <= 0) {
      failure = timeoutFailure();
    } else {
      try {
        return await attempt(Math.min(limits.timeoutMs, remaining));
      } catch (error) {
        failure = classifyFailure(error, undefined);
      }
    }
    failure.attempts = retry + 1;
    const wait = retryWait(failure.retryAfterMs, retry, limits, () => timing.random());
    if (!failure.retryable || retry >= limits.retries || timing.now() + wait >= deadline) throw failure;
    await timing.sleep(wait);
  }
}

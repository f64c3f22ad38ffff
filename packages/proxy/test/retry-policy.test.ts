/** The retry policy on a virtual clock: Retry-After parsing, backoff, and the attempt loop's limits and waits. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, type RetryLimits, retryWithinDeadline } from '../src/retry-policy.js';
import { timeoutFailure, UpstreamFailure } from '../src/upstream-failure.js';
import { virtualTiming } from './support.js';

describe('retry policy', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
  it('full jitter stays within [0, min(max, base * 2^n))', () => {
    expect(backoffDelay(0, 100, 2000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 2000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 2000, () => 0.999)).toBe(1998);
    expect(backoffDelay(2, 100, 2000, () => 0)).toBe(0);
  });
});

const limits: RetryLimits = {
  retries: 2,
  timeoutMs: 300,
  deadlineMs: 10_000,
  backoffBaseMs: 20,
  backoffMaxMs: 2000,
  maxRetryAfterMs: 5000,
};

const unavailable = (retryAfterMs?: number) =>
  new UpstreamFailure({
    kind: 'unavailable',
    retryable: true,
    status: 503,
    errorCode: 'OAUTH_HTTP_ERROR',
    retryAfterMs,
  });

/** Runs the loop with attempts answering from `script` in turn; records the limit each attempt got. */
async function runLoop(
  script: ((limitMs: number) => string)[],
  options: Partial<RetryLimits> = {},
  timing = virtualTiming(),
) {
  const attemptLimits: number[] = [];
  const outcome = await retryWithinDeadline(
    async (limitMs) => {
      attemptLimits.push(limitMs);
      const step = script[attemptLimits.length - 1];
      if (step === undefined) throw new Error('more attempts than scripted');
      return step(limitMs);
    },
    { ...limits, ...options },
    timing,
  ).then(
    (value) => ({ value, failure: undefined }),
    (error: unknown) => ({ value: undefined, failure: error as UpstreamFailure }),
  );
  return { ...outcome, attemptLimits, waits: timing.waits, elapsed: timing.elapsed() };
}

describe('retryWithinDeadline', () => {
  it('a first success: one attempt with the whole time limit, no wait', async () => {
    const run = await runLoop([() => 'token']);
    expect(run).toMatchObject({ value: 'token', attemptLimits: [300], waits: [] });
  });

  it('retries retryable failures `retries` times with full-jitter backoff, then throws the last', async () => {
    const fail = () => {
      throw unavailable();
    };
    const run = await runLoop([fail, fail, fail, fail, fail, fail], {
      retries: 5,
      backoffBaseMs: 100,
      backoffMaxMs: 300,
    });
    // Ceilings 100, 200, 400→300 (backoffMaxMs), ... drawn at 0.5.
    expect(run.waits).toEqual([50, 100, 150, 150, 150]);
    expect(run.attemptLimits).toHaveLength(6);
    expect(run.failure).toBeInstanceOf(UpstreamFailure);
    expect(run.failure).toMatchObject({ kind: 'unavailable', status: 503, attempts: 6 });
  });

  it('a non-retryable failure is thrown at once', async () => {
    const run = await runLoop([
      () => {
        throw new UpstreamFailure({ kind: 'rejected', retryable: false, status: 401, errorCode: 'x' });
      },
    ]);
    expect(run.waits).toEqual([]);
    expect(run.failure).toMatchObject({ kind: 'rejected', attempts: 1 });
  });

  it('Retry-After replaces the backoff and is capped at maxRetryAfterMs', async () => {
    const run = await runLoop([
      () => {
        throw unavailable(1000);
      },
      () => {
        throw unavailable(3_600_000);
      },
      () => 'token',
    ]);
    expect(run.waits).toEqual([1000, 5000]);
    expect(run.value).toBe('token');
  });

  it('a wait that would pass the deadline ends the retries without waiting', async () => {
    const run = await runLoop(
      [
        () => {
          throw unavailable(30_000);
        },
      ],
      { deadlineMs: 3000, maxRetryAfterMs: 10_000 },
    );
    expect(run.waits).toEqual([]);
    expect(run.failure).toMatchObject({ retryAfterMs: 30_000, attempts: 1 });
  });

  it('each attempt gets min(timeoutMs, time left); attempts and waits never pass the deadline', async () => {
    const timing = virtualTiming();
    // An upstream that never answers: every attempt lasts its whole limit, then times out.
    const hang = (limitMs: number): string => {
      timing.advance(limitMs);
      throw timeoutFailure();
    };
    const run = await runLoop(
      Array.from({ length: 11 }, () => hang),
      { retries: 10, deadlineMs: 700 },
      timing,
    );
    // 300, wait 10, 300, wait 20, then the 70 ms left; the next wait (40) would pass the deadline.
    expect(run.attemptLimits).toEqual([300, 300, 70]);
    expect(run.waits).toEqual([10, 20]);
    expect(run.elapsed).toBe(700);
    expect(run.failure).toMatchObject({ kind: 'timeout', attempts: 3 });
  });

  it('no attempt starts once the deadline has passed: the answer is a timeout', async () => {
    const timing = virtualTiming();
    const oversleeping = { ...timing, sleep: async (ms: number) => timing.advance(ms + 1000) };
    const run = await runLoop(
      [
        () => {
          throw unavailable();
        },
      ],
      { deadlineMs: 500 },
      oversleeping,
    );
    expect(run.attemptLimits).toEqual([300]);
    expect(run.failure).toMatchObject({ kind: 'timeout' });
  });
});

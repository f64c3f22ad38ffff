import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.js';

describe('FailureLimiter', () => {
  it('refuses a key after maxFailures within the window and lets it go when the window ends', () => {
    const limiter = new FailureLimiter(2, 60);
    limiter.fail(['a'], 0);
    expect(limiter.retryAfter(['a'], 0)).toBeUndefined();
    limiter.fail(['a'], 1_000);
    expect(limiter.retryAfter(['a', 'b'], 1_000)).toBe(59);
    expect(limiter.retryAfter(['b'], 1_000)).toBeUndefined();
    expect(limiter.retryAfter(['a'], 60_000)).toBeUndefined();
  });

  it('counts an attempt before its outcome is known, so parallel guesses stop at the limit', () => {
    const limiter = new FailureLimiter(3, 60);
    const outcomes = Array.from({ length: 10 }, () => limiter.attempt(['ip:x', 'client:y'], 0));
    expect(outcomes.filter((wait) => wait === undefined)).toHaveLength(3);
    expect(outcomes.slice(3).every((wait) => wait === 60)).toBe(true);
  });

  it('forgives the attempt of a right credential, so successes never lock anyone out', () => {
    const limiter = new FailureLimiter(2, 60);
    for (let i = 0; i < 10; i++) {
      expect(limiter.attempt(['k'], i)).toBeUndefined();
      limiter.forgive(['k'], i);
    }
    limiter.attempt(['k'], 20);
    expect(limiter.attempt(['k'], 21)).toBeUndefined();
    expect(limiter.attempt(['k'], 22)).toBeCloseTo(59.998, 3);
  });

  it('drops the oldest key when full', () => {
    const limiter = new FailureLimiter(1, 60, 2);
    limiter.fail(['a'], 0);
    limiter.fail(['b'], 0);
    limiter.fail(['c'], 0);
    expect(limiter.retryAfter(['a'], 0)).toBeUndefined();
    expect(limiter.retryAfter(['b'], 0)).toBe(60);
    expect(limiter.retryAfter(['c'], 0)).toBe(60);
  });
});

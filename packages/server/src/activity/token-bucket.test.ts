/** Token buckets: a burst, then a steady rate; a key nobody vouched for gets no bucket. */
import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBuckets } from './token-bucket.js';

describe('TokenBucket', () => {
  it('gives a burst, then refills at its rate, never above its capacity', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([0, 0, 0, 0].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    // An hour idle refills three, not 7,200.
    expect(Array.from({ length: 5 }, () => bucket.take(3_600_000)).filter(Boolean)).toHaveLength(3);
  });
});

describe('TokenBuckets', () => {
  it('keeps a bucket per key, made only when the caller may, and at most maxKeys of them', () => {
    const buckets = new TokenBuckets(1, 1, 2);
    expect(buckets.take('unknown', false, 0)).toBe(false);
    expect(buckets.has('unknown')).toBe(false);
    expect(buckets.take('a', true, 0)).toBe(true);
    expect(buckets.take('a', false, 0)).toBe(false);
    expect(buckets.has('a')).toBe(true);
    buckets.take('b', true, 0);
    buckets.take('c', true, 0);
    expect(['a', 'b', 'c'].map((key) => buckets.has(key))).toEqual([false, true, true]);
  });
});

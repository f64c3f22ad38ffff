import { describe, expect, it } from 'vitest';
import { randomToken, secureRandomBytes } from './random.js';

describe('secureRandomBytes', () => {
  it('hands out each byte once: what it returned never changes, even after the pool is replaced', () => {
    const first = secureRandomBytes(32);
    const copy = Buffer.from(first);
    const later = Array.from({ length: 300 }, () => secureRandomBytes(32));
    expect(first.equals(copy)).toBe(true);
    const seen = new Set([first, ...later].map((bytes) => bytes.toString('hex')));
    expect(seen.size).toBe(301);
  });

  it('serves sizes above the pool and every small size exactly', () => {
    expect(secureRandomBytes(10_000)).toHaveLength(10_000);
    for (const size of [1, 12, 16, 32, 4096]) expect(secureRandomBytes(size)).toHaveLength(size);
    expect(randomToken(32)).toMatch(/^[\w-]{43}$/);
  });

  it('looks uniform: every byte value turns up, none far more often than the others', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 1000; i++) for (const byte of secureRandomBytes(64)) counts[byte]++;
    // 64,000 bytes: 250 of each value expected; a stuck or zeroed pool would break this at once.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(350);
  });
});

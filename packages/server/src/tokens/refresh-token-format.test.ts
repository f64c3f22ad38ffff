import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSelectorKey, RefreshTokenFormat } from './refresh-token-format.js';

const format = new RefreshTokenFormat(Buffer.from(newSelectorKey(), 'hex'));
const selectorBits = (token: string) => Buffer.from(token, 'base64url').subarray(0, 16);
const differingBits = (a: Buffer, b: Buffer) =>
  a.reduce((count, byte, i) => count + (byte ^ (b[i] as number)).toString(2).replaceAll('0', '').length, 0);

describe('RefreshTokenFormat', () => {
  it('issues 64 base64url characters naming the row they were issued for', () => {
    for (const rowId of [1, 2, 1000, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
      const token = format.issue(rowId);
      expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(format.rowId(token)).toBe(rowId);
    }
  });

  it('gives every token of one row a fresh verifier', () => {
    const a = format.issue(42);
    const b = format.issue(42);
    expect(a.slice(0, 21)).toBe(b.slice(0, 21));
    expect(a).not.toBe(b);
  });

  it('does not reveal the sequence: selectors of consecutive rows share about half their bits', () => {
    const distances = Array.from({ length: 200 }, (_, i) =>
      differingBits(selectorBits(format.issue(i + 1)), selectorBits(format.issue(i + 2))),
    );
    const mean = distances.reduce((sum, d) => sum + d, 0) / distances.length;
    // A counter in the clear would differ in 1–2 bits; a random permutation in 64 of 128 on average.
    expect(mean).toBeGreaterThan(56);
    expect(mean).toBeLessThan(72);
    expect(Math.min(...distances)).toBeGreaterThan(30);
  });

  it('finds no row in a forged, damaged or foreign selector, or in another shape', () => {
    const token = format.issue(7);
    const flipped = Buffer.from(token, 'base64url');
    flipped[3] = (flipped[3] as number) ^ 1;
    const foreign = new RefreshTokenFormat(randomBytes(16)).issue(7);
    for (const value of [
      flipped.toString('base64url'),
      foreign,
      'A'.repeat(64),
      `${token.slice(0, 63)}=`,
      token.slice(0, 63),
      `${token}A`,
      '',
      token.replace(/^./, 'ä'),
    ]) {
      expect(format.rowId(value)).toBeUndefined();
    }
  });

  it('refuses a row ID it cannot represent, and a key of the wrong size', () => {
    for (const rowId of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(() => format.issue(rowId)).toThrow(/row ID/);
    }
    expect(() => new RefreshTokenFormat(randomBytes(32))).toThrow(/16 bytes/);
  });
});

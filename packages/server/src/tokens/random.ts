/** Random values and their stored hashes: secrets, codes and refresh tokens are 256-bit, kept as SHA-256. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A 256-bit random value, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a value, hex: what the database stores in place of a secret, code or refresh token. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A fixed digest compared against when a client does not exist, so both paths cost the same. */
export const DUMMY_HASH = sha256Hex('latchkey-dummy-secret');

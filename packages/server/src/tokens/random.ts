/** Random values and their stored hashes: secrets, codes and refresh tokens are 256-bit, kept as SHA-256. */
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

/** Bytes drawn from the CSPRNG at once (Node's randomUUID keeps a cache the same way). */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `size` bytes from the operating system's CSPRNG (OpenSSL's RAND_bytes), handed out from a pool
 * filled 4 KiB at a time: `randomBytes` costs 1.7 µs a call (a getpid(2) for OpenSSL's fork check each
 * time) and 6 µs under load, a tenth of a refresh request. Every byte is handed out once; a spent pool
 * is replaced, never refilled in place, so a returned view never changes.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(size));
  if (used + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  used += size;
  return pool.subarray(used - size, used);
}

/** A 256-bit random value, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return secureRandomBytes(bytes).toString('base64url');
}

/**
 * The shapes of the values this server issues and later looks up. A presented value of another shape
 * cannot be ours, so it is answered "unknown" without a database round trip: nothing an attacker
 * sends (a NUL byte, 10 KB, non-UTF-8) ever reaches a query (test/storage-attacks.test.ts).
 */
const ISSUED_SHAPES = {
  /**
   * {@link randomToken}(32): authorization codes, session cookies, CSRF values, pending-request
   * handles, and refresh tokens issued before migration 006 (now tokens/refresh-token-format.ts).
   */
  token: /^[A-Za-z0-9_-]{43}$/,
  /** `gr_` + {@link randomToken}(16): grant IDs (storage/codes.ts creates them), carried as `gid` in access tokens. */
  grantId: /^gr_[A-Za-z0-9_-]{22}$/,
  /** `randomUUID()`: the `jti` of access tokens (tokens/access-token.ts, RFC 9068 §2.2). */
  jti: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
} as const;

/** A kind of value this server issues and looks up again. */
export type IssuedKind = keyof typeof ISSUED_SHAPES;

/** Whether a presented value has the shape of a value of this kind that this server issued. */
export function hasIssuedShape(kind: IssuedKind, value: string): boolean {
  return value.length <= 64 && ISSUED_SHAPES[kind].test(value);
}

/** SHA-256 of a value, hex: what the database stores in place of a secret, code or refresh token. */
export function sha256Hex(value: string): string {
  // One-shot `crypto.hash` (Node ≥ 20.12): 0.2 µs where createHash().update().digest() takes 0.7 µs.
  return hash('sha256', value, 'hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A fixed digest compared against when a client does not exist, so both paths cost the same. */
export const DUMMY_HASH = sha256Hex('latchkey-dummy-secret');

/**
 * The refresh token format: a selector that names the token's row and a 256-bit random verifier.
 *
 * Rows are keyed by an ascending integer, so a rotation appends to the table and its indexes instead of
 * writing a random page of a hash index (the rotation transaction went from about 80 to 45 µs on
 * SQLite, bench/micro/sqlite-rotation.cjs). The integer is not handed out as is: the selector is the
 * row ID and eight zero bytes under AES-128 with a key generated per database (migration 006), a
 * pseudorandom permutation of one block, so a token reveals neither how many tokens were issued nor
 * anything about its neighbours, and a forged or damaged selector fails the zero check without a
 * look-up. The selector is not a secret and grants nothing: the database keeps SHA-256 of the whole
 * token and a token matches only if that hash does (RFC 6749 §10.4, RFC 9700 §4.14.2).
 *
 *     token = base64url( AES-128(key, rowId ‖ 0⁸) ‖ verifier(32) )   // 64 characters
 */
import { type Cipher, createCipheriv, createDecipheriv, type Decipher, randomBytes } from 'node:crypto';
import { secureRandomBytes } from './random.js';

/** Bytes of the encrypted selector block and of the random verifier. */
const SELECTOR_BYTES = 16;
const VERIFIER_BYTES = 32;
/** The shape of a token in this format (64 base64url characters; 48 bytes). */
const SHAPE = /^[A-Za-z0-9_-]{64}$/;

/** Builds and reads refresh tokens with one database's selector key. */
export class RefreshTokenFormat {
  // ECB with padding off is the bare block cipher: one 16-byte block in, one out, no state carried
  // between calls, so one cipher and one decipher serve every token.
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;

  /** @param key the database's 16-byte selector key (instance_secrets, migration 006). */
  constructor(key: Buffer) {
    if (key.length !== 16) throw new Error('the refresh token selector key must be 16 bytes');
    this.cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  }

  /** A new token for row `rowId`, with a fresh 256-bit verifier. */
  issue(rowId: number): string {
    if (!Number.isSafeInteger(rowId) || rowId < 1) throw new Error(`not a refresh token row ID: ${rowId}`);
    const block = Buffer.alloc(SELECTOR_BYTES);
    block.writeBigUInt64BE(BigInt(rowId));
    return Buffer.concat([this.cipher.update(block), secureRandomBytes(VERIFIER_BYTES)]).toString(
      'base64url',
    );
  }

  /**
   * The row a token names, or `undefined` when it cannot be a token this database issued (wrong shape,
   * or a selector that does not decrypt to a row ID): such a value is never looked up.
   */
  rowId(token: string): number | undefined {
    if (token.length !== 64 || !SHAPE.test(token)) return undefined;
    const plain = this.decipher.update(Buffer.from(token, 'base64url').subarray(0, SELECTOR_BYTES));
    if (plain.readBigUInt64BE(8) !== 0n) return undefined;
    const rowId = plain.readBigUInt64BE(0);
    return rowId >= 1n && rowId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(rowId) : undefined;
  }
}

/** The `instance_secrets` row holding a database's selector key (hex). */
export const SELECTOR_KEY_NAME = 'refresh_token_selector_key';

/** A new random selector key (migration 006 stores one per database). */
export function newSelectorKey(): string {
  return randomBytes(16).toString('hex');
}

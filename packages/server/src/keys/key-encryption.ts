/**
 * Private signing keys at rest: sealed with AES-256-GCM (NIST SP 800-38D) under a key-encryption key
 * (KEK) kept outside the database, so a copy of the database (a backup, a dump, a file another local
 * user could read) does not hold a key that signs tokens.
 *
 *     sealed = "v1." base64url(iv) "." base64url(ciphertext) "." base64url(tag)
 *     iv     = 12 fresh random bytes per sealing (never reused under one KEK)
 *     aad    = "latchkey signing_keys " kid   (a ciphertext moved to another row does not open)
 *
 * Each row names the KEK that sealed it (`kek_id`), so the KEK can be rotated: servers open rows under
 * the current KEK or a previous one, and `latchkey keys rewrap` re-seals every row under the current one.
 *
 * A KEK is written `[id:]key` (LATCHKEY_KEY_ENCRYPTION_KEY, and the file generated on SQLite): the key
 * 32 random bytes as base64url (43 characters, as `openssl rand -base64 32 | tr '+/' '-_' | tr -d =`
 * prints), base64 (44 with its `=`) or hex (64 digits, `openssl rand -hex 32`); the ID up to 64 of
 * `A-Z a-z 0-9 _ -`, by default the first 16 hex digits of a SHA-256 of the key (a fingerprint: one
 * key always has the same ID, and a wrong key is told from the right one without a decryption).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;
const HEX = /^[0-9a-fA-F]{64}$/;

/** What every failure to open a sealed key says: never which bytes, never the key. */
export const WRONG_KEK_MESSAGE = 'cannot decrypt the signing keys: wrong LATCHKEY_KEY_ENCRYPTION_KEY?';

/** A KEK written wrongly; the message describes the format and never repeats the value. */
export class KeyEncryptionKeyFormatError extends Error {
  override readonly name = 'KeyEncryptionKeyFormatError';
}

/** A sealed private key did not open: its KEK is not configured, or the key or the ciphertext differ. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
  constructor() {
    super(WRONG_KEK_MESSAGE);
  }
}

/** What a KEK must look like, for error messages (the caller names the variable or file). */
export const KEK_FORMAT =
  'must be 32 random bytes as base64url (43 characters), base64 or hex (64 digits), optionally after an ID and a colon (id:key); `openssl rand -hex 32` makes one';

/** One key-encryption key. The key bytes are a private field: inspecting or serializing it shows the ID only. */
export class KeyEncryptionKey {
  readonly #key: KeyObject;

  private constructor(
    readonly id: string,
    key: Buffer,
  ) {
    this.#key = createSecretKey(key);
  }

  /** Reads `[id:]key` (surrounding white space ignored); throws {@link KeyEncryptionKeyFormatError}. */
  static parse(text: string): KeyEncryptionKey {
    const trimmed = text.trim();
    const colon = trimmed.indexOf(':');
    const id = colon === -1 ? undefined : trimmed.slice(0, colon);
    const encoded = colon === -1 ? trimmed : trimmed.slice(colon + 1);
    if (id !== undefined && !ID.test(id)) {
      throw new KeyEncryptionKeyFormatError('has an ID that is not 1 to 64 of A-Z a-z 0-9 _ -');
    }
    let key: Buffer | undefined;
    if (HEX.test(encoded)) key = Buffer.from(encoded, 'hex');
    else if (BASE64.test(encoded)) key = Buffer.from(encoded, 'base64');
    if (key?.length !== KEY_BYTES) throw new KeyEncryptionKeyFormatError(KEK_FORMAT);
    return new KeyEncryptionKey(id ?? KeyEncryptionKey.fingerprint(key), key);
  }

  /** A new random KEK, its ID derived from it. */
  static generate(): KeyEncryptionKey {
    const key = randomBytes(KEY_BYTES);
    return new KeyEncryptionKey(KeyEncryptionKey.fingerprint(key), key);
  }

  private static fingerprint(key: Buffer): string {
    return createHash('sha256')
      .update('latchkey key-encryption key id\0')
      .update(key)
      .digest('hex')
      .slice(0, 16);
  }

  /** `id:key` (base64url): what the generated file holds, and what LATCHKEY_KEY_ENCRYPTION_KEY accepts. */
  serialize(): string {
    return `${this.id}:${this.#key.export().toString('base64url')}`;
  }

  /** Whether `other` is the same key (not only the same ID). */
  sameKey(other: KeyEncryptionKey): boolean {
    return other.#key.equals(this.#key);
  }

  /** @internal AES-256-GCM under this key. */
  seal(plaintext: Buffer, aad: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return [VERSION, ...parts].join('.');
  }

  /** @internal Opens what {@link seal} made; throws {@link KeyDecryptionError} if the tag does not match. */
  open(sealed: string, aad: Buffer): Buffer {
    const [version, iv, ciphertext, tag, extra] = sealed.split('.');
    if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined || extra) {
      throw new KeyDecryptionError();
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new KeyDecryptionError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    } catch {
      throw new KeyDecryptionError();
    }
  }
}

/** A private key as a row stores it: sealed, with the ID of the KEK that sealed it. */
export interface SealedKey {
  kekId: string;
  sealed: string;
}

/** The AAD of a row: its kid, so a ciphertext copied into another row does not open there. */
function associatedData(kid: string): Buffer {
  return Buffer.from(`latchkey signing_keys ${kid}`, 'utf8');
}

/** The current KEK, which seals, and previous ones, which only open (during a KEK rotation). */
export class Keyring {
  private readonly byId = new Map<string, KeyEncryptionKey>();

  constructor(
    readonly current: KeyEncryptionKey,
    previous: readonly KeyEncryptionKey[] = [],
  ) {
    for (const kek of [current, ...previous]) {
      const known = this.byId.get(kek.id);
      if (known && !known.sameKey(kek)) {
        throw new KeyEncryptionKeyFormatError(`two different key-encryption keys have the ID "${kek.id}"`);
      }
      this.byId.set(kek.id, known ?? kek);
    }
  }

  /** Seals a private JWK for row `kid` under the current KEK, with a fresh IV. */
  seal(kid: string, privateJwk: JsonWebKey): SealedKey {
    const plaintext = Buffer.from(JSON.stringify(privateJwk), 'utf8');
    try {
      return { kekId: this.current.id, sealed: this.current.seal(plaintext, associatedData(kid)) };
    } finally {
      plaintext.fill(0);
    }
  }

  /** Opens row `kid`'s private JWK; throws {@link KeyDecryptionError} whatever went wrong. */
  open(kid: string, kekId: string, sealed: string): JsonWebKey {
    const kek = this.byId.get(kekId);
    if (!kek) throw new KeyDecryptionError();
    const plaintext = kek.open(sealed, associatedData(kid));
    try {
      return JSON.parse(plaintext.toString('utf8')) as JsonWebKey;
    } catch {
      // Authenticated, so written by a seal(): only a different program's bytes land here.
      throw new KeyDecryptionError();
    } finally {
      plaintext.fill(0);
    }
  }
}

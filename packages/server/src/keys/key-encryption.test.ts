import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  KeyDecryptionError,
  KeyEncryptionKey,
  KeyEncryptionKeyFormatError,
  Keyring,
  WRONG_KEK_MESSAGE,
} from './key-encryption.js';

const bytes = randomBytes(32);
const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

describe('KeyEncryptionKey.parse', () => {
  it('reads base64url, base64 and hex of 32 bytes: the same key, the same derived ID', () => {
    const ids = [
      bytes.toString('base64url'),
      bytes.toString('base64'),
      bytes.toString('hex'),
      ` ${bytes.toString('hex').toUpperCase()}\n`,
    ].map((text) => KeyEncryptionKey.parse(text));
    for (const kek of ids) expect(kek.sameKey(ids[0] as KeyEncryptionKey)).toBe(true);
    expect(new Set(ids.map((kek) => kek.id)).size).toBe(1);
    expect(ids[0]?.id).toMatch(/^[0-9a-f]{16}$/);
    // Another key, another ID: a wrong key is told apart by its ID alone.
    expect(KeyEncryptionKey.parse(randomBytes(32).toString('hex')).id).not.toBe(ids[0]?.id);
  });

  it('takes an explicit ID before a colon; serialize() writes id:key, which parses back', () => {
    const kek = KeyEncryptionKey.parse(`2025-q1:${bytes.toString('base64url')}`);
    expect(kek.id).toBe('2025-q1');
    const again = KeyEncryptionKey.parse(kek.serialize());
    expect(again.id).toBe('2025-q1');
    expect(again.sameKey(kek)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', randomBytes(16).toString('base64url')],
    ['too long', randomBytes(33).toString('base64url')],
    ['not base64 or hex', `${'!'.repeat(43)}`],
    ['a bad ID', `a b:${bytes.toString('hex')}`],
    ['an ID too long', `${'i'.repeat(65)}:${bytes.toString('hex')}`],
  ])('refuses %s, without repeating the value', (_what, text) => {
    let error: unknown;
    try {
      KeyEncryptionKey.parse(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeyEncryptionKeyFormatError);
    if (text.length > 0) expect((error as Error).message).not.toContain(text.split(':').at(-1));
  });

  it('never shows the key when inspected or serialized to JSON', () => {
    const kek = KeyEncryptionKey.parse(bytes.toString('base64url'));
    for (const shown of [inspect(kek, { showHidden: true, depth: 5 }), JSON.stringify(kek), String(kek)]) {
      for (const form of ['base64url', 'base64', 'hex'] as const)
        expect(shown).not.toContain(bytes.toString(form));
    }
  });
});

describe('Keyring', () => {
  const current = KeyEncryptionKey.generate();
  const old = KeyEncryptionKey.generate();

  it('seals under the current KEK with a fresh 96-bit IV each time; opens what it sealed', () => {
    const ring = new Keyring(current);
    const a = ring.seal('kid-1', jwk);
    const b = ring.seal('kid-1', jwk);
    expect(a.kekId).toBe(current.id);
    expect(a.sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(a.sealed.split('.')[1]).not.toBe(b.sealed.split('.')[1]);
    expect(a.sealed).not.toContain(jwk.d);
    expect(ring.open('kid-1', a.kekId, a.sealed)).toEqual(jwk);
  });

  it('binds a ciphertext to its row: under another kid it does not open (RFC 5116 §2.1 associated data)', () => {
    const ring = new Keyring(current);
    const { kekId, sealed } = ring.seal('kid-1', jwk);
    expect(() => ring.open('kid-2', kekId, sealed)).toThrow(KeyDecryptionError);
  });

  it('opens under a previous KEK; a KEK it does not have, a wrong key with the same ID, or a changed byte fail alike', () => {
    const byOld = new Keyring(old).seal('kid', jwk);
    expect(new Keyring(current, [old]).open('kid', byOld.kekId, byOld.sealed)).toEqual(jwk);
    expect(() => new Keyring(current).open('kid', byOld.kekId, byOld.sealed)).toThrow(WRONG_KEK_MESSAGE);
    const impostor = KeyEncryptionKey.parse(`${old.id}:${randomBytes(32).toString('hex')}`);
    expect(() => new Keyring(impostor).open('kid', byOld.kekId, byOld.sealed)).toThrow(KeyDecryptionError);
    const [version, iv, ciphertext, tag] = byOld.sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    for (const damaged of [
      [version, iv, flipped.toString('base64url'), tag].join('.'),
      [version, iv, ciphertext].join('.'),
      ['v2', iv, ciphertext, tag].join('.'),
      JSON.stringify(jwk),
    ]) {
      expect(() => new Keyring(old).open('kid', byOld.kekId, damaged)).toThrow(KeyDecryptionError);
    }
  });

  it('refuses two different keys under one ID', () => {
    const twin = KeyEncryptionKey.parse(`${current.id}:${randomBytes(32).toString('hex')}`);
    expect(() => new Keyring(current, [twin])).toThrow(KeyEncryptionKeyFormatError);
    expect(() => new Keyring(current, [current])).not.toThrow();
  });
});

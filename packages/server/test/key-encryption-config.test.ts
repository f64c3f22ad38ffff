/**
 * LATCHKEY_KEY_ENCRYPTION_KEY and LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS as configuration: `[id:]key`
 * with an ID defaulting to a fingerprint, a malformed value refused naming the variable and never
 * repeating it, one ID for two keys refused, and the key required with PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { resolveKeyring } from '../src/startup/key-encryption.js';
import { newKek } from './support/key-encryption.js';

describe('LATCHKEY_KEY_ENCRYPTION_KEY and _PREVIOUS', () => {
  it('reads [id:]key; an ID defaults to a fingerprint of the key', () => {
    const kek = newKek();
    const named = newKek('2025-q1');
    const config = loadConfig({
      LATCHKEY_KEY_ENCRYPTION_KEY: named.text,
      LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: `${kek.text}, ${newKek('old').text}`,
    });
    expect(config.keyEncryptionKey?.id).toBe('2025-q1');
    expect(config.previousKeyEncryptionKeys.map((k) => k.id)).toEqual([kek.id, 'old']);
    expect(loadConfig({}).keyEncryptionKey).toBeUndefined();
    expect(loadConfig({ LATCHKEY_KEY_ENCRYPTION_KEY: '' }).keyEncryptionKey).toBeUndefined();
  });

  it.each([
    ['LATCHKEY_KEY_ENCRYPTION_KEY', 'hunter2hunter2hunter2'],
    ['LATCHKEY_KEY_ENCRYPTION_KEY', `not an id:${randomBytes(32).toString('hex')}`],
    [
      'LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS',
      `${randomBytes(32).toString('hex')},${randomBytes(31).toString('hex')}`,
    ],
  ])('a malformed %s fails naming it, never repeating the value', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${name} `));
    for (const part of value.split(/[,:]/)) expect((error as Error).message).not.toContain(part);
  });

  it('two different keys with one ID fail, naming _PREVIOUS', () => {
    const a = `same:${randomBytes(32).toString('hex')}`;
    const b = `same:${randomBytes(32).toString('hex')}`;
    expect(() =>
      loadConfig({ LATCHKEY_KEY_ENCRYPTION_KEY: a, LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: b }),
    ).toThrow(/LATCHKEY_KEY_ENCRYPTION_KEY_PREVIOUS: two different keys have the ID "same"/);
  });

  it('PostgreSQL requires it (a configuration error, before anything is opened)', () => {
    const config = loadConfig({ LATCHKEY_DATABASE_URL: 'postgres://latchkey@127.0.0.1:1/latchkey' });
    expect(() => resolveKeyring(config)).toThrow(ConfigError);
    expect(() => resolveKeyring(config)).toThrow(/^LATCHKEY_KEY_ENCRYPTION_KEY is required with PostgreSQL/);
  });
});

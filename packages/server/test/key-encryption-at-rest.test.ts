/**
 * Private signing keys at rest are sealed under the key-encryption key (keys/key-encryption.ts), on
 * SQLite and PostgreSQL: no row of signing_keys, no byte of the SQLite file, no pg_dump and no log line
 * holds a private key in clear; a ciphertext moved to another row does not open; a key sealed under a
 * KEK the running server lacks is reported at the reload while it keeps signing.
 */
import type { JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyEncryptionKey, Keyring, WRONG_KEK_MESSAGE } from '../src/keys/key-encryption.js';
import { generateSigningKey } from '../src/keys/signing-key.js';
import { type KeyRow, keyRows, pgDump, privateParts, sqliteBytes } from './support/key-encryption.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

describe.each(dialects())('private keys at rest on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { LATCHKEY_SIGNING_ALG: 'RS256' });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** The private members of every key the server holds in memory. */
  function secretsInMemory(): string[] {
    const kids = JSON.parse(s.ctx.keys.jwksJson).keys.map((key: { kid: string }) => key.kid) as string[];
    // An active and a next key for each of the three algorithms (migration 014).
    expect(kids).toHaveLength(6);
    return kids.flatMap((kid) =>
      privateParts(s.ctx.keys.find(kid)?.privateKey.export({ format: 'jwk' }) as JsonWebKey),
    );
  }

  it('no row of signing_keys holds a private key in clear: each is sealed under the KEK, with its own IV', async () => {
    const secrets = secretsInMemory();
    expect(secrets.length).toBeGreaterThanOrEqual(2 * 6);
    const rows = await keyRows(s.ctx.db);
    expect(rows).toHaveLength(6);
    const kekId =
      dialect === 'postgres'
        ? s.config.keyEncryptionKey?.id
        : KeyEncryptionKey.parse(readFileSync(join(s.dir, 'key-encryption.key'), 'utf8')).id;
    for (const row of rows) {
      expect(row.private_jwk).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
      expect(row.kek_id).toBe(kekId);
    }
    expect(new Set(rows.map((row) => row.private_jwk.split('.')[1])).size).toBe(rows.length);
    // Every column of every row, as a dump would show it.
    const dump = JSON.stringify(await s.ctx.db.selectFrom('signing_keys').selectAll().execute());
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(s.logs.text).not.toContain(secrets[0]);
  });

  it.runIf(dialect === 'postgres')('nor does pg_dump of the database', () => {
    const dump = pgDump(s.config.databaseUrl);
    for (const secret of secretsInMemory()) expect(dump).not.toContain(secret);
  });

  it.runIf(dialect === 'sqlite')('nor does any byte of the SQLite file, its WAL or shared memory', () => {
    const bytes = sqliteBytes(s.config.databaseUrl);
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of secretsInMemory()) expect(bytes).not.toContain(secret);
  });

  it.runIf(dialect === 'sqlite')(
    'the KEK generated into the data folder is the one the rows name, announced once',
    () => {
      const file = join(s.dir, 'key-encryption.key');
      const kek = KeyEncryptionKey.parse(readFileSync(file, 'utf8'));
      expect(kek.id).toBeTruthy();
      const announced = s.logs.lines.filter((line) => line.includes('key-encryption.key'));
      expect(announced).toHaveLength(1);
      expect(announced[0]).toContain(`generated a key-encryption key in ${file} (mode 0600)`);
      expect(s.logs.text).not.toContain(readFileSync(file, 'utf8').trim().split(':')[1]);
    },
  );

  it('a ciphertext moved to another row does not open there (the kid is its associated data)', async () => {
    const [a, b] = await keyRows(s.ctx.db);
    const store = async (kid: string, privateJwk: string) => {
      await s.ctx.db
        .updateTable('signing_keys')
        .set({ private_jwk: privateJwk })
        .where('kid', '=', kid)
        .execute();
    };
    const [first, second] = [a as KeyRow, b as KeyRow];
    await store(first.kid, second.private_jwk);
    await store(second.kid, first.private_jwk);
    try {
      await expect(s.ctx.keys.reload()).rejects.toThrow(WRONG_KEK_MESSAGE);
    } finally {
      await store(first.kid, first.private_jwk);
      await store(second.kid, second.private_jwk);
    }
    await expect(s.ctx.keys.reload()).resolves.toBeUndefined();
  });
});

describe('a key sealed under a KEK this server lacks, written while it runs', () => {
  it('is reported at the reload, while the server keeps signing with the keys it has', async () => {
    const s = await startTestServer('sqlite', { LATCHKEY_KEY_RELOAD_INTERVAL: '1' });
    try {
      const active = s.ctx.keys.active.kid;
      const { key, privateJwk } = generateSigningKey('ES256');
      const { kekId, sealed } = new Keyring(KeyEncryptionKey.generate()).seal(key.kid, privateJwk);
      await s.ctx.db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: 'ES256',
          state: 'retired',
          private_jwk: sealed,
          kek_id: kekId,
          public_jwk: JSON.stringify(key.publicJwk),
          created_at: 1,
          publish_until: Math.floor(Date.now() / 1000) + 3600,
        })
        .execute();
      await expect
        .poll(() => s.logs.lines.filter((line) => line.includes(WRONG_KEK_MESSAGE)).length, {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      expect(s.ctx.keys.active.kid).toBe(active);
      expect(s.ctx.keys.find(key.kid)).toBeUndefined();
      for (const secret of privateParts(privateJwk)) expect(s.logs.text).not.toContain(secret);
    } finally {
      await s.close();
    }
  });
});

/**
 * Upgrading a database whose private signing keys are stored in clear (before migration 007), on
 * SQLite and PostgreSQL: the first start seals every row, says how many once and keeps the same keys;
 * the clear keys are gone from pg_dump and from the SQLite file and its WAL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/keys/signing-key.js';
import { type Db, openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrations.js';
import { keyRows, pgDump, privateParts, sqliteBytes } from './support/key-encryption.js';
import { dialects, startTestServer, type TestServer } from './support/server.js';

/** Keys as the previous release stored them: the private JWK in clear. */
async function insertClearKeys(db: Db): Promise<{ kids: Record<string, string>; secrets: string[] }> {
  const kids: Record<string, string> = {};
  const secrets: string[] = [];
  const at = Math.floor(Date.now() / 1000);
  for (const state of ['retired', 'active', 'next'] as const) {
    const { key, privateJwk } = generateSigningKey('ES256');
    kids[state] = key.kid;
    secrets.push(...privateParts(privateJwk));
    await sql`insert into signing_keys (kid, alg, state, private_jwk, public_jwk, created_at, publish_until)
      values (${key.kid}, 'ES256', ${state}, ${JSON.stringify(privateJwk)}, ${JSON.stringify(key.publicJwk)},
      ${at}, ${state === 'retired' ? at + 3600 : null})`.execute(db);
  }
  return { kids, secrets };
}

describe.each(dialects())('upgrading a database whose private keys are stored in clear, on %s', (dialect) => {
  let s: TestServer;
  let old: { kids: Record<string, string>; secrets: string[] };

  beforeAll(async () => {
    s = await startTestServer(
      dialect,
      {},
      {
        async before(url) {
          // The database as the previous release left it: schema 006, keys in clear.
          const db = openDatabase(url);
          try {
            await migrate(db, { upTo: '006_refresh_token_selectors' });
            old = await insertClearKeys(db);
          } finally {
            await db.destroy();
          }
          if (dialect === 'sqlite') {
            // The premise: the clear keys are in the file before the start.
            expect(sqliteBytes(url)).toContain(old.secrets[0]);
          }
        },
      },
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the first start seals every row, says how many once, and keeps the same keys', async () => {
    const rows = await keyRows(s.ctx.db);
    // The old keys, and an active and a next key for each algorithm that had none (migration 014).
    const added = rows.filter((row) => !Object.values(old.kids).includes(row.kid));
    expect(rows.map((row) => row.kid)).toEqual(expect.arrayContaining(Object.values(old.kids)));
    expect(added).toHaveLength(4);
    for (const row of rows) {
      expect(row.kek_id).not.toBeNull();
      expect(row.private_jwk).toMatch(/^v1\./);
    }
    const dump = JSON.stringify(await s.ctx.db.selectFrom('signing_keys').selectAll().execute());
    for (const secret of old.secrets) {
      expect(dump).not.toContain(secret);
      expect(s.logs.text).not.toContain(secret);
    }
    expect(s.logs.lines.filter((line) => /sealed 3 signing keys stored in clear/.test(line))).toHaveLength(1);
    // The same keys: the old active key still signs, all three are published beside the new ones.
    expect(s.ctx.keys.active.kid).toBe(old.kids['active']);
    const published = JSON.parse(s.ctx.keys.jwksJson).keys.map((key: { kid: string }) => key.kid);
    expect(published.sort()).toEqual(rows.map((row) => row.kid).sort());
    const token = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: s.basic(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&scope=data:read',
    });
    expect(token.statusCode).toBe(200);
    const header = JSON.parse(Buffer.from(token.json().access_token.split('.')[0], 'base64url').toString());
    expect(header.kid).toBe(old.kids['active']);
  });

  it.runIf(dialect === 'postgres')('the clear keys are gone from pg_dump of the database', () => {
    const dump = pgDump(s.config.databaseUrl);
    for (const secret of old.secrets) expect(dump).not.toContain(secret);
  });

  it.runIf(dialect === 'sqlite')(
    'the clear keys are gone from the file and its WAL, not just from the rows',
    () => {
      const bytes = sqliteBytes(s.config.databaseUrl);
      for (const secret of old.secrets) expect(bytes).not.toContain(secret);
    },
  );
});

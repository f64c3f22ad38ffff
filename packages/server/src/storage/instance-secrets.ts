/** Per-database secrets created by the first server to start on a database (`instance_secrets`). */
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

/** The `instance_secrets` row of the key that binds anti-CSRF tokens to a session (http/csrf.ts), hex. */
export const CSRF_KEY_NAME = 'csrf_key';

/**
 * The anti-CSRF key of this database: 32 random bytes, created once by whichever server starts first
 * (an insert that does nothing when another server's already stands), so every server on one database
 * accepts the forms of every other.
 */
export function loadCsrfKey(db: Db): Promise<Buffer> {
  return loadInstanceSecret(db, CSRF_KEY_NAME);
}

/** The `instance_secrets` row of the key pairwise subject identifiers are derived with (OIDC Core §8.1), hex. */
export const PAIRWISE_KEY_NAME = 'pairwise_key';

/**
 * The key of this database's pairwise subject identifiers (oidc/subject.ts): created once like the
 * anti-CSRF key, so every server gives a user the same `sub` at the same sector.
 */
export function loadPairwiseKey(db: Db): Promise<Buffer> {
  return loadInstanceSecret(db, PAIRWISE_KEY_NAME);
}

async function loadInstanceSecret(db: Db, name: string): Promise<Buffer> {
  await db
    .insertInto('instance_secrets')
    .values({ name, value: randomBytes(32).toString('hex') })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'hex');
}

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
export async function loadCsrfKey(db: Db): Promise<Buffer> {
  await db
    .insertInto('instance_secrets')
    .values({ name: CSRF_KEY_NAME, value: randomBytes(32).toString('hex') })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_secrets')
    .select('value')
    .where('name', '=', CSRF_KEY_NAME)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'hex');
}

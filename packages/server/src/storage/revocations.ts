/**
 * Revocation: of a whole grant (its refresh tokens stop working, its access tokens introspect inactive)
 * and of single access tokens by `jti` (RFC 7009).
 */
import type { Transaction } from 'kysely';
import { hasIssuedShape } from '../tokens/random.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * Marks a grant revoked at `at`, inside the caller's transaction (a replayed code, a reused refresh
 * token) or on its own. Revoking a revoked grant changes nothing.
 */
export async function revokeGrantIn(
  trx: Transaction<Database> | Db,
  grantId: string,
  at: number,
): Promise<void> {
  await trx
    .updateTable('grants')
    .set({ revoked_at: at })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Revokes a grant for a security reason (a replayed code, a reused refresh token, RFC 9700 §4.14.2) and
 * forgets the user's consent to that app, so the next authorization request asks the user again instead
 * of silently issuing a code to whoever holds the app's credentials.
 */
export async function revokeCompromisedIn(
  trx: Transaction<Database> | Db,
  grant: { grantId: string; userId: string; clientId: string },
  at: number,
): Promise<void> {
  await revokeGrantIn(trx, grant.grantId, at);
  await trx
    .deleteFrom('consents')
    .where('user_id', '=', grant.userId)
    .where('client_id', '=', grant.clientId)
    .execute();
}

/** Revocation data access (`grants.revoked_at`, `revoked_tokens`). */
export class RevocationRepository {
  constructor(private readonly db: Db) {}

  /** Revokes a grant: its refresh tokens stop working, its access tokens introspect inactive. */
  async revokeGrant(grantId: string): Promise<void> {
    await revokeGrantIn(this.db, grantId, unixNow());
  }

  /** Whether a grant exists and is not revoked (an ID we cannot have issued is not looked up: inactive). */
  async grantActive(grantId: string): Promise<boolean> {
    if (!hasIssuedShape('grantId', grantId)) return false;
    const row = await this.db
      .selectFrom('grants')
      .select('revoked_at')
      .where('id', '=', grantId)
      .executeTakeFirst();
    return row !== undefined && row.revoked_at === null;
  }

  /**
   * Revokes one access token by `jti` until it would have expired anyway (RFC 7009 §2.1). Revoking a
   * token twice, or from parallel requests, is not an error: the second insert does nothing. Rows past
   * `expires_at` are deleted by the purge (storage/purge.ts).
   */
  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    // A jti we cannot have issued already counts as revoked (see accessTokenRevoked).
    if (!hasIssuedShape('jti', jti)) return;
    await this.db
      .insertInto('revoked_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  /**
   * Whether an access token was revoked. A `jti` we cannot have issued is not looked up and counts as
   * revoked: introspection fails closed (RFC 7662 §2.2: inactive) rather than open.
   */
  async accessTokenRevoked(jti: string): Promise<boolean> {
    if (!hasIssuedShape('jti', jti)) return true;
    return (
      (await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !==
      undefined
    );
  }
}

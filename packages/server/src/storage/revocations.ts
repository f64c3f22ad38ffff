/**
 * Revocation: of a whole grant (its refresh tokens stop working, its access tokens introspect inactive)
 * and of single access tokens by `jti` (RFC 7009).
 */
import type { Transaction } from 'kysely';
import { hasIssuedShape } from '../tokens/random.js';
import { type AuditEvent, recordAuditIn, SYSTEM_ACTOR } from './audit.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** A security reason to revoke a grant: a replayed code, a reused refresh token. */
export type CompromiseReason = 'code_replay' | 'refresh_token_reuse';

/** Why a grant was revoked, as its `grant.revoked` audit event says. */
export type RevocationReason = 'revoked_by_app' | 'revoked_by_user' | 'password_reset' | CompromiseReason;

/**
 * Marks a grant revoked at `at`, inside the caller's transaction (a replayed code, a reused refresh
 * token) or on its own. Revoking a revoked grant changes nothing and answers `undefined`; otherwise the
 * grant's user and app.
 */
export async function revokeGrantIn(
  trx: Transaction<Database> | Db,
  grantId: string,
  at: number,
): Promise<{ user_id: string; client_id: string } | undefined> {
  return trx
    .updateTable('grants')
    .set({ revoked_at: at })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .returning(['user_id', 'client_id'])
    .executeTakeFirst();
}

/** The grant a reused token belongs to. */
export interface CompromisedGrant {
  grantId: string;
  userId: string;
  clientId: string;
}

/**
 * The audit events of a detected reuse: the reuse itself always, the revocation and the forgotten
 * consent when they changed something (a second replay of a code finds its grant revoked already).
 * Shared by {@link revokeCompromisedIn} and the SQLite rotation, which writes them with its own
 * prepared statement.
 */
export function compromiseEvents(
  grant: CompromisedGrant,
  reason: CompromiseReason,
  changed: { revoked: boolean; consentForgotten: boolean },
): AuditEvent[] {
  const about = { actor: SYSTEM_ACTOR, clientId: grant.clientId, userId: grant.userId };
  const token = reason === 'code_replay' ? 'authorization_code' : 'refresh_token';
  return [
    { ...about, type: 'reuse.detected', details: { token, grant_id: grant.grantId } },
    ...(changed.revoked
      ? [{ ...about, type: 'grant.revoked' as const, details: { grant_id: grant.grantId, reason } }]
      : []),
    ...(changed.consentForgotten
      ? [{ ...about, type: 'consent.withdrawn' as const, details: { reason } }]
      : []),
  ];
}

/**
 * Revokes a grant for a security reason (a replayed code, a reused refresh token, RFC 9700 §4.14.2) and
 * forgets the user's consent to that app, so the next authorization request asks the user again instead
 * of silently issuing a code to whoever holds the app's credentials. The audit events
 * ({@link compromiseEvents}) are written in the same transaction.
 */
export async function revokeCompromisedIn(
  trx: Transaction<Database> | Db,
  grant: CompromisedGrant,
  at: number,
  reason: CompromiseReason,
): Promise<void> {
  const revoked = (await revokeGrantIn(trx, grant.grantId, at)) !== undefined;
  const forgotten = await trx
    .deleteFrom('consents')
    .where('user_id', '=', grant.userId)
    .where('client_id', '=', grant.clientId)
    .executeTakeFirst();
  const consentForgotten = Number(forgotten.numDeletedRows) > 0;
  await recordAuditIn(trx, compromiseEvents(grant, reason, { revoked, consentForgotten }), at);
}

/** Revocation data access (`grants.revoked_at`, `revoked_tokens`). */
export class RevocationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Revokes a grant at its app's request (RFC 7009 §2.1): its refresh tokens stop working, its access
   * tokens introspect inactive; a `grant.revoked` event by the app is written in the same transaction.
   */
  async revokeGrant(grantId: string, byClientId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      const grant = await revokeGrantIn(trx, grantId, at);
      if (!grant) return;
      const event: AuditEvent = {
        type: 'grant.revoked',
        actor: byClientId,
        clientId: grant.client_id,
        userId: grant.user_id,
        details: { grant_id: grantId, reason: 'revoked_by_app' satisfies RevocationReason },
      };
      await recordAuditIn(trx, [event], at);
    });
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

/**
 * A password reset by email link, in one transaction: the link is used, the new password set, and
 * everything the old password let anyone hold is ended: every session, every grant (its refresh tokens
 * stop working, its access tokens introspect inactive), codes not yet redeemed and requests waiting
 * for consent. Whoever knew or guessed the old password keeps nothing (RFC 6819 §5.2.2.3: refresh
 * tokens revoked on a security event such as a password change).
 * @see https://www.rfc-editor.org/rfc/rfc6819#section-5.2.2.3
 */
import type { Transaction } from 'kysely';
import { hasIssuedShape, sha256Hex } from '../tokens/random.js';
import { type AuditEvent, recordAuditIn } from './audit.js';
import type { Client } from './client-records.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';
import { type LiveEmailLink, linkStillWorks } from './email-links.js';
import { appsOfUserIn, type QueuedLogoutToken, queueLogoutTokensIn } from './logout-deliveries.js';
import { type RevocationReason, revokeGrantIn } from './revocations.js';
import type { Database } from './schema.js';

/**
 * Signs the Back-Channel Logout tokens that tell `apps` every session of `userId` ended (logout/): in
 * memory, with no database call, since it runs inside the reset's transaction.
 */
export type SignLogoutTokens = (userId: string, apps: readonly Client[]) => Promise<QueuedLogoutToken[]>;

/** What a reset ended, besides setting the password. */
export interface PasswordResetOutcome extends LiveEmailLink {
  sessionsEnded: number;
  grantsRevoked: number;
  /** Logout tokens queued (Back-Channel Logout 1.0). */
  appsTold: number;
}

/** Uses a reset link in `trx` if it still works; the update that marks it used is the check. */
async function useResetLink(trx: Transaction<Database>, token: string, at: number) {
  return trx
    .updateTable('email_links')
    .set({ used_at: at })
    .where('id_hash', '=', sha256Hex(token))
    .where('purpose', '=', 'reset')
    .where(linkStillWorks(at))
    .returning(['user_id', 'email'])
    .executeTakeFirst();
}

/** Revokes every live grant of a user through the one revocation path, with its `grant.revoked` event. */
async function revokeEveryGrant(
  trx: Transaction<Database>,
  userId: string,
  at: number,
): Promise<AuditEvent[]> {
  const live = await trx
    .selectFrom('grants')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  const events: AuditEvent[] = [];
  const reason: RevocationReason = 'password_reset';
  for (const { id } of live) {
    const grant = await revokeGrantIn(trx, id, at);
    if (grant) {
      events.push({
        type: 'grant.revoked',
        actor: userId,
        clientId: grant.client_id,
        userId,
        details: { grant_id: id, reason },
      });
    }
  }
  return events;
}

/** Password reset data access (`email_links`, `users`, `sessions`, `grants`, codes and pending requests). */
export class PasswordResetRepository {
  constructor(private readonly db: Db) {}

  /**
   * Resets a password with a link: `undefined` (nothing changed) unless the link is a reset link that
   * still works. Otherwise, in one transaction: the link and every other reset link of the account are
   * used up, the password hash replaced, every session deleted, every grant revoked (`grant.revoked`,
   * reason `password_reset`), unredeemed codes and pending requests deleted, and `user.password_reset`
   * recorded, the user as actor; and, with `sign`, a logout token queued for every app with a
   * `backchannel_logout_uri` the user is signed in to, read in the same transaction, so the apps hear
   * of every session that ended, one signed in to meanwhile included. Hash the password before: scrypt
   * must not run inside a transaction.
   */
  async reset(
    token: string,
    passwordHash: string,
    sign?: SignLogoutTokens,
  ): Promise<PasswordResetOutcome | undefined> {
    if (!hasIssuedShape('token', token)) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      const link = await useResetLink(trx, token, at);
      if (!link) return undefined;
      const userId = link.user_id;
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
      await trx
        .updateTable('email_links')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('purpose', '=', 'reset')
        .where('used_at', 'is', null)
        .execute();
      const revoked = await revokeEveryGrant(trx, userId, at);
      // The apps to tell: those of the grants just revoked, and of grants made in the sessions about to
      // end; read after the revocation, so an app is told exactly when its grant was revoked here.
      const revokedApps = revoked.flatMap((event) => (event.clientId === undefined ? [] : [event.clientId]));
      const logoutTokens = sign ? await sign(userId, await appsOfUserIn(trx, userId, revokedApps, at)) : [];
      await queueLogoutTokensIn(trx, logoutTokens, at);
      const sessions = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      await trx
        .deleteFrom('authorization_codes')
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute();
      await trx.deleteFrom('authorization_requests').where('user_id', '=', userId).execute();
      const sessionsEnded = Number(sessions.numDeletedRows);
      const summary: AuditEvent = {
        type: 'user.password_reset',
        actor: userId,
        userId,
        details: { sessions_ended: sessionsEnded, grants_revoked: revoked.length },
      };
      await recordAuditIn(trx, [...revoked, summary], at);
      return {
        userId,
        email: link.email,
        sessionsEnded,
        grantsRevoked: revoked.length,
        appsTold: logoutTokens.length,
      };
    });
  }
}

/**
 * Single-use links sent by email (`email_links`, migration 014): an account's email verification and
 * password reset. The link carries a 256-bit random token; only its SHA-256 is stored, with the purpose,
 * the address it was sent to, its expiry and when it was used. A link works once, before its expiry, and
 * only while its account still has the address it was sent to.
 */
import { sql } from 'kysely';
import { hasIssuedShape, randomToken, sha256Hex } from '../tokens/random.js';
import { recordAuditIn } from './audit.js';
import { unixNow } from './columns.js';
import type { Db } from './database.js';

/** What a link is for: `verify` proves the address, `reset` sets a new password. */
export type EmailLinkPurpose = 'verify' | 'reset';

/** A link that still works: the account it is for and the address it was sent to. */
export interface LiveEmailLink {
  userId: string;
  email: string;
}

/**
 * The condition of a link that still works at `at`, on the `email_links` row being read or changed:
 * unused, unexpired, and its account still has the address it was sent to.
 */
export function linkStillWorks(at: number) {
  return sql<boolean>`email_links.used_at is null and email_links.expires_at > ${at}
    and exists (select 1 from users where users.id = email_links.user_id and users.email = email_links.email)`;
}

/** Email link data access; the password reset's transaction is storage/password-reset.ts. */
export class EmailLinkRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores a new link for `purpose`, sent to `email`, working for `ttlSeconds`; returns its token (the
   * only copy: it goes into the email).
   */
  async issue(userId: string, purpose: EmailLinkPurpose, email: string, ttlSeconds: number): Promise<string> {
    const token = randomToken(32);
    const at = unixNow();
    await this.db
      .insertInto('email_links')
      .values({
        id_hash: sha256Hex(token),
        user_id: userId,
        purpose,
        email,
        created_at: at,
        expires_at: at + ttlSeconds,
        used_at: null,
      })
      .execute();
    return token;
  }

  /**
   * The account and address of a link for `purpose` that still works, without using it (the page it
   * opens asks before anything changes); `undefined` for a token we cannot have issued, unknown, used,
   * expired, of another purpose, or whose account's address changed since.
   */
  async find(token: string, purpose: EmailLinkPurpose): Promise<LiveEmailLink | undefined> {
    if (!hasIssuedShape('token', token)) return undefined;
    const row = await this.db
      .selectFrom('email_links')
      .select(['user_id', 'email'])
      .where('id_hash', '=', sha256Hex(token))
      .where('purpose', '=', purpose)
      .where(linkStillWorks(unixNow()))
      .executeTakeFirst();
    return row && { userId: row.user_id, email: row.email };
  }

  /**
   * Uses a verification link: marks it used and its account's email verified (and `updated_at`, OIDC
   * Core §5.1), with a `user.email_verified` audit event, in one transaction. Two requests with one link
   * cannot both use it: the update that marks it used is the check. `undefined` when the link does not
   * work (see {@link EmailLinkRepository.find}).
   */
  async verifyEmail(token: string): Promise<LiveEmailLink | undefined> {
    if (!hasIssuedShape('token', token)) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const at = unixNow();
      const link = await trx
        .updateTable('email_links')
        .set({ used_at: at })
        .where('id_hash', '=', sha256Hex(token))
        .where('purpose', '=', 'verify')
        .where(linkStillWorks(at))
        .returning(['user_id', 'email'])
        .executeTakeFirst();
      if (!link) return undefined;
      await trx
        .updateTable('users')
        .set({ email_verified: 1, updated_at: at })
        .where('id', '=', link.user_id)
        .where('email', '=', link.email)
        .execute();
      await recordAuditIn(
        trx,
        [{ type: 'user.email_verified', actor: link.user_id, userId: link.user_id }],
        at,
      );
      return { userId: link.user_id, email: link.email };
    });
  }
}

/**
 * What an OpenID Connect grant remembers of its sign-in (migration 014): the session's `sid` and
 * `auth_time`, for the ID token of a refresh (OIDC Core §12.2) and for the userinfo endpoint.
 */
import { splitScopes } from '../columns.js';
import type { Db } from '../database.js';

/** A grant as an ID token or the userinfo endpoint sees it. */
export interface GrantSession {
  grantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  /** Not revoked. */
  active: boolean;
  /** The sign-in session the grant was made in; absent for grants from before migration 014. */
  sid?: string;
  /** When the user entered their password for it. */
  authTime?: number;
}

/** Grant look-ups for OpenID Connect (`grants`). */
export class GrantSessionRepository {
  constructor(private readonly db: Db) {}

  /** The grant `grantId`, revoked or not; `undefined` if there is none (its last token was purged). */
  async find(grantId: string): Promise<GrantSession | undefined> {
    const row = await this.db
      .selectFrom('grants')
      .select(['id', 'user_id', 'client_id', 'scopes', 'revoked_at', 'sid', 'auth_time'])
      .where('id', '=', grantId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      grantId: row.id,
      userId: row.user_id,
      clientId: row.client_id,
      scopes: splitScopes(row.scopes),
      active: row.revoked_at === null,
      ...(row.sid !== null && { sid: row.sid }),
      ...(row.auth_time !== null && { authTime: Number(row.auth_time) }),
    };
  }
}

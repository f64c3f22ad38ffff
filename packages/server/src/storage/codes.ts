/**
 * Authorization codes (RFC 6749 §4.1.2): issued after consent, stored as their hash, redeemed once in
 * one transaction that creates the grant and its first refresh token. The rules of a redemption are the
 * grant's (grants/code-binding.ts); this repository applies them to the row inside its transaction.
 */
import { hasIssuedShape, randomToken, sha256Hex } from '../tokens/random.js';
import { boundColumns, openIdColumns, type PendingRequest } from './authorization-requests.js';
import { splitScopes, unixNow } from './columns.js';
import type { Db } from './database.js';
import { GrantError, type GrantFailure } from './errors.js';
import type { RefreshTokenRepository } from './refresh-tokens/repository.js';
import type { IssuedGrant, RotationOutcome } from './refresh-tokens/rows.js';
import { revokeCompromisedIn } from './revocations.js';

/** A code as stored (looked up by its hash). */
export interface CodeRecord {
  clientId: string;
  userId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scopes: string[];
  codeChallenge: string | undefined;
  expiresAt: number;
  /** When it was redeemed; `undefined` while it is unused. */
  usedAt: number | undefined;
  /** OIDC Core §3.1.2.1 `nonce` of the request, for the ID token. */
  nonce?: string;
  /** The session (`sid`) and its `auth_time` the request was answered in (OIDC Core §2). */
  sid?: string;
  authTime?: number;
}

/** What a redemption rule answers: redeem, or why not (`replayed`: what the code issued is revoked). */
export type RedemptionDecision = 'redeem' | GrantFailure;

/** What a redemption asks of storage. */
export interface Redemption {
  /**
   * Lifetime of the grant's first refresh token; `undefined`: the app may not refresh, so none is stored
   * (RFC 6749 §5.1: the refresh token is OPTIONAL; one that is never handed out is only a row to leak).
   */
  refreshTtl: number | undefined;
  /** The grant's rules, applied to the code's row inside the transaction at the time storage took. */
  rule: (record: CodeRecord, at: number) => RedemptionDecision;
  /**
   * Whether the grant of a code that may be redeemed gets a refresh token, asked of the code as read
   * (OIDC Core §11: an OpenID Connect grant only with `offline_access`); absent: it does when
   * `refreshTtl` is set.
   */
  refreshes?: (record: CodeRecord) => boolean;
}

/** Authorization code data access (`authorization_codes`; a redemption writes `grants` and `refresh_tokens`). */
export class CodeRepository {
  constructor(
    private readonly db: Db,
    private readonly refreshTokens: RefreshTokenRepository,
  ) {}

  /** Issues a 256-bit code, stored as its hash, bound to everything the token request must repeat. */
  async create(request: PendingRequest, ttlSeconds: number): Promise<string> {
    const code = randomToken(32);
    await this.db
      .insertInto('authorization_codes')
      .values({
        code_hash: sha256Hex(code),
        ...boundColumns(request),
        expires_at: unixNow() + ttlSeconds,
        used_at: null,
        grant_id: null,
      })
      .execute();
    return code;
  }

  /**
   * Redeems a code in one transaction: the rule decides on the row as read; the code is consumed by a
   * conditional update, so of N parallel redemptions exactly one wins. A replay revokes the grant the
   * code produced, with every token issued from it (RFC 6749 §4.1.2), and forgets the consent.
   */
  async redeem(code: string, redemption: Redemption): Promise<IssuedGrant> {
    // RFC 6749 §5.2: a code that cannot be one we issued is invalid_grant, without a look-up.
    if (!hasIssuedShape('token', code)) throw new GrantError('unknown');
    const hash = sha256Hex(code);
    // Read before the transaction: on SQLite a query outside it would wait for the connection it holds.
    const format = redemption.refreshTtl === undefined ? undefined : await this.refreshTokens.format();
    let revokedInTransaction = false;
    const outcome = await this.db.transaction().execute(async (trx): Promise<RotationOutcome> => {
      const row = await trx
        .selectFrom('authorization_codes')
        .selectAll()
        .where('code_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return { failure: 'unknown' };
      const at = unixNow();
      const record: CodeRecord = {
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        redirectUriGiven: row.redirect_uri_given === 1,
        scopes: splitScopes(row.scopes),
        codeChallenge: row.code_challenge ?? undefined,
        expiresAt: Number(row.expires_at),
        usedAt: row.used_at === null ? undefined : Number(row.used_at),
        ...openIdColumns(row),
      };
      const decision = redemption.rule(record, at);
      if (decision === 'replayed' && row.grant_id) {
        await revokeCompromisedIn(
          trx,
          { grantId: row.grant_id, userId: row.user_id, clientId: row.client_id },
          at,
          'code_replay',
        );
        revokedInTransaction = true;
      }
      if (decision !== 'redeem') return { failure: decision };
      const grantId = `gr_${randomToken(16)}`;
      const consumed = await trx
        .updateTable('authorization_codes')
        .set({ used_at: at, grant_id: grantId })
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(consumed.numUpdatedRows) !== 1) return { failure: 'replayed' };
      await trx
        .insertInto('grants')
        .values({
          id: grantId,
          user_id: record.userId,
          client_id: record.clientId,
          scopes: row.scopes,
          created_at: at,
          revoked_at: null,
          // OIDC Core §12.2: a refreshed ID token keeps the sign-in's auth_time; a logout finds its sid.
          ...(record.sid !== undefined && { sid: record.sid }),
          ...(record.authTime !== undefined && { auth_time: record.authTime }),
        })
        .execute();
      const refreshToken =
        format === undefined ||
        redemption.refreshTtl === undefined ||
        redemption.refreshes?.(record) === false
          ? undefined
          : await this.refreshTokens.issueIn(trx, format, {
              grantId,
              clientId: record.clientId,
              at,
              ttl: redemption.refreshTtl,
            });
      const { nonce, sid, authTime } = record;
      const session = {
        ...(nonce !== undefined && { nonce }),
        ...(sid !== undefined && { sid }),
        ...(authTime !== undefined && { authTime }),
      };
      return { grant: { grantId, userId: record.userId, scopes: record.scopes, refreshToken, ...session } };
    });
    if ('failure' in outcome) {
      // A replay that lost the race to the redemption saw no grant yet: revoked now, once it committed.
      if (outcome.failure === 'replayed' && !revokedInTransaction) await this.revokeReplayedCode(hash);
      throw new GrantError(outcome.failure);
    }
    return outcome.grant;
  }

  /** A replay that lost the race: once the winner has committed, its grant is revoked too. */
  private async revokeReplayedCode(hash: string): Promise<void> {
    const row = await this.db
      .selectFrom('authorization_codes')
      .select(['grant_id', 'user_id', 'client_id'])
      .where('code_hash', '=', hash)
      .executeTakeFirst();
    if (row?.grant_id) {
      const grant = { grantId: row.grant_id, userId: row.user_id, clientId: row.client_id };
      // Its own transaction: the revocation, the forgotten consent and their audit events, together.
      await this.db.transaction().execute((trx) => revokeCompromisedIn(trx, grant, unixNow(), 'code_replay'));
    }
  }
}

/**
 * Pending authorization requests: a validated request kept while the user decides on the consent page,
 * named by a single-use handle that only its hash is stored under.
 */
import { hasIssuedShape, randomToken, sha256Hex } from '../tokens/random.js';
import { splitScopes, unixNow } from './columns.js';
import type { Db } from './database.js';

/** A validated authorization request, as stored while the user decides. */
export interface PendingRequest {
  clientId: string;
  userId: string;
  redirectUri: string;
  /** Whether the request named redirect_uri (RFC 6749 §4.1.3: then the token request must too). */
  redirectUriGiven: boolean;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
  /** OIDC Core §3.1.2.1 `nonce`, bound to the code and echoed in the ID token. */
  nonce?: string;
  /** The sign-in session the request was answered in (OIDC Core §2 `sid`), carried to the grant. */
  sid?: string;
  /** When the user last entered a password in that session (OIDC Core §2 `auth_time`), epoch seconds. */
  authTime?: number;
  /** OAuth 2.0 Form Post Response Mode: the answer is posted; absent: in the query (RFC 6749 §4.1.2). */
  responseMode?: 'form_post';
}

/**
 * The columns a pending request and the code issued from it share: everything the token request must
 * repeat or the code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.5), and what an ID token issued for it
 * says (OIDC Core §3.1.3.6: `nonce`, `sid`, `auth_time`; written only when present, so a request
 * without them writes what it wrote before migration 014).
 */
export function boundColumns(request: PendingRequest) {
  return {
    client_id: request.clientId,
    user_id: request.userId,
    redirect_uri: request.redirectUri,
    redirect_uri_given: request.redirectUriGiven ? 1 : 0,
    scopes: request.scopes.join(' '),
    code_challenge: request.codeChallenge ?? null,
    ...(request.nonce !== undefined && { nonce: request.nonce }),
    ...(request.sid !== undefined && { sid: request.sid }),
    ...(request.authTime !== undefined && { auth_time: request.authTime }),
  };
}

/** The OpenID Connect members of a stored request or code (absent when null). */
export function openIdColumns(row: { nonce: string | null; sid: string | null; auth_time: number | null }) {
  return {
    ...(row.nonce !== null && { nonce: row.nonce }),
    ...(row.sid !== null && { sid: row.sid }),
    ...(row.auth_time !== null && { authTime: Number(row.auth_time) }),
  };
}

/** Pending request data access (`authorization_requests`). */
export class AuthorizationRequestRepository {
  constructor(private readonly db: Db) {}

  /** Stores a validated request until the user decides; returns its single-use handle. */
  async save(request: PendingRequest, ttlSeconds: number): Promise<string> {
    const handle = randomToken(32);
    await this.db
      .insertInto('authorization_requests')
      .values({
        id_hash: sha256Hex(handle),
        ...boundColumns(request),
        state: request.state ?? null,
        ...(request.responseMode !== undefined && { response_mode: request.responseMode }),
        expires_at: unixNow() + ttlSeconds,
      })
      .execute();
    return handle;
  }

  /** Takes (reads and deletes) a pending request of this user; `undefined` if unknown, expired or someone else's. */
  async take(handle: string, userId: string): Promise<PendingRequest | undefined> {
    // A handle we cannot have issued is not looked up (test/storage-attacks.test.ts).
    if (!hasIssuedShape('token', handle)) return undefined;
    const hash = sha256Hex(handle);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('authorization_requests')
        .selectAll()
        .where('id_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.user_id !== userId) return undefined;
      const deleted = await trx
        .deleteFrom('authorization_requests')
        .where('id_hash', '=', hash)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1 || Number(row.expires_at) < unixNow()) return undefined;
      return {
        clientId: row.client_id,
        userId: row.user_id,
        redirectUri: row.redirect_uri,
        redirectUriGiven: row.redirect_uri_given === 1,
        scopes: splitScopes(row.scopes),
        state: row.state ?? undefined,
        codeChallenge: row.code_challenge ?? undefined,
        ...openIdColumns(row),
        ...(row.response_mode === 'form_post' && { responseMode: 'form_post' as const }),
      };
    });
  }
}

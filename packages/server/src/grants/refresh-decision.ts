/**
 * The rules of a refresh (RFC 6749 §6, RFC 9700 §4.14.2): a pure function of the stored token and the
 * refresh request, which storage applies inside its transaction to the row as locked.
 */
import { splitScopes } from '../storage/columns.js';
import type { HeadTerms, RefreshDecision, RefreshRow } from '../storage/refresh-tokens/rows.js';

/** What the refresh request presents besides the token. */
export interface RefreshRequestFacts {
  clientId: string;
  /** Seconds a just-rotated token still works for the same client (LATCHKEY_REFRESH_GRACE). */
  graceSeconds: number;
  /**
   * Seconds a rotated token may be presented again whose successor was never used: a retry after a
   * lost answer (LATCHKEY_REFRESH_RETRY_WINDOW).
   */
  retryWindowSeconds: number;
  /** The scope asked for, when the request names one (RFC 6749 §6). */
  requestedScopes: readonly string[] | undefined;
}

/**
 * Decides a refresh at `at`: `rotate`, `replayed` (storage then revokes the grant) or why it fails.
 * The token must be this client's, its grant live, the token unexpired. A rotated token presented again
 * is a retry after a lost answer, and rotates again, while its successor was never used and the retry
 * window lasts; otherwise it is a replay outside the grace window. The scope may narrow, never widen.
 */
export function decideRefresh(row: RefreshRow, at: number, request: RefreshRequestFacts): RefreshDecision {
  if (row.client_id !== request.clientId) return 'wrong_client';
  if (row.revoked_at !== null) return 'revoked';
  if (Number(row.expires_at) < at) return 'expired';
  // RFC 9700 §4.14.2: reuse of a rotated token outside the grace window revokes the grant. `at` was
  // read before the lock was taken, so a rotation that won the race may carry a later second: that is
  // no time at all (with grace 0 a replay all the same), never a negative age that would pass as within
  // the window. Decided before the scope, so no request (a wider scope included) gets a replayed token
  // any other answer than invalid_grant, nor leaves its grant standing (test/grant-attacks-refresh.test.ts).
  if (row.rotated_at !== null) {
    const age = Math.max(0, at - Number(row.rotated_at));
    // A retry: the answer to the previous presentation was lost (a dropped connection, a crash), so
    // its successor was never presented. Rotating again from this token retires that successor (its
    // later presentation is a replay), so one chain stays live. The price, for the window only: a
    // stolen rotated token works like the live one, and the theft shows when the app next presents
    // the successor this retired (LATCHKEY_REFRESH_RETRY_WINDOW=0 makes every reuse a replay).
    const retry = row.successor_unused && age < request.retryWindowSeconds;
    if (!retry && age >= request.graceSeconds) return 'replayed';
  }
  // RFC 6749 §6: a refresh MUST NOT widen the scope; refused before anything changes.
  const granted = splitScopes(row.scopes);
  if (request.requestedScopes?.some((scope) => !granted.includes(scope))) return 'scope_widened';
  return 'rotate';
}

/**
 * The terms on which {@link decideRefresh} rotates its grant's head (a token never rotated): this
 * client's, the grant live, the token unexpired, no scope beyond the grant's. Storage may rotate a head
 * on them in one statement (PostgreSQL) and applies {@link decideRefresh} to every other token.
 */
export function headTerms(request: RefreshRequestFacts): HeadTerms {
  return { clientId: request.clientId, scopes: request.requestedScopes ?? [] };
}

/**
 * The rules of a code redemption (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1, §4.14): pure
 * functions of the stored code and the token request, which storage applies inside its transaction.
 */
import { verifierMatches } from '../oauth/pkce.js';
import type { CodeRecord, RedemptionDecision } from '../storage/codes.js';

/** What the token request presents besides the code. */
export interface RedemptionRequest {
  clientId: string;
  redirectUri: string | undefined;
  verifier: string | undefined;
}

/** Whether the token request repeats what the code is bound to: redirect URI and PKCE. */
export function matchesBinding(record: CodeRecord, request: RedemptionRequest): boolean {
  // RFC 6749 §4.1.3: redirect_uri MUST be identical to the one in the authorization request.
  // If the authorization request left it out (one registered URI), it may be left out here too.
  const sameRedirect =
    request.redirectUri === undefined ? !record.redirectUriGiven : request.redirectUri === record.redirectUri;
  if (!sameRedirect) return false;
  // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
  if (record.codeChallenge === undefined) return request.verifier === undefined;
  // RFC 7636 §4.6: the verifier must match the S256 challenge.
  return request.verifier !== undefined && verifierMatches(request.verifier, record.codeChallenge);
}

/**
 * Decides a redemption at `at`: a used code is a replay (RFC 6749 §4.1.2: what it issued is revoked),
 * then the code must belong to this client, be unexpired and match the binding.
 */
export function decideRedemption(
  record: CodeRecord,
  at: number,
  request: RedemptionRequest,
): RedemptionDecision {
  if (record.usedAt !== undefined) return 'replayed';
  if (record.clientId !== request.clientId) return 'wrong_client';
  if (record.expiresAt < at) return 'expired';
  if (!matchesBinding(record, request)) return 'check_failed';
  return 'redeem';
}

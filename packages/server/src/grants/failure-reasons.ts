/**
 * Why a code redemption or a refresh failed, for the developer of the app that sent it (Recent errors),
 * while the wire says only `invalid_grant` (RFC 6749 §5.2). A code or token the app does not hold (unknown,
 * or issued to another app) reads the same whatever it is, so a stolen or guessed value cannot be
 * probed through the portal either; what follows is told only to the app the code or token belongs to.
 */
import type { CodeRecord } from '../storage/codes.js';
import { splitScopes } from '../storage/columns.js';
import type { GrantFailure } from '../storage/errors.js';
import type { RefreshRow } from '../storage/refresh-tokens/rows.js';
import type { RedemptionRequest } from './code-binding.js';

/** The redirect URI or PKCE binding a code failed, as decideRedemption's `check_failed` found it. */
export function bindingReason(record: CodeRecord, request: RedemptionRequest): string {
  if (request.redirectUri === undefined && record.redirectUriGiven)
    return `redirect_uri is missing: the authorization request named ${record.redirectUri}`;
  if (request.redirectUri !== undefined && request.redirectUri !== record.redirectUri)
    return `redirect_uri does not match the authorization request: expected ${record.redirectUri}, got ${request.redirectUri}`;
  // RFC 7636 §4.6, RFC 9700 §2.1.1.
  if (record.codeChallenge === undefined)
    return 'code_verifier was sent, but the authorization request had no code_challenge (refused as a PKCE downgrade)';
  if (request.verifier === undefined)
    return 'code_verifier is missing: the authorization request sent a code_challenge';
  return 'code_verifier does not match the code_challenge';
}

/**
 * Why a redemption failed. `record` is the code as the rule saw it (none: it is unknown); a code of
 * another app reads as unknown, whatever else is true of it (a replay included).
 */
export function redemptionReason(
  failure: GrantFailure,
  record: CodeRecord | undefined,
  request: RedemptionRequest,
): string {
  if (failure === 'unknown' || record === undefined || record.clientId !== request.clientId)
    return 'the authorization code is not one issued to this app (unknown, expired and purged, or issued to another app)';
  switch (failure) {
    case 'replayed':
      return 'the authorization code was already used (replay detected; the tokens issued from it were revoked)';
    case 'expired':
      return 'the authorization code expired: redeem it as soon as the user is sent back';
    case 'check_failed':
      return bindingReason(record, request);
    default:
      return `the authorization code was refused (${failure})`;
  }
}

/**
 * Why a refresh failed. `row` is the token as the rule saw it (none: it is unknown); a token of another
 * app reads as unknown.
 */
export function refreshReason(failure: GrantFailure, row: RefreshRow | undefined, clientId: string): string {
  if (failure === 'unknown' || row === undefined || row.client_id !== clientId)
    return 'the refresh token is not one this app holds (unknown, expired and purged, or issued to another app)';
  switch (failure) {
    case 'replayed':
      return 'refresh token was already used (reuse detected; the grant was revoked)';
    case 'revoked':
      return 'the grant was revoked (by the user, by the app, or after a reuse or replay): send the user through authorization again';
    case 'expired':
      return 'the refresh token expired: send the user through authorization again';
    default:
      return `the refresh token was refused (${failure})`;
  }
}

/** Why a refresh asking for more than the grant has was refused (RFC 6749 §6). */
export function widenedScopeReason(requested: readonly string[], row: RefreshRow | undefined): string {
  const granted = row ? splitScopes(row.scopes) : [];
  const beyond = requested.filter((scope) => !granted.includes(scope));
  return `scope wider than the grant: ${beyond.join(' ')} (granted: ${granted.join(' ') || 'none'})`;
}

// Factories for every refusal the guard sends: status, challenge, no-store headers, JSON body.
import type { AuthFailure, BearerErrorCode } from './types.js';
import { formatBearerChallenge } from './www-authenticate.js';

/** Realm and metadata URL shared by every challenge of one guard. */
export interface ChallengeContext {
  realm: string;
  resourceMetadataUrl: string | undefined;
}

function build(
  context: ChallengeContext,
  status: AuthFailure['status'],
  error: BearerErrorCode | undefined,
  description: string,
  scope?: string,
): AuthFailure {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
  if (status !== 503) {
    headers['www-authenticate'] = formatBearerChallenge({
      realm: context.realm,
      error,
      // RFC 6750 §3.1: no error information when the request had no token at all.
      errorDescription: error === undefined ? undefined : description,
      scope,
      resourceMetadata: context.resourceMetadataUrl,
    });
  } else {
    headers['retry-after'] = '5';
  }
  const body = JSON.stringify(
    error === undefined ? { error_description: description } : { error, error_description: description },
  );
  return Object.freeze({ status, error, description, headers: Object.freeze(headers), body });
}

/**
 * 401 without an error code: the request carried no Bearer token (RFC 6750 §3.1).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function missingToken(context: ChallengeContext, description: string): AuthFailure {
  return build(context, 401, undefined, description);
}

/**
 * 400 `invalid_request`: malformed Authorization header, or the token sent by more than one method.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function invalidRequest(context: ChallengeContext, description: string): AuthFailure {
  return build(context, 400, 'invalid_request', description);
}

/**
 * 401 `invalid_token`: expired, revoked, malformed, or failed any check.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function invalidToken(context: ChallengeContext, description: string): AuthFailure {
  return build(context, 401, 'invalid_token', description);
}

/**
 * 403 `insufficient_scope` with `scope="..."` naming every scope the resource needs.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function insufficientScope(context: ChallengeContext, required: readonly string[]): AuthFailure {
  return build(
    context,
    403,
    'insufficient_scope',
    `the token lacks a required scope (${required.join(' ')})`,
    required.join(' '),
  );
}

/**
 * 503 `temporarily_unavailable`: the authorization server (metadata, JWKS, introspection) could not
 * be reached, so the token could be neither accepted nor refused. No challenge: the token is not at fault.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export function unavailable(context: ChallengeContext): AuthFailure {
  return build(context, 503, 'temporarily_unavailable', 'token verification is temporarily unavailable');
}

/** The authorization code grant: exchange a code for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5). */

import { requireParam } from '../http/form.js';
import { invalidRequest } from '../oauth/errors.js';
import { pkceRequired, verifierMatches } from '../oauth/pkce.js';
import type { CodeRecord } from '../storage/grants.js';
import type { GrantHandler } from './grant.js';
import { asInvalidGrant, issueUserTokens, mayRefresh } from './user-tokens.js';

/** Whether the token request matches what the code is bound to: redirect URI and PKCE. */
function matchesCode(record: CodeRecord, redirectUri: string | undefined, verifier: string | undefined) {
  // RFC 6749 §4.1.3: redirect_uri MUST be identical to the one in the authorization request.
  // If the authorization request left it out (one registered URI), it may be left out here too.
  const sameRedirect =
    redirectUri === undefined ? !record.redirectUriGiven : redirectUri === record.redirectUri;
  if (!sameRedirect) return false;
  // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
  if (record.codeChallenge === undefined) return verifier === undefined;
  // RFC 7636 §4.6: the verifier must match the S256 challenge.
  return verifier !== undefined && verifierMatches(verifier, record.codeChallenge);
}

/**
 * Redeems a code once. The code must belong to this client, the redirect_uri must be the one the
 * authorization request used, and the code_verifier must match its S256 challenge; a verifier sent
 * for a code issued without a challenge is a downgrade attempt and refused. Every such failure is the
 * same `invalid_grant` (RFC 6749 §5.2); only a missing code_verifier that this client must always send
 * is told apart, since that is known before the code is looked at and reveals nothing about it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export const authorizationCodeGrant: GrantHandler = async (ctx, client, params) => {
  const code = requireParam(params, 'code');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');
  // RFC 6749 §5.2 invalid_request: a parameter this client must send is missing.
  if (verifier === undefined && pkceRequired(client, ctx.config.requirePkce))
    throw invalidRequest('code_verifier is required');
  // RFC 6749 §5.1: a refresh token only for an app with the refresh_token grant; none is even stored.
  const refreshTtl = mayRefresh(client) ? ctx.config.refreshTokenTtl : undefined;
  const grant = await ctx.grants
    .redeemCode(code, client.id, refreshTtl, (record) => matchesCode(record, redirectUri, verifier))
    .catch((error: unknown) => asInvalidGrant(error));
  return issueUserTokens(ctx, client, grant, grant.scopes);
};

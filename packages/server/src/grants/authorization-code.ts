/** The authorization code grant: exchange a code for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5). */
import { requireParam } from '../shared/form.js';
import { verifierMatches } from '../shared/pkce.js';
import type { GrantHandler } from './grant.js';
import { asInvalidGrant, issueUserTokens } from './user-tokens.js';

/**
 * Redeems a code once. The code must belong to this client, the redirect_uri must be the one the
 * authorization request used, and the code_verifier must match its S256 challenge; a verifier sent
 * for a code issued without a challenge is a downgrade attempt and refused.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export const authorizationCodeGrant: GrantHandler = async (ctx, client, params) => {
  const code = requireParam(params, 'code');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');
  let failure = 'the grant does not match this request';
  const grant = await ctx.grants
    .redeemCode(code, client.id, ctx.config.refreshTokenTtl, (record) => {
      // RFC 6749 §4.1.3: redirect_uri MUST be identical to the one in the authorization request.
      // If the authorization request left it out (one registered URI), it may be left out here too.
      const sameRedirect =
        redirectUri === undefined ? !record.redirectUriGiven : redirectUri === record.redirectUri;
      if (!sameRedirect) {
        failure = 'redirect_uri does not match the authorization request';
        return false;
      }
      if (record.codeChallenge === undefined) {
        // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
        if (verifier !== undefined)
          failure = 'code_verifier sent but the authorization request had no code_challenge';
        return verifier === undefined;
      }
      if (verifier === undefined || !verifierMatches(verifier, record.codeChallenge)) {
        failure = 'code_verifier is missing or does not match the code_challenge';
        return false;
      }
      return true;
    })
    .catch((error: unknown) => asInvalidGrant(error, failure));
  return issueUserTokens(ctx, client, grant, grant.scopes);
};

/** The authorization code grant: exchange a code for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5). */

import { requireParam } from '../http/form.js';
import { oauthError } from '../oauth/errors.js';
import { pkceRequired } from '../oauth/pkce.js';
import { offlineAllowed } from '../oidc/scopes.js';
import type { CodeRecord } from '../storage/codes.js';
import { decideRedemption } from './code-binding.js';
import { redemptionReason } from './failure-reasons.js';
import type { GrantHandler } from './grant.js';
import { asInvalidGrant, issueUserTokens, mayRefresh } from './user-tokens.js';

/**
 * Redeems a code once. The code must belong to this client, the redirect_uri must be the one the
 * authorization request used, and the code_verifier must match its S256 challenge; a verifier sent
 * for a code issued without a challenge is a downgrade attempt and refused (grants/code-binding.ts).
 * Every such failure is the same `invalid_grant` (RFC 6749 §5.2); only a missing code_verifier that
 * this client must always send is told apart, since that is known before the code is looked at and
 * reveals nothing about it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export const authorizationCodeGrant: GrantHandler = async (ctx, client, params) => {
  const code = requireParam(params, 'code');
  const request = {
    clientId: client.id,
    redirectUri: params.get('redirect_uri'),
    verifier: params.get('code_verifier'),
  };
  // RFC 6749 §5.2 invalid_request: a parameter this client must send is missing.
  if (request.verifier === undefined && pkceRequired(client, ctx.config.requirePkce))
    throw oauthError('INVALID_REQUEST', 'code_verifier is required').because(
      `code_verifier is required: ${client.isPublic ? 'a public app' : 'every app here (LATCHKEY_REQUIRE_PKCE)'} must use PKCE`,
    );
  // The code as the rule saw it, so a failure can tell its developer why (grants/failure-reasons.ts).
  let seen: CodeRecord | undefined;
  const grant = await ctx.codes
    .redeem(code, {
      // RFC 6749 §5.1: a refresh token only for an app with the refresh_token grant; none is even stored.
      refreshTtl: mayRefresh(client) ? ctx.config.refreshTokenTtl : undefined,
      // OIDC Core §11: for an OpenID Connect grant, only when offline_access was granted.
      refreshes: (record) => offlineAllowed(record.scopes),
      rule: (record, at) => {
        seen = record;
        return decideRedemption(record, at, request);
      },
    })
    .catch((error: unknown) => asInvalidGrant(error, (failure) => redemptionReason(failure, seen, request)));
  return issueUserTokens(ctx, client, grant, grant.scopes, 'code');
};

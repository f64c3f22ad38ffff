/** The client credentials grant: two-legged tokens (RFC 6749 §4.4). */
import { oauthError } from '../oauth/errors.js';
import { grantScope } from '../oauth/scope.js';
import { withoutOidcScopes } from '../oidc/scopes.js';
import { type GrantHandler, tokenResponse } from './grant.js';

/**
 * Issues an access token to the client itself: `sub` is the client ID; no refresh token (§4.4.3). The
 * OpenID Connect scopes concern a signed-in user (OIDC Core §5.4, §11), whom this grant has none of:
 * they are never granted here, so asking for one is `invalid_scope`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export const clientCredentialsGrant: GrantHandler = async (ctx, client, params) => {
  // RFC 6749 §4.4: only confidential clients may use this grant.
  if (client.isPublic)
    throw oauthError('UNAUTHORIZED_CLIENT', 'public clients cannot use client_credentials');
  return tokenResponse(ctx, client, {
    subject: client.id,
    scopes: grantScope(params.get('scope'), withoutOidcScopes(client.scopes)),
  });
};

/** The client credentials grant: two-legged tokens (RFC 6749 §4.4). */
import { unauthorizedClient } from '../shared/errors.js';
import { grantScope } from '../shared/scope.js';
import { signAccessToken } from '../tokens/access-token.js';
import type { GrantHandler } from './grant.js';

/**
 * Issues an access token to the client itself: `sub` is the client ID; no refresh token (§4.4.3).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export const clientCredentialsGrant: GrantHandler = async (ctx, client, params) => {
  // RFC 6749 §4.4: only confidential clients may use this grant.
  if (client.isPublic) throw unauthorizedClient('public clients cannot use client_credentials');
  const scope = grantScope(params.get('scope'), client.scopes).join(' ');
  const ttl = ctx.config.accessTokenTtl;
  const { token } = await signAccessToken(ctx.signer, ctx.keys.active, {
    issuer: ctx.config.issuer,
    audience: ctx.config.audience,
    subject: client.id,
    clientId: client.id,
    scope,
    ttlSeconds: ttl,
  });
  return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
};

/** The shape every grant handler has, and the token response it returns (RFC 6749 §5.1). */
import type { ServerContext } from '../context.js';
import type { Params } from '../http/form.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import { signAccessToken } from '../tokens/access-token.js';

/** A successful token response, wire names per RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  /** OIDC Core §3.1.3.3: for a grant whose scope has `openid`. */
  id_token?: string;
}

/** What an access token is issued for. */
export interface AccessTokenSubject {
  /** The client itself (two-legged) or the user (three-legged). */
  subject: string;
  scopes: readonly string[];
  /** The grant a user token belongs to (absent for two-legged tokens). */
  grantId?: string;
  refreshToken?: string;
}

/**
 * Signs an access token for `client` and builds the RFC 6749 §5.1 response. Called only after every
 * change the grant made is saved.
 */
export async function tokenResponse(
  ctx: ServerContext,
  client: ClientWithSecrets,
  issued: AccessTokenSubject,
): Promise<TokenResponse> {
  const scope = issued.scopes.join(' ');
  const ttl = ctx.config.accessTokenTtl;
  const { token } = await signAccessToken(ctx.signer, ctx.keys.active, {
    issuer: ctx.config.issuer,
    audience: ctx.config.audience,
    subject: issued.subject,
    clientId: client.id,
    scope,
    ttlSeconds: ttl,
    ...(issued.grantId === undefined ? {} : { grantId: issued.grantId }),
  });
  const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
  if (issued.refreshToken !== undefined) response.refresh_token = issued.refreshToken;
  return response;
}

/** Handles one `grant_type` for an authenticated client that is allowed to use it. */
export type GrantHandler = (
  ctx: ServerContext,
  client: ClientWithSecrets,
  params: Params,
) => Promise<TokenResponse>;

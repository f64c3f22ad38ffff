/**
 * The ID token of an OpenID Connect grant's token response (OIDC Core §3.1.3.3, §12.2): added beside
 * the access token when the scope granted has `openid`.
 */
import type { ServerContext } from '../context.js';
import { signIdToken } from '../oidc/id-token.js';
import { releasesUserClaims, scopedClaims } from '../oidc/user-claims.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import type { IssuedGrant } from '../storage/refresh-tokens/rows.js';
import type { TokenResponse } from './grant.js';

/** Where the grant's tokens come from: a code's redemption or a refresh. */
export type IssuedBy = 'code' | 'refresh';

/**
 * The response with an `id_token`. At a redemption the code carries the request's `nonce` and the
 * session's `sid` and `auth_time`; at a refresh (OIDC Core §12.2) the grant's are read: the same
 * `iss`, `sub` and `aud`, the original `auth_time`, and no `nonce`. The claims about the user that
 * `scopes` release are read as they are now (a refreshed ID token has a changed name).
 */
export async function withIdToken(
  ctx: ServerContext,
  client: ClientWithSecrets,
  grant: IssuedGrant,
  scopes: readonly string[],
  by: IssuedBy,
  response: TokenResponse,
): Promise<TokenResponse> {
  const user = releasesUserClaims(scopes) ? await ctx.users.find(grant.userId) : undefined;
  const session =
    by === 'code'
      ? grant
      : // Read after the rotation committed: a grant revoked meanwhile still answers this once, as the
        // access token issued with it does.
        await ctx.grantSessions.find(grant.grantId);
  const idToken = await signIdToken(
    {
      issuer: ctx.config.issuer,
      keys: ctx.keys,
      signer: ctx.signer,
      pairwiseKey: ctx.pairwiseKey,
      ttlSeconds: ctx.config.accessTokenTtl,
    },
    {
      client,
      userId: grant.userId,
      accessToken: response.access_token,
      ...(by === 'code' && grant.nonce !== undefined && { nonce: grant.nonce }),
      ...(session?.sid !== undefined && { sid: session.sid }),
      ...(session?.authTime !== undefined && { authTime: session.authTime }),
      ...(user && { userClaims: scopedClaims(user, scopes) }),
    },
  );
  return { ...response, id_token: idToken };
}

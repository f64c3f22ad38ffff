/** Issues the token response of a user grant: an access token bound to the grant, and maybe a refresh token. */
import type { ServerContext } from '../context.js';
import { oauthError } from '../oauth/errors.js';
import { isOpenId } from '../oidc/scopes.js';
import { subjectFor } from '../oidc/subject.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import { GrantError, type GrantFailure } from '../storage/errors.js';
import type { IssuedGrant } from '../storage/refresh-tokens/rows.js';
import { type TokenResponse, tokenResponse } from './grant.js';
import { type IssuedBy, withIdToken } from './id-token-response.js';

/**
 * Whether an app may hold a refresh token: only with the `refresh_token` grant (RFC 6749 §5.1: the
 * refresh token is OPTIONAL; one the app could never use is only something to leak).
 */
export function mayRefresh(client: ClientWithSecrets): boolean {
  return client.grantTypes.includes('refresh_token');
}

/**
 * A user grant's response: an access token bound to the grant (`sub` = the user's subject identifier
 * for this app, the ID token's `sub` (OIDC Core §8); `gid` = grant), the grant's refresh token when it
 * has one (none is created for an app that may not {@link mayRefresh}), and an ID token when the scope
 * has `openid` (OIDC Core §3.1.3.3, §12.2).
 */
export async function issueUserTokens(
  ctx: ServerContext,
  client: ClientWithSecrets,
  grant: IssuedGrant,
  scopes: string[],
  by: IssuedBy,
): Promise<TokenResponse> {
  const { refreshToken } = grant;
  const response = await tokenResponse(ctx, client, {
    subject: subjectFor(client, grant.userId, ctx.pairwiseKey),
    scopes,
    grantId: grant.grantId,
    ...(refreshToken === undefined ? {} : { refreshToken }),
  });
  return isOpenId(scopes) ? withIdToken(ctx, client, grant, scopes, by, response) : response;
}

/**
 * The one description of every `invalid_grant` about a code or refresh token, worded as RFC 6749 §5.2
 * defines the error: whether the code or token does not exist, has expired, was used, was revoked,
 * belongs to another client or was bound to another redirect_uri or PKCE challenge is never told, so a
 * stolen or guessed value cannot be probed.
 */
export const INVALID_GRANT_DESCRIPTION =
  'the authorization code or refresh token is invalid, expired, revoked, does not match the ' +
  'authorization request, or was issued to another client';

/**
 * Turns a repository failure into RFC 6749 §5.2 `invalid_grant`, with `explain`'s reason for the app's
 * developer (grants/failure-reasons.ts); anything else is rethrown.
 */
export function asInvalidGrant(error: unknown, explain: (failure: GrantFailure) => string): never {
  if (error instanceof GrantError)
    throw oauthError('INVALID_GRANT', INVALID_GRANT_DESCRIPTION).because(explain(error.reason));
  throw error;
}

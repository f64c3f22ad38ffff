/** Issues the token response of a user grant: an access token bound to the grant, and maybe a refresh token. */
import type { ServerContext } from '../context.js';
import { oauthError } from '../oauth/errors.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import { GrantError, type GrantFailure } from '../storage/errors.js';
import type { IssuedGrant } from '../storage/refresh-tokens/rows.js';
import { type TokenResponse, tokenResponse } from './grant.js';

/**
 * Whether an app may hold a refresh token: only with the `refresh_token` grant (RFC 6749 §5.1: the
 * refresh token is OPTIONAL; one the app could never use is only something to leak).
 */
export function mayRefresh(client: ClientWithSecrets): boolean {
  return client.grantTypes.includes('refresh_token');
}

/**
 * A user grant's response: an access token bound to the grant (`sub` = user, `gid` = grant), and the
 * grant's refresh token when it has one (none is created for an app that may not {@link mayRefresh}).
 */
export function issueUserTokens(
  ctx: ServerContext,
  client: ClientWithSecrets,
  grant: IssuedGrant,
  scopes: string[],
): Promise<TokenResponse> {
  const { refreshToken } = grant;
  return tokenResponse(ctx, client, {
    subject: grant.userId,
    scopes,
    grantId: grant.grantId,
    ...(refreshToken === undefined ? {} : { refreshToken }),
  });
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

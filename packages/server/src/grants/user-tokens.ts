/** Issues the token response of a user grant: an access token bound to the grant, and a refresh token. */
import type { ServerContext } from '../context.js';
import { invalidGrant } from '../shared/errors.js';
import type { ClientWithSecrets } from '../storage/clients.js';
import type { IssuedGrant } from '../storage/grants.js';
import { GrantError } from '../storage/grants.js';
import { type TokenResponse, tokenResponse } from './grant.js';

/** A user grant's response: access token bound to the grant (`sub` = user, `gid` = grant) and refresh token. */
export function issueUserTokens(
  ctx: ServerContext,
  client: ClientWithSecrets,
  grant: IssuedGrant,
  scopes: string[],
): Promise<TokenResponse> {
  return tokenResponse(ctx, client, {
    subject: grant.userId,
    scopes,
    grantId: grant.grantId,
    refreshToken: grant.refreshToken,
  });
}

const DESCRIPTIONS: Record<string, string> = {
  unknown: 'the grant is invalid',
  expired: 'the grant has expired',
  wrong_client: 'the grant was issued to another client',
  replayed: 'the grant was already used; every token issued from it is revoked',
  revoked: 'the grant has been revoked',
  check_failed: 'the grant does not match this request',
};

/** Turns a repository failure into RFC 6749 §5.2 `invalid_grant`; anything else is rethrown. */
export function asInvalidGrant(error: unknown, checkFailure?: string): never {
  if (error instanceof GrantError) {
    throw invalidGrant(
      error.reason === 'check_failed' && checkFailure
        ? checkFailure
        : (DESCRIPTIONS[error.reason] ?? 'invalid grant'),
    );
  }
  throw error;
}

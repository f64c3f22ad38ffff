/** The refresh token grant with rotation (RFC 6749 §6, RFC 9700 §4.14.2). */

import { requireParam } from '../http/form.js';
import { invalidScope } from '../oauth/errors.js';
import { parseScope } from '../oauth/scope.js';
import { GrantError } from '../storage/grants.js';
import type { GrantHandler } from './grant.js';
import { asInvalidGrant, issueUserTokens } from './user-tokens.js';

/**
 * Rotates the refresh token and issues a new access token. A narrower scope is allowed; a broader one
 * is `invalid_scope` (RFC 6749 §6: "MUST NOT include any scope not originally granted"), checked in the
 * same transaction as the rotation, so a refused request leaves the token as it was.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export const refreshTokenGrant: GrantHandler = async (ctx, client, params) => {
  const token = requireParam(params, 'refresh_token');
  const requested = params.get('scope');
  const requestedScopes = requested === undefined ? undefined : parseScope(requested);
  const grant = await ctx.grants
    .rotateRefreshToken(
      token,
      client.id,
      ctx.config.refreshGrace,
      ctx.config.refreshTokenTtl,
      requestedScopes,
    )
    .catch((error: unknown) => {
      if (error instanceof GrantError && error.reason === 'scope_widened') {
        throw invalidScope('the requested scope exceeds what was granted');
      }
      return asInvalidGrant(error);
    });
  const scopes = requestedScopes?.length ? requestedScopes : grant.scopes;
  return issueUserTokens(ctx, client, grant, scopes);
};

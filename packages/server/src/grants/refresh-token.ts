/** The refresh token grant with rotation (RFC 6749 §6, RFC 9700 §4.14.2). */
import { requireParam } from '../http/form.js';
import { oauthError } from '../oauth/errors.js';
import { parseScope } from '../oauth/scope.js';
import { GrantError } from '../storage/errors.js';
import type { RefreshRow } from '../storage/refresh-tokens/rows.js';
import { refreshReason, widenedScopeReason } from './failure-reasons.js';
import type { GrantHandler } from './grant.js';
import { decideRefresh, headTerms } from './refresh-decision.js';
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
  const facts = {
    clientId: client.id,
    graceSeconds: ctx.config.refreshGrace,
    retryWindowSeconds: ctx.config.refreshRetryWindow,
    requestedScopes: requested === undefined ? undefined : parseScope(requested),
  };
  // The token as the rule saw it, so a failure can tell its developer why (grants/failure-reasons.ts).
  let seen: RefreshRow | undefined;
  const grant = await ctx.refreshTokens
    .rotate(token, {
      clientId: client.id,
      refreshTtl: ctx.config.refreshTokenTtl,
      rule: (row, at) => {
        seen = row;
        return decideRefresh(row, at, facts);
      },
      headTerms: headTerms(facts),
    })
    .catch((error: unknown) => {
      if (error instanceof GrantError && error.reason === 'scope_widened') {
        throw oauthError('INVALID_SCOPE', 'the requested scope exceeds what was granted').because(
          widenedScopeReason(facts.requestedScopes ?? [], seen),
        );
      }
      // RFC 9700 §4.14.2: storage has revoked the grant in the transaction that decided so.
      if (error instanceof GrantError && error.reason === 'replayed') ctx.metrics.reuseDetected();
      return asInvalidGrant(error, (failure) => refreshReason(failure, seen, client.id));
    });
  const scopes = facts.requestedScopes?.length ? facts.requestedScopes : grant.scopes;
  return issueUserTokens(ctx, client, grant, scopes, 'refresh');
};

// The token endpoint's success response, validated and turned into a camelCase TokenResult.

import { invalidResponse, type ReadResponse } from './http.js';
import type { IdTokenClaims } from './oidc/id-token.js';
import { toScopeList } from './scope.js';

/**
 * Tokens from a successful token endpoint response.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenResult {
  /** `access_token`. */
  accessToken: string;
  /** `token_type`, e.g. `Bearer` (`Bearer` when the server omitted it). */
  tokenType: string;
  /** `expires_in` in seconds, when the server sent it. */
  expiresIn: number | undefined;
  /** Expiry as epoch milliseconds, computed when the response arrived. */
  expiresAt: number | undefined;
  /** `refresh_token`; after a refresh without a new one, the token that was used. */
  refreshToken?: string | undefined;
  /** Granted scope; the requested scope when the server omitted `scope` (RFC 6749 §5.1). */
  scope: string[];
  /** `id_token` when an OpenID Connect server sent one; validated by `exchangeCode` / `handleCallback` and `refresh`. */
  idToken?: string | undefined;
  /** The claims of `idToken` once validated (OpenID Connect Core §3.1.3.7): `sub`, `name`, `email`... */
  idTokenClaims?: IdTokenClaims | undefined;
  /** The full JSON response, snake_case as on the wire. */
  raw: Record<string, unknown>;
}

/**
 * Validates a token response body and builds a {@link TokenResult}.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function toTokenResult(
  body: Record<string, unknown>,
  context: {
    /** The answer the body came from: its status and URL go into error messages. */
    response: Pick<ReadResponse, 'status' | 'requestUrl'>;
    now: number;
    requestedScope: string[];
    previousRefreshToken?: string | undefined;
  },
): TokenResult {
  const { access_token, token_type, expires_in, refresh_token, scope, id_token } = body;
  if (typeof access_token !== 'string' || access_token === '') {
    throw invalidResponse(context.response, 'token response has no access_token');
  }
  if (token_type !== undefined && typeof token_type !== 'string') {
    throw invalidResponse(context.response, 'token response has an invalid token_type');
  }
  let expiresIn: number | undefined;
  if (expires_in !== undefined && expires_in !== null) {
    expiresIn = typeof expires_in === 'string' ? Number(expires_in) : (expires_in as number);
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      throw invalidResponse(context.response, 'token response has an invalid expires_in');
    }
  }
  if (refresh_token !== undefined && typeof refresh_token !== 'string') {
    throw invalidResponse(context.response, 'token response has an invalid refresh_token');
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw invalidResponse(context.response, 'token response has an invalid scope');
  }
  return {
    accessToken: access_token,
    // RFC 6750 §4: the type is case-insensitive; normalise the common one.
    tokenType: token_type === undefined || token_type.toLowerCase() === 'bearer' ? 'Bearer' : token_type,
    expiresIn,
    expiresAt: expiresIn === undefined ? undefined : context.now + expiresIn * 1000,
    refreshToken: refresh_token || context.previousRefreshToken,
    scope: scope === undefined ? [...context.requestedScope] : toScopeList(scope),
    idToken: typeof id_token === 'string' ? id_token : undefined,
    raw: body,
  };
}

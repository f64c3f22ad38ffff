// Turns verified claims into the AuthInfo attached to the request.
import { grantedScopes } from './scopes.js';
import type { AccessTokenClaims, AuthInfo } from './types.js';

/**
 * Builds a frozen {@link AuthInfo} from a JWT payload or an introspection response.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2
 */
export function toAuthInfo(claims: AccessTokenClaims): AuthInfo {
  return Object.freeze({
    claims: Object.freeze({ ...claims }),
    scopes: Object.freeze(grantedScopes(claims)),
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
  });
}

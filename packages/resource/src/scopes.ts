// Reads granted scopes from token claims and checks the ones a resource requires.
import type { AccessTokenClaims } from './types.js';

/**
 * Scopes granted by a token: the space-delimited `scope` claim (RFC 9068 §2.2.3, RFC 7662 §2.2).
 * A `scp` array or string (used by some other authorization servers) is read when `scope` is absent.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2.3
 */
export function grantedScopes(claims: AccessTokenClaims): string[] {
  const value = claims.scope ?? (claims as { scp?: unknown }).scp;
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/**
 * True when every required scope is granted.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  for (const scope of required) if (!granted.includes(scope)) return false;
  return true;
}

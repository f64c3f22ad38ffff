/** Verifies an access token this server issued: our key by `kid`, our `iss`, `typ: at+jwt`, not expired. */
import type { KeyManager } from '../keys/key-manager.js';
import type { AccessTokenClaims } from './access-token.js';
import { verifyOwnJwt } from './jwt.js';

/**
 * Returns the claims of a valid token, `undefined` for anything else (foreign, tampered, expired,
 * wrong `typ`, an algorithm other than the key's). Used by introspection and revocation.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function verifyOwnAccessToken(
  keys: KeyManager,
  issuer: string,
  token: string,
  now = Date.now() / 1000,
): AccessTokenClaims | undefined {
  const verified = verifyOwnJwt(keys, token, ['at+jwt']);
  if (!verified) return undefined;
  const claims = verified.claims as unknown as AccessTokenClaims;
  if (claims.iss !== issuer || typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
  return claims;
}

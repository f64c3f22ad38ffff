// Verifies an RFC 9068 JWT access token with jose: allow-listed alg, at+jwt, iss, aud, exp with leeway.
import { type JWTVerifyOptions, errors as joseErrors, jwtVerify } from 'jose';
import { toAuthInfo } from './auth-info.js';
import type { JwksCache } from './jwks-cache.js';
import { TokenRejected } from './token-rejected.js';
import type { AccessTokenClaims, AuthInfo } from './types.js';

/** Settings of {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  issuer: string;
  audience: string[];
  algorithms: string[];
  leewaySeconds: number;
}

const CLAIM_DESCRIPTIONS: Record<string, string> = {
  typ: 'the token type is not at+jwt',
  iss: 'the token was not issued by the expected issuer',
  aud: 'the token is not meant for this resource',
  nbf: 'the token is not valid yet',
  exp: 'the token has no valid expiry',
  iat: 'the token has an invalid issue time',
};

/**
 * Maps a jose error to a fixed description (never jose's message, never a claim value).
 * Errors that are not about the token (the authorization server is down) are rethrown.
 */
function describe(error: unknown): never {
  if (error instanceof joseErrors.JWTExpired) throw new TokenRejected('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    throw new TokenRejected(CLAIM_DESCRIPTIONS[error.claim] ?? 'a claim check failed');
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) throw new TokenRejected('the algorithm is not allowed');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    throw new TokenRejected('the signature is invalid');
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    throw new TokenRejected('no key of the authorization server matches the token');
  }
  if (error instanceof joseErrors.JOSEError) throw new TokenRejected('the token is malformed');
  throw error;
}

/**
 * Returns `verify(token)`: checks the JWS signature with a key from the JWKS (chosen by `kid`/`alg`,
 * never from `jku`/`x5u`/`jwk` headers), the `alg` allow-list, `typ` `at+jwt` (or
 * `application/at+jwt`), `iss`, `aud`, `exp` and `nbf` with leeway. `exp`, `iss` and `aud` must be present.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export function createJwtVerifier(
  options: JwtVerifierOptions,
  jwks: JwksCache,
): (token: string) => Promise<AuthInfo> {
  const verifyOptions: JWTVerifyOptions = {
    algorithms: options.algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.leewaySeconds,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iss', 'aud'],
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, jwks.getKey, verifyOptions);
      return toAuthInfo(payload);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSMultipleMatchingKeys)) describe(error);
      // Several keys fit a token without `kid` (rotation publishes the next key early): try each.
      let last: unknown = error;
      const candidates = error as unknown as AsyncIterable<CryptoKey>;
      for await (const key of candidates) {
        try {
          const { payload } = await jwtVerify<AccessTokenClaims>(token, key, verifyOptions);
          return toAuthInfo(payload);
        } catch (attempt) {
          last = attempt;
        }
      }
      describe(
        last instanceof joseErrors.JWKSMultipleMatchingKeys ? new joseErrors.JWKSNoMatchingKey() : last,
      );
    }
  };
}

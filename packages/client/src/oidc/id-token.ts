// ID token validation (OpenID Connect Core §3.1.3.7, and §12.2 for a refreshed ID token).

import { base64url } from '../encoding.js';
import { OpenIdError, type OpenIdErrorCode } from '../errors.js';
import { quoteValue } from '../message-text.js';
import type { OAuthClientOptions } from '../options.js';
import type { KeySet } from './jwks.js';
import { decodeJws, jwsAlgorithm, verifyJws } from './jws.js';

/**
 * The claims of a validated ID token.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export interface IdTokenClaims {
  /** Issuer: the provider's issuer identifier. */
  iss: string;
  /** Subject: the provider's stable identifier of the user. */
  sub: string;
  /** Audience: contains the client id. */
  aud: string | string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issue time, seconds since the epoch. */
  iat: number;
  /** When the user authenticated, seconds since the epoch. */
  auth_time?: number;
  /** The `nonce` of the authorization request. */
  nonce?: string;
  /** Authorized party. */
  azp?: string;
  /** Access token hash. */
  at_hash?: string;
  /** Session id (OpenID Connect Front- and Back-Channel Logout). */
  sid?: string;
  /** Any other claim (`name`, `email`, ...). */
  [claim: string]: unknown;
}

/** What an ID token is checked against, beyond the provider and client settings. */
export interface IdTokenCheck {
  /** The access token issued with the ID token, for `at_hash`. */
  accessToken: string;
  /** The `nonce` sent in the authorization request; compared exactly (both absent is a match). */
  nonce?: string | undefined;
  /** A refresh answer (§12.2): no `nonce` is required. */
  refresh?: boolean | undefined;
  /** On refresh, the ID token of the original authentication, whose `sub`, `aud`... must stay. */
  original?: string | undefined;
}

/** The client options an {@link IdTokenValidator} reads. */
export type IdTokenSettings = Pick<
  OAuthClientOptions,
  'issuer' | 'clientId' | 'idTokenSignedResponseAlg' | 'clockToleranceSeconds'
>;

/** The part of an `OIDC_ID_TOKEN_*` code after the prefix. */
type Failure = OpenIdErrorCode extends infer C ? (C extends `OIDC_ID_TOKEN_${infer S}` ? S : never) : never;

/** Throws the {@link OpenIdError} `OIDC_ID_TOKEN_<failure>`, its message "ID token <text>". */
function fail(failure: Failure, text: string): never {
  throw new OpenIdError(`OIDC_ID_TOKEN_${failure}`, `ID token ${text}`);
}

const audiences = (aud: unknown): unknown[] => (Array.isArray(aud) ? aud : [aud]);

/**
 * Validates ID tokens for one client: the JWS (`alg` allowed, key from `jwks_uri`, WebCrypto
 * signature), then `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, `at_hash`, and on refresh the
 * claims that must stay those of the original authentication.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export class IdTokenValidator {
  readonly #settings: IdTokenSettings;
  readonly #keys: KeySet | undefined;
  readonly #supportedAlgs: unknown;

  /**
   * @param settings issuer, client id, expected `alg` (default RS256), clock tolerance (default 30 s)
   * @param keys the key set at `jwks_uri`, when known
   * @param supportedAlgs the provider's `id_token_signing_alg_values_supported`, when known
   */
  constructor(settings: IdTokenSettings, keys: KeySet | undefined, supportedAlgs: unknown) {
    this.#settings = settings;
    this.#keys = keys;
    this.#supportedAlgs = supportedAlgs;
  }

  /**
   * Returns the claims of `idToken` once every check passed; throws {@link OpenIdError} naming the
   * first that failed, or `TypeError` when `jwksUri` or `issuer` is not configured.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  async validate(idToken: string, check: IdTokenCheck): Promise<IdTokenClaims> {
    const { issuer, clientId, idTokenSignedResponseAlg: expectedAlg = 'RS256' } = this.#settings;
    const tolerance = this.#settings.clockToleranceSeconds ?? 30;
    const keys = this.#keys;
    const supportedAlgs = this.#supportedAlgs;
    if (!keys || !issuer) throw new TypeError('jwksUri and issuer are needed to validate ID tokens');
    const jws = decodeJws(idToken);
    if (!jws) return fail('MALFORMED', 'is not a signed JWT');
    // §3.1.3.7 steps 6-8: the alg registered for the client (never `none`), and one the provider lists.
    const alg = jws.header['alg'];
    const algorithm = jwsAlgorithm(alg);
    if (alg !== expectedAlg || (Array.isArray(supportedAlgs) && !supportedAlgs.includes(alg)) || !algorithm) {
      fail('ALG_NOT_ALLOWED', `alg ${quoteValue(alg)} is not allowed (expected ${expectedAlg})`);
    }
    if (!(await verifyJws(jws, algorithm, await keys.find(jws.header, algorithm)))) {
      fail('SIGNATURE_INVALID', 'signature does not verify');
    }
    const claims = jws.payload;
    const { iss, sub, aud, azp, exp, iat, nonce, at_hash } = claims;
    if (!sub || typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') {
      fail('MALFORMED', 'lacks sub, exp or iat');
    }
    // Step 2: iss is exactly the issuer identifier.
    if (iss !== issuer) fail('ISSUER_MISMATCH', `iss ${quoteValue(iss)} is not the issuer "${issuer}"`);
    // Step 3: aud contains the client id.
    if (!audiences(aud).includes(clientId))
      fail('AUDIENCE_MISMATCH', `aud ${quoteValue(aud)} lacks the client id`);
    // Steps 4-5: azp, when present, is the client id, and several audiences need one (errata set 1;
    // set 2 leaves azp to extensions, and the SDK keeps the stricter rule).
    if (azp === undefined ? audiences(aud).length > 1 : azp !== clientId) {
      fail('AZP_MISMATCH', `azp ${quoteValue(azp)} is not the client id`);
    }
    // Steps 9-10: exp in the future, iat not in the future, both within the clock tolerance.
    const now = Date.now() / 1000;
    if (exp + tolerance <= now) fail('EXPIRED', 'has expired (exp)');
    if (iat - tolerance > now) fail('ISSUED_IN_FUTURE', 'iat is in the future');
    // Step 11: the nonce sent is the nonce received (none sent, none received); on refresh, §12.2.
    if (check.refresh) {
      if (check.original !== undefined) sameAsOriginal(claims, check.original);
    } else if (nonce !== check.nonce)
      fail('NONCE_MISMATCH', `nonce ${nonce === undefined ? 'missing' : 'differs'}`);
    // §3.1.3.8 / §3.3.2.11: at_hash, when present, is the left half of the access token's hash.
    if (at_hash !== undefined) {
      const digest = new Uint8Array(
        await crypto.subtle.digest(algorithm.hash, new TextEncoder().encode(check.accessToken)),
      );
      if (at_hash !== base64url(digest.subarray(0, digest.length / 2))) {
        fail('AT_HASH_MISMATCH', 'at_hash does not match the access token');
      }
    }
    return claims as IdTokenClaims;
  }
}

/** Claims of a refreshed ID token compared with the original's: which may differ, and how they compare. */
const KEPT: [name: string, failure: Failure, whenPresent?: true][] = [
  ['sub', 'SUBJECT_MISMATCH'],
  ['aud', 'AUDIENCE_MISMATCH'],
  ['azp', 'AZP_MISMATCH'],
  ['auth_time', 'AUTH_TIME_MISMATCH', true],
  ['nonce', 'NONCE_MISMATCH', true],
];

/**
 * §12.2: a refreshed ID token keeps the original's `sub`, `aud`, `azp` (absent stays absent) and
 * `auth_time` (and `iss`, checked against the issuer); a `nonce`, if any, is the original's.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
function sameAsOriginal(claims: Record<string, unknown>, original: string): void {
  const before = decodeJws(original)?.payload;
  if (!before) fail('MALFORMED', 'of the original authentication is not a JWT');
  const text = (value: unknown, name: string) =>
    JSON.stringify(name === 'aud' ? audiences(value).sort() : value);
  for (const [name, failure, whenPresent] of KEPT) {
    if (whenPresent && claims[name] === undefined) continue;
    if (text(claims[name], name) !== text(before[name], name))
      fail(failure, `${name} differs from the original`);
  }
}

/**
 * ID tokens (OIDC Core §2, §3.1.3.6): issued with the access token of an OpenID Connect grant, at the
 * code's redemption and at every refresh (§12.2), signed with the algorithm the app registered.
 */
import { createHash } from 'node:crypto';
import type { KeyManager } from '../keys/key-manager.js';
import type { SigningAlgorithm } from '../keys/signing-key.js';
import type { Client } from '../storage/client-records.js';
import { signJwt } from '../tokens/jwt.js';
import type { Signer } from '../tokens/signer.js';
import { subjectFor } from './subject.js';

/** OIDC Core §3.1.3.7 step 7: RS256 unless the app registered another `id_token_signed_response_alg`. */
export const DEFAULT_ID_TOKEN_ALG: SigningAlgorithm = 'RS256';

/** The algorithm of an app's ID tokens. */
export function idTokenAlgOf(client: Pick<Client, 'idTokenSignedResponseAlg'>): SigningAlgorithm {
  return client.idTokenSignedResponseAlg ?? DEFAULT_ID_TOKEN_ALG;
}

/**
 * `at_hash` (OIDC Core §3.1.3.6): the left half of the hash of the access token's ASCII octets,
 * base64url, with the hash of the ID token's `alg` (SHA-256 for RS256 and ES256; SHA-512 for EdDSA
 * over Ed25519, the hash the curve's signatures use, as OIDC Core errata 2 and openid-client do).
 */
export function accessTokenHash(accessToken: string, alg: SigningAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** What signing an ID token needs from the server. */
export interface IdTokenIssuer {
  issuer: string;
  keys: KeyManager;
  signer: Signer;
  pairwiseKey: Buffer;
  /** Lifetime (s); the access token's. */
  ttlSeconds: number;
}

/** What an ID token says about one grant. */
export interface IdTokenFacts {
  client: Pick<Client, 'id' | 'idTokenSignedResponseAlg' | 'subjectType' | 'redirectUris'>;
  userId: string;
  /** The access token issued beside it (`at_hash`). */
  accessToken: string;
  /** The authorization request's `nonce`: only at the code's redemption (OIDC Core §12.2: none after). */
  nonce?: string;
  /** The session's public ID (OIDC Front-/Back-Channel Logout `sid`). */
  sid?: string;
  /** When the user entered their password (`auth_time`). */
  authTime?: number;
  /** Claims about the user its scopes release (oidc/user-claims.ts); never one of the above. */
  userClaims?: Record<string, unknown>;
}

/**
 * Signs an ID token: `iss`, `sub` (the app's subject identifier for the user, OIDC Core §8: never the
 * email), `aud` and `azp` (the app), `exp`, `iat`, and `auth_time`, `nonce`, `sid`, `at_hash` when
 * known, with the active key of the app's algorithm and `typ: JWT` (RFC 7519 §5.1; never `none`, since
 * only our keys sign). The claims about the user its scopes release (`name`, `email`...; OIDC Core
 * §5.4 puts them at the userinfo endpoint, which has them too) come first, so none can replace one of
 * the token's own.
 */
export function signIdToken(
  issuer: IdTokenIssuer,
  facts: IdTokenFacts,
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  const alg = idTokenAlgOf(facts.client);
  const claims: Record<string, unknown> = {
    ...facts.userClaims,
    iss: issuer.issuer,
    sub: subjectFor(facts.client, facts.userId, issuer.pairwiseKey),
    aud: facts.client.id,
    exp: now + issuer.ttlSeconds,
    iat: now,
    ...(facts.authTime !== undefined && { auth_time: facts.authTime }),
    ...(facts.nonce !== undefined && { nonce: facts.nonce }),
    // OIDC Core §2: azp is the party the token was issued to; with one audience it equals aud.
    azp: facts.client.id,
    at_hash: accessTokenHash(facts.accessToken, alg),
    ...(facts.sid !== undefined && { sid: facts.sid }),
  };
  return signJwt(issuer.signer, issuer.keys.activeFor(alg), 'JWT', claims);
}

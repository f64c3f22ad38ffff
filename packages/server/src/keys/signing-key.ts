/** One signing key: generation, import from its stored JWK, and what signing needs at hand. */

import type { JsonWebKey } from 'node:crypto';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';

/** Algorithms a Latchkey server can sign access tokens with (RFC 7518 / RFC 8037). */
export const SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
/** One of {@link SIGNING_ALGORITHMS}. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A key ready to sign: KeyObject, precomputed JOSE header, and its public JWK for the JWKS. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: JsonWebKey;
  /** base64url of `{"alg","kid","typ":"at+jwt"}`, computed once. */
  encodedHeader: string;
  /** Digest passed to `crypto.sign` (`null` for EdDSA). */
  digest: string | null;
  signOptions: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
}

function generate(alg: SigningAlgorithm): KeyObject {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519').privateKey;
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Builds the signing view of a private key. */
export function toSigningKey(kid: string, alg: SigningAlgorithm, privateKey: KeyObject): SigningKey {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...publicJwk
  } = createPublicKey(privateKey).export({
    format: 'jwk',
  });
  const header = { alg, kid, typ: 'at+jwt' };
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    encodedHeader: Buffer.from(JSON.stringify(header)).toString('base64url'),
    digest: alg === 'EdDSA' ? null : 'sha256',
    signOptions: alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey,
  };
}

/** Generates a fresh key and returns it with the private JWK to store. */
export function generateSigningKey(alg: SigningAlgorithm): { key: SigningKey; privateJwk: JsonWebKey } {
  const privateKey = generate(alg);
  const key = toSigningKey(randomUUID(), alg, privateKey);
  return { key, privateJwk: privateKey.export({ format: 'jwk' }) };
}

/** Re-creates a signing key from its stored private JWK. */
export function importSigningKey(kid: string, alg: SigningAlgorithm, privateJwk: JsonWebKey): SigningKey {
  return toSigningKey(kid, alg, createPrivateKey({ key: privateJwk, format: 'jwk' }));
}

// JWS compact serialization: decoding, the algorithms the SDK verifies, and WebCrypto verification.

import { fromBase64url } from '../encoding.js';
import { isObject } from '../http.js';

/** A JWS in compact serialization, split and decoded, not yet verified. */
export interface DecodedJws {
  /** The protected header (`alg`, `kid`, ...). */
  header: Record<string, unknown>;
  /** The payload as a JSON object (the claims of an ID token). */
  payload: Record<string, unknown>;
  /** ASCII(BASE64URL(header) '.' BASE64URL(payload)): what the signature covers. */
  signingInput: Uint8Array;
  /** The signature bytes. */
  signature: Uint8Array;
}

/**
 * How a JWS `alg` is verified with WebCrypto: the JWK key type (and curve) it needs, the import and
 * verify parameters, and the hash whose left half makes `at_hash`.
 */
export interface JwsAlgorithm {
  /** JWK `kty` of the key. @see https://www.rfc-editor.org/rfc/rfc7517#section-4.1 */
  kty: string;
  /** JWK `crv` of the key, for EC and OKP keys. @see https://www.rfc-editor.org/rfc/rfc7518#section-6.2.1.1 */
  crv: string | undefined;
  /** `importKey` parameters. */
  importParams: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams;
  /** `verify` parameters. */
  verifyParams: AlgorithmIdentifier | (RsaPssParams & EcdsaParams);
  /** WebCrypto name of the hash used for `at_hash`. */
  hash: string;
}

/**
 * The WebCrypto recipe for a JWS `alg`, or `undefined` for one the SDK does not verify (`none`,
 * HMAC, Ed448...): RS256/384/512 and PS256/384/512 (RFC 7518 §3.3, §3.5), ES256/384/512 (RFC 7518
 * §3.4), and EdDSA over Ed25519 (RFC 8037 §3.1; `Ed25519`, RFC 9864). The at_hash of Ed25519 uses
 * SHA-512, the hash inside Ed25519 (RFC 8032 §5.1).
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 */
export function jwsAlgorithm(alg: unknown): JwsAlgorithm | undefined {
  if (alg === 'EdDSA' || alg === 'Ed25519') {
    const params = { name: 'Ed25519' };
    return { kty: 'OKP', crv: 'Ed25519', importParams: params, verifyParams: params, hash: 'SHA-512' };
  }
  const [, family, bits] = /^(RS|PS|ES)(256|384|512)$/.exec(String(alg)) ?? [];
  if (!bits) return undefined;
  const hash = `SHA-${bits}`;
  const crv = family === 'ES' ? `P-${bits === '512' ? 521 : bits}` : undefined;
  const name = crv ? 'ECDSA' : family === 'RS' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
  // WebCrypto ignores the members an algorithm does not use; RFC 7518 §3.5: the PSS salt is as long as the hash.
  return {
    kty: crv ? 'EC' : 'RSA',
    crv,
    importParams: { name, hash, namedCurve: crv } as RsaHashedImportParams,
    verifyParams: { name, hash, saltLength: +bits / 8 },
    hash,
  };
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  const bytes = fromBase64url(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a JWS compact serialization into header, payload and signature, or returns `undefined` when
 * it is not three base64url parts whose first two are JSON objects.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export function decodeJws(jws: unknown): DecodedJws | undefined {
  const parts = typeof jws === 'string' ? jws.split('.') : [];
  if (parts.length !== 3) return undefined;
  const header = decodeJson(parts[0]!);
  const payload = decodeJson(parts[1]!);
  const signature = fromBase64url(parts[2]!);
  if (!header || !payload || !signature) return undefined;
  const signingInput = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  return { header, payload, signingInput, signature };
}

/**
 * Verifies the signature of a decoded JWS with a public JWK; only the key material is imported, so a
 * JWK's `key_ops` or `ext` cannot make the import fail. A key WebCrypto refuses counts as a bad signature.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export async function verifyJws(jws: DecodedJws, algorithm: JwsAlgorithm, jwk: JsonWebKey): Promise<boolean> {
  const { kty, crv, n, e, x, y } = jwk;
  try {
    const key = await crypto.subtle.importKey(
      'jwk',
      { kty, crv, n, e, x, y },
      algorithm.importParams,
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      algorithm.verifyParams,
      key,
      jws.signature as Uint8Array<ArrayBuffer>,
      jws.signingInput as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}

/** Verifies an access token this server issued: our key by `kid`, our `iss`, `typ: at+jwt`, not expired. */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyManager } from '../keys/key-manager.js';
import type { AccessTokenClaims } from './access-token.js';

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

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
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  if (header?.['typ'] !== 'at+jwt' || typeof header['kid'] !== 'string') return undefined;
  const key = keys.find(header['kid']);
  if (!key || header['alg'] !== key.alg) return undefined;
  const publicKey = createPublicKey(key.privateKey);
  const options = key.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const ok = verify(
    key.digest,
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    options,
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!ok) return undefined;
  const claims = decodeJson(encodedPayload) as AccessTokenClaims | undefined;
  if (!claims || claims.iss !== issuer || typeof claims.exp !== 'number' || claims.exp <= now)
    return undefined;
  return claims;
}

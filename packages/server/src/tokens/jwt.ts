/**
 * Compact JWS (RFC 7515 §7.1) with this server's own keys: signing any JWT type (ID tokens, logout
 * tokens) and checking the signature of one we issued. Access tokens keep their own precomputed
 * header (access-token.ts); the rules on claims belong to the caller.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { KeyManager } from '../keys/key-manager.js';
import type { SigningKey } from '../keys/signing-key.js';
import type { Signer } from './signer.js';

/** The encoded header of each (key, `typ`), computed once: per token only the payload is serialized. */
const headers = new WeakMap<SigningKey, Map<string, string>>();

function encodedHeader(key: SigningKey, typ: string): string {
  let byTyp = headers.get(key);
  if (!byTyp) {
    byTyp = new Map();
    headers.set(key, byTyp);
  }
  let header = byTyp.get(typ);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ })).toString('base64url');
    byTyp.set(typ, header);
  }
  return header;
}

/**
 * Signs `claims` as a compact JWS with `key`, the header naming its `alg`, `kid` and `typ`
 * (RFC 7515 §4.1.9; `JWT` for ID tokens, `logout+jwt` for logout tokens).
 */
export async function signJwt(
  signer: Signer,
  key: SigningKey,
  typ: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const signingInput = `${encodedHeader(key, typ)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${await signer.sign(key, signingInput)}`;
}

/** Decodes a base64url JSON object, or `undefined` for anything else. */
export function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const publicKeys = new WeakMap<SigningKey, KeyObject>();

/**
 * The header and claims of a JWT this server signed with a key it still publishes, whose header
 * `typ` is one of `types` and whose `alg` is its key's (RFC 8725 §3.1, §3.11); `undefined` for
 * anything else. Checks the signature only: expiry, issuer and audience are the caller's rules.
 */
export function verifyOwnJwt(
  keys: KeyManager,
  token: string,
  types: readonly string[],
): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header64, payload64, signature64] = parts as [string, string, string];
  const header = decodeJsonPart(header64);
  if (!header || typeof header['kid'] !== 'string' || !types.includes(String(header['typ'])))
    return undefined;
  const key = keys.find(header['kid']);
  if (!key || header['alg'] !== key.alg) return undefined;
  let publicKey = publicKeys.get(key);
  if (!publicKey) {
    publicKey = createPublicKey(key.privateKey);
    publicKeys.set(key, publicKey);
  }
  const options = key.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const ok = verify(
    key.digest,
    Buffer.from(`${header64}.${payload64}`),
    options,
    Buffer.from(signature64, 'base64url'),
  );
  if (!ok) return undefined;
  const claims = decodeJsonPart(payload64);
  return claims && { header, claims };
}

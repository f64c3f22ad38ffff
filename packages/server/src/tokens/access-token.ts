/** JWT access tokens per RFC 9068, signed synchronously with node:crypto KeyObjects. */
import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../keys/signing-key.js';
import type { Signer } from './signer.js';

/** Claims of an access token (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  /** The grant (three-legged) this token belongs to, so revocation and introspection can find it. */
  gid?: string;
}

/** What the caller supplies; the rest is filled in. */
export interface AccessTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scope: string;
  ttlSeconds: number;
  grantId?: string;
}

/**
 * Signs an RFC 9068 access token. The header is encoded once per key; per token only the payload is
 * serialized and one signature computed by the signer (ECDSA as r||s per RFC 7518 §3.4).
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 */
export async function signAccessToken(
  signer: Signer,
  key: SigningKey,
  input: AccessTokenInput,
  now = Math.floor(Date.now() / 1000),
) {
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    client_id: input.clientId,
    scope: input.scope,
    iat: now,
    exp: now + input.ttlSeconds,
    jti: randomUUID(),
  };
  if (input.grantId !== undefined) claims.gid = input.grantId;
  const signingInput = `${key.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return { token: `${signingInput}.${await signer.sign(key, signingInput)}`, claims };
}

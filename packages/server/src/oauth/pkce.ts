/** PKCE (RFC 7636) with S256 only: `plain` is refused everywhere (RFC 9700 §2.1.1). */
import { createHash, timingSafeEqual } from 'node:crypto';

/** code_challenge / code_verifier alphabet and lengths (RFC 7636 §4.1, §4.2). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether an app must use PKCE: public apps always, every app when LATCHKEY_REQUIRE_PKCE is on
 * (RFC 9700 §2.1.1). Checked at the authorization endpoint and again at the code exchange.
 */
export function pkceRequired(client: { isPublic: boolean }, requireForAll: boolean): boolean {
  return client.isPublic || requireForAll;
}

/** Whether a code_challenge has the shape of a base64url SHA-256 digest. */
export function isS256Challenge(challenge: string): boolean {
  return CHALLENGE.test(challenge);
}

/**
 * Checks a code_verifier against the stored S256 challenge in constant time.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

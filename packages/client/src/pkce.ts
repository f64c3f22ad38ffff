// PKCE: code verifier generation and the S256 code challenge.

import { base64url, randomString } from './encoding.js';

/**
 * Generates a code verifier: 43 characters from 32 random bytes.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function generateCodeVerifier(): string {
  return randomString(32);
}

/**
 * Derives the S256 code challenge: `BASE64URL(SHA256(ASCII(code_verifier)))`.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function codeChallengeS256(codeVerifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url(new Uint8Array(digest));
}

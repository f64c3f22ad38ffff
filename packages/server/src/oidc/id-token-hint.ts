/**
 * `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2): an ID token this server issued,
 * presented back as a hint of who the app believes is signed in. Its expiry is not checked (the
 * specifications expect expired ID tokens as hints); its signature, type and issuer are.
 */
import type { KeyManager } from '../keys/key-manager.js';
import { verifyOwnJwt } from '../tokens/jwt.js';

/** What a hint tells: the subject, the app(s) it was issued to, and the session. */
export interface IdTokenHint {
  sub: string;
  /** `aud` as a list. */
  aud: string[];
  /** The session the ID token was issued in, when it names one. */
  sid?: string;
}

/**
 * The hint's claims when it is an ID token this server signed with a key it still publishes
 * (`typ: JWT`, its `iss`, a string `sub` and an `aud`), else `undefined`.
 */
export function verifyIdTokenHint(keys: KeyManager, issuer: string, token: string): IdTokenHint | undefined {
  if (token.length > 8192) return undefined;
  const verified = verifyOwnJwt(keys, token, ['JWT']);
  if (!verified) return undefined;
  const { iss, sub, aud, sid } = verified.claims;
  if (iss !== issuer || typeof sub !== 'string') return undefined;
  const audiences =
    typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
  if (audiences.length === 0) return undefined;
  return { sub, aud: audiences, ...(typeof sid === 'string' && { sid }) };
}

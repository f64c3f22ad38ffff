/**
 * The claims about the user that granted scopes release (OIDC Core §5.4): `profile` → `name`,
 * `updated_at`; `email` → `email`, `email_verified`. At the userinfo endpoint (§5.3.2) and, for the
 * apps that read them there (as OpenID Connect libraries commonly do), in the ID token too.
 */
import type { User } from '../storage/users.js';
import { SCOPE_CLAIMS } from './scopes.js';

/** Whether `scopes` release any claim about the user. */
export function releasesUserClaims(scopes: readonly string[]): boolean {
  return scopes.some((scope) => SCOPE_CLAIMS[scope] !== undefined);
}

/** The claims of `user` that `scopes` release; a claim the user has no value for is left out. */
export function scopedClaims(user: User, scopes: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {
    name: user.name,
    updated_at: user.updatedAt,
    email: user.email,
    email_verified: user.emailVerified,
  };
  const claims: Record<string, unknown> = {};
  for (const scope of scopes)
    for (const name of SCOPE_CLAIMS[scope] ?? []) if (values[name] !== undefined) claims[name] = values[name];
  return claims;
}

/**
 * The scopes OpenID Connect defines (OIDC Core §3.1.2.1, §5.4, §11) and the claims each one releases.
 * A request is an OpenID Connect request only when it names `openid`; the others mean something only
 * beside it (`offline_access`: a refresh token, §11).
 */

/** OIDC Core §3.1.2.1: the scope that makes a request an OpenID Connect request. */
export const OPENID = 'openid';
/** OIDC Core §11: ask for a refresh token that works while the user is away. */
export const OFFLINE_ACCESS = 'offline_access';

/**
 * Scopes that concern the signed-in user (OIDC Core §5.4, §11): never granted to an app acting for
 * itself (client credentials), and never part of the default a request without `scope` gets.
 */
export const OIDC_SCOPES: readonly string[] = [OPENID, 'profile', 'email', OFFLINE_ACCESS];

/** What the consent page says for each, in the user's words (LATCHKEY_SCOPE_DESCRIPTIONS may change them). */
export const OIDC_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account here',
  profile: 'See your name',
  email: 'See your email address and whether it is verified',
  offline_access: 'Keep access when you are not using the app',
};

/**
 * The claims each scope releases at the userinfo endpoint (OIDC Core §5.4): only those this server
 * knows. `sub` is always released.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: ['name', 'updated_at'],
  email: ['email', 'email_verified'],
};

/**
 * Every claim an ID token or the userinfo endpoint may carry (OIDC Discovery 1.0 §3 `claims_supported`).
 */
export const CLAIMS_SUPPORTED: readonly string[] = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'azp',
  'at_hash',
  'sid',
  ...Object.values(SCOPE_CLAIMS).flat(),
];

/** Whether granted scopes make an OpenID Connect grant (OIDC Core §3.1.2.1). */
export function isOpenId(scopes: readonly string[]): boolean {
  return scopes.includes(OPENID);
}

/**
 * Whether a grant of `scopes` gets a refresh token under OIDC Core §11: an OpenID Connect grant only
 * with `offline_access`; any other grant keeps the OAuth rule (the app's `refresh_token` grant decides).
 */
export function offlineAllowed(scopes: readonly string[]): boolean {
  return !isOpenId(scopes) || scopes.includes(OFFLINE_ACCESS);
}

/** `allowed` without the OpenID Connect scopes: what a request that names no scope gets. */
export function withoutOidcScopes(allowed: readonly string[]): string[] {
  return allowed.filter((scope) => !OIDC_SCOPES.includes(scope));
}

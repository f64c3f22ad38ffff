/** Scope parsing and checks (RFC 6749 §3.3). */
import { withoutOidcScopes } from '../oidc/scopes.js';
import { oauthError } from './errors.js';

/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) — RFC 6749 §3.3. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Splits a space-delimited scope string into unique tokens, refusing malformed ones.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function parseScope(value: string): string[] {
  const tokens = value.split(' ').filter((token) => token.length > 0);
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw oauthError('INVALID_SCOPE', 'scope contains an invalid character');
  }
  return [...new Set(tokens)];
}

/**
 * The scope granted for a request: the requested scopes if every one is allowed, `invalid_scope`
 * otherwise. A request that names none gets the app's scopes but the OpenID Connect ones (RFC 6749 §3.3
 * lets the server apply a default; OIDC Core §3.1.2.1: only a request naming `openid` is an OpenID
 * Connect request), and `invalid_scope` when that leaves nothing.
 */
export function grantScope(requested: string | undefined, allowed: readonly string[]): string[] {
  const scopes = requested === undefined ? [] : parseScope(requested);
  if (scopes.length === 0) {
    const fallback = withoutOidcScopes(allowed);
    if (fallback.length > 0) return fallback;
    throw oauthError('INVALID_SCOPE', 'scope is required: name the scopes to grant').because(
      `no scope was asked for, and this app's scopes (${allowed.join(' ')}) are OpenID Connect scopes, granted only when named`,
    );
  }
  const outside = scopes.filter((scope) => !allowed.includes(scope));
  if (outside.length > 0) {
    throw oauthError(
      'INVALID_SCOPE',
      `scope not allowed for this client: ${outside.join(' ').slice(0, 200)}`,
    ).because(
      `scope not allowed for this app: ${outside.join(' ')} (it may ask for: ${allowed.join(' ') || 'nothing'})`,
    );
  }
  return scopes;
}

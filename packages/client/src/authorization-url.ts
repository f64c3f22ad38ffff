// The authorization request URL (front channel): parameters, defaults, and the types around it.

import { checkUrl } from './options.js';
import { joinScope, type ScopeInput, toScopeList } from './scope.js';

/** Parameters of {@link OAuthClient.authorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** Requested scope. */
  scope?: ScopeInput | undefined;
  /** Redirect URI; default the client's `redirectUri`. */
  redirectUri?: string | undefined;
  /** `state`; default 256 random bits. */
  state?: string | undefined;
  /** Use PKCE with S256; default `true`. */
  pkce?: boolean | undefined;
  /** OpenID Connect `nonce`; default 256 random bits when the scope contains `openid`. */
  nonce?: string | undefined;
  /** Extra parameters (`prompt`, `resource`, `login_hint`, ...); they never override the ones above. */
  params?: Record<string, string> | undefined;
}

/** Result of {@link OAuthClient.authorizationUrl}: keep `state` and `codeVerifier` for the callback. */
export interface AuthorizationRequest {
  /** Where to send the user. */
  url: string;
  /** The `state` to check on the callback. */
  state: string;
  /** The PKCE code verifier to send with the code, unless PKCE was turned off. */
  codeVerifier: string | undefined;
  /** The `nonce` the ID token must carry, for an OpenID Connect request. */
  nonce: string | undefined;
}

/** Parameters of {@link OAuthClient.handleCallback}. */
export interface CallbackOptions {
  /** The `state` returned by {@link OAuthClient.authorizationUrl}. */
  state: string;
  /** The code verifier returned by {@link OAuthClient.authorizationUrl}. */
  codeVerifier?: string | undefined;
  /** The redirect URI used in the authorization request. */
  redirectUri?: string | undefined;
  /** The `nonce` returned by {@link OAuthClient.authorizationUrl}: an ID token is then required and must carry it. */
  nonce?: string | undefined;
}

/** Everything {@link buildAuthorizationUrl} puts in the URL. */
export interface AuthorizationUrlInput {
  endpoint: string;
  clientId: string;
  scope?: ScopeInput | undefined;
  redirectUri?: string | undefined;
  state?: string | undefined;
  nonce?: string | undefined;
  params?: Record<string, string> | undefined;
}

/**
 * Builds the authorization request URL: the endpoint's own query is kept, extra `params` are added,
 * and the protocol parameters are set last so extras never override them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function buildAuthorizationUrl(input: AuthorizationUrlInput): URL {
  checkUrl(input.redirectUri, 'redirectUri');
  const url = new URL(input.endpoint);
  for (const [name, value] of Object.entries(input.params ?? {})) url.searchParams.set(name, value);
  const fields: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    scope: joinScope(toScopeList(input.scope)),
    state: input.state,
    nonce: input.nonce,
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url;
}

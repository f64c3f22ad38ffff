// @latchkey/client: the zero-dependency OAuth 2.0 and OpenID Connect SDK (web-standard APIs only, no node: imports).

export { type AuthFetchOptions, authFetch, isInvalidTokenResponse } from './auth-fetch.js';
export type { AuthorizationRequest, AuthorizationUrlOptions, CallbackOptions } from './authorization-url.js';
export { OAuthClient, type TokenTypeHint } from './client.js';
export { type AuthorizationServerMetadata, metadataUrls } from './discovery.js';
export {
  AuthorizationResponseError,
  type AuthorizationResponseErrorCode,
  type AuthorizationResponseErrorDetails,
  OAuthResponseError,
  type OAuthResponseErrorCode,
  OAuthTransportError,
  type OAuthTransportErrorCode,
  OpenIdError,
  type OpenIdErrorCode,
} from './errors.js';
export type { FetchLike } from './http.js';
export type { IntrospectionResult } from './introspection.js';
export { MemoryStore } from './memory-store.js';
export type { EndSessionOptions } from './oidc/end-session.js';
export type { IdTokenClaims } from './oidc/id-token.js';
export type { UserInfo } from './oidc/userinfo.js';
export type {
  ClientAuthMethod,
  OAuthClientOptions,
  ProviderPreset,
  TokenRequestEncoding,
} from './options.js';
export { codeChallengeS256, generateCodeVerifier } from './pkce.js';
export { providers } from './providers.js';
export type { ScopeInput } from './scope.js';
export { type GetTokenOptions, TokenManager, type TokenManagerOptions } from './token-manager.js';
export type { TokenResult } from './token-result.js';
export type { StoredToken, TokenStore } from './token-store.js';

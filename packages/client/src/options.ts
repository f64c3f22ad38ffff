// Options accepted by OAuthClient and their validation (fail fast, name the bad option).

import type { FetchLike } from './http.js';

/**
 * How the client authenticates at the token, revocation and introspection endpoints.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * Body encoding of token endpoint requests: standard form encoding, or a JSON object (Lokalise).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export type TokenRequestEncoding = 'form' | 'json';

/** Options of {@link OAuthClient}. */
export interface OAuthClientOptions {
  /** The client identifier. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.2 */
  clientId: string;
  /** The client secret, for confidential clients. Never logged or put in error messages. */
  clientSecret?: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 */
  authorizationEndpoint?: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2 */
  tokenEndpoint?: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc7009#section-2 */
  revocationEndpoint?: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc7662#section-2 */
  introspectionEndpoint?: string | undefined;
  /** @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata `jwks_uri`: keys that sign ID tokens. */
  jwksUri?: string | undefined;
  /** @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo */
  userinfoEndpoint?: string | undefined;
  /** @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#OPMetadata */
  endSessionEndpoint?: string | undefined;
  /** The JWS `alg` ID tokens must be signed with; default `RS256` (`none` is always refused). @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata */
  idTokenSignedResponseAlg?: string | undefined;
  /** Clock skew allowed when checking an ID token's `exp` and `iat`, in seconds; default 30. */
  clockToleranceSeconds?: number | undefined;
  /** The authorization server's issuer identifier; enables the `iss` check. @see https://www.rfc-editor.org/rfc/rfc9207 */
  issuer?: string | undefined;
  /** Default `client_secret_basic` with a secret, `none` without. */
  authMethod?: ClientAuthMethod | undefined;
  /** Default `form`. */
  tokenRequestEncoding?: TokenRequestEncoding | undefined;
  /** Default redirect URI for authorization requests and code exchange. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2 */
  redirectUri?: string | undefined;
  /** Require `iss` on every authorization response (set by discovery). @see https://www.rfc-editor.org/rfc/rfc9207#section-3 */
  authorizationResponseIssParameterSupported?: boolean | undefined;
  /** Timeout of each HTTP request in milliseconds; default 30 000. */
  timeoutMs?: number | undefined;
  /** The `fetch` to use; default `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
}

/**
 * A provider preset: plain data spread into {@link OAuthClientOptions}.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export type ProviderPreset = Omit<OAuthClientOptions, 'clientId' | 'clientSecret' | 'fetch'>;

const AUTH_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'none'];
const URL_OPTIONS = [
  'authorizationEndpoint',
  'tokenEndpoint',
  'revocationEndpoint',
  'introspectionEndpoint',
  'jwksUri',
  'userinfoEndpoint',
  'endSessionEndpoint',
  'issuer',
  'redirectUri',
] as const;

/** Throws `TypeError` naming `name` unless `value` is an absolute URL (or undefined). */
export function checkUrl(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`${name} must be an absolute URL string`);
  }
}

/**
 * Validates client options; throws `TypeError` naming the first bad option.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function validateOptions(options: OAuthClientOptions): ClientAuthMethod {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new TypeError('clientId must be a non-empty string');
  }
  if (options.clientSecret !== undefined && typeof options.clientSecret !== 'string') {
    throw new TypeError('clientSecret must be a string');
  }
  for (const name of URL_OPTIONS) checkUrl(options[name], name);
  const authMethod = options.authMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none');
  if (!AUTH_METHODS.includes(authMethod)) {
    throw new TypeError('authMethod must be client_secret_basic, client_secret_post or none');
  }
  if (authMethod !== 'none' && !options.clientSecret) {
    throw new TypeError(`clientSecret is required for authMethod ${authMethod}`);
  }
  const encoding = options.tokenRequestEncoding;
  if (encoding !== undefined && encoding !== 'form' && encoding !== 'json') {
    throw new TypeError("tokenRequestEncoding must be 'form' or 'json'");
  }
  const timeout = options.timeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) {
    throw new TypeError('timeoutMs must be a positive number');
  }
  const tolerance = options.clockToleranceSeconds;
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !(tolerance >= 0))) {
    throw new TypeError('clockToleranceSeconds must be a non-negative number');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetch must be a function');
  }
  return authMethod;
}

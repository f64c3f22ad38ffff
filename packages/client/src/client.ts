// OAuthClient: authorization URL, callback, code exchange, refresh, client credentials, revoke, introspect.

import {
  type AuthorizationRequest,
  type AuthorizationUrlInput,
  type AuthorizationUrlOptions,
  buildAuthorizationUrl,
  type CallbackOptions,
} from './authorization-url.js';
import { callbackParams, checkCallback } from './callback.js';
import { type AuthorizationServerMetadata, clientOptions, fetchMetadata } from './discovery.js';
import { basicCredentials, randomString } from './encoding.js';
import { OpenIdError } from './errors.js';
import { type FetchLike, parseOAuthJson, type ReadResponse, send } from './http.js';
import { type IntrospectionResult, toIntrospectionResult } from './introspection.js';
import { buildEndSessionUrl, type EndSessionOptions } from './oidc/end-session.js';
import { type IdTokenCheck, IdTokenValidator } from './oidc/id-token.js';
import { KeySet } from './oidc/jwks.js';
import { requestUserInfo, type UserInfo } from './oidc/userinfo.js';
import type { ClientAuthMethod, OAuthClientOptions, TokenRequestEncoding } from './options.js';
import { checkUrl, validateOptions } from './options.js';
import { codeChallengeS256, generateCodeVerifier } from './pkce.js';
import { joinScope, type ScopeInput, toScopeList } from './scope.js';
import { type TokenResult, toTokenResult } from './token-result.js';

/** Token type hints for revocation and introspection. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export type TokenTypeHint = 'access_token' | 'refresh_token';

type Fields = Record<string, string | undefined>;

function requireString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * An OAuth 2.0 client for any standard authorization server.
 * @see https://www.rfc-editor.org/rfc/rfc6749
 */
export class OAuthClient {
  /** The client identifier. */
  readonly clientId: string;
  /** How the client authenticates. */
  readonly authMethod: ClientAuthMethod;
  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 */
  readonly authorizationEndpoint: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2 */
  readonly tokenEndpoint: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc7009#section-2 */
  readonly revocationEndpoint: string | undefined;
  /** @see https://www.rfc-editor.org/rfc/rfc7662#section-2 */
  readonly introspectionEndpoint: string | undefined;
  /** @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata */
  readonly jwksUri: string | undefined;
  /** @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo */
  readonly userinfoEndpoint: string | undefined;
  /** @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout */
  readonly endSessionEndpoint: string | undefined;
  /** The issuer identifier, if known. */
  readonly issuer: string | undefined;
  /** Default redirect URI. */
  readonly redirectUri: string | undefined;
  /** The discovery document, when the client was made by {@link OAuthClient.discover}. */
  readonly metadata: AuthorizationServerMetadata | undefined;
  readonly #secret: string | undefined;
  readonly #encoding: TokenRequestEncoding;
  readonly #issRequired: boolean;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;
  readonly #idTokens: IdTokenValidator;

  /**
   * @param options client id and secret, endpoints, authentication method; throws `TypeError` naming a bad option.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-2
   */
  constructor(options: OAuthClientOptions, metadata?: AuthorizationServerMetadata) {
    this.authMethod = validateOptions(options);
    this.clientId = options.clientId;
    this.#secret = options.clientSecret;
    this.authorizationEndpoint = options.authorizationEndpoint;
    this.tokenEndpoint = options.tokenEndpoint;
    this.revocationEndpoint = options.revocationEndpoint;
    this.introspectionEndpoint = options.introspectionEndpoint;
    this.jwksUri = options.jwksUri;
    this.userinfoEndpoint = options.userinfoEndpoint;
    this.endSessionEndpoint = options.endSessionEndpoint;
    this.issuer = options.issuer;
    this.redirectUri = options.redirectUri;
    this.metadata = metadata;
    this.#encoding = options.tokenRequestEncoding ?? 'form';
    this.#issRequired = options.authorizationResponseIssParameterSupported === true;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const fetchFn = options.fetch;
    this.#fetch = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
    this.#idTokens = new IdTokenValidator(
      { ...options },
      this.jwksUri ? new KeySet(this.jwksUri, this.#fetch, this.#timeoutMs) : undefined,
      metadata?.id_token_signing_alg_values_supported,
    );
  }

  /**
   * Discovers the server's metadata (RFC 8414, then OpenID Connect) and builds a client from it.
   * The document's `issuer` must be identical to `issuer`. Options given explicitly win.
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
   */
  static async discover(issuer: string, options: OAuthClientOptions): Promise<OAuthClient> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const metadata = await fetchMetadata(issuer, fetchFn, options.timeoutMs ?? 30_000);
    return new OAuthClient(clientOptions(issuer, metadata, options), metadata);
  }

  /**
   * Builds a client from options or a preset: by discovery when an `issuer` is given without a
   * `tokenEndpoint`, directly otherwise.
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
   */
  static async create(options: OAuthClientOptions): Promise<OAuthClient> {
    if (options?.issuer && !options.tokenEndpoint) return OAuthClient.discover(options.issuer, options);
    return new OAuthClient(options);
  }

  /**
   * Builds the authorization request URL: `response_type=code`, random `state` and S256 PKCE by default,
   * and a random `nonce` when the scope contains `openid`.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
   */
  async authorizationUrl(options: AuthorizationUrlOptions = {}): Promise<AuthorizationRequest> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    if (options.state !== undefined) requireString(options.state, 'state');
    if (options.nonce !== undefined) requireString(options.nonce, 'nonce');
    const state = options.state ?? randomString();
    const codeVerifier = options.pkce === false ? undefined : generateCodeVerifier();
    // OpenID Connect Core §15.5.2: a nonce binds the ID token to this browser session.
    const openid = toScopeList(options.scope).includes('openid');
    const nonce = options.nonce ?? options.params?.['nonce'] ?? (openid ? randomString() : undefined);
    const url = this.#authorizationUrl({
      scope: options.scope,
      redirectUri: options.redirectUri,
      state,
      nonce,
      params: options.params,
    });
    if (codeVerifier) {
      url.searchParams.set('code_challenge', await codeChallengeS256(codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    return { url: url.toString(), state, codeVerifier, nonce };
  }

  /**
   * Compact form (Lokalise style): the authorization URL as a string, without PKCE; `state` only if given.
   * Prefer {@link OAuthClient.authorizationUrl}, which adds state and PKCE.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   */
  auth(scope: ScopeInput, redirectUri?: string, state?: string): string {
    if (state !== undefined) requireString(state, 'state');
    return this.#authorizationUrl({ scope, redirectUri, state }).toString();
  }

  #authorizationUrl(request: Omit<AuthorizationUrlInput, 'endpoint' | 'clientId'>): URL {
    if (!this.authorizationEndpoint) throw new TypeError('authorizationEndpoint is not configured');
    return buildAuthorizationUrl({
      ...request,
      endpoint: this.authorizationEndpoint,
      clientId: this.clientId,
      redirectUri: request.redirectUri ?? this.redirectUri,
    });
  }

  /**
   * Checks the redirect back from the server (`state`, then `iss`, then `error`), exchanges the code,
   * and validates the ID token (required when `nonce` is given; see {@link OAuthClient.exchangeCode}).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
   */
  async handleCallback(
    callbackUrl: string | URL | URLSearchParams,
    options: CallbackOptions,
  ): Promise<TokenResult> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    requireString(options.state, 'options.state');
    const params = callbackParams(callbackUrl);
    const code = checkCallback(params, {
      state: options.state,
      issuer: this.issuer,
      issRequired: this.#issRequired,
    });
    return this.exchangeCode(code, {
      codeVerifier: options.codeVerifier,
      redirectUri: options.redirectUri,
      nonce: options.nonce,
    });
  }

  /**
   * Exchanges an authorization code for tokens. An `id_token` in the response is validated (its claims
   * become `idTokenClaims`); with a `nonce` (an OpenID Connect request) one is required and must carry it.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
   * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
   */
  async exchangeCode(
    code: string,
    options: {
      codeVerifier?: string | undefined;
      redirectUri?: string | undefined;
      nonce?: string | undefined;
    } = {},
  ): Promise<TokenResult> {
    requireString(code, 'code');
    if (options.codeVerifier !== undefined) requireString(options.codeVerifier, 'codeVerifier');
    checkUrl(options.redirectUri, 'redirectUri');
    const result = await this.#tokenRequest(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: options.redirectUri ?? this.redirectUri,
        code_verifier: options.codeVerifier,
      },
      [],
    );
    if (result.idToken === undefined && options.nonce !== undefined) {
      // OpenID Connect Core §3.1.3.3: the token response of an OpenID Connect request has an ID token.
      throw new OpenIdError('OIDC_ID_TOKEN_MISSING', 'ID token missing from the token response');
    }
    return this.#withClaims(result, { accessToken: result.accessToken, nonce: options.nonce });
  }

  /**
   * Compact form (Lokalise style) of {@link OAuthClient.exchangeCode}. Pass the `redirectUri` given to
   * {@link OAuthClient.auth} when it differs from the client's default: RFC 6749 §4.1.3 requires the
   * same value at the token endpoint, and servers that follow it refuse the code otherwise.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
   */
  token(code: string, redirectUri?: string): Promise<TokenResult> {
    return this.exchangeCode(code, { redirectUri });
  }

  /**
   * Uses a refresh token; if the response carries no new refresh token, the result keeps the one used.
   * A new ID token is validated, and keeps the `sub`, `aud`, `azp` and `auth_time` of `idToken`, the
   * one of the original authentication, when given.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  async refresh(
    refreshToken: string,
    options: { scope?: ScopeInput | undefined; idToken?: string | undefined } = {},
  ): Promise<TokenResult> {
    requireString(refreshToken, 'refreshToken');
    const scope = toScopeList(options?.scope, 'scope');
    const result = await this.#tokenRequest(
      { grant_type: 'refresh_token', refresh_token: refreshToken, scope: joinScope(scope) },
      scope,
      refreshToken,
    );
    return this.#withClaims(result, {
      accessToken: result.accessToken,
      refresh: true,
      original: options?.idToken,
    });
  }

  /**
   * Asks the UserInfo endpoint about the user of an access token (or of a token result, whose ID token
   * `sub` the answer must then have, like `options.sub`).
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  async userInfo(
    tokens: string | Pick<TokenResult, 'accessToken' | 'idTokenClaims'>,
    options: { sub?: string | undefined } = {},
  ): Promise<UserInfo> {
    if (!this.userinfoEndpoint) throw new TypeError('userinfoEndpoint is not configured');
    const accessToken = typeof tokens === 'string' ? tokens : tokens?.accessToken;
    requireString(accessToken, 'accessToken');
    const sub = options?.sub ?? (typeof tokens === 'string' ? undefined : tokens.idTokenClaims?.sub);
    return requestUserInfo(this.#fetch, this.userinfoEndpoint, accessToken, sub, this.#timeoutMs);
  }

  /**
   * The URL that signs the user out at the provider (RP-Initiated Logout): `client_id`, and
   * `id_token_hint`, `post_logout_redirect_uri`, `state` when given.
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
   */
  endSessionUrl(options: EndSessionOptions = {}): string {
    if (!this.endSessionEndpoint) throw new TypeError('endSessionEndpoint is not configured');
    return buildEndSessionUrl(this.endSessionEndpoint, this.clientId, options);
  }

  /**
   * Gets a two-legged token with the client's own credentials.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
   */
  async clientCredentials(
    options: { scope?: ScopeInput | undefined; params?: Record<string, string> | undefined } = {},
  ): Promise<TokenResult> {
    const scope = toScopeList(options?.scope, 'scope');
    return this.#tokenRequest(
      { ...options?.params, grant_type: 'client_credentials', scope: joinScope(scope) },
      scope,
    );
  }

  /**
   * Revokes an access or refresh token. Unknown tokens succeed too (RFC 7009 §2.2).
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  async revoke(token: string, hint?: TokenTypeHint): Promise<void> {
    requireString(token, 'token');
    if (!this.revocationEndpoint) throw new TypeError('revocationEndpoint is not configured');
    const response = await this.#post(
      this.revocationEndpoint,
      { token, token_type_hint: hint },
      'revocation',
    );
    if (!response.ok) parseOAuthJson(response, 'revocation');
  }

  /**
   * Asks the server whether a token is active and what it carries.
   * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
   */
  async introspect(token: string, hint?: TokenTypeHint): Promise<IntrospectionResult> {
    requireString(token, 'token');
    if (!this.introspectionEndpoint) throw new TypeError('introspectionEndpoint is not configured');
    const response = await this.#post(
      this.introspectionEndpoint,
      { token, token_type_hint: hint },
      'introspection',
    );
    return toIntrospectionResult(parseOAuthJson(response, 'introspection'), response);
  }

  /** Validates the response's ID token, if any, and adds its claims. */
  async #withClaims(result: TokenResult, check: IdTokenCheck): Promise<TokenResult> {
    if (result.idToken !== undefined)
      result.idTokenClaims = await this.#idTokens.validate(result.idToken, check);
    return result;
  }

  async #tokenRequest(
    fields: Fields,
    requestedScope: string[],
    previousRefreshToken?: string,
  ): Promise<TokenResult> {
    if (!this.tokenEndpoint) throw new TypeError('tokenEndpoint is not configured');
    const response = await this.#post(this.tokenEndpoint, fields, 'token request');
    const body = parseOAuthJson(response, 'token request');
    return toTokenResult(body, {
      response,
      now: Date.now(),
      requestedScope,
      previousRefreshToken,
    });
  }

  /** POSTs to an endpoint with client authentication. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
  #post(endpoint: string, fields: Fields, what: string): Promise<ReadResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const body: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) body[name] = value;
    if (this.authMethod === 'client_secret_basic') {
      headers['authorization'] = basicCredentials(this.clientId, this.#secret!);
    } else {
      body['client_id'] = this.clientId;
      if (this.authMethod === 'client_secret_post') body['client_secret'] = this.#secret!;
    }
    const json = this.#encoding === 'json';
    headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
    const encoded = json ? JSON.stringify(body) : new URLSearchParams(body).toString();
    return send(this.#fetch, endpoint, { method: 'POST', headers, body: encoded }, this.#timeoutMs, what);
  }
}

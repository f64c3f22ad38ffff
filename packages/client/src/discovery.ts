// Authorization server metadata discovery: RFC 8414 first, then OpenID Connect Discovery.

import { OAuthTransportError } from './errors.js';
import { type FetchLike, parseOAuthJson, type ReadResponse, send } from './http.js';
import { displayUrl, quoteValue } from './message-text.js';
import type { OAuthClientOptions } from './options.js';

/**
 * Authorization server metadata, snake_case as published.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  /** @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata */
  jwks_uri?: string;
  /** @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata */
  userinfo_endpoint?: string;
  /** @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#OPMetadata */
  end_session_endpoint?: string;
  /** @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata */
  id_token_signing_alg_values_supported?: string[];
  scopes_supported?: string[];
  [member: string]: unknown;
}

/**
 * The metadata URLs to try for an issuer, in order: RFC 8414 (well-known segment inserted before the
 * issuer's path), then OpenID Connect Discovery (appended to the issuer).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

function invalidMetadata(response: ReadResponse, problem: string): OAuthTransportError {
  return new OAuthTransportError(
    'OAUTH_INVALID_METADATA',
    `discovery document at ${displayUrl(response.requestUrl)} ${problem}`,
    { status: response.status },
  );
}

const URL_MEMBERS = [
  'authorization_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
];

/**
 * Fetches and validates the metadata of `issuer`; the document's `issuer` must be identical to it
 * (otherwise the error names both issuers). An RFC 8414 document that lists the `openid` scope but no
 * `userinfo_endpoint` is completed by the OpenID Connect document, when there is one.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export async function fetchMetadata(
  issuer: string,
  fetchFn: FetchLike,
  timeoutMs: number,
): Promise<AuthorizationServerMetadata> {
  if (typeof issuer !== 'string' || !URL.canParse(issuer))
    throw new TypeError('issuer must be an absolute URL');
  const parsed = new URL(issuer);
  if (parsed.search || parsed.hash) throw new TypeError('issuer must not have a query or fragment');
  const urls = metadataUrls(issuer);
  let found: AuthorizationServerMetadata | undefined;
  for (const [index, url] of urls.entries()) {
    const response = await send(
      fetchFn,
      url,
      { headers: { accept: 'application/json' } },
      timeoutMs,
      'discovery',
    );
    if (!response.ok && (index < urls.length - 1 || found)) continue;
    const body = parseOAuthJson(response, 'discovery');
    const received = body['issuer'];
    if (received !== issuer) {
      const named = received === undefined ? 'names no issuer' : `names the issuer ${quoteValue(received)}`;
      throw invalidMetadata(response, `${named}, not the expected issuer ${JSON.stringify(issuer)}`);
    }
    if (typeof body['token_endpoint'] !== 'string' || !URL.canParse(body['token_endpoint'])) {
      throw invalidMetadata(response, 'has no valid token_endpoint');
    }
    for (const name of URL_MEMBERS) {
      const value = body[name];
      if (value !== undefined && (typeof value !== 'string' || !URL.canParse(value))) {
        throw invalidMetadata(response, `has an invalid ${name}`);
      }
    }
    found = { ...found, ...body } as AuthorizationServerMetadata;
    const scopes = body['scopes_supported'];
    if (index > 0 || body['userinfo_endpoint'] || !Array.isArray(scopes) || !scopes.includes('openid')) break;
  }
  return found!;
}

/**
 * Client options from discovered metadata: the endpoints, and the authentication method (Basic first,
 * then POST, `none` without a secret) unless `options` names one.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function clientOptions(
  issuer: string,
  metadata: AuthorizationServerMetadata,
  options: OAuthClientOptions,
): OAuthClientOptions {
  const supported = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const secretMethod = supported.includes('client_secret_basic')
    ? 'client_secret_basic'
    : 'client_secret_post';
  return {
    ...options,
    issuer,
    authorizationEndpoint: metadata.authorization_endpoint,
    tokenEndpoint: metadata.token_endpoint,
    revocationEndpoint: metadata.revocation_endpoint,
    introspectionEndpoint: metadata.introspection_endpoint,
    jwksUri: metadata.jwks_uri,
    userinfoEndpoint: metadata.userinfo_endpoint,
    endSessionEndpoint: metadata.end_session_endpoint,
    authMethod: options.authMethod ?? (options.clientSecret ? secretMethod : 'none'),
    authorizationResponseIssParameterSupported:
      metadata.authorization_response_iss_parameter_supported === true,
  };
}

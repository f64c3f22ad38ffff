// Authorization server metadata discovery: RFC 8414 first, then OpenID Connect Discovery.

import { OAuthTransportError } from './errors.js';
import { type FetchLike, parseOAuthJson, type ReadResponse, send } from './http.js';
import { displayUrl, quoteValue } from './message-text.js';

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

/**
 * Fetches and validates the metadata of `issuer`; the document's `issuer` must be identical to it
 * (otherwise the error names both issuers).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
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
  for (const [index, url] of urls.entries()) {
    const response = await send(
      fetchFn,
      url,
      { headers: { accept: 'application/json' } },
      timeoutMs,
      'discovery',
    );
    if (!response.ok && index < urls.length - 1) continue;
    const body = parseOAuthJson(response, 'discovery');
    const received = body['issuer'];
    if (received !== issuer) {
      const named = received === undefined ? 'names no issuer' : `names the issuer ${quoteValue(received)}`;
      throw invalidMetadata(response, `${named}, not the expected issuer ${JSON.stringify(issuer)}`);
    }
    if (typeof body['token_endpoint'] !== 'string' || !URL.canParse(body['token_endpoint'])) {
      throw invalidMetadata(response, 'has no valid token_endpoint');
    }
    for (const name of ['authorization_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
      const value = body[name];
      if (value !== undefined && (typeof value !== 'string' || !URL.canParse(value))) {
        throw invalidMetadata(response, `has an invalid ${name}`);
      }
    }
    return body as AuthorizationServerMetadata;
  }
  /* c8 ignore next */
  throw new OAuthTransportError('OAUTH_INVALID_METADATA', `no discovery document found for ${issuer}`);
}

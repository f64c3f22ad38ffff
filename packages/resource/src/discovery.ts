// Finds the authorization server's jwks_uri / introspection_endpoint through RFC 8414 metadata.
import { fetchJsonObject, UpstreamError } from './http-json.js';
import type { FetchLike } from './types.js';

/** The metadata fields this package uses. */
export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
}

/**
 * RFC 8414 §3.1 metadata URL: `/.well-known/oauth-authorization-server` inserted between the host
 * and the issuer's path (`https://as.example/tenant` → `https://as.example/.well-known/oauth-authorization-server/tenant`).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function authorizationServerMetadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** OpenID Connect Discovery URL (`<issuer>/.well-known/openid-configuration`), the fallback. */
function openIdConfigurationUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches the issuer's metadata (RFC 8414, falling back to OpenID Connect Discovery on 404) and
 * checks that its `issuer` is exactly the configured one (RFC 8414 §3.3).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 */
export async function discoverMetadata(
  fetchImpl: FetchLike,
  issuer: string,
  timeoutMs: number,
): Promise<AuthorizationServerMetadata> {
  const init: RequestInit = { headers: { accept: 'application/json' } };
  let document: Record<string, unknown>;
  try {
    document = await fetchJsonObject(fetchImpl, authorizationServerMetadataUrl(issuer), init, timeoutMs);
  } catch (error) {
    if (!(error instanceof UpstreamError) || error.status !== 404) throw error;
    document = await fetchJsonObject(fetchImpl, openIdConfigurationUrl(issuer), init, timeoutMs);
  }
  if (document['issuer'] !== issuer) {
    throw new UpstreamError(`metadata issuer ${JSON.stringify(document['issuer'])} is not ${issuer}`);
  }
  const metadata: AuthorizationServerMetadata = { issuer };
  if (typeof document['jwks_uri'] === 'string') metadata.jwks_uri = document['jwks_uri'];
  if (typeof document['introspection_endpoint'] === 'string') {
    metadata.introspection_endpoint = document['introspection_endpoint'];
  }
  return metadata;
}

/**
 * Memoizes one metadata lookup; a failed lookup is forgotten so the next request tries again.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function createMetadataLoader(
  fetchImpl: FetchLike,
  issuer: string,
  timeoutMs: number,
): () => Promise<AuthorizationServerMetadata> {
  let pending: Promise<AuthorizationServerMetadata> | undefined;
  return () => {
    pending ??= discoverMetadata(fetchImpl, issuer, timeoutMs).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

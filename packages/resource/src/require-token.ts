// requireToken: builds a TokenGuard in JWT or introspection mode from validated options.
import { createMetadataLoader } from './discovery.js';
import { UpstreamError } from './http-json.js';
import { createIntrospectionVerifier } from './introspection-verifier.js';
import { JwksCache } from './jwks-cache.js';
import { createJwtVerifier } from './jwt-verifier.js';
import { type RequireTokenOptions, resolveOptions } from './options.js';
import { TokenCache } from './token-cache.js';
import { TokenGuard } from './token-guard.js';
import type { AuthInfo } from './types.js';

/**
 * Creates a guard that accepts Latchkey (or any RFC 9068) access tokens.
 *
 * - `mode: 'jwt'` (default): verifies the JWT locally against the issuer's JWKS (found through RFC
 *   8414 metadata unless `jwksUri` is given), with an algorithm allow-list, `typ` `at+jwt`, `iss`,
 *   `aud`, `exp`/`nbf` with `leewaySeconds` (default 30). Verified tokens are cached (LRU, default
 *   10,000 entries, at most 300 s and never past `exp`).
 * - `mode: 'introspect'`: asks the introspection endpoint on every request (RFC 7662), so a revoked
 *   token is refused at once; `introspection.cacheSeconds` allows a bounded positive cache.
 *
 * Throws `TypeError` naming the option when the options are invalid.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function requireToken(options: RequireTokenOptions): TokenGuard {
  const o = resolveOptions(options);
  const metadata = createMetadataLoader(o.fetch, o.issuer, o.timeoutMs);
  let verifyToken: (token: string) => Promise<AuthInfo>;
  let cache: TokenCache<AuthInfo> | undefined;
  let cacheMaxAgeMs = 0;

  if (o.mode === 'jwt') {
    const configured = o.jwksUri;
    const jwks = new JwksCache({
      jwksUri: async () => {
        if (configured !== undefined) return configured;
        const uri = (await metadata()).jwks_uri;
        if (uri === undefined) throw new UpstreamError(`metadata of ${o.issuer} has no jwks_uri`);
        return uri;
      },
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      cooldownMs: o.jwksCooldownSeconds * 1000,
      maxAgeMs: o.jwksMaxAgeSeconds * 1000,
      maxBackoffMs: o.jwksMaxBackoffSeconds * 1000,
    });
    verifyToken = createJwtVerifier(o, jwks);
    if (o.cache !== undefined) {
      cache = new TokenCache(o.cache.maxEntries);
      cacheMaxAgeMs = o.cache.maxAgeSeconds * 1000;
    }
  } else {
    const introspection = o.introspection!;
    const configured = introspection.endpoint;
    verifyToken = createIntrospectionVerifier({
      endpoint: async () => {
        if (configured !== undefined) return configured;
        const uri = (await metadata()).introspection_endpoint;
        if (uri === undefined) {
          throw new UpstreamError(`metadata of ${o.issuer} has no introspection_endpoint`);
        }
        return uri;
      },
      clientId: introspection.clientId,
      clientSecret: introspection.clientSecret,
      issuer: o.issuer,
      audience: o.audience,
      leewaySeconds: o.leewaySeconds,
      timeoutMs: o.timeoutMs,
      fetch: o.fetch,
    });
    // RFC 7662 §4: caching trades revocation latency for speed; off unless asked for.
    if (introspection.cacheSeconds > 0 && o.cache !== undefined) {
      cache = new TokenCache(o.cache.maxEntries);
      cacheMaxAgeMs = introspection.cacheSeconds * 1000;
    }
  }

  return new TokenGuard(
    {
      context: { realm: o.realm, resourceMetadataUrl: o.resourceMetadataUrl },
      verifyToken,
      cache,
      cacheMaxAgeMs,
    },
    o.scopes,
  );
}

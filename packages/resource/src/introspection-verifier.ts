// Asks the authorization server about a token (RFC 7662) and checks what it answers.
import { toAuthInfo } from './auth-info.js';
import { fetchJsonObject, UpstreamError } from './http-json.js';
import { TokenRejected } from './token-rejected.js';
import type { AccessTokenClaims, AuthInfo, FetchLike } from './types.js';

/** Settings of {@link createIntrospectionVerifier}. */
export interface IntrospectionVerifierOptions {
  /** Resolves the introspection endpoint (configured, or discovered through RFC 8414). */
  endpoint: () => Promise<string>;
  clientId: string;
  clientSecret: string;
  issuer: string;
  audience: string[];
  leewaySeconds: number;
  timeoutMs: number;
  fetch: FetchLike;
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic's base64. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * Returns `verify(token)`: POSTs `token` (hint `access_token`) to the introspection endpoint with
 * HTTP Basic client authentication. `active` must be `true`; when present, `exp`/`nbf` must hold
 * (with leeway), `iss` must be the issuer, `aud` must include one of the audiences and
 * `token_type` must be Bearer. An unreachable or failing endpoint throws {@link UpstreamError} (503).
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export function createIntrospectionVerifier(
  options: IntrospectionVerifierOptions,
): (token: string) => Promise<AuthInfo> {
  const authorization = `Basic ${Buffer.from(
    `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`,
  ).toString('base64')}`;
  return async (token) => {
    const endpoint = await options.endpoint();
    const response = await fetchJsonObject(
      options.fetch,
      endpoint,
      {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      },
      options.timeoutMs,
    );
    if (typeof response['active'] !== 'boolean') {
      throw new UpstreamError('introspection response has no boolean "active"');
    }
    if (response['active'] !== true) throw new TokenRejected('the token is not active');
    const claims = response as AccessTokenClaims;
    const now = Date.now() / 1000;
    if (typeof claims.exp === 'number' && claims.exp + options.leewaySeconds <= now) {
      throw new TokenRejected('the token has expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf - options.leewaySeconds > now) {
      throw new TokenRejected('the token is not valid yet');
    }
    if (claims.iss !== undefined && claims.iss !== options.issuer) {
      throw new TokenRejected('the token was not issued by the expected issuer');
    }
    if (claims.aud !== undefined) {
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.some((a) => options.audience.includes(a))) {
        throw new TokenRejected('the token is not meant for this resource');
      }
    }
    const tokenType = response['token_type'];
    if (typeof tokenType === 'string' && !['bearer', 'access_token'].includes(tokenType.toLowerCase())) {
      throw new TokenRejected('the token is not an access token');
    }
    return toAuthInfo(claims);
  };
}

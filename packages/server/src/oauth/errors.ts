/** OAuthError and one factory per RFC 6749 §5.2 / RFC 6750 error code. */

/** An error the protocol defines: serialized as `{error, error_description}` with its HTTP status. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  readonly headers: Record<string, string>;

  /**
   * @param error the RFC error code (`invalid_request`, `invalid_client`, ...)
   * @param description human-readable text; never contains a secret or a token
   * @param status HTTP status
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
   */
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.headers = headers;
  }
}

/** The realm sent in `WWW-Authenticate: Basic`. */
export const BASIC_REALM = 'latchkey';

/** RFC 6749 §5.2 `invalid_request`. */
export const invalidRequest = (description: string, status = 400) =>
  new OAuthError('invalid_request', description, status);

/** RFC 6749 §5.2 `invalid_client`: 401 with a Basic challenge. */
export const invalidClient = (description = 'client authentication failed') =>
  new OAuthError('invalid_client', description, 401, {
    'www-authenticate': `Basic realm="${BASIC_REALM}", charset="UTF-8"`,
  });

/** RFC 6749 §5.2 `invalid_grant`. */
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);

/** RFC 6749 §5.2 `unauthorized_client`. */
export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description);

/** RFC 6749 §5.2 `unsupported_grant_type`. */
export const unsupportedGrantType = (description: string) =>
  new OAuthError('unsupported_grant_type', description);

/** RFC 6749 §5.2 `invalid_scope`. */
export const invalidScope = (description: string) => new OAuthError('invalid_scope', description);

/**
 * Too many failed attempts: 429 with `Retry-After` (RFC 6585 §4). RFC 6749 §5.2 has no code for this;
 * `slow_down` belongs to device-code polling (RFC 8628 §3.5) and `invalid_client` would tell a client
 * holding the right secret that it is wrong. `temporarily_unavailable` (RFC 6749 §4.1.2.1: a temporary
 * condition, the same request may succeed later) is what clients and our token proxy already retry
 * after `Retry-After`. The body is the same whoever is refused and whatever they presented.
 */
export const tooManyRequests = (retryAfterSeconds: number) =>
  new OAuthError('temporarily_unavailable', 'too many failed attempts; retry later', 429, {
    'retry-after': retryAfterValue(retryAfterSeconds),
  });

/** A `Retry-After` value (RFC 9110 §10.2.3): whole seconds, at least 1. */
export function retryAfterValue(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}

/** The database cannot be reached: 503, never a 500 and never a token that was not saved. */
export const temporarilyUnavailable = () =>
  new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable', 503, {
    'retry-after': '1',
  });

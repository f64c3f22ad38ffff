// Error classes the SDK throws, each with a stable `code` callers can switch on.

/** Stable codes carried by {@link OAuthResponseError}. */
export type OAuthResponseErrorCode = 'OAUTH_RESPONSE_ERROR';

/** Stable codes carried by {@link AuthorizationResponseError}. */
export type AuthorizationResponseErrorCode =
  | 'OAUTH_AUTHORIZATION_ERROR'
  | 'OAUTH_STATE_MISMATCH'
  | 'OAUTH_ISSUER_MISMATCH'
  | 'OAUTH_MISSING_CODE';

/** Stable codes carried by {@link OAuthTransportError}. */
export type OAuthTransportErrorCode =
  | 'OAUTH_NETWORK_ERROR'
  | 'OAUTH_TIMEOUT'
  | 'OAUTH_INVALID_RESPONSE'
  | 'OAUTH_HTTP_ERROR'
  | 'OAUTH_INVALID_METADATA';

/** Stable codes carried by {@link OpenIdError}. */
export type OpenIdErrorCode =
  | 'OIDC_ID_TOKEN_MISSING'
  | 'OIDC_ID_TOKEN_MALFORMED'
  | 'OIDC_ID_TOKEN_ALG_NOT_ALLOWED'
  | 'OIDC_ID_TOKEN_KEY_NOT_FOUND'
  | 'OIDC_ID_TOKEN_SIGNATURE_INVALID'
  | 'OIDC_ID_TOKEN_ISSUER_MISMATCH'
  | 'OIDC_ID_TOKEN_AUDIENCE_MISMATCH'
  | 'OIDC_ID_TOKEN_AZP_MISMATCH'
  | 'OIDC_ID_TOKEN_EXPIRED'
  | 'OIDC_ID_TOKEN_ISSUED_IN_FUTURE'
  | 'OIDC_ID_TOKEN_NONCE_MISMATCH'
  | 'OIDC_ID_TOKEN_AT_HASH_MISMATCH'
  | 'OIDC_ID_TOKEN_SUBJECT_MISMATCH'
  | 'OIDC_ID_TOKEN_AUTH_TIME_MISMATCH'
  | 'OIDC_USERINFO_SUBJECT_MISMATCH';

const MAX_DESCRIPTION = 200;

function describe(error: string, description: string | undefined, max = MAX_DESCRIPTION): string {
  if (!description) return error;
  const short = description.length > max ? `${description.slice(0, max)}…` : description;
  return `${error}: ${short}`;
}

/**
 * The server answered an endpoint request with an OAuth error body (`{"error": ...}`), whatever the
 * HTTP status, including an error body sent with HTTP 200.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.3
 */
export class OAuthResponseError extends Error {
  /** Always `'OAUTH_RESPONSE_ERROR'`. */
  readonly code: OAuthResponseErrorCode = 'OAUTH_RESPONSE_ERROR';
  /** The RFC error code, e.g. `invalid_grant`. */
  readonly error: string;
  /** The server's `error_description`, if any. */
  readonly errorDescription: string | undefined;
  /** The server's `error_uri`, if any. */
  readonly errorUri: string | undefined;
  /** The HTTP status of the response. */
  readonly status: number;
  /** The parsed JSON body of the response. */
  readonly body: Record<string, unknown>;

  /** @param status HTTP status @param body parsed error body carrying a string `error` */
  constructor(status: number, body: Record<string, unknown>) {
    const error = String(body['error']);
    const errorDescription =
      typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
    super(`${describe(error, errorDescription)} (HTTP ${status})`);
    this.name = 'OAuthResponseError';
    this.error = error;
    this.errorDescription = errorDescription;
    this.errorUri = typeof body['error_uri'] === 'string' ? body['error_uri'] : undefined;
    this.status = status;
    this.body = body;
  }
}

/** Details of an {@link AuthorizationResponseError}. */
export interface AuthorizationResponseErrorDetails {
  /** The RFC error code from the redirect, or a local one such as `state_mismatch`. */
  error: string;
  /** `error_description` from the redirect, if any. */
  errorDescription?: string | undefined;
  /** `error_uri` from the redirect, if any. */
  errorUri?: string | undefined;
  /** `state` from the redirect, if any. */
  state?: string | undefined;
}

/**
 * The authorization response (the redirect back to the app) carried an error or failed a check:
 * `error=` from the server, a `state` that does not match, an `iss` that does not match (RFC 9207),
 * or no `code`.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export class AuthorizationResponseError extends Error {
  /** Why the response was refused; stable. */
  readonly code: AuthorizationResponseErrorCode;
  /** The RFC error code (`access_denied`, ...) or a local one (`state_mismatch`, `issuer_mismatch`, `missing_code`). */
  readonly error: string;
  /** `error_description` from the redirect, if any. */
  readonly errorDescription: string | undefined;
  /** `error_uri` from the redirect, if any. */
  readonly errorUri: string | undefined;
  /** `state` received on the redirect, if any. */
  readonly state: string | undefined;

  /** @param code stable code @param details what the redirect said */
  constructor(code: AuthorizationResponseErrorCode, details: AuthorizationResponseErrorDetails) {
    // Only a description the server sent is cut; the SDK's own ones (issuer mismatch: both issuers) stay whole.
    const max = code === 'OAUTH_AUTHORIZATION_ERROR' ? MAX_DESCRIPTION : Number.POSITIVE_INFINITY;
    super(describe(details.error, details.errorDescription, max));
    this.name = 'AuthorizationResponseError';
    this.code = code;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.errorUri = details.errorUri;
    this.state = details.state;
  }
}

/**
 * The request did not produce a usable OAuth answer: network failure, timeout, a body that is not JSON,
 * an HTTP error without an OAuth error body, or invalid server metadata. `status` is kept when a
 * response arrived.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export class OAuthTransportError extends Error {
  /** What went wrong; stable. */
  readonly code: OAuthTransportErrorCode;
  /** HTTP status when a response arrived, otherwise `undefined`. */
  readonly status: number | undefined;

  /** @param code stable code @param message human text (never secrets) @param options status and cause */
  constructor(
    code: OAuthTransportErrorCode,
    message: string,
    options: { status?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthTransportError';
    this.code = code;
    this.status = options.status;
  }
}

/**
 * An OpenID Connect response failed a check: an ID token that is missing, malformed, signed with a
 * refused algorithm or an unknown key, badly signed, or whose claims do not hold (`iss`, `aud`, `azp`,
 * `exp`, `iat`, `nonce`, `at_hash`, and on refresh `sub` / `aud` / `azp` / `auth_time` of the original);
 * or a userinfo response about another subject. The message names the claim, never a token.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 */
export class OpenIdError extends Error {
  /** Which check failed; stable. */
  readonly code: OpenIdErrorCode;

  /** @param code stable code @param message human text (never a token) */
  constructor(code: OpenIdErrorCode, message: string) {
    super(message);
    this.name = 'OpenIdError';
    this.code = code;
  }
}

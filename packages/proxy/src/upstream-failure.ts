// Classifies what went wrong talking to the upstream token endpoint: retryable or not, timeout or not.

import { OAuthResponseError, OAuthTransportError } from '@latchkey/client';

/** How an upstream exchange failed: `timeout` answers 504, the others 502. */
export type UpstreamFailureKind = 'timeout' | 'unavailable' | 'rejected' | 'invalid';

/**
 * One failed upstream exchange, stripped of anything the upstream sent except its status, its OAuth
 * `error` code and `Retry-After`: no body, no description, no token, no secret.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class UpstreamFailure extends Error {
  /** `timeout`, `unavailable` (5xx, 429, network), `rejected` (4xx such as invalid_client), `invalid` (unusable answer). */
  readonly kind: UpstreamFailureKind;
  /** Whether another attempt may succeed (5xx, 429, timeouts, network errors). */
  readonly retryable: boolean;
  /** HTTP status from the upstream, when a response arrived. */
  readonly status: number | undefined;
  /** The SDK error code (`OAUTH_TIMEOUT`, `OAUTH_RESPONSE_ERROR`, ...) or `TypeError`. */
  readonly errorCode: string;
  /** The upstream's OAuth `error` code (`invalid_client`), sanitised and truncated. */
  readonly oauthError: string | undefined;
  /** `Retry-After` in ms, when the upstream sent one. */
  readonly retryAfterMs: number | undefined;
  /** Attempts made so far (set by the retry loop). */
  attempts = 1;

  /** @param fields what is known of the failure (never bodies) */
  constructor(fields: {
    kind: UpstreamFailureKind;
    retryable: boolean;
    status?: number | undefined;
    errorCode: string;
    oauthError?: string | undefined;
    retryAfterMs?: number | undefined;
  }) {
    super(`upstream ${fields.kind}`);
    this.name = 'UpstreamFailure';
    this.kind = fields.kind;
    this.retryable = fields.retryable;
    this.status = fields.status;
    this.errorCode = fields.errorCode;
    this.oauthError = fields.oauthError;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

const retryableStatus = (status: number | undefined): boolean =>
  status !== undefined && (status === 429 || status >= 500);

function safeCode(value: string): string {
  return value.replace(/[^\w.-]/g, '?').slice(0, 64);
}

/**
 * Turns whatever an upstream attempt threw into an {@link UpstreamFailure}. `retryAfterMs` is the
 * parsed `Retry-After` of the response, if one arrived.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6
 */
export function classifyFailure(error: unknown, retryAfterMs: number | undefined): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (error instanceof OAuthResponseError) {
    const retryable = retryableStatus(error.status) || error.error === 'temporarily_unavailable';
    return new UpstreamFailure({
      kind: retryable ? 'unavailable' : 'rejected',
      retryable,
      status: error.status,
      errorCode: error.code,
      oauthError: safeCode(error.error),
      retryAfterMs,
    });
  }
  if (error instanceof OAuthTransportError) {
    if (error.code === 'OAUTH_TIMEOUT') {
      return new UpstreamFailure({ kind: 'timeout', retryable: true, errorCode: error.code });
    }
    if (error.code === 'OAUTH_NETWORK_ERROR') {
      return new UpstreamFailure({ kind: 'unavailable', retryable: true, errorCode: error.code });
    }
    const retryable = retryableStatus(error.status);
    return new UpstreamFailure({
      kind: retryable ? 'unavailable' : error.code === 'OAUTH_HTTP_ERROR' ? 'rejected' : 'invalid',
      retryable,
      status: error.status,
      errorCode: error.code,
      retryAfterMs,
    });
  }
  return new UpstreamFailure({
    kind: 'invalid',
    retryable: false,
    errorCode: error instanceof Error ? safeCode(error.name) : 'unknown',
  });
}

/**
 * A timeout failure for an attempt or a deadline that ran out in the proxy itself.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.5
 */
export function timeoutFailure(): UpstreamFailure {
  return new UpstreamFailure({ kind: 'timeout', retryable: true, errorCode: 'OAUTH_TIMEOUT' });
}
